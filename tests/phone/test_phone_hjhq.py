"""The phone page (/m/) and the status page (/t/) with the example hall, examples/hjhq.toml (it
lists Mongolian and has a bank branch outpost, 政银合作), opened around the clock for the test,
on a 390x844 screen against `python -m queue_server`:

- a bank branch's application forwarded to the hall (转大厅): the public view says where it came
  from (`forwarded_from`) and, to the holder of the QR code's rating code, whether it may be rated
  (`rating_state`); the phone page says it was forwarded, in Chinese, English and Mongolian;
- the branch's paper QR code still rates the stage served at the bank, and only that one: one
  ticket's code never rates another ticket's stage;
- every fixed text of the phone page has its Mongolian band beside it.

Screenshots go to $KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.phone.test_phone_browser import (
    _hall_server,
    call,
    kiosk,
    mongolian_words,
    no_sideways_scroll,
    staff,
    vertical,
)
from tests.procs import ROOT, ServerProcess
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
EXAMPLE = ROOT / "examples" / "hjhq.toml"
HALL, BRANCH = "hjhq", "abc-hjhq"
CJK = re.compile("[\u4e00-\u9fff]")


def example() -> dict[str, Any]:
    import tomllib

    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The example hall, open every day around the clock (its own hours would make the test
    depend on when it runs); everything else as the file says."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^opening_hours = .*$", "opening_hours = []", text)
    text = re.sub(r"(?m)^open_days = .*$", 'open_days = "every_day"', text)
    text = re.sub(r"(?m)^closed_days = .*$", "closed_days = []", text)
    config = tmp_path_factory.mktemp("hjhq-config") / "hjhq.toml"
    config.write_text(text, encoding="utf-8")
    yield from _hall_server(tmp_path_factory, config, HALL)


def code_of(track_url: str) -> str:
    return track_url.split("?c=", 1)[1]


def served_at_the_bank(server: ServerProcess, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A bank branch's ticket (its paper's QR code carries its rating code) served at the
    branch's counter N01 and finished `next`: the branch has no approval counter, so the
    application goes on to the hall (转大厅). Answers the branch's ticket and the hall's, as the
    bank terminal prints it (a forward again answers it, with the hall ticket's own code)."""
    bank = kiosk(server, f"bank-{n}", BRANCH, kind="bank")
    branch = bank.post("/tickets", json={"service": "company-setup", "channel": "bank",
                                         "id_card": person(n)}).json()
    assert "?c=" in branch["track_url"]
    desk = staff(server, "N01", BRANCH)
    call(desk, "N01", branch["id"])
    desk.post("/counters/N01/finish", json={"outcome": "next"}).raise_for_status()
    hall = bank.post(f"/tickets/{branch['id']}/forward", json={})
    assert hall.status_code == 200, hall.text  # forwarded already: the same ticket again
    return branch, hall.json()


def view(server: ServerProcess, ticket: str, code: str | None = None) -> dict[str, Any]:
    answer = httpx.get(server.api(f"/track/{ticket}"), params={"c": code} if code else None)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def rate(server: ServerProcess, ticket: str, code: str, level: int = 4) -> httpx.Response:
    return httpx.post(server.api(f"/track/{ticket}/evaluation"), json={"c": code, "level": level})


