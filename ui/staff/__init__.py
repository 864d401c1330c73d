"""Screens and widgets of the staff-side roles: the counter pad, the call display, the rating pad."""
