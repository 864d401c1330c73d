"""Small constructors that keep screen code short: labels and touch buttons with a role name the
style sheet knows (`title`, `huge`, `primary`, `tile`…)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QPushButton, QWidget


def label(text: str = "", role: str = "", *, wrap: bool = True,
          align: Qt.AlignmentFlag | None = None) -> QLabel:
    w = QLabel(text)
    if role:
        w.setObjectName(role)
    w.setWordWrap(wrap)
    if align is not None:
        w.setAlignment(align)
    return w


def button(text: str, on_click: Callable[[], None] | None = None, role: str = "") -> QPushButton:
    return touch(QPushButton(text), on_click, role)


def touch(b: QPushButton, on_click: Callable[[], None] | None = None, role: str = ""
          ) -> QPushButton:
    """`b` as a touch button: its style sheet role, no focus, `on_click` on a tap."""
    if role:
        b.setObjectName(role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: no focus rectangles
    if on_click is not None:
        b.clicked.connect(lambda _checked=False: on_click())
    return b


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    return line


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every item of a layout (screens rebuild their lists on each change)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and make the style sheet look again."""
    if widget.objectName() != role:
        widget.setObjectName(role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def tall(widget: QWidget, height: int, width: int = 0) -> QWidget:
    """A minimum size that the style sheet's general `min-height` cannot undo at polish time."""
    rule = f"min-height: {height}px;" + (f" min-width: {width}px;" if width else "")
    widget.setStyleSheet(rule)
    return widget
