"""What a citizen's check of the phone pages found, on a 390x844 phone (Debian's chromium against
`python -m queue_server` on loopback): a number taken while the hall is closed says when
calling starts; a case in approval reads 审批中 and never vibrates while a back-office post
"calls" it, and its rating form rates the counter the citizen met (and a bad rating says when
the hall follows it up); "my numbers" and "my bookings" say what each is; the papers to bring
are listed; the day picker says 已过 and 休息日; an ID number typed with spaces is taken.
Screenshots go to $KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.phone.test_phone_browser import HALL, _hall_server, call, kiosk, staff
from tests.procs import ServerProcess
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
TZ = ZoneInfo("Asia/Shanghai")


def shot(tab: Any, folder: Path, name: str) -> None:
    tab.screenshot(path=str(folder / f"phone-check-{name}.png"), full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390, name


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The phone test hall, closed now: open on working days only, for one hour that starts
    two hours from now (the hall's time)."""
    start = (datetime.now(TZ).hour + 2) % 24
    end = "24:00" if start == 23 else f"{start + 1:02d}:00"
    config = tmp_path_factory.mktemp("closed-hall") / "hall.toml"
    config.write_text(HALL.read_text(encoding="utf-8").replace(
        'open_days = "every_day"',
        f'open_days = "workdays"\nopening_hours = ["{start:02d}:00-{end}"]'), encoding="utf-8")
    yield from _hall_server(tmp_path_factory, config, "p1")


def held_on_this_phone(tab: Any, hall: ServerProcess, tickets: list[dict[str, Any]],
                       codes: list[str] = ()) -> None:  # type: ignore[assignment]
    """The phone keeps `tickets` (and their rating codes) and booking `codes`, as the page
    keeps what was taken on it."""
    tab.goto(hall.url + "/m/#/")
    tab.evaluate("""([ids, rating, codes]) => {
        localStorage.setItem("kb.tickets", JSON.stringify(ids));
        localStorage.setItem("kb.rating", JSON.stringify(rating));
        localStorage.setItem("kb.codes", JSON.stringify(codes)); }""",
                 [[t["id"] for t in tickets],
                  {t["id"]: t["track_url"].split("?c=")[1] for t in tickets}, list(codes)])