def test_the_public_view_says_where_an_application_came_from_and_what_may_be_rated(
        server: ServerProcess) -> None:
    """`forwarded_from`: the branch and the number it gave (never the branch ticket's id);
    `rating_state`: only with the ticket's own code; `version` the same whoever asks."""
    outpost = example()["outposts"][0]
    branch, hall = served_at_the_bank(server, 201)
    seen = view(server, hall["id"])
    assert seen["forwarded_from"] == {
        "number": branch["number"], "hall": BRANCH, "hall_name": outpost["name"],
        "hall_name_en": outpost["name_en"], "hall_name_mn": outpost["name_mn"]}
    assert branch["id"] not in str(seen)
    assert seen["rating_state"] is None  # nobody in the hall has called it yet
    assert view(server, branch["id"])["forwarded_from"] is None
    assert view(server, branch["id"])["forwarded_to"]["ticket"] == hall["id"]

    # The branch's code proves the branch's ticket, and no other
    assert view(server, branch["id"], code_of(branch["track_url"]))["rating_state"] == "open"
    assert view(server, branch["id"])["rating_state"] is None
    assert view(server, branch["id"], code_of(hall["track_url"]))["rating_state"] is None
    assert view(server, hall["id"], code_of(branch["track_url"]))["rating_state"] is None
    mine = view(server, branch["id"], code_of(branch["track_url"]))
    assert mine["version"] == view(server, branch["id"])["version"]

    assert rate(server, branch["id"], code_of(branch["track_url"])).status_code == 201
    assert view(server, branch["id"], code_of(branch["track_url"]))["rating_state"] == "rated"
    desk = staff(server, "W05", HALL)
    call(desk, "W05", hall["id"])
    desk.post("/counters/W05/finish", json={"outcome": "next"}).raise_for_status()
    # the hall took it up from the branch's papers: its holder met nobody there to rate
    assert view(server, hall["id"], code_of(hall["track_url"]))["rating_state"] is None
    assert rate(server, hall["id"], code_of(hall["track_url"])).json()["error"]["code"] == (
        "nothing_to_rate")

    kiosk_ticket = kiosk(server, "kiosk-201", HALL).post("/tickets", json={
        "service": "tax-invoice", "id_card": person(202)}).json()
    plain = view(server, kiosk_ticket["id"], code_of(kiosk_ticket["track_url"]))
    assert plain["forwarded_from"] is None and plain["forwarded_to"] is None


def test_each_paper_rates_its_own_stage(server: ServerProcess) -> None:
    """The branch's code rates the stage served at the bank (counter N01); the hall ticket's code
    the hall's stage its holder came to (pickup, W12: the hall's intake and approval took the
    application up from the branch's papers); neither code rates the other ticket."""
    branch, hall = served_at_the_bank(server, 203)
    branch_code, hall_code = code_of(branch["track_url"]), code_of(hall["track_url"])
    for code in ("W05", "H01"):
        desk = staff(server, code, HALL)
        call(desk, code, hall["id"])
        desk.post(f"/counters/{code}/finish", json={"outcome": "next"}).raise_for_status()
    assert rate(server, hall["id"], hall_code).json()["error"]["code"] == "nothing_to_rate"
    call(staff(server, "W12", HALL), "W12", hall["id"])

    for ticket, code in ((hall["id"], branch_code), (branch["id"], hall_code)):
        refused = rate(server, ticket, code)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "proof_required"
    at_bank = rate(server, branch["id"], branch_code, 5)
    assert at_bank.status_code == 201, at_bank.text
    assert (at_bank.json()["zone"], at_bank.json()["counter"]) == ("intake", "N01")
    in_hall = rate(server, hall["id"], hall_code, 3)
    assert in_hall.status_code == 201, in_hall.text
    assert (in_hall.json()["zone"], in_hall.json()["counter"]) == ("pickup", "W12")
    assert rate(server, branch["id"], branch_code).json()["error"]["code"] == "already_rated"


