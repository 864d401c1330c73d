"""Rendering a screen to PNG for `python -m kiosk --role ROLE --screens DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_screen(app: Any, widget: Any, path: Path) -> None:
    """Show `widget`, let Qt lay it out and paint, save it as PNG, then dispose of it."""
    widget.show()
    app.processEvents()
    widget.grab().save(str(path))
    widget.close()
    widget.deleteLater()
