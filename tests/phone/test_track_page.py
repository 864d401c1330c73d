"""The status page `/t/{id}` behind a ticket's QR code, in a real browser on a phone's screen
(390x844) against `python -m queue_server`: 好差评 from the QR code's link (`?c=`), a bank
branch's application forwarded to the hall, the journey's words, the banner while the server
is out of reach, the friendly page for an address that is no ticket's, and the Mongolian band's
status and instruction. Screenshots go to $KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import reload_settled, settled_tab
from tests.phone.conftest import PHONE
from tests.phone.test_phone_browser import (
    HALL,
    call,
    kiosk,
    mongolian_words,
    names_mn,
    staff,
    vertical,
)
from tests.procs import ServerProcess, load_test_hall, start_server
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
def shot(tab: Any, folder: Path, name: str) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.screenshot(path=str(folder / f"track-{name}.png"), full_page=True)


def served_ticket(server: ServerProcess, n: int, outcome: str = "done",
                  service: str = "social-security") -> dict[str, Any]:
    """A kiosk's ticket (its track_url carries the rating code), called at W01 and finished."""
    desk = kiosk(server, f"kiosk-rate-{n}")
    ticket = desk.post("/tickets", json={"service": service, "id_card": person(n)}).json()
    assert "?c=" in ticket["track_url"], ticket["track_url"]
    counter = staff(server, "W01")
    call(counter, "W01", ticket["id"])
    counter.post("/counters/W01/finish", json={"outcome": outcome}).raise_for_status()
    return ticket


def test_the_holder_rates_from_the_qr_codes_page(page: Any, server: ServerProcess,
                                                 shots: Path) -> None:
    """The QR code's link (`?c=`) offers 好差评 of the stage served: a bad rating needs a reason,
    the thank-you follows, the rating is stored, and the page says 已评价 from then on. Without
    the code, or with a wrong one, there is no form (the page is public by its id)."""
    from playwright.sync_api import expect

    ticket = served_ticket(server, 101)
    bare = ticket["track_url"].split("?")[0]
    page.goto(bare)
    expect(page.locator(".st")).to_contain_text("已办结")
    assert page.locator("#rate").count() == 0
    page.goto(bare + "?c=AAAAAAAAAAAAAAAA")
    expect(page.locator(".st")).to_contain_text("已办结")
    assert page.locator("#rate").count() == 0

    page.goto(ticket["track_url"])
    form = page.locator("#rate-form")
    expect(form).to_be_visible()
    for word in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "Very dissatisfied"):
        expect(form).to_contain_text(word)
    expect(page.locator("#why")).to_be_hidden()
    shot(page, shots, "1-rate")
    page.get_by_text("非常不满意").click()
    expect(page.locator("#why")).to_be_visible()
    page.locator("#rate-go").click()
    expect(page.locator("#rate-msg")).to_contain_text("请选择不满意的原因")
    page.get_by_text("排队时间长").click()
    page.fill("#comment", "排队太久")
    shot(page, shots, "2-rate-bad")
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    shot(page, shots, "3-rated")
    again = httpx.post(server.api(f"/track/{ticket['id']}/evaluation"), json={
        "c": ticket["track_url"].split("?c=")[1], "level": 5})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    reload_settled(page)
    expect(page.locator("#rated")).to_contain_text("已评价")
    assert page.locator("#rate-form").count() == 0


def test_a_good_rating_needs_no_reason(page: Any, server: ServerProcess) -> None:
    from playwright.sync_api import expect

    ticket = served_ticket(server, 102)
    page.goto(ticket["track_url"])
    page.get_by_text("基本满意").click()
    expect(page.locator("#why")).to_be_hidden()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")


def test_a_forwarded_bank_application_says_where_it_came_from(
        page: Any, server: ServerProcess, shots: Path) -> None:
    """The branch's QR code leads to the hall's ticket: the page says the branch passed it on,
    the old and the new number, that nobody needs to come, and no waiting time."""
    from playwright.sync_api import expect

    bank = kiosk(server, "bank-track", "p1-bank", kind="bank")
    branch = bank.post("/tickets", json={"service": "company-setup", "channel": "bank",
                                         "id_card": person(103)}).json()
    hall = bank.post(f"/tickets/{branch['id']}/forward", json={}).json()
    page.goto(branch["track_url"])
    note = page.locator("#forwarded")
    expect(note).to_contain_text("已由 农业银行测试支行 政银合作便民服务点 转交大厅办理")
    expect(note).to_contain_text(f"原号 {branch['number']}")
    expect(note).to_contain_text(f"现号 {hall['number']}")
    expect(note).to_contain_text("无需到大厅等候")
    expect(note).to_contain_text(f"(was {branch['number']}, now {hall['number']})")
    expect(page.locator(".st")).to_contain_text("已转交大厅,待受理")
    body = page.locator("body")
    expect(body).not_to_contain_text("预计等候")
    expect(body).not_to_contain_text("min</")
    assert "ahead" not in page.locator(".card").first.inner_text()
    shot(page, shots, "4-forwarded")