def test_a_number_taken_while_closed_says_when_calling_starts(
        page: Any, closed: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    ticket = kiosk(closed, "kiosk-night").post("/tickets", json={
        "service": "social-security", "id_card": person(601)}).json()
    opens = datetime.fromisoformat(ticket["calls_from"]).astimezone(TZ)
    days = (opens.date() - datetime.now(TZ).date()).days
    when = {0: "今天", 1: "明天"}.get(days, f"{opens.month}月{opens.day}日")
    words = f"{when} {opens:%H:%M} 起叫号"
    held_on_this_phone(page, closed, [ticket])
    page.goto(f"{closed.url}/m/#/t/{ticket['id']}")
    expect(page.locator("#calls-from")).to_contain_text(words)
    assert page.locator("#ahead").count() == 0  # no wait estimate
    assert "预计" not in page.locator("#ticket").inner_text()
    shot(page, shots, "1-closed-phone")
    page.goto(ticket["track_url"])
    expect(page.locator("#calls-from")).to_contain_text(words)
    assert "预计等候" not in page.content()
    shot(page, shots, "2-closed-status-page")


def test_the_day_picker_says_past_and_closed(page: Any, closed: ServerProcess,
                                             shots: Path) -> None:
    from playwright.sync_api import expect

    hall = httpx.get(closed.api("/public/hall")).json()
    today = datetime.now(TZ).date()
    rest = next(today + timedelta(days=n) for n in range(1, 15)
                if (today + timedelta(days=n)).isoformat() not in hall["open_dates"])
    page.goto(closed.url + "/m/#/book/company-setup")
    day = page.locator(f"#days button[data-day='{rest.isoformat()}']")
    expect(day).to_contain_text("休息日")
    day.click()
    expect(page.locator("#slots")).to_contain_text("休息日")
    shot(page, shots, "3-rest-day")


def test_past_slots_and_the_papers_to_bring(page: Any, server: ServerProcess,
                                            shots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/m/#/book/company-setup")
    if datetime.now(TZ).hour >= 1:  # today's first slot (00:00-01:00) is over
        expect(page.locator("#slots button").first).to_contain_text("已过")
        assert "余" not in page.locator("#slots button").first.inner_text()
    if datetime.now(TZ).hour >= 23:  # today's last slot has begun too: tomorrow's first
        page.locator("#days button").nth(1).click()
        expect(page.locator("#slots button:not([disabled])").first).to_be_visible()
    page.locator("#slots button:not([disabled])").first.click()
    expect(page.locator("#materials")).to_contain_text("公司章程")
    expect(page.locator("#materials")).to_contain_text("住所使用证明")
    shot(page, shots, "4-book-materials")
    page.goto(server.url + "/m/#/remote/company-setup")
    expect(page.locator("#materials")).to_contain_text("一次性告知:请携带以下材料")
    expect(page.locator("#materials")).to_contain_text("公司章程")
    who = person(602)
    page.fill("#name", who["name"])
    page.fill("#idn", " ".join([who["number"][:6], who["number"][6:14], who["number"][14:]]))
    shot(page, shots, "5-remote-materials")
    page.locator("#go").click()  # an ID typed in groups is taken whole
    expect(page.locator("#number")).to_be_visible()


def test_approval_is_not_a_call_and_the_rating_rates_the_counter_met(
        page: Any, server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    page.add_init_script("window.buzzed = 0; navigator.vibrate = function () {"
                         " window.buzzed += 1; return true; };")
    ticket = kiosk(server, "kiosk-approval-2").post("/tickets", json={
        "service": "company-setup", "id_card": person(603)}).json()
    intake = staff(server, "W01")
    call(intake, "W01", ticket["id"])
    intake.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    held_on_this_phone(page, server, [ticket])
    page.goto(f"{server.url}/m/#/t/{ticket['id']}")
    expect(page.locator("#tstatus")).to_contain_text("审批中")
    call(staff(server, "W02"), "W02", ticket["id"])  # the approval post "calls" it
    view = httpx.get(server.api(f"/track/{ticket['id']}")).json()
    assert (view["zone"], view["status"]) == ("approval", "called")
    page.wait_for_timeout(1500)  # the stream has spoken
    expect(page.locator("#tstatus")).to_contain_text("审批中")
    assert "已叫号" not in page.locator("#ticket").inner_text()
    assert page.evaluate("window.buzzed") == 0
    form = page.locator("#rate")
    expect(form).to_contain_text("请对本次服务(一窗受理 1号窗口)作出评价")
    shot(page, shots, "6-approval-rate")
    page.locator("label:has(input[name=level][value='1'])").click()
    page.locator("label:has(input[name=reason][value='wait'])").click()
    page.locator("#rate-go").click()
    expect(page.locator("#followup")).to_contain_text("3 个工作日")
    shot(page, shots, "7-followup")


def test_my_numbers_and_bookings_say_what_they_are(page: Any, server: ServerProcess,
                                                   shots: Path) -> None:
    from playwright.sync_api import expect

    ticket = kiosk(server, "kiosk-mine").post("/tickets", json={
        "service": "social-security", "id_card": person(604)}).json()
    day = (datetime.now(TZ) + timedelta(days=2)).date()
    slot = next(x for x in httpx.get(server.api("/slots"), params={
        "service": "company-setup", "date": day.isoformat()}).json() if x["booked"] == 0)
    who = person(605)
    booked = httpx.post(server.api("/appointments"), json={
        "service": "company-setup", "start": slot["start"], "id_card": who}).json()
    httpx.post(server.api(f"/appointments/{booked['code']}/cancel"),
               json={"id_number": who["number"]}).raise_for_status()
    held_on_this_phone(page, server, [ticket], [booked["code"]])
    page.goto(server.url + "/m/#/numbers")
    expect(page.locator("#numbers")).to_contain_text(ticket["number"])
    expect(page.locator("#numbers")).to_contain_text("社保业务")
    expect(page.locator("#numbers")).to_contain_text("等候中")
    assert ticket["id"] not in page.locator("#numbers").inner_text()
    shot(page, shots, "8-my-numbers")
    page.goto(server.url + "/m/#/mine")
    bookings = page.locator("#bookings")
    expect(bookings).to_contain_text("企业开办")
    expect(bookings).to_contain_text("已取消")
    expect(bookings).to_contain_text(f"{day.month}月{day.day}日")
    heights = page.evaluate("[...document.querySelectorAll('footer a')]"
                            ".map(a => a.getBoundingClientRect().height)")
    assert max(heights) < 60, heights  # each link: its Chinese and English lines, no wrapping
    shot(page, shots, "9-my-bookings")


@pytest.mark.parametrize("width", [390, 360])
def test_the_footer_links_do_not_wrap(browser: Any, server: ServerProcess, mn_server: ServerProcess,
                                      shots: Path, width: int) -> None:
    """Each footer link is its Chinese over its English (a band beside it in a hall that lists
    mn), never "My / bookings" broken over more lines."""
    from playwright.sync_api import expect

    for hall, name in ((server, "zh"), (mn_server, "mn")):
        context = browser.new_context(viewport={"width": width, "height": 844},
                                      device_scale_factor=2, is_mobile=True, locale="zh-CN")
        tab = context.new_page()
        tab.goto(hall.url + "/m/")
        expect(tab.locator(".grid")).to_be_visible()
        lines = tab.evaluate("""[...document.querySelectorAll('footer a')].map(a => {
            const zh = a.querySelector('.zh') || a, en = a.querySelector('.en');
            const line = parseFloat(getComputedStyle(en).lineHeight) || 20;
            return Math.round(en.getBoundingClientRect().height / line); })""")
        print(name, width, lines)
        tab.screenshot(path=str(shots / f"phone-check-footer-{name}-{width}.png"), full_page=True)
        context.close()
        assert lines == [1, 1, 1], (name, width, lines)


def test_the_lists_and_the_papers_have_their_mongolian(page: Any, mn_server: ServerProcess,
                                                       shots: Path) -> None:
    """In a hall that lists mn the filled rows of "my numbers" and "my bookings" and the papers
    to bring have their band, as every fixed text of the page has."""
    from playwright.sync_api import expect

    from tests.phone.test_phone_hjhq import DATA, OUTSIDE

    ticket = httpx.post(mn_server.api("/remote-tickets"), json={
        "service": "water-connect", "id_card": person(606)}).json()
    day = (datetime.now(TZ) + timedelta(days=1)).date()
    slot = next(x for x in httpx.get(mn_server.api("/slots"), params={
        "service": "company-setup", "date": day.isoformat()}).json() if x["booked"] == 0)
    booked = httpx.post(mn_server.api("/appointments"), json={
        "service": "company-setup", "start": slot["start"], "id_card": person(607)}).json()
    held_on_this_phone(page, mn_server, [ticket], [booked["code"]])
    for name, where, ready in (("numbers", "#/numbers", f"#numbers a:has-text('{ticket['number']}')"),
                               ("mine", "#/mine", "#bookings a:has-text('已预约')"),
                               ("materials", "#/remote/company-setup", "#materials .mn")):
        page.goto(mn_server.url + "/m/" + where)
        expect(page.locator(ready)).to_be_visible()
        page.screenshot(path=str(shots / f"phone-check-mn-{name}.png"), full_page=True)
        assert page.evaluate(OUTSIDE, DATA) == [], name


def test_the_status_page_says_when_a_bad_rating_is_followed_up(page: Any, server: ServerProcess,
                                                               shots: Path) -> None:
    from playwright.sync_api import expect

    from tests.phone.test_track_page import served_ticket

    ticket = served_ticket(server, 608)
    page.goto(ticket["track_url"])
    page.get_by_text("非常不满意").click()
    page.get_by_text("告知不清楚").click()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    expect(page.locator("#followup")).to_contain_text("大厅将在 3 个工作日内核实")
    shot(page, shots, "10-status-followup")
    assert page.locator("link[rel=icon]").count() == 1  # no /favicon.ico asked for (a 404)
    page.goto(server.url + "/m/")
    expect(page.locator(".grid")).to_be_visible()
    assert page.locator("link[rel=icon]").count() == 1
