"""The hall's phone page (/m/) in a real browser on a phone's screen (360x740): Playwright for
Python driving Debian's chromium (never a browser of Playwright's own) against
`python -m queue_server` on loopback. A citizen books a slot, sees the booking with its code and
QR code, cancels it; takes a number from the phone and follows it live until a counter calls
it; a number that asks for check-in shows so until a kiosk checks it in. The page loads nothing
from anywhere but the server and fits the screen's width. A hall that lists Mongolian shows it
vertically beside the Chinese on 390x844 and 360x640 screens; one that does not shows none.
Every screen and the status page are photographed (into $KUAIBAN_SCREENSHOTS, or the test's
folder)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser import chromium, need_browser, settled_tab, shots_folder
from tests.procs import ServerProcess, load_test_hall, start_server
from tests.queue_server.conftest import PIN, set_all_pins
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
HALL = Path(__file__).resolve().parent / "hall.toml"
WHO, OTHER = person(61), person(62)


def _hall_server(factory: pytest.TempPathFactory, config: Path, hall_id: str
                 ) -> Iterator[ServerProcess]:
    """A server of its own for a test hall: loaded, PINs set, stopped after the module."""
    need_browser()
    tmp = factory.mktemp(f"phone-{hall_id}")
    url = f"sqlite:///{tmp / 'hall.db'}"
    load_test_hall(url, config, hall_id=hall_id)
    set_all_pins(url)
    proc = start_server(url, tmp)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from _hall_server(tmp_path_factory, HALL, "p1")


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
    page = settled_tab(context.new_page())
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


def staff(server: ServerProcess, counter: str, hall: str = "p1") -> httpx.Client:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(server.db_url)
    try:
        token, _ = enrol_terminal(store, "counter", f"pad-{counter}", counter, hall)
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
    expect(page.locator("#msg")).to_contain_text("预约码或身份证号码不符")  # not the holder's
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
    expect(page.locator("#ahead")).to_contain_text("即将叫号")  # live, no reload: nobody ahead
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
    expect(page.locator("#ahead")).to_contain_text("即将叫号")  # nobody ahead
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


def kiosk(server: ServerProcess, name: str, hall: str = "p1", kind: str = "kiosk"
          ) -> httpx.Client:
    """A client of a terminal enrolled in `hall` (a kiosk, or a bank branch's terminal)."""
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(server.db_url)
    try:
        token, _ = enrol_terminal(store, kind, name, None, hall)
    finally:
        store.close()
    return httpx.Client(base_url=server.api(""), timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


def call(counter: httpx.Client, code: str, ticket: str) -> None:
    """Call `ticket` at counter `code`, finishing whoever comes before it."""
    while True:
        called = counter.post(f"/counters/{code}/call-next")
        assert called.status_code == 200, (called.status_code, called.text)
        if called.json()["id"] == ticket:
            return
        counter.post(f"/counters/{code}/finish", json={"outcome": "done"}).raise_for_status()


def test_the_status_page_shows_a_change_made_before_its_stream_opened(
        phone: tuple[Any, list[str]], server: ServerProcess) -> None:
    """The page is rendered, then the ticket is called before the page's stream opens: the
    stream's first message already differs from the page, which must follow it (it used to
    take that message for the page's own state and stay on 等候中 for good)."""
    from playwright.sync_api import expect

    page, _requests = phone
    ticket = httpx.post(server.api("/remote-tickets"), json={
        "service": "social-security", "id_card": person(65)}).json()
    assert httpx.get(server.api(f"/track/{ticket['id']}")).json()["status"] == "waiting"
    counter = staff(server, "W01")

    opened: list[str] = []

    def call_then_open(route: Any) -> None:
        if not opened:  # the page's first stream only
            call(counter, "W01", ticket["id"])
        opened.append(route.request.url)
        route.continue_()

    page.route("**/api/v1/track/*/events", call_then_open)
    page.goto(ticket["track_url"])
    expect(page.locator("body")).to_contain_text("请到 1号窗口 办理")
    expect(page.locator("body")).to_contain_text("Please go to Counter 1")  # its name_en
    expect(page.locator("body")).to_contain_text("Social security")
    counter.post("/counters/W01/finish", json={"outcome": "done"}).raise_for_status()
    expect(page.locator(".st")).to_contain_text("已办结")


def test_the_status_page_follows_quick_changes_to_the_end(
        phone: tuple[Any, list[str]], server: ServerProcess) -> None:
    """The outside check's case: call, then start and finish(next) a few hundredths of a second
    apart while the page reloads; the page ends on the ticket's state (in approval), never on
    办理中. The pauses are the check's own timing between the two requests, not waits."""
    from playwright.sync_api import expect

    page, _requests = phone
    desk, counter = kiosk(server, "kiosk-quick"), staff(server, "W01")
    for n, gap in enumerate((0.03, 0.05, 0.07, 0.1)):
        ticket = desk.post("/tickets", json={"service": "company-setup",
                                             "id_card": person(80 + n)}).json()
        page.goto(ticket["track_url"])
        expect(page.locator(".st")).to_contain_text("等候中")
        call(counter, "W01", ticket["id"])
        counter.post("/counters/W01/start").raise_for_status()
        time.sleep(gap)
        counter.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
        expect(page.locator(".st")).to_contain_text("审批中")
        expect(page.locator("body")).to_contain_text("无需在大厅等候")


def test_the_phone_page_shows_a_case_in_approval_as_the_status_page_does(
        phone: tuple[Any, list[str]], server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    page, _requests = phone
    desk, counter = kiosk(server, "kiosk-approval"), staff(server, "W01")
    ticket = desk.post("/tickets", json={"service": "company-setup",
                                         "id_card": person(66)}).json()
    call(counter, "W01", ticket["id"])
    counter.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    view = httpx.get(server.api(f"/track/{ticket['id']}")).json()
    assert view["zone"] == "approval" and view["deadline"]
    page.goto(f"{server.url}/m/#/t/{ticket['id']}")
    expect(page.locator("#tstatus")).to_contain_text("审批中")
    expect(page.locator("#tstatus")).to_contain_text("In approval")
    expect(page.locator("#approval")).to_contain_text("后台审批中,无需在大厅等候;办结后可在本页查看。")
    due = datetime.fromisoformat(view["deadline"]).astimezone(ZoneInfo("Asia/Shanghai"))
    expect(page.locator("#deadline")).to_contain_text("承诺办结时间")
    expect(page.locator("#deadline")).to_contain_text(f"{due.year}年{due.month}月{due.day}日")
    expect(page.locator("#ticket")).to_contain_text("Company setup")  # name_en
    assert page.locator("#ahead").count() == 0
    shot(page, shots, "13-approval")
    # and the status page says the same (the date too: it read 2026年03月10日 there)
    page.goto(ticket["track_url"])
    expect(page.locator("body")).to_contain_text("后台审批中,无需在大厅等候;办结后可在本页查看。")
    expect(page.locator("body")).to_contain_text(f"承诺办结时间:{due.year}年{due.month}月{due.day}日")


def test_a_bank_branch_ticket_is_followed_into_the_hall(
        phone: tuple[Any, list[str]], server: ServerProcess, shots: Path) -> None:
    """The ticket and QR code a bank branch printed led to a page that said 已办结 once the
    papers went on to the hall: the phone page and the status page follow the hall's ticket,
    also when the forward happens while the page is open."""
    from playwright.sync_api import expect

    page, _requests = phone
    bank = kiosk(server, "bank-phone", "p1-bank", kind="bank")
    branch = bank.post("/tickets", json={"service": "company-setup", "channel": "bank",
                                         "id_card": person(67)}).json()
    page.goto(f"{server.url}/m/#/t/{branch['id']}")
    expect(page.locator("#number")).to_have_text(branch["number"])
    hall = bank.post(f"/tickets/{branch['id']}/forward", json={}).json()  # while it is open
    page.wait_for_url(f"**/m/#/t/{hall['id']}")
    expect(page.locator("#number")).to_have_text(hall["number"])
    # the hall takes the papers in without their holder: the phone page says so, as /t does
    expect(page.locator("#ticket")).to_contain_text("已转交大厅,待受理")
    assert hall["id"] in page.evaluate("localStorage.getItem('kb.tickets')")
    shot(page, shots, "14-forwarded")
    page.goto(f"{server.url}/m/#/t/{branch['id']}")  # opened again later: straight on
    page.wait_for_url(f"**/m/#/t/{hall['id']}")
    page.goto(branch["track_url"])  # the printed QR code: the hall's status page
    expect(page.locator("body")).to_contain_text(hall["number"])
    assert page.url.split("?")[0].endswith(f"/t/{hall['id']}")


def tomorrow_slot(server: ServerProcess) -> dict[str, Any]:
    """A slot of tomorrow (the hall's) that nobody has booked yet."""
    from datetime import timedelta

    day = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).date()
    slots = httpx.get(server.api("/slots"), params={"service": "company-setup",
                                                    "date": day.isoformat()}).json()
    return next(x for x in slots if x["booked"] == 0)


def test_cancel_says_plainly_what_is_wrong(phone: tuple[Any, list[str]],
                                          server: ServerProcess) -> None:
    from playwright.sync_api import expect

    page, requests = phone
    holder = person(67)
    slot = tomorrow_slot(server)
    booked = httpx.post(server.api("/appointments"), json={
        "service": "company-setup", "start": slot["start"], "id_card": holder})
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    page.goto(f"{server.url}/m/#/a/{code}")
    expect(page.locator("#status")).to_contain_text("已预约")
    page.locator("#cancel").click()  # nothing typed: the page says so and sends nothing
    expect(page.locator("#msg")).to_contain_text("请输入预约时填写的身份证号码")
    expect(page.locator("#msg")).not_to_contain_text("id_number")
    assert not [u for u in requests if u.endswith("/cancel")]
    page.fill("#cidn", person(68)["number"])
    page.locator("#cancel").click()
    expect(page.locator("#msg")).to_contain_text("预约码或身份证号码不符")
    expect(page.locator("#msg")).to_contain_text("The code or ID number does not match")
    page.fill("#cidn", holder["number"].lower())
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_contain_text("已取消")


def test_a_slot_taken_meanwhile_is_shown_full_and_unchosen(
        phone: tuple[Any, list[str]], server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    page, _requests = phone
    page.goto(f"{server.url}/m/#/book/company-setup")
    expect(page.locator("h2")).to_contain_text("Book: Company setup")  # name_en, not the code
    pick = page.locator("#days button").nth(2)
    day = pick.get_attribute("data-day")
    pick.click()
    # that day's times (today's list, answered late, once stood under the day's button)
    first = page.locator(f"#slots button[data-start^='{day}']:not([disabled])").first
    expect(first).to_contain_text("余 3")
    start = first.get_attribute("data-start")
    first.click()
    expect(page.locator("#slots button.on")).to_have_count(1)
    for n in (90, 91, 92):  # others take the slot while this citizen types
        taken = httpx.post(server.api("/appointments"), json={
            "service": "company-setup", "start": start, "id_card": person(n)})
        assert taken.status_code == 201, taken.text
    page.fill("#name", WHO["name"])
    page.fill("#idn", person(93)["number"])
    page.locator("#go").click()
    expect(page.locator("#msg")).to_contain_text("已约满")
    gone = page.locator(f"#slots button[data-start='{start}']")
    expect(gone).to_contain_text("约满")
    expect(gone).to_be_disabled()
    expect(page.locator("#slots button.on")).to_have_count(0)
    shot(page, shots, "14-slot-full")


def contrast(page: Any, selector: str) -> float:
    """The WCAG contrast ratio of an element's text colour on its nearest background."""
    return float(page.evaluate("""(sel) => {
        const node = document.querySelector(sel);
        const rgb = (c) => c.match(/[0-9.]+/g).slice(0, 4).map(Number);
        let bg = node, back;
        while (bg) { back = rgb(getComputedStyle(bg).backgroundColor);
                     if (back.length < 4 || back[3] > 0) break; bg = bg.parentElement; }
        const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
            .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
        const a = lum(rgb(getComputedStyle(node).color)), b = lum(back);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""", selector))


def test_readable_selection_and_tap_targets(phone: tuple[Any, list[str]],
                                           server: ServerProcess) -> None:
    from playwright.sync_api import expect

    page, _requests = phone
    page.goto(f"{server.url}/m/#/book/company-setup")
    page.locator("#days button").nth(1).click()
    page.locator("#slots button:not([disabled])").first.click()
    expect(page.locator("#slots button.on .en")).to_contain_text("余")
    assert contrast(page, "#slots button.on .en") >= 4.5
    assert contrast(page, "#slots button:not(.on):not([disabled]) .en") >= 4.5
    for selector in ("footer a", "#days button", "#slots button"):
        heights = page.eval_on_selector_all(
            selector, "nodes => nodes.map(n => n.getBoundingClientRect().height)")
        assert heights and min(heights) >= 44, (selector, heights)


def test_a_server_out_of_reach_is_said_plainly_and_the_page_recovers(
        browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url, HALL, hall_id="p1")
    first = start_server(url, tmp_path)
    context = browser.new_context(**PHONE)
    again = None
    try:
        page = settled_tab(context.new_page())
        page.set_default_timeout(15_000)
        page.goto(first.url + "/m/")
        expect(page.locator("#hall")).to_have_text("杭锦后旗政务服务中心")
        first.stop()
        page.goto(first.url + "/m/#/a/ABCDE-FGHJK")  # a hash change: the page asks the API
        expect(page.locator("#offline")).to_be_visible()
        expect(page.locator("#offline")).to_contain_text("无法连接服务器，正在重试…")
        expect(page.locator("#offline")).to_contain_text("Cannot reach the server, retrying…")
        assert "Failed to fetch" not in page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "phone-offline.png"))
        again = start_server(url, tmp_path, port=first.port)
        expect(page.locator("#offline")).to_be_hidden()
        expect(page.locator("#view .err")).not_to_contain_text("无法连接")
        expect(page.locator("#view .err")).to_contain_text("预约")  # the API's own answer now
    finally:
        context.close()
        if again is not None:
            again.stop()
        first.stop()


# -- traditional Mongolian beside Chinese (a hall whose `languages` list mn) -------------------

HALL_MN = Path(__file__).resolve().parent / "hall_mn.toml"
SCREENS = {"390x844": {"width": 390, "height": 844}, "360x640": {"width": 360, "height": 640}}
MONGOLIAN = re.compile("[\u1800-\u18af]")


def mongolian_words() -> dict[str, str]:
    """The kiosk's Mongolian words (ui/locale/mn.po) by key: the phone page says the same."""
    from ui.locale import SHIPPED, read_po

    return {e.key: e.text for e in read_po(SHIPPED / "mn.po")}


def names_mn() -> dict[str, str]:
    """The Mongolian names of the test hall's hall, services and counters, by code."""
    import tomllib

    cfg = tomllib.loads(HALL_MN.read_text(encoding="utf-8"))
    names = {"hall": cfg["hall"]["name_mn"]}
    names.update({x["code"]: x["name_mn"] for x in cfg["services"] + cfg["counters"]})
    return names


@pytest.fixture(scope="module")
def mn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    yield from _hall_server(tmp_path_factory, HALL_MN, "p2")


def vertical(page: Any, selector: str, text: str) -> None:
    """`text` is in a band matched by `selector` that is written top to bottom (vertical-lr) in
    the font the server serves, taller than wide, and wholly on the screen. Checked in the page
    until it holds: a live page draws its screen again when its ticket's stream speaks."""
    from playwright.sync_api import TimeoutError as Timeout

    looks = """([sel, text]) => [...document.querySelectorAll(sel)]
        .filter(n => n.textContent.includes(text)).map(n => {
            const s = getComputedStyle(n), r = n.getBoundingClientRect();
            return {mode: s.writingMode, font: s.fontFamily, lang: n.closest('[lang]').lang,
                    w: r.width, h: r.height, left: r.left, right: r.right}; })"""
    width = page.viewport_size["width"]
    holds = f"""(arg) => ({looks})(arg).some(b => b.mode === 'vertical-lr'
        && b.font.startsWith('"Kuaiban Mongolian"') && b.lang === 'mn-Mong'
        && b.h > b.w && b.left >= 0 && b.right <= {width})"""
    try:
        page.wait_for_function(holds, arg=[selector, text], timeout=10_000)
    except Timeout:
        pytest.fail(f"no vertical band {selector} with {text!r}: "
                    f"{page.evaluate(looks, [selector, text])}")


def no_sideways_scroll(page: Any) -> None:
    """The page is no wider than the screen, and nothing sticks out of it (but what scrolls
    inside a box of its own, as the strip of days does)."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    wide = page.eval_on_selector_all("body *", f"""nodes => nodes.filter(n => {{
        const r = n.getBoundingClientRect();
        if (r.width === 0 || r.right <= {width} + 0.5) return false;
        for (let up = n.parentElement; up && up !== document.body; up = up.parentElement) {{
            if (getComputedStyle(up).overflowX !== 'visible') return false; }}
        return true; }}).map(n => n.tagName + '.' + n.className)""")
    assert wide == [], wide


def test_a_hall_that_lists_mongolian_shows_it_vertically_beside_chinese(
        browser: Any, mn_server: ServerProcess, shots: Path) -> None:
    """The hall's name, the services' names, the headings and the main status lines of "my
    number" in traditional Mongolian, vertical (the /t page's way), on a 390x844 and a 360x640
    screen without scrolling sideways; the Chinese is all still there."""
    from playwright.sync_api import expect

    words, names = mongolian_words(), names_mn()
    hall = httpx.get(mn_server.api("/public/hall")).json()
    assert hall["languages"] == ["mn", "zh", "en"] and hall["name_mn"] == names["hall"]
    assert {s["code"]: s["name_mn"] for s in hall["services"]} == {
        c: names[c] for c in ("company-setup", "water-connect", "consult")}
    desk, counter = kiosk(mn_server, "kiosk-mn", "p2"), staff(mn_server, "W01", "p2")
    for n, (size, viewport) in enumerate(SCREENS.items()):
        context = browser.new_context(**{**PHONE, "viewport": viewport})
        page = settled_tab(context.new_page())
        page.set_default_timeout(15_000)
        fonts: list[str] = []
        page.on("request", lambda r, fonts=fonts: fonts.append(r.url)
                if "/fonts/" in r.url else None)
        try:
            page.goto(mn_server.url + "/m/")
            expect(page.locator("#hall")).to_have_text("杭锦后旗政务服务中心")
            vertical(page, "header .mn", names["hall"])
            vertical(page, ".grid .btn .mn", words["take_number"])
            page.evaluate("document.fonts.ready.then(() => true)")
            assert page.evaluate("document.fonts.check('16px \"Kuaiban Mongolian\"')")
            assert fonts == [mn_server.url + "/fonts/mongolian.ttf"]
            no_sideways_scroll(page)
            page.screenshot(path=str(shots / f"phone-mn-{size}-1-home.png"), full_page=True)

            page.goto(mn_server.url + "/m/#/remote")
            expect(page.locator(".list")).to_contain_text("用水报装")
            vertical(page, ".list .mn", names["water-connect"])
            vertical(page, ".list .mn", names["company-setup"])
            vertical(page, ".heading .mn", words["choose_service"])
            no_sideways_scroll(page)
            page.screenshot(path=str(shots / f"phone-mn-{size}-2-services.png"), full_page=True)

            page.goto(mn_server.url + "/m/#/book/company-setup")
            expect(page.locator("h2")).to_contain_text("企业开办")
            vertical(page, ".heading .mn", names["company-setup"])
            no_sideways_scroll(page)

            ticket = httpx.post(mn_server.api("/remote-tickets"), json={
                "service": "water-connect", "id_card": person(70 + n)}).json()
            page.goto(f"{mn_server.url}/m/#/t/{ticket['id']}")
            expect(page.locator("#tstatus")).to_contain_text("等候中")
            vertical(page, ".heading .mn", words["your_number"])
            vertical(page, "#ticket .mn", names["water-connect"])
            vertical(page, "#ticket .mn", words["status_waiting"])
            no_sideways_scroll(page)
            page.screenshot(path=str(shots / f"phone-mn-{size}-3-waiting.png"), full_page=True)
            call(counter, "W01", ticket["id"])
            expect(page.locator("#go-to")).to_contain_text("请到 1号窗口 办理")  # live
            vertical(page, "#ticket .mn", words["status_called"])
            vertical(page, "#ticket .mn", names["W01"])
            no_sideways_scroll(page)
            page.screenshot(path=str(shots / f"phone-mn-{size}-4-called.png"), full_page=True)
            counter.post("/counters/W01/finish", json={"outcome": "done"}).raise_for_status()

            case = desk.post("/tickets", json={"service": "company-setup",
                                               "id_card": person(72 + n)}).json()
            call(counter, "W01", case["id"])
            counter.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
            page.goto(f"{mn_server.url}/m/#/t/{case['id']}")
            expect(page.locator("#tstatus")).to_contain_text("审批中")
            vertical(page, "#ticket .mn", names["company-setup"])
            vertical(page, "#ticket .mn", "\u182c\u1822\u1828\u1820\u1828 ")  # ᠬᠢᠨᠠᠨ …
            no_sideways_scroll(page)
            page.screenshot(path=str(shots / f"phone-mn-{size}-5-approval.png"), full_page=True)
        finally:
            context.close()


def test_a_hall_without_mongolian_shows_none(browser: Any, server: ServerProcess) -> None:
    """The same screens of a hall whose languages do not list mn: no Mongolian, no band, no
    Mongolian font fetched."""
    from playwright.sync_api import expect

    hall = httpx.get(server.api("/public/hall")).json()
    assert hall["languages"] == ["zh"] and hall["name_mn"] is None
    assert all(s["name_mn"] is None for s in hall["services"])
    context = browser.new_context(**{**PHONE, "viewport": SCREENS["390x844"]})
    page = settled_tab(context.new_page())
    page.set_default_timeout(15_000)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    try:
        ticket = httpx.post(server.api("/remote-tickets"), json={
            "service": "social-security", "id_card": person(78)}).json()
        for where, ready in (("", "#hall"), ("#/remote", ".list"), ("#/book/company-setup", "h2"),
                             (f"#/t/{ticket['id']}", "#tstatus")):
            page.goto(f"{server.url}/m/{where}")
            expect(page.locator(ready)).not_to_be_empty()
            expect(page.locator("#hall")).to_have_text("杭锦后旗政务服务中心")
            assert page.locator(".mn").count() == 0, where
            assert not MONGOLIAN.search(page.locator("body").inner_text()), where
            no_sideways_scroll(page)
        assert not [u for u in asked if "/fonts/" in u], asked
    finally:
        context.close()