def test_the_branch_qr_code_still_rates_the_bank(page: Any, server: ServerProcess,
                                                 shots: Path) -> None:
    """The QR code the bank printed (the branch ticket's link with its code) used to be sent on
    to the hall's page without its code, so the stage served at the bank could not be rated. It
    now opens the branch's own page with 好差评 of that stage and a link on to the hall's page;
    once rated, it leads on to the hall's page. The code never travels with the redirect."""
    from playwright.sync_api import expect

    branch, hall = served_at_the_bank(server, 204)
    first = httpx.get(server.url + f"/t/{branch['id']}",
                      params={"c": code_of(branch["track_url"])}, follow_redirects=False)
    assert first.status_code == 200, first.status_code
    for code in (None, code_of(hall["track_url"]), "AAAAAAAAAAAAAAAA"):
        other = httpx.get(server.url + f"/t/{branch['id']}", params={"c": code} if code else None,
                          follow_redirects=False)
        assert other.status_code == 303 and other.headers["location"] == f"/t/{hall['id']}"

    page.goto(branch["track_url"])
    expect(page.locator("div.st")).to_contain_text("已转交大厅")
    onward = page.locator("#onward")
    expect(onward).to_contain_text(f"现号 {hall['number']}")
    expect(onward).to_contain_text(f"now number {hall['number']}")
    expect(page.locator("#rate-form")).to_be_visible()
    expect(page.locator("#rate")).to_contain_text("农行1号窗口")  # the stage served at the bank
    vertical(page, "#rate .mn", mongolian_words()["rate_title"])
    no_sideways_scroll(page)
    page.screenshot(path=str(shots / "hjhq-1-branch-rate.png"), full_page=True)
    page.get_by_text("非常满意").click()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    page.screenshot(path=str(shots / "hjhq-2-branch-rated.png"), full_page=True)
    again = rate(server, branch["id"], code_of(branch["track_url"]))
    assert again.json()["error"]["code"] == "already_rated"

    page.goto(branch["track_url"])  # rated: the paper leads on to the hall's page, without c
    page.wait_for_url(f"**/t/{hall['id']}")
    assert "c=" not in page.url
    expect(page.locator("#forwarded")).to_contain_text(f"原号 {branch['number']}")
    assert page.locator("#onward").count() == 0  # the hall's page needs no way on
    page.goto(hall["track_url"])  # the hall's paper: the hall's stage, once it is served
    expect(page.locator("div.st")).to_contain_text("已转交大厅,待受理")
    assert page.locator("#rate").count() == 0


def test_the_phone_page_says_the_application_was_forwarded(page: Any, server: ServerProcess,
                                                           shots: Path) -> None:
    """The number the branch gave, opened on the phone page, goes on to the hall's ticket, which
    says (as /t does) who forwarded it, the old and the new number, that nobody needs to come;
    no waiting time; the branch's name and the words in Mongolian beside it."""
    from playwright.sync_api import expect

    outpost = example()["outposts"][0]
    words = mongolian_words()
    branch, hall = served_at_the_bank(server, 205)
    page.goto(f"{server.url}/m/#/t/{branch['id']}")
    page.wait_for_url(f"**/m/#/t/{hall['id']}")
    expect(page.locator("#number")).to_have_text(hall["number"])
    expect(page.locator("#tstatus")).to_contain_text("已转交大厅,待受理")
    expect(page.locator("#tstatus")).to_contain_text("Forwarded: waiting for the hall")
    note = page.locator("#forwarded")
    expect(note).to_contain_text(f"已由 {outpost['name']} 转交大厅办理")
    expect(note).to_contain_text(f"原号 {branch['number']},现号 {hall['number']}")
    expect(note).to_contain_text("无需到大厅等候")
    expect(note).to_contain_text(f"Forwarded by {outpost['name_en']} to the hall "
                                 f"(was {branch['number']}, now {hall['number']})")
    assert page.locator("#ahead").count() == 0 and page.locator("#go-to").count() == 0
    vertical(page, "#ticket .mn", words["status_forwarded"])
    vertical(page, "#forwarded .mn", outpost["name_mn"])
    vertical(page, "#forwarded .mn", branch["number"])
    no_sideways_scroll(page)
    page.screenshot(path=str(shots / "hjhq-3-phone-forwarded.png"), full_page=True)

    desk = staff(server, "W05", HALL)  # taken in by the hall: the note stays, without "no need"
    call(desk, "W05", hall["id"])
    desk.post("/counters/W05/finish", json={"outcome": "next"}).raise_for_status()
    expect(page.locator("#tstatus")).to_contain_text("审批中")  # live
    expect(page.locator("#forwarded")).to_contain_text(f"原号 {branch['number']}")
    expect(page.locator("#forwarded")).not_to_contain_text("无需到大厅等候")
    page.screenshot(path=str(shots / "hjhq-4-phone-forwarded-approval.png"), full_page=True)