def test_the_journey_says_what_each_stage_is(page: Any, server: ServerProcess) -> None:
    """A stage not yet called is 等候中 (never 进行中); a last stage finished `next` of a case
    that ended is 办结 (never 转下一环节)."""
    from playwright.sync_api import expect

    waiting = httpx.post(server.api("/remote-tickets"), json={
        "service": "social-security", "id_card": person(104)}).json()
    page.goto(waiting["track_url"])
    expect(page.locator("#journey")).to_contain_text("等候中")
    expect(page.locator("#journey")).not_to_contain_text("进行中")
    ended = served_ticket(server, 105, outcome="next")  # social-security: its route ends there
    assert httpx.get(server.api(f"/track/{ended['id']}")).json()["status"] == "done"
    page.goto(ended["track_url"].split("?")[0])
    expect(page.locator(".st")).to_contain_text("已办结")
    expect(page.locator("#journey")).to_contain_text("办结")
    expect(page.locator("#journey")).not_to_contain_text("转下一环节")


@pytest.mark.parametrize("path", ["/t/", "/t", "/t/abc/def", "/t/%E5%8F%B7/x", "/t/" + "x" * 40])
def test_an_address_that_is_no_tickets_gets_the_friendly_page(server: ServerProcess,
                                                               path: str) -> None:
    answer = httpx.get(server.url + path, follow_redirects=False)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "没有找到此号" in answer.text and '"error"' not in answer.text


def test_the_page_says_when_the_server_is_out_of_reach(browser: Any, tmp_path: Path,
                                                       shots: Path) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url, HALL, hall_id="p1")
    first = start_server(url, tmp_path)
    context = browser.new_context(**PHONE)
    again = None
    try:
        tab = settled_tab(context.new_page())
        tab.set_default_timeout(20_000)
        ticket = httpx.post(first.api("/remote-tickets"), json={
            "service": "social-security", "id_card": person(106)}).json()
        tab.goto(ticket["track_url"])
        expect(tab.locator(".st")).to_contain_text("等候中")
        expect(tab.locator("#offline")).to_be_hidden()
        first.stop()
        expect(tab.locator("#offline")).to_be_visible()
        expect(tab.locator("#offline")).to_contain_text("无法连接服务器")
        expect(tab.locator("#offline")).to_contain_text("Cannot reach the server")
        tab.screenshot(path=str(shots / "track-5-offline.png"), full_page=True)
        again = start_server(url, tmp_path, port=first.port)
        expect(tab.locator("#offline")).to_be_hidden()
        expect(tab.locator(".st")).to_contain_text("等候中")
    finally:
        context.close()
        if again is not None:
            again.stop()
        first.stop()


def test_the_mongolian_band_says_the_status_and_what_to_do(
        page: Any, mn_server: ServerProcess, shots: Path) -> None:
    """Beside the hall's, the service's and the counter's names: the status word and the main
    line (the people ahead; the counter to go to), the kiosk's words (mn.po)."""
    words, names = mongolian_words(), names_mn()
    ticket = httpx.post(mn_server.api("/remote-tickets"), json={
        "service": "water-connect", "id_card": person(107)}).json()
    page.goto(ticket["track_url"])
    vertical(page, ".mn", words["status_waiting"])
    vertical(page, ".mn", words["people"].replace("{n}", "0"))
    vertical(page, ".mn", names["water-connect"])
    shot(page, shots, "6-mn-waiting")
    counter = staff(mn_server, "W01", "p2")
    call(counter, "W01", ticket["id"])
    # No reload of ours: the page reloads itself when its ticket's stream speaks (a reload of
    # the test's beside it was aborted by the page's own, net::ERR_ABORTED, once in CI).
    vertical(page, ".mn", words["status_called"])
    vertical(page, ".mn", words["please_go"].replace("{counter}", names["W01"]))
    shot(page, shots, "7-mn-called")
    assert page.locator("#rate").count() == 0  # called: rated once served, not on the way
    counter.post("/counters/W01/finish", json={"outcome": "done"}).raise_for_status()
    vertical(page, "#rate .mn", words["rate_title"])
    shot(page, shots, "8-mn-rate")
