"""The header's language switch keeps its places: one button a language the hall offers, always
in the hall's order (中文 / ᠮᠣᠩᠭᠣᠯ / English), the current one marked, so a spot of the screen
always means the same language, in the standard and the senior mode, upright and wide, with and
without Mongolian."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import sample
from kiosk import states as st
from kiosk.sample_hall import HallSample
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts


def places(window: KioskWindow) -> dict[str, QRect]:
    """Where each visible language button is, in the window's pixels."""
    settle(QApplication.instance())
    out = {}
    for code, b in window.lang_btns.items():
        if b.isVisible():
            out[code] = QRect(b.mapTo(window, QPoint(0, 0)), b.size())
    return out


def at(window: KioskWindow, spot: QPoint) -> QWidget | None:
    """The language button under `spot` of the window, if any."""
    for b in window.lang_btns.values():
        if b.isVisible() and QRect(b.mapTo(window, QPoint(0, 0)), b.size()).contains(spot):
            return b
    return None


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("elderly", [False, True])
@pytest.mark.parametrize("mongolian", [True, False])
def test_each_language_keeps_its_place(qapp: Any, qtbot: Any, hjhq: HallSample, flows: Any,
                                       size: tuple[int, int], elderly: bool,
                                       mongolian: bool) -> None:
    apply_fonts(qapp)
    flow = flows(hjhq if mongolian else None)
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    sample.stage(flow, st.ATTRACT, elderly=elderly)
    offered = flow.languages()
    assert offered == (("zh", "mn", "en") if mongolian else ("zh", "en"))
    seen: list[dict[str, QRect]] = []
    for lang in offered:
        flow.set_language(lang)
        where = places(window)
        assert list(where) == list(offered)  # every language, the current one too, in order
        lefts = [where[c].left() for c in offered]
        assert lefts == sorted(lefts)
        for code, b in window.lang_btns.items():
            if code in offered:
                assert (b.objectName() == "selected") == (code == lang), (code, lang)
        seen.append(where)
    assert all(where == seen[0] for where in seen[1:]), seen
    # the same spot touched twice is the same language twice, never a third one
    for lang in offered:
        spot = seen[0][lang].center()
        for _ in range(2):
            button = at(window, spot)
            assert button is not None
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert flow.lang == lang


def test_the_header_names_the_hall_in_english_where_the_hall_gave_a_name(
        qapp: Any, qtbot: Any, hjhq: HallSample, flows: Any) -> None:
    apply_fonts(qapp)
    flow = flows(hjhq)
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    sample.stage(flow, st.ATTRACT)
    shown = {}
    for lang in ("zh", "en", "mn"):
        flow.set_language(lang)
        settle(qapp)
        shown[lang] = window.hall.text()
    assert shown == {"zh": "杭锦后旗政务服务中心",
                     "en": "Hanggin Rear Banner Government Service Center",
                     "mn": "杭锦后旗政务服务中心"}
    assert window.hall.isVisible() and window.hall.width() > 0
