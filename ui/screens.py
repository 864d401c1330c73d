"""Rendering a screen to PNG for `python -m kiosk --role ROLE --screens DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def settle(app: Any) -> None:
    """Let Qt lay out and paint what was staged, including what a screen does in a later turn
    of the loop after its first layout (the kiosk's services fit their page to it)."""
    for _ in range(3):
        app.processEvents()
        app.sendPostedEvents()


def save_screen(app: Any, widget: Any, path: Path) -> None:
    """Show `widget`, let Qt lay it out and paint, save it as PNG, then dispose of it."""
    widget.show()
    settle(app)
    widget.grab().save(str(path))
    widget.close()
    widget.deleteLater()
