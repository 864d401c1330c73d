"""What the supervisor found after a day with the console, in a real browser against
`python -m queue_server` (the hall seeded as tests/console/test_console_browser.py seeds it):
the per-counter table of 数据指标 shows the window's own ratings (本窗口评价); a printer out of
paper reads 打印机缺纸 on the live page; a bad period on 好差评 keeps the filters and says why
beside them; 数据指标's 超期在办 says it counts the period's tickets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from queue_server.db.store import Store
from queue_server.domain.clock import utcnow
from queue_server.usecases.auth import authenticate, enrol_terminal
from queue_server.usecases.terminals import heartbeat
from queue_server.wire import HeartbeatIn
from tests.browser import chromium, need_browser
from tests.console.test_console_browser import HALL, log_in, new_page, seed
from tests.procs import ServerProcess, load_test_hall, start_server
from tests.queue_server.conftest import set_all_pins

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    need_browser()
    tmp = tmp_path_factory.mktemp("console-labels")
    url = f"sqlite:///{tmp / 'hall.db'}"
    load_test_hall(url)
    set_all_pins(url)
    seed(url)
    store = Store(url)
    try:
        token, _ = enrol_terminal(store, "kiosk", "kiosk-paper", None, HALL)
        heartbeat(store, authenticate(store, token, store.clock()),
                  HeartbeatIn(devices={"printer": "paper_out", "idcard": "online"}))
    finally:
        store.close()
    proc = start_server(url, tmp)
    yield proc
    proc.stop()


@pytest.fixture()
def page(server: ServerProcess) -> Iterator[Any]:
    with chromium() as browser:
        tab = new_page(browser, server)
        log_in(tab)
        tab.wait_for_selector("#app:not([hidden])")
        yield tab
        tab.context.close()


def test_the_days_findings(server: ServerProcess, page: Any) -> None:
    from playwright.sync_api import expect

    terminals = page.locator("#terminals").locator("text=kiosk-paper").locator(
        "xpath=ancestor::tr")
    expect(terminals).to_contain_text("打印机缺纸")
    expect(terminals).not_to_contain_text("paper_out")
    faults = page.locator("#faults").locator("text=kiosk-paper").locator("xpath=ancestor::tr")
    expect(faults).to_contain_text("打印机缺纸")  # the night's record says the same
    expect(faults).to_contain_text("仍未恢复")
    page.goto(f"{server.url}/console/#live?hours=168")  # Monday morning: the weekend's too
    expect(page.locator("#faults-card h2")).to_contain_text("近 7 天设备故障")
    expect(page.locator("#faults").locator("text=kiosk-paper")).to_have_count(1)
    page.goto(f"{server.url}/console/#ratings?from=2026-12-07&to=2026-12-01")
    expect(page.locator("#ratings-error")).to_have_attribute("data-code", "bad_period")
    expect(page.locator("input[name=from]")).to_have_value("2026-12-07")
    page.goto(f"{server.url}/console/#figures?by=counter&from=2000-01-01&to=2000-12-31")
    expect(page.locator("#kpi")).to_contain_text("超期在办(本期取号中)")
    today = utcnow().date()
    days = f"from={today - timedelta(days=40)}&to={today}"  # the seed is ten days back
    page.goto(f"{server.url}/console/#figures?by=counter&{days}")
    page.wait_for_selector("#figures-by tbody tr")
    header = page.locator("#figures-by thead").inner_text()
    assert "本窗口评价" in header and "本窗口好评率" in header, header
    page.goto(f"{server.url}/console/#figures?by=zone&{days}")
    page.wait_for_selector("#figures-by thead:has-text('功能区')")
    assert "本窗口" not in page.locator("#figures-by thead").inner_text()
