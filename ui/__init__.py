"""Widgets and screens of every terminal role, styles, translations and voice output."""
