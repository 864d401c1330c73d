"""The services screen fits its page to the screen: an upright kiosk (1080x1920) shows as many
rows of the example hall's services as its height holds, with no empty band between the
category tabs and the tiles; a landscape screen keeps its nine; no tile ever lies under the
pager or the on-screen keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import sample
from kiosk.sample_hall import load_hall_sample
from ui.citizen.choose import FitTile
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts

HALL = Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml"


def _top(w: QWidget, window: QWidget) -> int:
    return w.mapTo(window, QPoint(0, 0)).y()


def _bottom(w: QWidget, window: QWidget) -> int:
    return _top(w, window) + w.height()


def _window(qtbot: Any, qapp: Any, size: tuple[int, int]) -> tuple[Any, KioskWindow]:
    apply_fonts(qapp)
    flow = sample.sample_flow("kiosk", load_hall_sample(HALL))
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(*size)
    window.show()
    return flow, window


def _stage(qapp: Any, flow: Any, window: KioskWindow, *, elderly: bool = False,
           search: bool = False) -> tuple[Any, list[FitTile]]:
    screen = window.screens["services"]
    screen.keyboard_on = search
    sample.stage(flow, "services", elderly=elderly, variant="search" if search else "")
    if search:
        flow.set_query("")  # the keyboard up and every service matching: the most tiles
    settle(QApplication.instance())
    tiles = [w for i in range(screen.grid.count())
             if isinstance(w := screen.grid.itemAt(i).widget(), FitTile) and w.isVisible()]
    return screen, tiles


def _inside(screen: Any, tiles: list[FitTile], window: KioskWindow) -> None:
    """Every tile lies within the tiles' area, and the area ends above the pager."""
    assert tiles
    area_top, area_bottom = _top(screen.tiles, window), _bottom(screen.tiles, window)
    for tile in tiles:
        assert area_top <= _top(tile, window) and _bottom(tile, window) <= area_bottom
    if screen.prev_btn.isVisible():  # with the keyboard up, its arrow keys turn the pages
        assert area_bottom <= _top(screen.prev_btn, window)
    if screen.keyboard.isVisible():
        assert area_bottom <= _top(screen.keyboard, window)


def test_an_upright_kiosk_shows_more_services_a_page_and_no_empty_band(
        qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp, (1080, 1920))
    screen, tiles = _stage(qapp, flow, window)
    services = len(flow.visible_services())
    assert services > 9  # the example hall: more than the usual page
    assert flow.per_page() > 9
    assert len(tiles) == min(services, flow.per_page())
    _inside(screen, tiles, window)
    tabs = [screen.categories.itemAt(i).widget() for i in range(screen.categories.count())]
    below_tabs = max(_bottom(t, window) for t in tabs if t.isVisible())
    # the tiles start right under the tabs (the box's spacing), not a band of empty screen
    assert _top(tiles[0], window) - below_tabs <= 2 * screen.box.spacing()
    # and end near the pager: less than a row of tiles is left over
    spare = _top(screen.prev_btn, window) - max(_bottom(t, window) for t in tiles)
    assert spare < tiles[0].height() + screen.GAP + screen.box.spacing()


@pytest.mark.parametrize("elderly", [False, True])
def test_a_landscape_kiosk_keeps_its_usual_page(qtbot: Any, qapp: Any, elderly: bool) -> None:
    flow, window = _window(qtbot, qapp, (1920, 1080))
    screen, tiles = _stage(qapp, flow, window, elderly=elderly)
    assert flow.per_page() == (4 if elderly else 9)
    assert len(tiles) == flow.per_page()
    _inside(screen, tiles, window)


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("elderly", [False, True])
def test_the_keyboard_takes_rows_from_the_page_not_tiles_from_view(
        qtbot: Any, qapp: Any, size: tuple[int, int], elderly: bool) -> None:
    flow, window = _window(qtbot, qapp, size)
    screen, tiles = _stage(qapp, flow, window, elderly=elderly, search=True)
    assert screen.keyboard.isVisible()
    assert len(tiles) == min(len(flow.visible_services()), flow.per_page())
    _inside(screen, tiles, window)
    pages = flow.page_count()
    assert pages > 1
    assert screen.kb_next.isVisible() and screen.kb_next.isEnabled()  # the keyboard's pager
    assert not screen.prev_btn.isVisible()
    for _ in range(pages):  # every page in turn; the last one shows what is left
        flow.turn_page(1)
    settle(QApplication.instance())
    assert flow.page == pages - 1


