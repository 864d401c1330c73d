"""The kiosk in a hall that lists Mongolian (examples/hjhq.toml): the switch offers 中文 /
ᠮᠣᠩᠭᠣᠯ / English on every screen, Mongolian mode shows the fixed words from mn.po and each
service's name_mn in a vertical band beside the Chinese; a hall without it keeps zh/en."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from kiosk import sample
from kiosk import states as st
from kiosk.flow import KioskFlow
from kiosk.sample_hall import HallSample
from ui.citizen.mongol import LANGUAGE_NAMES
from ui.citizen.window import KioskWindow
from ui.i18n import tr, translations
from ui.roles.citizen import walk_screens
from ui.theme import apply_fonts
from ui.widgets.mongol import MongolianText


def bands(window: KioskWindow) -> list[str]:
    QApplication.processEvents()
    return [b.text() for b in window.findChildren(MongolianText) if b.isVisible()]


def services_window(qapp: Any, qtbot: Any, flow: KioskFlow, size: tuple[int, int]
                    ) -> KioskWindow:
    """The kiosk's window at `size`, shown, on the services screen."""
    apply_fonts(qapp)
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    sample.stage(flow, st.SERVICES)
    return window


def test_mongolian_chosen_on_the_services_screen(qapp: Any, qtbot: Any, hjhq: HallSample,
                                                 flows: Any) -> None:
    flow = flows(hjhq)
    window = services_window(qapp, qtbot, flow, (1920, 1080))
    assert flow.languages() == ("zh", "mn", "en")
    shown = [c for c, b in window.lang_btns.items() if b.isVisible()]
    assert shown == ["zh", "mn", "en"]  # each in its place, the current one marked
    qtbot.mouseClick(window.lang_btns["mn"], Qt.MouseButton.LeftButton)
    assert flow.lang == "mn"
    assert [c for c, b in window.lang_btns.items() if b.isVisible()] == ["zh", "mn", "en"]
    assert window.lang_btns["mn"].objectName() == "selected"
    # the fixed words in Chinese along the line, their Mongolian in a band beside them
    assert window.back_btn.text() == tr("back", "zh")
    assert window.back_btn.mongolian() == tr("back", "mn") != tr("back", "zh")
    names = {s.name_mn for s in flow.page_services()}
    # each tile's band: its name_mn, then (a wide tile) its wait, a column each
    assert names and names <= {b.split("\n")[0] for b in bands(window)}
    assert all(b.width() > 20 and b.height() > 60 for b in window.findChildren(MongolianText)
               if b.isVisible())
    flow.choose_service(flow.page_services()[1].code)  # the detail's header: name_mn beside
    assert flow.service is not None and flow.service.name_mn in bands(window)
    qtbot.mouseClick(window.lang_btns["zh"], Qt.MouseButton.LeftButton)
    # in Chinese only the switch writes ᠮᠣᠩᠭᠣᠯ, in its own band
    assert flow.lang == "zh" and bands(window) == [LANGUAGE_NAMES["mn"]]


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


def _mongolian(text: str) -> bool:
    return any("\u1800" <= ch <= "\u18af" for ch in text)


def _in_band(widget: QWidget) -> bool:
    while widget is not None:
        if isinstance(widget, MongolianText):
            return True
        widget = widget.parentWidget()
    return False


