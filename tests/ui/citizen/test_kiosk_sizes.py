"""Every touch target on every kiosk screen is at least 15 mm (60 px on a 21.5" 1080p panel,
~102 dpi), in both modes; senior mode speaks each screen's prompt."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk import sample
from ui.citizen.screens import prompt
from ui.citizen.voice import VoicePrompts
from ui.citizen.window import KioskWindow
from ui.roles.citizen import SHOTS
from ui.screens import settle
from ui.theme import apply_fonts

MIN_PX = 60


@pytest.mark.parametrize("elderly", [False, True])
def test_touch_targets_are_15_mm(qtbot: Any, qapp: Any, elderly: bool) -> None:
    apply_fonts(qapp)
    flow = sample.sample_flow("kiosk")
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(1920, 1080)
    window.show()
    small: list[str] = []
    for name, state, variant in SHOTS:
        window.screens["services"].keyboard_on = variant == "search"
        sample.stage(flow, state, elderly=elderly, variant=variant)
        QApplication.processEvents()
        for b in window.findChildren(QPushButton):
            if b.isVisible() and min(b.width(), b.height()) < MIN_PX:
                small.append(f"{name}: {b.text()!r} {b.width()}x{b.height()}")
    assert small == []


def test_senior_mode_speaks_each_screen(qtbot: Any, qapp: Any) -> None:
    flow = sample.sample_flow("kiosk")
    voice = VoicePrompts(binary="/bin/true")
    window = KioskWindow(flow, voice)
    qtbot.addWidget(window)
    sample.stage(flow, "ticket", elderly=True)
    flow.stateChanged.emit("ticket")
    assert voice.last.startswith("您的号码") and "A 0 2 3" in voice.last
    sample.stage(flow, "detail", elderly=True)
    flow.stateChanged.emit("detail")
    assert "企业开办" in voice.last and "公司章程" in voice.last
    assert prompt(flow) == voice.last
    voice.stop()


def test_senior_mode_says_what_a_citizen_who_cannot_read_needs(qtbot: Any, qapp: Any) -> None:
    """A blind citizen at the kiosk (an outside check): the prompts named the screen but never
    the choices, where to wait or when; turning senior mode on said nothing; and the voice
    ("cmn") read each character's tone digit in English. Now: the page's services, how to
    take the number, the green channel's reasons, the number with its place, a check-in's
    answer in full; senior mode says it is on; espeak-ng's Mandarin voice."""
    flow = sample.sample_flow("kiosk")
    voice = VoicePrompts(binary="/bin/true")
    window = KioskWindow(flow, voice)
    qtbot.addWidget(window)
    sample.stage(flow, "services", elderly=True)
    names = [s.name for s in flow.page_services()]
    assert names and all(name in prompt(flow) for name in names)
    sample.stage(flow, "detail", elderly=True)
    assert "刷身份证取号" in prompt(flow) and "屏幕下方" in prompt(flow)
    sample.stage(flow, "priority", elderly=True)
    assert "残疾人" in prompt(flow) and "孕妇" in prompt(flow)
    sample.stage(flow, "ticket", elderly=True)
    assert "请到" in prompt(flow) and "请取走号票" in prompt(flow)
    sample.stage(flow, "answer", elderly=True, variant="not_today")
    assert "08:30–09:15" in prompt(flow)
    sample.stage(flow, "attract")
    window.refresh()
    for switch in (window.elderly_btn, window.screens["attract"].senior_btn):
        switch.click()  # the bar's switch, and the home screen's within a wheelchair's reach
        window.refresh()
        assert flow.elderly and voice.last.startswith("已进入长者模式")
        assert voice._proc is not None and "cmn-latn-pinyin" in voice._proc.arguments()
        flow.set_elderly(False)
        window.refresh()
        voice.last = ""
    voice.stop()


@pytest.mark.parametrize("role", ["kiosk", "bank"])
def test_no_text_is_squeezed_on_a_1080p_screen(qtbot: Any, qapp: Any, role: str) -> None:
    """Every label and button gets at least the height its text needs, on every screen, in
    both languages and both modes (a squeezed label is what overlapping text looks like)."""
    apply_fonts(qapp)
    flow = sample.sample_flow(role)
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(1920, 1080)
    window.show()
    squeezed: list[str] = []
    for elderly in (False, True):
        for lang in ("zh", "en"):
            for name, state, variant in SHOTS:
                window.screens["services"].keyboard_on = variant == "search"
                sample.stage(flow, state, elderly=elderly, lang=lang, variant=variant)
                settle(qapp)  # a scrolling list is laid out in a later turn of the loop
                widgets = window.findChildren(QLabel) + window.findChildren(QPushButton)
                for w in widgets:
                    if not w.isVisible() or not w.text().strip():
                        continue
                    wraps = isinstance(w, QLabel) and w.wordWrap()
                    need = w.heightForWidth(w.width()) if wraps else w.minimumSizeHint().height()
                    if not wraps and w.width() + 2 < w.minimumSizeHint().width():
                        squeezed.append(f"{name} {lang} {elderly}: {w.text()[:20]!r} cut")
                    if w.height() + 2 < need:
                        squeezed.append(f"{name} {lang} {elderly}: {w.text()[:20]!r} "
                                        f"{w.height()} < {need}")
    assert squeezed == []
