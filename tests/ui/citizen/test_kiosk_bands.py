"""Mongolian bands get the room they need on an upright kiosk (1080x1920): the service tiles'
names (不动产抵押登记, 二手房转移登记), the detail screen's buttons (刷身份证取号,
先扫描材料预审) and its heading (一次性告知) show whole, never cut with "…", at a legible size;
and a short heading (感谢您的评价！) stays on one line rather than break inside a word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from kiosk import sample
from kiosk.sample_hall import load_hall_sample
from ui.citizen.tiles import FitTile
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts
from ui.widgets.mongol import BandButton, MongolianText

HALL = Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml"
LEGIBLE_PX = 22


def _window(qtbot: Any, qapp: Any, role: str = "kiosk") -> tuple[Any, KioskWindow]:
    apply_fonts(qapp)
    flow = sample.sample_flow(role, load_hall_sample(HALL))
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(1080, 1920)
    window.show()
    return flow, window


def _whole(band: MongolianText, where: str) -> None:
    laid = band.columns()
    assert not laid.elided, f"{where}: {band.text()!r} cut"
    assert laid.font.pixelSize() >= LEGIBLE_PX, f"{where}: {laid.font.pixelSize()} px"
    assert laid.size().width() <= band.width() + 1, f"{where}: wider than its room"


@pytest.mark.parametrize("elderly", [False, True])
def test_service_tiles_show_their_mongolian_names_whole(qtbot: Any, qapp: Any,
                                                        elderly: bool) -> None:
    flow, window = _window(qtbot, qapp)
    screen = window.screens["services"]
    names = set()
    for page in range(3):
        sample.stage(flow, "services", lang="mn", elderly=elderly)
        flow.page = min(page, flow.page_count() - 1)
        flow.changed.emit()
        settle(QApplication.instance())
        tiles = [w for i in range(screen.grid.count())
                 if isinstance(w := screen.grid.itemAt(i).widget(), FitTile)]
        for tile in tiles:
            band = tile.band()
            assert band is not None and band.isVisible()
            _whole(band, tile.text().split("\n")[0])
            names.add(tile.text().split("\n")[0])
            # the tile's words start right of the band
            assert band.geometry().right() < tile.width() - tile.fontMetrics().horizontalAdvance(
                tile.text().split("\n")[0])
    assert {"不动产抵押登记", "二手房转移登记"} & names


@pytest.mark.parametrize("elderly", [False, True])
def test_the_detail_screens_buttons_and_heading_show_their_mongolian_whole(
        qtbot: Any, qapp: Any, elderly: bool) -> None:
    flow, window = _window(qtbot, qapp)
    sample.stage(flow, "detail", lang="mn", elderly=elderly)
    settle(QApplication.instance())
    screen = window.screens["detail"]
    shown = [b for b in screen.findChildren(BandButton) if b.isVisible() and b.mongolian()]
    assert {b.text() for b in shown} >= {"刷身份证取号"}
    for button in shown:
        _whole(button.band, button.text())
    _whole(screen.head_pair.band, screen.head.text())


@pytest.mark.parametrize("role", ["kiosk", "bank"])
@pytest.mark.parametrize("lang", ["zh", "mn"])
@pytest.mark.parametrize("elderly", [False, True])
def test_thanks_stays_on_one_line(qtbot: Any, qapp: Any, role: str, lang: str,
                                  elderly: bool) -> None:
    flow, window = _window(qtbot, qapp, role)
    sample.stage(flow, "thanks", lang=lang, elderly=elderly)
    settle(QApplication.instance())
    text = window.screens["thanks"].text
    assert text.text() == "感谢您的评价！"
    line = text.fontMetrics().lineSpacing()
    assert text.height() < 1.5 * line, "评价 broken over two lines"
    assert text.fontMetrics().horizontalAdvance(text.text()) <= text.width()


def _bands(screen: Any) -> dict[str, str]:
    """The visible Mongolian bands of a screen, by the words beside them (a button's, or the
    label's of a `BandedName`), each checked whole at a legible size."""
    from ui.citizen.mongol import BandedName

    found: dict[str, str] = {}
    for button in screen.findChildren(BandButton):
        if button.isVisible() and button.mongolian():
            _whole(button.band, button.text())
            found[button.text()] = button.mongolian()
    for pair in screen.findChildren(BandedName):
        if pair.isVisible() and pair.band.isVisible() and pair.band.text():
            _whole(pair.band, pair.name.text())
            found[pair.name.text()] = pair.band.text()
    return found


def _beside(found: dict[str, str], chinese: str) -> str:
    """The band beside the words that hold `chinese`; fails where there is none."""
    hits = [mn for words, mn in found.items() if chinese in words]
    assert hits, f"no Mongolian beside {chinese!r}: {sorted(found)}"
    return hits[0]


@pytest.mark.parametrize("elderly", [False, True])
def test_what_a_mongolian_reader_must_read_has_its_mongolian(qtbot: Any, qapp: Any,
                                                            elderly: bool) -> None:
    """Not only headings and main buttons: how many wait and how long (the detail), where to go
    (the number), what was found and where it stands (asking), the five levels and the reasons
    of a bad rating. Each band whole, beside its Chinese, in the detail's facts no taller than
    their lines (the papers' card shares the column)."""
    from ui.i18n import translations

    mn = translations("mn")
    flow, window = _window(qtbot, qapp)
    sample.stage(flow, "detail", lang="mn", elderly=elderly)
    settle(QApplication.instance())
    detail = window.screens["detail"]
    found = _bands(detail)
    facts = _beside(found, "前面等候")
    assert mn["ahead"] in facts and mn["est_wait"] in facts
    assert detail.facts_pair.band.height() <= detail.facts.height() + 1
    assert _beside(found, "本事项需刷身份证取号") == mn["needs_card"]

    sample.stage(flow, "ticket", lang="mn", elderly=elderly)
    settle(QApplication.instance())
    where = _beside(_bands(window.screens["ticket"]), "请到")
    assert mn["zone_intake"] in where and mn["ahead"] in where

    sample.stage(flow, "ask", lang="mn", elderly=elderly)
    settle(QApplication.instance())
    found = _bands(window.screens["ask"])
    assert _beside(found, "查询办件进度") == mn["ask_title"]
    assert _beside(found, "刷身份证查询") == mn["ask_card"]

    sample.stage(flow, "result", lang="mn", elderly=elderly)
    settle(QApplication.instance())
    found = _bands(window.screens["result"])
    assert _beside(found, "查询结果") == mn["results"]
    status = _beside(found, "已办结")
    assert mn["status_done"] in status and mn["zone_pickup"] in status
    assert _beside(found, "评价") == mn["rate_btn"]

    sample.stage(flow, "rate", lang="mn", elderly=elderly, variant="low")
    settle(QApplication.instance())
    found = _bands(window.screens["rate"])
    for level in range(1, 6):
        assert mn[f"level_{level}"] in found.values(), level
    assert _beside(found, "排队时间长") == mn["reason_wait"]
    assert _beside(found, "请选择不满意的原因") == mn["choose_reasons"]
