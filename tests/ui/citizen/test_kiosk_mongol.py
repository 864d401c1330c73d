"""The kiosk in a hall that lists Mongolian (examples/hjhq.toml): the switch offers 中文 /
ᠮᠣᠩᠭᠣᠯ / English on every screen, Mongolian mode shows the fixed words from mn.po and each
service's name_mn in a vertical band beside the Chinese; a hall without it keeps zh/en."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk import sample
from kiosk import states as st
from kiosk.flow import KioskFlow
from kiosk.runtime import stop_kiosk
from kiosk.sample_hall import HallSample, load_hall_sample
from ui.citizen.window import KioskWindow
from ui.i18n import tr
from ui.theme import apply_fonts
from ui.widgets.mongol import MongolianText

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def hjhq() -> HallSample:
    return load_hall_sample(ROOT / "examples" / "hjhq.toml")


@pytest.fixture
def flows() -> Iterator[Callable[[HallSample | None], KioskFlow]]:
    made: list[KioskFlow] = []

    def make(hall: HallSample | None) -> KioskFlow:
        made.append(sample.sample_flow("kiosk", hall))
        return made[-1]

    yield make
    for flow in made:
        stop_kiosk(flow)


def bands(window: KioskWindow) -> list[str]:
    QApplication.processEvents()
    return [b.text() for b in window.findChildren(MongolianText) if b.isVisible()]


def test_mongolian_chosen_on_the_services_screen(qapp: Any, qtbot: Any, hjhq: HallSample,
                                                 flows: Any) -> None:
    apply_fonts(qapp)
    flow = flows(hjhq)
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    sample.stage(flow, st.SERVICES)
    assert flow.languages() == ("zh", "mn", "en")
    shown = [c for c, b in window.lang_btns.items() if b.isVisible()]
    assert shown == ["mn", "en"]
    qtbot.mouseClick(window.lang_btns["mn"], Qt.MouseButton.LeftButton)
    assert flow.lang == "mn"
    assert [c for c, b in window.lang_btns.items() if b.isVisible()] == ["zh", "en"]
    assert window.back_btn.text() == tr("back", "mn") != tr("back", "zh")
    names = {s.name_mn for s in flow.page_services()}
    assert names and names <= set(bands(window))
    assert all(b.width() > 20 and b.height() > 80 for b in window.findChildren(MongolianText)
               if b.isVisible())
    flow.choose_service(flow.page_services()[1].code)  # the detail's header: name_mn beside
    assert flow.service is not None and flow.service.name_mn in bands(window)
    qtbot.mouseClick(window.lang_btns["zh"], Qt.MouseButton.LeftButton)
    assert flow.lang == "zh" and bands(window) == []


def test_a_hall_without_mongolian_keeps_chinese_and_english(qapp: Any, flows: Any) -> None:
    flow = flows(None)  # the built-in sample: no GET /hall, zh and en
    assert flow.languages() == ("zh", "en")
    flow.set_language("mn")
    assert flow.lang == "zh"
    flow.toggle_language()
    assert flow.lang == "en"


def test_a_mongolian_terminal_starts_every_citizen_in_mongolian(qapp: Any, hjhq: HallSample,
                                                                flows: Any) -> None:
    flow = flows(hjhq)
    flow.config.language = "mn"
    flow.set_language("en")
    flow.reset()
    assert flow.lang == "mn"
    flow.link.hall = None  # a hall that (no longer) lists Mongolian: Chinese
    flow.reset()
    assert flow.lang == "zh"
