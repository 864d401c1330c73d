"""Where a terminal's window sits on its screen, from `[window]` of its configuration.

`kiosk` mode is the terminal as installed in the hall: full screen (the counter pad maximized),
and for the citizens' kiosk locked as well (frameless, on top, no cursor, closing refused: its
admin corner is the only way out). `window` mode is an ordinary window on somebody's desktop,
as the demo opens them: a frame, a cursor, Alt-F4 closes it, never full screen or on top; at
the terminal's form factor (`size`, in the app's pixels), drawn `scale` screen pixels per app
pixel (Qt's QT_SCALE_FACTOR, set before the application exists), its frame at `position`.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QWidget

from kiosk.config import WindowOptions


def prepare_scale(options: WindowOptions) -> None:
    """Before the QApplication is made: draw the whole app at `scale` and nothing else (a
    desktop's own high-DPI factor would scale the demo's tiles off their places)."""
    if options.mode != "window" or options.scale == 1.0:
        return
    os.environ["QT_ENABLE_HIGHDPI_SCALING"] = "0"
    os.environ.pop("QT_SCREEN_SCALE_FACTORS", None)
    os.environ["QT_SCALE_FACTOR"] = f"{options.scale:g}"


def locked(options: WindowOptions) -> bool:
    """Whether a kiosk window keeps people in: only as installed (`mode = "kiosk"`)."""
    return options.mode == "kiosk"


def present(window: QWidget, options: WindowOptions, *, lock: bool = False,
            maximized: bool = False) -> None:
    """Show `window` as `options` say. `lock` (kiosk mode only): frameless, on top, no cursor;
    `maximized`: kiosk mode fills the screen but keeps the desktop's frame (the counter pad)."""
    if options.mode == "kiosk":
        if lock:
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
            window.setCursor(Qt.CursorShape.BlankCursor)
        if maximized:
            window.showMaximized()
        else:
            window.showFullScreen()
        return
    size = options.size_px()
    if size is not None:
        window.resize(*size)
    at = options.position_px()
    if at is None:
        window.show()
        return
    target = QPoint(round(at[0] / options.scale), round(at[1] / options.scale))  # app pixels
    window.move(target)
    window.show()
    keep_place(window, target)


def keep_place(window: QWidget, target: QPoint, tries: int = 20, every_ms: int = 100,
               wait_ms: int = 60_000, steady: int = 20) -> None:
    """Put the window's frame at `target` once the window manager has framed it. Before a
    window is mapped Qt cannot know its frame, and window managers then read the position as
    the frame's or as the contents' (openbox did both, by timing): a window's title bar could
    be off the screen, or windows overlap. Moved again until it sits: `tries` times once it is
    framed (about a second at most, so a user who drags it away is not fought); until then it
    is only looked at, for up to `wait_ms` (on a busy machine the frame came after the two
    seconds that counting every look allowed, and the window stayed where it fell). A window
    never framed by then (a window manager that draws no frames) is moved once. Once it sits
    there it is looked at `steady` times more: Qt takes a move as done before the window manager
    has answered, and on a busy machine openbox then put a frame 22 px above the screen (its
    title bar's height), which Qt learnt only later."""

    def check(left: int, waited: int, seen: int) -> None:
        if window.frameGeometry().topLeft() == target:
            if seen < steady and waited < wait_ms:
                QTimer.singleShot(every_ms, lambda: check(left, waited + every_ms, seen + 1))
            return
        framed = window.frameGeometry() != window.geometry()
        if framed or waited >= wait_ms:
            window.move(target)
            left -= 1
        if left > 0 and waited < wait_ms:
            QTimer.singleShot(every_ms, lambda: check(left, waited + every_ms, 0))

    QTimer.singleShot(every_ms, lambda: check(tries, 0, 0))


def window_title(window: Any, role_title: str) -> None:
    """A title a desktop user can tell the demo's windows apart by."""
    window.setWindowTitle(f"快办 Kuaiban · {role_title}")
