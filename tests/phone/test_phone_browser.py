"""The hall's phone page (/m/) in a real browser on a phone's screen (360x740): Playwright for
Python driving Debian's chromium (never a browser of Playwright's own) against
`python -m queue_server` on loopback. A citizen books a slot, sees the booking with its code and
QR code, cancels it; takes a number from the phone and follows it live until a counter calls
it; a number that asks for check-in shows so until a kiosk checks it in. The page loads nothing
from anywhere but the server and fits the screen's width. Every screen and the status page are
photographed (into $KUAIBAN_SCREENSHOTS, or the test's folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import chromium, need_browser, shots_folder
from tests.procs import ServerProcess, load_test_hall, start_server
from tests.queue_server.conftest import PIN, set_all_pins
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
HALL = Path(__file__).resolve().parent / "hall.toml"
WHO, OTHER = person(61), person(62)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    need_browser()
    tmp = tmp_path_factory.mktemp("phone")
    url = f"sqlite:///{tmp / 'hall.db'}"
    load_test_hall(url, HALL, hall_id="p1")
    set_all_pins(url)
    proc = start_server(url, tmp)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def browser(server: ServerProcess) -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shots_folder(tmp_path_factory.mktemp("shots"))


@pytest.fixture()
def phone(browser: Any, server: ServerProcess) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_default_timeout(15_000)
    yield page, requests
    context.close()
    outside = [u for u in requests if not u.startswith(server.url) and not u.startswith("data:")]
    assert outside == [], f"the page asked for outside resources: {outside}"


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def shot(page: Any, folder: Path, name: str) -> None:
    fits(page)
    page.screenshot(path=str(folder / f"phone-{name}.png"), full_page=True)


def staff(server: ServerProcess, counter: str) -> httpx.Client:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(server.db_url)
    try:
        token, _ = enrol_terminal(store, "counter", f"pad-{counter}", counter, "p1")
    finally:
        store.close()
    client = httpx.Client(base_url=server.api(""), timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    session = client.post("/auth/login", json={"staff": "s001", "pin": PIN, "counter": counter})
    client.headers["Authorization"] = f"Bearer {session.json()['token']}"
    return client


def test_book_see_and_cancel_a_booking(phone: tuple[Any, list[str]], server: ServerProcess,
                                       shots: Path) -> None:
    from playwright.sync_api import expect

    page, _requests = phone
    page.goto(server.url + "/m/")
    expect(page.locator("#hall")).to_have_text("杭锦后旗政务服务中心")
    shot(page, shots, "1-home")
    page.get_by_text("预约办事").click()
    page.get_by_text("企业开办").click()
    page.locator("#days button").nth(1).click()  # tomorrow: all of its slots are ahead
    first = page.locator("#slots button:not([disabled])").first
    expect(first).to_contain_text("余 3")
    first.click()
    page.fill("#name", WHO["name"])
    page.fill("#idn", WHO["number"])
    page.fill("#phone", "13800138000")
    shot(page, shots, "2-book")
    page.locator("#go").click()
    expect(page.locator("#code")).to_have_text(re.compile(r"^[2-9A-Z]{5}-[2-9A-Z]{5}$"))
    code = page.locator("#code").inner_text()
    expect(page.locator("#status")).to_contain_text("已预约")
    expect(page.locator("img.qr")).to_be_visible()
    qr_is_drawn(page)
    assert WHO["number"] not in page.content()
    shot(page, shots, "3-booking")
    page.fill("#cidn", OTHER["number"])
    page.locator("#cancel").click()
    expect(page.locator("#msg")).to_contain_text("没有找到此预约")  # not the holder's number
    page.fill("#cidn", WHO["number"])
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_contain_text("已取消")
    shot(page, shots, "4-cancelled")
    page.goto(server.url + "/m/#/mine")
    expect(page.locator(".list")).to_contain_text(code)


def test_take_a_number_and_follow_it_until_it_is_called(
        phone: tuple[Any, list[str]], server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    page, _requests = phone
    kiosk_ahead = httpx.post(server.api("/remote-tickets"), json={
        "service": "social-security", "id_card": person(63)}).json()
    page.goto(server.url + "/m/#/remote")
    page.get_by_text("社保业务").click()
    page.fill("#name", OTHER["name"])
    page.fill("#idn", OTHER["number"])
    shot(page, shots, "5-remote")
    page.locator("#go").click()
    expect(page.locator("#number")).to_have_text("S002")
    expect(page.locator("#ahead")).to_contain_text("前面 1 人")
    shot(page, shots, "6-following")
    counter = staff(server, "W01")
    assert counter.post("/counters/W01/call-next").json()["number"] == kiosk_ahead["number"]
    expect(page.locator("#ahead")).to_contain_text("前面 0 人")  # live, no reload
    assert counter.post("/counters/W01/call-next").json()["number"] == "S002"
    expect(page.locator("#tstatus")).to_contain_text("已叫号")
    expect(page.locator("#go-to")).to_contain_text("请到 1号窗口 办理")
    shot(page, shots, "7-called")
    page.goto(server.url + "/t/" + page.url.rsplit("/", 1)[1])
    expect(page.locator("body")).to_contain_text("请到 1号窗口 办理")
    shot(page, shots, "8-status-page")


def test_a_number_that_asks_for_check_in(phone: tuple[Any, list[str]], server: ServerProcess,
                                         shots: Path) -> None:
    from playwright.sync_api import expect

    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    page, _requests = phone
    page.goto(server.url + "/m/#/remote/company-setup")
    page.fill("#name", WHO["name"])
    page.fill("#idn", WHO["number"])
    page.locator("#go").click()
    expect(page.locator("#arrive")).to_contain_text("请到大厅自助机签到")
    qr_is_drawn(page)
    shot(page, shots, "9-check-in")
    ticket = page.url.rsplit("/", 1)[1]
    store = Store(server.db_url)
    try:
        token, _ = enrol_terminal(store, "kiosk", "kiosk-1", None, "p1")
    finally:
        store.close()
    arrived = httpx.post(server.api(f"/tickets/{ticket}/arrive"),
                         headers={"Authorization": f"Bearer {token}"})
    assert arrived.status_code == 200, arrived.text
    expect(page.locator("#arrive")).to_have_count(0)
    expect(page.locator("#ahead")).to_contain_text("前面 0 人")
    shot(page, shots, "10-checked-in")


def test_the_status_page_of_a_case(phone: tuple[Any, list[str]], server: ServerProcess,
                                   shots: Path) -> None:
    """A case's status page behind its QR: in approval with its promised deadline, then mailed
    (证照寄送) with the tracking number; no name, ID number or address on it."""
    from playwright.sync_api import expect

    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    page, _requests = phone
    store = Store(server.db_url)
    try:
        token, _ = enrol_terminal(store, "kiosk", "kiosk-case", None, "p1")
    finally:
        store.close()
    holder = person(64)
    ticket = httpx.post(server.api("/tickets"), json={"service": "company-setup",
                                                      "id_card": holder},
                        headers={"Authorization": f"Bearer {token}"}).json()
    intake, approval = staff(server, "W01"), staff(server, "W02")
    while intake.post("/counters/W01/call-next").json()["id"] != ticket["id"]:
        intake.post("/counters/W01/finish", json={"outcome": "done"})
    address = "杭锦后旗陕坝镇光明街12号"
    assert intake.post(f"/tickets/{ticket['id']}/delivery", json={
        "method": "mail", "recipient": "张三", "address": address}).status_code == 200
    intake.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    page.goto(ticket["track_url"])
    expect(page.locator("body")).to_contain_text("承诺办结时间")
    expect(page.locator("body")).to_contain_text("证照寄送")
    shot(page, shots, "11-status-approval")
    assert approval.post("/counters/W02/call-next").json()["id"] == ticket["id"]
    approval.post("/counters/W02/finish", json={"outcome": "next"}).raise_for_status()
    pickup = staff(server, "W03")
    posted = pickup.post(f"/tickets/{ticket['id']}/dispatch",
                         json={"carrier": "EMS", "tracking": "EA123456789CN"})
    assert posted.status_code == 200, posted.text
    expect(page.locator("body")).to_contain_text("EA123456789CN")  # the page follows live
    text = page.content()
    assert address not in text and holder["number"] not in text and holder["name"] not in text
    shot(page, shots, "12-status-mailed")


def qr_is_drawn(page: Any) -> None:
    """The QR image has loaded and decoded: the browser fetches it after the text is shown."""
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img !== null && img.complete && img.naturalWidth > 0; }",
        timeout=10_000)
