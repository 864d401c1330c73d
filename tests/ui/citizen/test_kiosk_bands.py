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
