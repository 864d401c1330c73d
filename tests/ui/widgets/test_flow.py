"""ui.widgets.flow.FlowLayout: rows wrap where the width ends; with `fill`, each row's items share
its spare width and reach both edges, each no narrower than it asks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget

from ui.widgets.flow import FlowLayout


def _row_of(words: list[str], fill: bool) -> tuple[QWidget, FlowLayout, list[QPushButton]]:
    host = QWidget()
    flow = FlowLayout(host, spacing=10, fill=fill)
    flow.setContentsMargins(0, 0, 0, 0)
    buttons = [QPushButton(w) for w in words]
    for b in buttons:
        flow.addWidget(b)
    return host, flow, buttons


def test_fill_shares_the_spare_width_and_wraps(qapp: Any) -> None:
    host, flow, buttons = _row_of(["one", "two words", "three more words", "four"], fill=True)
    hints = [b.sizeHint().width() for b in buttons]
    wide = sum(hints) + 10 * 3 + 101
    flow.setGeometry(QRect(0, 0, wide, 200))
    tops = {b.geometry().top() for b in buttons}
    assert tops == {0}  # one row
    assert buttons[0].geometry().left() == 0 and buttons[-1].geometry().right() == wide - 1
    assert all(b.width() >= h for b, h in zip(buttons, hints, strict=True))
    assert max(b.width() - h for b, h in zip(buttons, hints, strict=True)) - min(
        b.width() - h for b, h in zip(buttons, hints, strict=True)) <= 1  # shared evenly
    for a, b in zip(buttons, buttons[1:], strict=False):
        assert b.geometry().left() == a.geometry().right() + 1 + 10  # no overlap, one gap

    narrow = hints[0] + hints[1] + 10 + 5  # the first two fit, the third goes below
    flow.setGeometry(QRect(0, 0, narrow, 400))
    assert buttons[1].geometry().top() == 0 and buttons[2].geometry().top() > 0
    assert buttons[1].geometry().right() == narrow - 1  # the first row still reaches the edge
    assert flow.heightForWidth(narrow) > flow.heightForWidth(wide)
    host.deleteLater()


def test_without_fill_items_keep_their_size(qapp: Any) -> None:
    host, flow, buttons = _row_of(["one", "two"], fill=False)
    flow.setGeometry(QRect(0, 0, 1000, 100))
    assert [b.width() for b in buttons] == [b.sizeHint().width() for b in buttons]
    host.deleteLater()