def horizontal_mongolian(window: QWidget) -> list[str]:
    """Shown labels, buttons and fields whose words written along the line hold letters of
    the Mongolian block (U+1800-U+18AF) outside a vertical band."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or _in_band(w):
            continue
        texts = []
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, QLineEdit):
            texts += [w.text(), w.placeholderText()]
        out += [f"{type(w).__name__}({t!r})" for t in texts if _mongolian(t)]
    return out


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_no_mongolian_written_along_a_line(qapp: Any, hjhq: HallSample, flows: Any,
                                          size: tuple[int, int]) -> None:
    """Traditional Mongolian runs top to bottom: in Mongolian mode (and in Chinese, where the
    switch names ᠮᠣᠩᠭᠣᠯ) no label or button writes it along its line; the headings and main
    buttons that have a translation carry it in a band beside the Chinese."""
    apply_fonts(qapp)
    flow = flows(hjhq)
    window = KioskWindow(flow)
    window.resize(*size)
    window.show()
    found: list[str] = []
    seen: set[str] = set()
    try:
        for name, lang, _senior in walk_screens(window, flow, ("mn", "zh")):
            QApplication.processEvents()
            found += [f"{lang} {name}: {w}" for w in horizontal_mongolian(window)]
            if lang == "mn":
                seen.update(bands(window))
            else:
                assert set(bands(window)) <= {LANGUAGE_NAMES["mn"]}, name
    finally:
        window.close()
    assert not found, "\n".join(found[:40])
    mn = translations("mn")
    for key in ("welcome", "touch_start", "ask_status", "back", "home", "your_number",
                "thanks", "submit"):
        assert mn[key] in seen, key  # the translation is shown, in a band


def test_the_detail_shows_the_papers_in_mongolian(qapp: Any, hjhq: HallSample,
                                                  flows: Any) -> None:
    """A service's `materials_mn` stands in a band beside the Chinese papers list in
    Mongolian mode, a paper a column, numbered; not in Chinese mode."""
    apply_fonts(qapp)
    flow = flows(hjhq)
    window = KioskWindow(flow)
    window.resize(1920, 1080)
    window.show()
    try:
        sample.stage(flow, st.DETAIL, lang="mn")
        service = flow.service
        assert service is not None and service.materials
        before = bands(window)  # the example hall's own materials_mn
        assert service.materials_mn and len(service.materials_mn) == len(service.materials)
        hall_papers = "\n".join(f"{i}. {p}" for i, p in enumerate(service.materials_mn, 1))
        assert service.name_mn in before and hall_papers in before
        papers = [f"ᠨᠠᠮᠠ {i}" for i in range(len(service.materials))]
        service.materials_mn = papers
        flow.changed.emit()
        shown = "\n".join(f"{i}. {p}" for i, p in enumerate(papers, 1))
        assert shown in bands(window)
        band = next(b for b in window.findChildren(MongolianText) if b.text() == shown)
        assert len(band.columns().columns) >= len(papers)  # each paper its own column
        assert not horizontal_mongolian(window)
        flow.set_language("zh")
        assert shown not in bands(window)
    finally:
        window.close()


def _widgets(layout: Any) -> list[QWidget]:
    return [w for i in range(layout.count()) if (w := layout.itemAt(i).widget()) is not None]


def test_english_mode_uses_the_halls_english_names(qapp: Any, qtbot: Any, hjhq: HallSample,
                                                    flows: Any) -> None:
    """In English the tabs carry the hall's category_en, the tiles and the papers screen the
    services' name_en (not a name made of the code) and materials_en; a long English name is
    broken between words so that no line of an upright kiosk's tile runs past its edge."""
    flow = flows(hjhq)
    window = services_window(qapp, qtbot, flow, (1080, 1920))
    flow.set_language("en")
    QApplication.processEvents()
    screen = window.screens[st.SERVICES]
    tabs = [b.text() for b in _widgets(screen.categories)]
    assert tabs[:4] == [tr("all", "en"), "Consultation", "Business", "Real estate"]
    tiles = [t for t in _widgets(screen.grid) if isinstance(t, QAbstractButton)]
    texts = [t.text() for t in tiles]
    assert any("Company setup" in t for t in texts) and not any("Company-setup" in t
                                                                for t in texts)
    long = next(t for t in tiles if t.text().startswith("企业简易注销"))
    assert long.text().splitlines()[1:] == ["Simplified company",
                                            "deregistration  ·  " + tr("waiting_in", "en", n=1)]
    for tile in tiles:  # what the tile needs for its widest line, padding included
        assert tile.sizeHint().width() <= tile.width(), tile.text()
    flow.choose_service("company-setup")
    QApplication.processEvents()
    detail = window.screens[st.DETAIL]
    assert detail.name.text() == "企业开办  (Company setup)"
    assert "    Articles of association" in detail.papers.text().splitlines()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_hall_name_pager_counts_and_tabs_carry_mongolian(
        qapp: Any, qtbot: Any, hjhq: HallSample, flows: Any, size: tuple[int, int]) -> None:
    """An outside check: Mongolian mode left the hall's name, the tabs, the pager and the
    counts in Chinese alone. The hall's `name_mn` now stands in a band before its Chinese name,
    the tab "all", the pager and the attract screen's counts carry the kiosk's Mongolian
    words, and a wide tile its wait; the Chinese stays beside each, and Chinese mode has no
    band."""
    flow = flows(hjhq)
    window = services_window(qapp, qtbot, flow, size)
    mn = translations("mn")
    assert hjhq.hall.name_mn
    sample.stage(flow, st.SERVICES, lang="mn")
    QApplication.processEvents()
    assert window.hall_pair.band.isVisible()
    assert window.hall_pair.band.text() == hjhq.hall.name_mn
    assert window.hall.text() == hjhq.hall.name  # the Chinese beside it
    screen = window.screens[st.SERVICES]
    assert screen.prev_btn.mongolian() == mn["prev"] and screen.next_btn.mongolian() == mn["next"]
    pages = flow.page_count()
    assert screen.page_pair.band.text() == mn["page"].format(p=1, n=pages)
    tabs = [screen.categories.itemAt(i).widget() for i in range(screen.categories.count())]
    assert tabs[0].mongolian() == mn["all"] and tabs[0].text() == "全部"
    first = flow.page_services()[0]
    assert any(b.split("\n")[0] == first.name_mn for b in bands(window))
    if size[0] > size[1]:  # a wide tile: its wait in Mongolian too
        wait = mn["waiting_in"].format(n=first.waiting)
        assert any(first.name_mn in b and wait in b for b in bands(window))
    sample.stage(flow, st.ATTRACT, lang="mn")
    waiting = flow.zone_waiting()
    for zone in flow.zones():
        column = "\n".join((mn[f"zone_{zone}"], mn["waiting_in"].format(n=waiting.get(zone, 0))))
        assert column in bands(window), zone
    sample.stage(flow, st.SERVICES, lang="zh")
    QApplication.processEvents()
    assert not window.hall_pair.band.isVisible() and not screen.prev_btn.mongolian()
    assert not screen.page_pair.band.isVisible()
