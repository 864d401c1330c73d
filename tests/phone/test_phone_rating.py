"""好差评 on the phone page (/m/): a number taken from the phone keeps its rating code (the `c` of
the track_url POST /remote-tickets answers) on the phone, and once its stage is served the
number's screen offers the five levels, the reasons of a bad rating (one at least for 1–2) and a
comment, sent to POST /api/v1/track/{id}/evaluation; then 已评价, also after a reload. What
goes wrong is said plainly, Chinese first: the server out of reach (offline), a stage rated
meanwhile elsewhere (409 already_rated), a code the server does not accept (403
proof_required). A hall that lists mn has a band beside every fixed text of the card. A real
server on loopback, Debian's chromium on a 390x844 phone; screenshots go to
$KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.api.track import MN as TRACK_MN
from tests.browser import reload_settled
from tests.phone.test_phone_browser import call, mongolian_words, staff, vertical
from tests.phone.test_phone_hjhq import DATA, OUTSIDE
from tests.phone.test_phone_words import phone_words
from tests.phone.test_track_mongolian import mailed_case
from tests.procs import ServerProcess
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow


def shot(tab: Any, folder: Path, name: str) -> None:
    tab.screenshot(path=str(folder / f"phone-rate-{name}.png"), full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390, name


def pick(tab: Any, name: str, value: str | int) -> None:
    """Tap the row of a level or a reason."""
    tab.locator(f"label:has(input[name={name}][value='{value}'])").click()


def code_of(track_url: str) -> str:
    return track_url.split("?c=", 1)[1]


def rating_state(hall: ServerProcess, ticket: str, code: str) -> str | None:
    view = httpx.get(hall.api(f"/track/{ticket}"), params={"c": code})
    assert view.status_code == 200, view.text
    return view.json()["rating_state"]


def served(hall: ServerProcess, ticket: str, hall_id: str = "p1") -> None:
    counter = staff(hall, "W01", hall_id)
    call(counter, "W01", ticket)
    counter.post("/counters/W01/finish", json={"outcome": "done"}).raise_for_status()


def on_this_phone(tab: Any, hall: ServerProcess, ticket: dict[str, Any]) -> None:
    """The phone holds `ticket` as a number taken on it holds it (kb.tickets and its rating
    code in kb.rating, as the page keeps them), and shows its screen."""
    tab.goto(hall.url + "/m/#/numbers")
    tab.evaluate("""([id, code]) => {
        localStorage.setItem("kb.tickets", JSON.stringify([id]));
        localStorage.setItem("kb.rating", JSON.stringify({[id]: code})); }""",
                 [ticket["id"], code_of(ticket["track_url"])])
    tab.goto(f"{hall.url}/m/#/t/{ticket['id']}")


def remote_ticket(hall: ServerProcess, service: str, n: int) -> dict[str, Any]:
    taken = httpx.post(hall.api("/remote-tickets"), json={"service": service,
                                                          "id_card": person(n)})
    assert taken.status_code == 201, taken.text
    assert "?c=" in taken.json()["track_url"]
    return dict(taken.json())


def test_a_number_taken_on_the_phone_is_rated_on_the_phone(page: Any, server: ServerProcess,
                                                           shots: Path) -> None:
    from playwright.sync_api import expect

    who = person(401)
    page.goto(server.url + "/m/#/remote/social-security")
    page.fill("#name", who["name"])
    page.fill("#idn", who["number"])
    page.locator("#go").click()
    expect(page.locator("#number")).to_be_visible()
    ticket = re.search(r"#/t/(.+)$", page.url)[1]  # type: ignore[index]
    kept = page.evaluate("JSON.parse(localStorage.getItem('kb.rating'))")
    assert list(kept) == [ticket] and re.fullmatch(r"[A-Za-z0-9_-]{16}", kept[ticket])
    code = kept[ticket]
    assert rating_state(server, ticket, code) is None  # not called yet: nothing to rate
    assert page.locator("#rate").count() == 0
    link = page.locator("a.btn.alt").get_attribute("href")
    assert link is not None and link.endswith(f"/t/{ticket}?c={code}")  # /t offers it too

    counter = staff(server, "W01")
    call(counter, "W01", ticket)
    expect(page.locator("#tstatus")).to_contain_text("已叫号")  # live
    assert page.locator("#rate").count() == 0  # rated once served, not on the way
    counter.post("/counters/W01/finish", json={"outcome": "done"}).raise_for_status()
    form = page.locator("#rate")
    expect(form).to_contain_text("好差评")  # live: the stream says the stage may be rated
    for word in ("非常满意", "Very satisfied", "基本满意", "非常不满意", "Very dissatisfied",
                 "意见或建议(选填)", "提交评价"):
        expect(form).to_contain_text(word)
    expect(form).to_contain_text("请对本次服务(一窗受理 1号窗口)作出评价")
    expect(page.locator("#why")).to_be_hidden()
    shot(page, shots, "1-open")
    page.locator("#rate-go").click()
    expect(page.locator("#rate-msg")).to_contain_text("请选择满意程度")
    expect(page.locator("#rate-msg")).to_contain_text("Choose how satisfied you are")
    pick(page, "level", 2)
    expect(page.locator("#why")).to_be_visible()
    page.locator("#rate-go").click()
    expect(page.locator("#rate-msg")).to_contain_text("请至少选择一项不满意的原因")
    page.get_by_text("排队时间长").click()
    page.fill("#rcomment", "等了很久")
    shot(page, shots, "2-bad")
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    expect(page.locator("#rated")).to_contain_text("Thank you: your rating was sent.")
    assert page.locator("#rate-go").count() == 0
    shot(page, shots, "3-thanks")
    assert rating_state(server, ticket, code) == "rated"
    again = httpx.post(server.api(f"/track/{ticket}/evaluation"), json={"c": code, "level": 5})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    reload_settled(page)
    expect(page.locator("#rated")).to_contain_text("已评价")
    assert page.locator("#rate-go").count() == 0


def test_a_number_without_its_code_offers_no_rating(page: Any, server: ServerProcess
                                                    ) -> None:
    """A number this phone did not take (no code kept: another phone's, or one taken before
    the page kept codes) shows its state but no form: the id alone proves nothing."""
    from playwright.sync_api import expect

    ticket = remote_ticket(server, "social-security", 402)
    served(server, ticket["id"])
    page.goto(server.url + "/m/#/numbers")
    page.evaluate("id => localStorage.setItem('kb.tickets', JSON.stringify([id]))", ticket["id"])
    page.goto(f"{server.url}/m/#/t/{ticket['id']}")
    expect(page.locator("#tstatus")).to_contain_text("已办结")
    assert page.locator("#rate").count() == 0


def test_what_goes_wrong_is_said_plainly(page: Any, server: ServerProcess,
                                         shots: Path) -> None:
    from playwright.sync_api import expect

    # The server out of reach: the banner, and the rating not sent; once it answers, again.
    first = remote_ticket(server, "social-security", 403)
    served(server, first["id"])
    on_this_phone(page, server, first)
    expect(page.locator("#rate-go")).to_be_visible()
    pick(page, "level", 4)
    page.context.set_offline(True)
    page.locator("#rate-go").click()
    msg = page.locator("#rate-msg")
    expect(msg).to_contain_text("无法连接服务器,评价未提交,请稍后再试")
    expect(msg).to_contain_text("Cannot reach the server: the rating was not sent")
    expect(page.locator("#offline")).to_be_visible()
    shot(page, shots, "4-offline")
    page.context.set_offline(False)
    expect(page.locator("#offline")).to_be_hidden()
    expect(msg).not_to_contain_text("无法连接服务器")
    expect(page.locator("#rate-go")).to_be_enabled()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    assert rating_state(server, first["id"], code_of(first["track_url"])) == "rated"

    # Rated meanwhile elsewhere (the QR code's page, a pad): 409 already_rated, said as such.
    second = remote_ticket(server, "social-security", 404)
    served(server, second["id"])
    on_this_phone(page, server, second)
    expect(page.locator("#rate-go")).to_be_visible()
    elsewhere = httpx.post(server.api(f"/track/{second['id']}/evaluation"),
                           json={"c": code_of(second["track_url"]), "level": 4})
    assert elsewhere.status_code == 201, elsewhere.text
    page.get_by_text("非常满意").click()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("此项服务已评价过(每项服务只评一次)")
    expect(page.locator("#rated")).to_contain_text("This service was rated already")
    assert page.locator("#rate-go").count() == 0
    shot(page, shots, "5-already")

    # A code the server does not take (the one kept here is stale): 403 proof_required. The
    # request the page sends goes to the real server with another code in it.
    third = remote_ticket(server, "social-security", 405)
    served(server, third["id"])
    on_this_phone(page, server, third)
    expect(page.locator("#rate-go")).to_be_visible()

    def stale(route: Any) -> None:
        body = json.loads(route.request.post_data)
        route.continue_(post_data=json.dumps({**body, "c": "AAAAAAAAAAAAAAAA"}))

    page.route("**/evaluation*", stale)
    page.get_by_text("基本满意").click()
    page.locator("#rate-go").click()
    expect(msg).to_contain_text("本机保存的评价码无效,无法在此评价")
    expect(msg).to_contain_text("rate at a kiosk in the hall with your ID card")
    expect(page.locator("#rate-go")).to_be_enabled()
    shot(page, shots, "6-proof")
    assert rating_state(server, third["id"], code_of(third["track_url"])) == "open"


def test_the_form_keeps_what_was_chosen_when_the_screen_is_drawn_again(
        page: Any, mn_server: ServerProcess, shots: Path) -> None:
    """A case that goes on (intake done, waiting in approval) may have its intake rated while
    its screen follows it live: a change of the case (here: the papers to be mailed) draws the
    screen again, and the level, the reason and the comment stay as they were."""
    from playwright.sync_api import expect

    words = mongolian_words()
    ticket, intake = mailed_case(mn_server, 407)
    on_this_phone(page, mn_server, ticket)
    expect(page.locator("#tstatus")).to_contain_text("审批中")
    expect(page.locator("#rate-go")).to_be_visible()
    vertical(page, "#delivery .mn", words_of_phone()["mail_after"].split("᠂")[0])
    shot(page, shots, "mn-0-case-goes-on")
    pick(page, "level", 2)
    page.get_by_text("告知不清楚").click()
    page.fill("#rcomment", "材料清单不清楚")
    intake.post(f"/tickets/{ticket['id']}/delivery", json={"method": "pickup"}).raise_for_status()
    expect(page.locator("#delivery")).to_have_count(0)  # drawn again: no mail card now
    assert page.locator("#rcomment").input_value() == "材料清单不清楚"
    assert page.locator("input[name=level][value='2']").is_checked()
    assert page.locator("input[name=reason][value='unclear']").is_checked()
    expect(page.locator("#why")).to_be_visible()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    vertical(page, "#rated .mn", words["thanks"])
    assert rating_state(mn_server, ticket["id"], code_of(ticket["track_url"])) == "rated"


def words_of_phone() -> dict[str, str]:
    return {key: text for key, text, _fuzzy, _po in phone_words()}


def test_the_rating_card_has_its_mongolian(page: Any, mn_server: ServerProcess,
                                           shots: Path) -> None:
    from playwright.sync_api import expect

    words, own = mongolian_words(), words_of_phone()
    ticket = remote_ticket(mn_server, "water-connect", 408)
    served(mn_server, ticket["id"], "p2")
    on_this_phone(page, mn_server, ticket)
    expect(page.locator("#rate-go")).to_be_visible()
    for key in ("rate_title", "choose_level", "submit"):
        vertical(page, "#rate .mn", words[key])
    for n in range(1, 6):
        vertical(page, "#rate .levels .mn", words[f"level_{n}"])
    vertical(page, "#rate label .mn", own["comment"])
    shot(page, shots, "mn-1-open")
    page.get_by_text("非常不满意").click()
    vertical(page, "#why legend .mn", words["choose_reasons"])
    for reason in ("slow", "attitude", "unclear", "repeat", "wait", "other"):
        vertical(page, "#why .mn", words[f"reason_{reason}"])
    page.locator("#rate-go").click()
    vertical(page, "#rate-msg .mn", words["reasons_required"])
    outside = page.evaluate(OUTSIDE, DATA)
    shot(page, shots, "mn-2-reasons")
    assert outside == [], outside  # no Chinese of the card without its band
    page.get_by_text("服务态度差").click()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    vertical(page, "#rated .mn", words["thanks"])
    vertical(page, "#rated .mn", words["already_rated"])
    shot(page, shots, "mn-3-thanks")
    reload_settled(page)
    expect(page.locator("#rated")).to_contain_text("已评价")
    vertical(page, "#rated .mn", words["already_rated"])


def test_the_phone_and_the_status_page_say_the_same() -> None:
    """The words both pages have of their own (not the kiosk's): the same on each; and the
    phone's levels and reasons are the API's (wire.BAD_REASONS) and /t's."""
    from queue_server import wire
    from queue_server.api.track import LEVELS

    own = words_of_phone()
    for key in ("comment", "by_mail", "mail_sent", "mail_after"):
        assert TRACK_MN[key].mn == own[key], key
    app = (Path(__file__).resolve().parents[2] / "queue_server" / "api" / "phone" / "app.js"
           ).read_text(encoding="utf-8")
    for code, (zh, en) in wire.BAD_REASONS.items():
        assert f'["{code}", "{zh}", "{en}"]' in app, code
    for level, (zh, en) in LEVELS.items():
        assert f'[{level}, "{zh}", "{en}"]' in app, level