def test_a_page_that_no_longer_exists_is_not_shown(qtbot: Any, qapp: Any) -> None:
    """On the last page of a short (landscape) page, a screen that fits more pages fewer:
    the flow's page stays within them."""
    flow, window = _window(qtbot, qapp, (1080, 1920))
    _stage(qapp, flow, window)
    flow.page_room = 0  # as before the screen measured: the usual nine, two pages
    flow.page = 1
    assert flow.fit_page(20) is True
    assert flow.page == 0 and flow.page_count() == 1
    assert flow.fit_page(20) is False  # unchanged: nothing to show again


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("elderly", [False, True])
def test_english_names_under_the_keyboard_are_whole(
        qtbot: Any, qapp: Any, size: tuple[int, int], elderly: bool) -> None:
    """An English visitor searching sees each service's English name whole (it was cut:
    "Consultation a…", "Water connect…"), every line within its tile, in senior mode too."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    flow, window = _window(qtbot, qapp, size)
    flow.lang = "en"
    screen, _ = _stage(qapp, flow, window, elderly=elderly, search=True)
    flow.set_language("en")
    settle(QApplication.instance())
    tiles = [w for i in range(screen.grid.count())
             if isinstance(w := screen.grid.itemAt(i).widget(), FitTile) and w.isVisible()]
    assert tiles
    shown = flow.page_services()
    for tile, service in zip(tiles, shown, strict=True):
        assert service.name_en in tile.text().split("\n"), tile.text()
        assert "…" not in tile.text()
        option = QStyleOptionButton()
        tile.initStyleOption(option)
        room = tile.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, tile)
        metrics = QFontMetrics(tile.font())
        lines = tile.text().split("\n")
        assert all(metrics.horizontalAdvance(line) <= room.width() for line in lines), lines
        assert len(lines) * metrics.lineSpacing() <= room.height(), lines


def _whole_and_inside(tile: FitTile, service: Any) -> None:
    """The tile shows the English name whole (on one line, or broken between words) and every
    line within the tile at the font it took."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    lines = tile.text().split("\n")
    assert "…" not in tile.text(), lines
    flat = " ".join(part for line in lines[1:] for part in line.split("  ·  "))
    assert service.name_en in flat or service.name_en in lines[1], lines
    option = QStyleOptionButton()
    tile.initStyleOption(option)
    room = tile.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, tile)
    metrics = QFontMetrics(tile.font())
    assert all(metrics.horizontalAdvance(line) <= room.width() for line in lines), lines
    assert len(lines) * metrics.lineSpacing() <= room.height() + 2, lines


@pytest.mark.parametrize("role", ["kiosk", "bank"])
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
@pytest.mark.parametrize("elderly", [False, True])
def test_english_tiles_are_never_cut(qtbot: Any, qapp: Any, role: str, size: tuple[int, int],
                                     elderly: bool) -> None:
    """An outside check found English tiles cut at 1920x1080 ("Real estate mortgag…"): on
    every page of the services, and on the offline screen's list, each English name is
    whole and every line inside its tile."""
    apply_fonts(qapp)
    flow = sample.sample_flow(role, load_hall_sample(HALL))
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(*size)
    window.show()
    sample.stage(flow, "services", elderly=elderly, lang="en")
    screen = window.screens["services"]
    seen = 0
    for page in range(flow.page_count()):
        flow.page = page
        flow.emit_changed()
        settle(QApplication.instance())
        tiles = [w for i in range(screen.grid.count())
                 if isinstance(w := screen.grid.itemAt(i).widget(), FitTile) and w.isVisible()]
        for tile, service in zip(tiles, flow.page_services(), strict=True):
            _whole_and_inside(tile, service)
            seen += 1
    assert seen == len(flow.all_services())
    sample.stage(flow, "offline", elderly=elderly, lang="en", online=False)
    settle(QApplication.instance())
    grid = window.screens["offline"].grid
    tiles = [w for i in range(grid.count()) if isinstance(w := grid.itemAt(i).widget(), FitTile)]
    if not elderly:  # senior mode lists the Chinese names alone
        for tile, service in zip(tiles, flow.all_services(), strict=False):
            _whole_and_inside(tile, service)