# Chinese that is data, not a fixed text: dates and times of the pickers (their heading has the
# band), and a booking's values (the service's name has its own band where the hall gives one).
DATA = "#days button, #slots button, #details td:last-child:not(#status)"
OUTSIDE = """(data) => { const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.trim(), el = n.parentElement;
        if (!/[\\u4e00-\\u9fff]/.test(text) || el.closest('[hidden]') || el.closest(data)) continue;
        if (!el.getClientRects().length) continue;
        const bi = el.closest('.bi');
        if (!bi || !bi.querySelector(':scope > .mn')) out.push(text); }
    return out; }"""


def test_every_fixed_text_of_the_phone_page_has_its_mongolian(page: Any, server: ServerProcess,
                                                              shots: Path) -> None:
    """Each screen a citizen reaches, in a hall that lists mn: no Chinese outside an element
    with a Mongolian band (the labels of the forms, the pickers, the booking's details, the
    notes, the empty lists, the links used to have none)."""
    from playwright.sync_api import expect

    words = mongolian_words()
    ticket = httpx.post(server.api("/remote-tickets"), json={
        "service": "company-setup", "id_card": person(206)}).json()
    case = kiosk(server, "kiosk-206", HALL).post("/tickets", json={
        "service": "property-general", "id_card": person(207)}).json()
    desk = staff(server, "W07", HALL)
    call(desk, "W07", case["id"])
    desk.post("/counters/W07/finish", json={"outcome": "next"}).raise_for_status()

    def bare(name: str, where: str | None, ready: str) -> None:
        if where is not None:
            page.goto(server.url + "/m/" + where)
        expect(page.locator(ready).first).to_be_visible()
        outside = page.evaluate(OUTSIDE, DATA)
        page.screenshot(path=str(shots / f"hjhq-mn-{name}.png"), full_page=True)
        assert outside == [], (name, outside)
        no_sideways_scroll(page)

    bare("numbers-empty", "#/numbers", ".list .mn")
    bare("mine-empty", "#/mine", "#find .mn")
    vertical(page, "label .mn", words["checkin_code"].split(" ", 1)[1])
    bare("home", "", "#hours .mn")
    bare("book-list", "#/book", ".list .mn")
    bare("book", "#/book/company-setup", "#slots button")
    page.locator("#days button").nth(1).click()
    page.locator("#slots button:not([disabled])").first.click()
    page.locator("#go").click()
    bare("book-form", None, "#msg .err")
    page.fill("#name", "测试208")
    page.fill("#idn", person(208)["number"])
    page.locator("#go").click()
    bare("booking", None, "#code")
    vertical(page, "#details .mn", words["status"])
    bare("remote-list", "#/remote", ".list .mn")
    bare("remote-checkin", "#/remote/company-setup", "#go .mn")
    bare("remote-queue", "#/remote/medical-claim", "#go .mn")
    bare("ticket-arrive", f"#/t/{ticket['id']}", "#arrive")
    bare("ticket-approval", f"#/t/{case['id']}", "#approval")
    vertical(page, "#ticket .mn", words["deadline"].split(":", 1)[0])
    bare("unknown-booking", "#/a/XXXXX-XXXXX", ".err")


def test_the_status_pages_mongolian_is_the_kiosks_and_marked_for_review() -> None:
    """The status page's own table (queue_server/api/track.py, MN), as the phone page's is
    checked in test_phone_words: an entry that names a kiosk entry says its words."""
    from queue_server.api.track import MN
    from ui.locale import SHIPPED, read_po

    kiosk_words = {e.key: e for e in read_po(SHIPPED / "mn.po")}
    assert "follow" in MN
    for key, word in MN.items():
        assert re.search("[\u1820-\u18af]", word.mn), key
        if word.po is not None:
            plain = word.mn.replace("{n}", "").replace("{counter}", "")
            assert plain in kiosk_words[word.po].text.replace("{n}", "").replace(
                "{counter}", ""), (key, word.po)
            assert word.fuzzy or not kiosk_words[word.po].fuzzy, key
