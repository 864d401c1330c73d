"""The status page `/t/{id}` of a hall that lists Mongolian (tests/phone/hall_mn.toml, as
examples/hjhq.toml does): besides the first card's band, every fixed text of the journey's table
(its column heads, each zone, what became of each stage and its deadline), of the rating form
(the five levels, the reasons of a bad rating, the comment's label, the send button, its
messages, the thank-you and 已评价) and of the mail card (证照寄送) has its band of traditional
Mongolian, in the kiosk's words (ui/locale/mn.po) where the kiosk has them, in a real browser
on a 390x844 phone. A hall without mn shows none of it, and its table and card are Chinese
first, English second. Screenshots go to $KUAIBAN_SCREENSHOTS (or the test's folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.api.track import MN
from tests.phone.test_phone_browser import call, kiosk, mongolian_words, staff, vertical
from tests.phone.test_track_page import served_ticket
from tests.procs import ServerProcess
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
ADDRESS = {"method": "mail", "recipient": "张三", "address": "内蒙古杭锦后旗陕坝镇光明街12号",
           "phone": "13700001234"}


def shot(tab: Any, folder: Path, name: str) -> None:
    """A full-page photograph (taken first, so a page too wide is there to look at), and the
    page no wider than the screen."""
    tab.screenshot(path=str(folder / f"track-{name}.png"), full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390, name


def written_down(tab: Any, selector: str, text: str) -> None:
    """`text` is in a band written top to bottom in the server's Mongolian font, on the screen
    (vertical's test without "taller than wide", which a word of three letters is not)."""
    found = tab.eval_on_selector_all(selector, """(ns, text) => ns
        .filter(n => n.textContent.includes(text)).map(n => {
            const s = getComputedStyle(n), r = n.getBoundingClientRect();
            return s.writingMode === 'vertical-lr' && s.fontFamily.startsWith('"Kuaiban Mongolian"')
                && n.closest('[lang]').lang === 'mn-Mong' && r.left >= 0 && r.right <= 390; })""",
                                      text)
    assert True in found, (selector, text, found)


def mailed_case(hall: ServerProcess, n: int) -> tuple[dict[str, Any], httpx.Client]:
    """A kiosk's 企业开办 (intake, approval, pickup) whose papers are to be mailed, finished at
    intake: it waits in approval, its intake stage open to rating with its QR code's `c`."""
    desk = kiosk(hall, f"kiosk-mn-{n}", "p2")
    ticket = desk.post("/tickets", json={"service": "company-setup", "id_card": person(n)}).json()
    assert "?c=" in ticket["track_url"], ticket
    intake = staff(hall, "W01", "p2")
    call(intake, "W01", ticket["id"])
    intake.post(f"/tickets/{ticket['id']}/delivery", json=ADDRESS).raise_for_status()
    intake.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    return ticket, intake


def test_the_journey_the_rating_form_and_the_mail_card_have_their_mongolian(
        page: Any, mn_server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    words = mongolian_words()
    ticket, intake = mailed_case(mn_server, 301)
    page.goto(ticket["track_url"])
    expect(page.locator("#rate-form")).to_be_visible()
    shot(page, shots, "mn-1-journey-rate")
    # the journey: its heads, the zones, what became of intake, where approval stands
    for key in ("zone", "status", "zone_intake", "next_zone", "zone_approval"):
        vertical(page, "#journey .mn", words[key])
    written_down(page, "#journey th .mn", MN["col_time"].mn)  # one short word: no taller than wide
    vertical(page, "#journey .mn", MN["approval"].mn)  # 审批中
    vertical(page, ".card .mn", MN["journey"].mn)
    expect(page.locator("#journey thead")).to_contain_text("环节")
    expect(page.locator("#journey")).to_contain_text("One-window intake")
    expect(page.locator("#journey")).to_contain_text("On to the next stage")
    # the mail card
    vertical(page, "#mail .mn", MN["by_mail"].mn)
    vertical(page, "#mail .mn", MN["mail_after"].mn.split("᠂")[0])
    # the rating form: the five levels, the question, the comment, the button
    for n in range(1, 6):
        vertical(page, "#rate-form .lv .mn", words[f"level_{n}"])
    for key in ("rate_title", "choose_level", "submit"):
        vertical(page, "#rate .mn", words[key])
    vertical(page, "#rate-form label .mn", MN["comment"].mn)
    page.get_by_text("非常不满意").click()
    expect(page.locator("#why")).to_be_visible()
    vertical(page, "#why legend .mn", words["choose_reasons"])
    for code in ("slow", "attitude", "unclear", "repeat", "wait", "other"):
        vertical(page, "#why .mn", words[f"reason_{code}"])
    page.locator("#rate-go").click()
    expect(page.locator("#rate-msg")).to_contain_text("请选择不满意的原因")
    vertical(page, "#rate-msg .mn", words["reasons_required"])
    shot(page, shots, "mn-2-reasons")
    page.get_by_text("告知不清楚").click()
    page.locator("#rate-go").click()
    expect(page.locator("#rated")).to_contain_text("感谢您的评价")
    vertical(page, "#rated .mn", words["thanks"])
    vertical(page, "#rated .mn", words["already_rated"])
    shot(page, shots, "mn-3-thanks")

    # approved, mailed: the pickup stage says 已寄出, and so does the mail card, with the parcel
    approval = staff(mn_server, "W02", "p2")
    call(approval, "W02", ticket["id"])
    approval.post("/counters/W02/finish", json={"outcome": "next"}).raise_for_status()
    pickup = staff(mn_server, "W03", "p2")
    pickup.post(f"/tickets/{ticket['id']}/dispatch", json={
        "carrier": "EMS", "tracking": "EA123456789CN"}).raise_for_status()
    bare = ticket["track_url"].split("?")[0]
    page.goto(bare)  # done: no stream to reload it; the page as the public sees it
    expect(page.locator("#mail")).to_contain_text("已寄出:EMS EA123456789CN")
    expect(page.locator("#mail")).to_contain_text("Sent: EMS EA123456789CN")
    vertical(page, "#mail .mn", MN["mail_sent"].mn)
    vertical(page, "#journey .mn", words["zone_pickup"])
    vertical(page, "#journey .mn", MN["mail_sent"].mn)
    expect(page.locator("#journey")).to_contain_text("已寄出")
    shot(page, shots, "mn-4-mailed")


def test_the_rated_card_of_a_later_visit_has_its_band(page: Any, mn_server: ServerProcess,
                                                      shots: Path) -> None:
    """The QR code's page of a stage rated already says 已评价 beside its Mongolian."""
    from playwright.sync_api import expect

    words = mongolian_words()
    ticket, _intake = mailed_case(mn_server, 302)
    code = ticket["track_url"].split("?c=")[1]
    rated = httpx.post(mn_server.api(f"/track/{ticket['id']}/evaluation"),
                       json={"c": code, "level": 4})
    assert rated.status_code == 201, rated.text
    page.goto(ticket["track_url"])
    expect(page.locator("#rated")).to_contain_text("已评价")
    vertical(page, "#rated .mn", words["already_rated"])
    assert page.locator("#rate-form").count() == 0


def test_every_word_of_the_form_is_in_the_page_in_mongolian(mn_server: ServerProcess
                                                            ) -> None:
    """The page's HTML holds each level's and each reason's Mongolian in a band (a reason's is
    there before a bad level shows it), and the form's messages in its script."""
    words = mongolian_words()
    ticket, _intake = mailed_case(mn_server, 303)
    html = httpx.get(ticket["track_url"]).text
    for key in [f"level_{n}" for n in range(1, 6)] + [
            f"reason_{c}" for c in ("slow", "attitude", "unclear", "repeat", "wait", "other")]:
        assert f'class="mn s" lang="mn-Mong">{words[key]}</span>' in html, key
    assert json.dumps(words["reasons_required"]) in html  # the script says it, escaped
    assert json.dumps(words["choose_level"]) in html


def test_a_hall_without_mongolian_has_no_band_but_chinese_and_english(
        page: Any, server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    ticket = served_ticket(server, 304, outcome="next")  # social-security: its route ends there
    page.goto(ticket["track_url"])
    expect(page.locator("#rate-form")).to_be_visible()
    assert page.locator(".mn").count() == 0
    heads = page.eval_on_selector_all("#journey th", "ns => ns.map(n => n.innerText)")
    assert [h.split("\n") for h in heads] == [["环节", "Stage"], ["办理情况", "Progress"],
                                              ["时间", "Time"]], heads
    expect(page.locator("#journey tbody")).to_contain_text("办结")
    expect(page.locator("#journey tbody")).to_contain_text("Done")
    shot(page, shots, "zh-journey-rate")
