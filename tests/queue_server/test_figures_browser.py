"""The console's figures pages in a real browser (Playwright driving Debian's chromium): the
seeded day of tests/queue_server/test_figures.py served over loopback with its set clock; a
supervisor opens 数据指标, sees the hand-worked figures, filters a counter, opens 月通报, downloads
the XLSX (read back with openpyxl: the KPI endpoint's figures) and the PDF. Every page is
photographed at 1366x768 and 1920x1080 (into $KUAIBAN_SCREENSHOTS, or the test's folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from queue_server.domain.clock import utcnow
from tests.browser import chromium, need_browser
from tests.queue_server.conftest import PIN
from tests.queue_server.live_hall import LiveHall, live_hall
from tests.queue_server.test_figures import T0, seeded_day

pytestmark = pytest.mark.slow
# The console's shell and its browser helpers (branch `console`); without them, nothing to test.
shell = pytest.importorskip("tests.console.test_console_browser",
                            reason="the console shell (/console/) is not in this checkout")
SIZES = shell.SIZES


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHall]:
    need_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('figures') / 'hall.db'}"
    with live_hall(url, T0) as h:
        seeded_day(h)
        h.clock.now = utcnow()  # the browser's cookies expire by its own clock; F stays late
        yield h


@pytest.fixture(scope="module")
def browser(hall: LiveHall) -> Iterator[Any]:
    with chromium() as b:
        yield b


def _page(browser: Any, hall: LiveHall, size: str) -> Any:
    w, h = SIZES[size]
    page = browser.new_context(viewport={"width": w, "height": h}, accept_downloads=True,
                               locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{hall.url}/console/")
    page.fill("#login-staff", "s003")
    page.fill("#login-pin", PIN)
    page.click("#login-submit")
    page.wait_for_selector("#app:not([hidden])")
    return page


@pytest.mark.parametrize("size", list(SIZES))
def test_figures_and_bulletin_pages(hall: LiveHall, browser: Any, size: str,
                                    tmp_path: Path) -> None:
    shots = Path(os.environ.get("KUAIBAN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = _page(browser, hall, size)
    page.goto(f"{hall.url}/console/#figures?from=2026-03-02&to=2026-03-02")
    page.wait_for_selector("#figures-by tbody tr")
    page.wait_for_selector(".chart svg")
    stats = page.locator("#kpi").inner_text()
    assert "7" in stats and "75.0%" in stats and "50.0%" in stats  # hand-worked (test_figures)
    page.screenshot(path=str(shots / f"figures-{size}.png"), full_page=True)
    page.select_option("select[name=counter]", "W01")
    page.click(".toolbar button[type=submit]")
    page.wait_for_selector("#kpi .stat:first-child .stat-value:text-is('3')")  # A, B, E
    assert "50.0%" in page.locator("#kpi").inner_text()  # completion 1 of 2
    page.goto(f"{hall.url}/console/#bulletin?month=2026-03")
    page.wait_for_selector("#bulletin-counter tbody tr")
    assert "1号窗口" in page.locator("#bulletin-counter").inner_text()
    page.screenshot(path=str(shots / f"bulletin-{size}.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / f"bulletin-print-{size}.png"), full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download() as got:
        page.click("a[data-format=xlsx]")
    got.value.save_as(tmp_path / "b.xlsx")
    rows = list(load_workbook(tmp_path / "b.xlsx")["月通报"].iter_rows(values_only=True))
    figures = dict(zip(rows[1], rows[2], strict=True))
    kpi = hall.kpi(**{"from": "2026-03-01", "to": "2026-03-31"})
    assert (figures["取号"], figures["办结"], figures["等候P90(秒)"]) == (
        kpi["tickets"], kpi["done"], kpi["wait_s"]["p90"])
    with page.expect_download() as got:
        page.click("a[data-format=pdf]")
    got.value.save_as(tmp_path / "b.pdf")
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    page.context.close()
