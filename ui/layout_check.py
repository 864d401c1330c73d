"""What a person would see as broken on a screen, found from the widgets rather than by eye:
a window that needs more room than its screen has (the rest is cut off), a visible widget
outside its parent (cut off), visible siblings on top of each other, a label's or button's words
wider or taller than the widget, and a touch target under 15 mm at the terminal's DPI.

The DPI of each form factor (what a hall buys; `touch_px` turns 15 mm into pixels):
- kiosk 1920x1080: a 21.5" landscape panel, ~102 DPI (15 mm = 60 px);
- kiosk 1080x1920: a 27" upright panel, ~82 DPI (48 px);
- rating pad 1280x800: a 10.1" tablet, ~149 DPI (88 px); 800x480: a 7" panel, ~133 DPI (79 px);
- counter 1366x768 and 1280x800: a desktop monitor worked with mouse and F-keys (no touch rule);
- call display: nobody touches it (no touch rule).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QPushButton, QWidget

DPI: dict[tuple[str, tuple[int, int]], float] = {
    ("kiosk", (1920, 1080)): 102.0, ("kiosk", (1080, 1920)): 82.0,
    ("bank", (1920, 1080)): 102.0, ("bank", (1080, 1920)): 82.0,
    ("pad", (1280, 800)): 149.0, ("pad", (800, 480)): 133.0,
}
TOUCH_MM = 15.0


def touch_px(role: str, size: tuple[int, int]) -> int | None:
    """15 mm in pixels on `role`'s panel of `size`, or None where nobody touches the screen."""
    dpi = DPI.get((role, size))
    return None if dpi is None else round(TOUCH_MM / 25.4 * dpi)


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    text = text.replace("\n", " ")[:24]
    return f"{type(w).__name__}{'(' + repr(text) + ')' if text else ''}"


def _scrolled(w: QWidget, top: QWidget) -> bool:
    """Inside a scroll area's viewport: may extend past it by design."""
    p = w.parentWidget()
    while p is not None and p is not top:
        if isinstance(p.parentWidget(), QAbstractScrollArea):
            return True
        p = p.parentWidget()
    return False


def _text_need(w: QWidget) -> tuple[int, int] | None:
    """The width and height the widget's plain words need, or None (no words, rich text)."""
    if not isinstance(w, (QLabel, QPushButton)):
        return None
    text = w.text()
    if not text.strip() or (isinstance(w, QLabel) and (
            "<" in text or w.textFormat() == Qt.TextFormat.RichText)):
        return None
    fm = w.fontMetrics()
    lines = text.replace("&&", "&").split("\n")
    return (max(fm.horizontalAdvance(line) for line in lines),
            len(lines) * fm.lineSpacing() - fm.leading())


def problems(top: QWidget, size: tuple[int, int], touch: int | None = None) -> list[str]:
    """Everything wrong on `top` shown at `size` (see the module's words)."""
    out: list[str] = []
    if (top.width(), top.height()) != size:
        need = top.minimumSizeHint()
        out.append(f"window is {top.width()}x{top.height()} (needs "
                   f"{need.width()}x{need.height()}), not {size[0]}x{size[1]}: content cut off")
    shown = [w for w in top.findChildren(QWidget)
             if w.isVisibleTo(top) and not w.isWindow() and w.width() > 0 and w.height() > 0]
    for w in shown:
        parent = w.parentWidget()
        scrolled = _scrolled(w, top)
        if parent is not None and not scrolled:
            inside = parent.rect().adjusted(-1, -1, 1, 1)
            if not inside.contains(w.geometry()):
                g = w.geometry()
                out.append(f"{_name(w)} at {g.x()},{g.y()} {g.width()}x{g.height()} is cut off "
                           f"by {_name(parent)} {parent.width()}x{parent.height()}")
        need = _text_need(w)
        if need is not None:
            cr = w.contentsRect()
            pad = 8 if isinstance(w, QPushButton) else 0
            if isinstance(w, QLabel) and w.wordWrap():
                high = w.heightForWidth(w.width())
                if high > w.height() + 2:
                    out.append(f"{_name(w)} needs {high} px of height, has {w.height()}")
            elif need[0] + pad > cr.width() + 2:
                out.append(f"{_name(w)} needs {need[0] + pad} px, has {cr.width()}")
            elif need[1] > cr.height() + 2:
                out.append(f"{_name(w)} needs {need[1]} px of height, has {cr.height()}")
        if touch and isinstance(w, QAbstractButton) and min(w.width(), w.height()) < touch - 1:
            out.append(f"{_name(w)} is {w.width()}x{w.height()}, under {touch} px (15 mm)")
    by_parent: dict[int, list[QWidget]] = {}
    for w in shown:
        if w.parentWidget() is not None and not _scrolled(w, top):
            by_parent.setdefault(id(w.parentWidget()), []).append(w)
    for siblings in by_parent.values():
        for i, a in enumerate(siblings):
            for b in siblings[i + 1:]:
                both = a.geometry().intersected(b.geometry())
                if both.width() > 2 and both.height() > 2 and not _layered(a, b):
                    out.append(f"{_name(a)} and {_name(b)} overlap by "
                               f"{both.width()}x{both.height()}")
    return out


def _layered(a: QWidget, b: QWidget) -> bool:
    """Widgets meant to lie on others (an overlay, a floating panel) say so with the property
    `overlay`; a widget that fills its parent entirely is a background, not a sibling."""
    for w in (a, b):
        if w.property("overlay"):
            return True
        parent = w.parentWidget()
        if parent is not None and w.geometry() == QRect(QPoint(0, 0), parent.size()):
            return True
    return False


def describe(found: list[str], where: str) -> list[str]:
    return [f"{where}: {p}" for p in found]
