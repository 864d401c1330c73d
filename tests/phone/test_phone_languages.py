"""The phone page's (/m/) languages on a 390x844 screen: every English line is English (the
booking's details, the footer, the services' lines), and a hall that lists Mongolian shows its
band beside the footer's links, the cancel card, an error and the offline banner too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.phone.test_phone_browser import mongolian_words, tomorrow_slot, vertical
from tests.procs import ServerProcess
from tests.queue_server.test_appointment_day import person

pytestmark = pytest.mark.slow
CJK = re.compile("[\u4e00-\u9fff]")


def book(hall: ServerProcess, n: int) -> str:
    slot = tomorrow_slot(hall)
    booked = httpx.post(hall.api("/appointments"), json={
        "service": "company-setup", "start": slot["start"], "id_card": person(n)})
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"])


def english_lines(tab: Any, selector: str) -> list[str]:
    return tab.eval_on_selector_all(f"{selector} .en", "ns => ns.map(n => n.textContent)")


def test_every_english_line_is_english(page: Any, server: ServerProcess,
                                       shots: Path) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/m/#/book")
    expect(page.locator(".list")).to_contain_text("Company setup · 60-minute slots")
    expect(page.locator(".list")).to_contain_text("每段 60 分钟")
    lines = english_lines(page, ".list")
    assert lines and not [x for x in lines if CJK.search(x)], lines
    page.goto(server.url + "/m/#/remote")
    expect(page.locator(".list")).to_contain_text("Social security · ")
    expect(page.locator(".list")).to_contain_text(" waiting")
    lines = english_lines(page, ".list")
    assert lines and not [x for x in lines if CJK.search(x)], lines
    footer = english_lines(page, "footer")
    assert footer == ["Home", "My bookings", "My numbers"], footer
    page.goto(f"{server.url}/m/#/a/{book(server, 111)}")
    expect(page.locator("#status")).to_contain_text("已预约")
    labels = page.eval_on_selector_all("#details td:first-child .en",
                                       "ns => ns.map(n => n.textContent)")
    assert labels == ["Service", "Time", "Check-in", "Booked by", "Status"], labels
    expect(page.locator("#details")).to_contain_text("Company setup")
    page.screenshot(path=str(shots / "phone-en-booking.png"), full_page=True)
    page.goto(server.url + "/m/")  # a new load: the home screen is drawn once the hall answers
    expect(page.locator("#hours")).to_be_visible()
    lines = english_lines(page, "#hours")
    assert lines and not [x for x in lines if CJK.search(x)], lines


def test_a_mongolian_hall_has_its_band_beside_the_pages_fixed_parts(
        page: Any, mn_server: ServerProcess, shots: Path) -> None:
    from playwright.sync_api import expect

    words = mongolian_words()
    page.goto(mn_server.url + "/m/")
    expect(page.locator("#hall")).to_have_text("杭锦后旗政务服务中心")
    vertical(page, "footer .mn", words["home"])
    vertical(page, "footer .mn", words["your_number"])
    expect(page.locator("footer")).to_contain_text("My bookings")
    page.goto(f"{mn_server.url}/m/#/a/{book(mn_server, 112)}")
    expect(page.locator("#status")).to_contain_text("已预约")
    vertical(page, "#cancel-card .mn", words["cancel"])
    page.screenshot(path=str(shots / "phone-mn-booking.png"), full_page=True)
    page.fill("#cidn", person(113)["number"])
    page.locator("#cancel").click()
    expect(page.locator("#msg")).to_contain_text("预约码或身份证号码不符")
    vertical(page, "#msg .mn", words["error"])
    page.screenshot(path=str(shots / "phone-mn-error.png"), full_page=True)
    page.context.set_offline(True)
    page.goto(f"{mn_server.url}/m/#/a/ABCDE-FGHJK")
    expect(page.locator("#offline")).to_be_visible()
    vertical(page, "#offline .mn", words["board_offline"])
    page.screenshot(path=str(shots / "phone-mn-offline.png"))
    page.context.set_offline(False)
    expect(page.locator("#offline")).to_be_hidden()


def test_a_bad_rating_s_follow_up_sentence_has_its_band(
        page: Any, mn_server: ServerProcess, shots: Path) -> None:
    """In a Mongolian hall the follow-up promise after a rating of 1–2 stood Chinese alone
    beside the banded card: it has its band."""
    from playwright.sync_api import expect

    from tests.phone.test_phone_browser import call, kiosk, staff
    from tests.phone.test_phone_citizen_check import held_on_this_phone

    ticket = kiosk(mn_server, "kiosk-mn-rate", "p2").post("/tickets", json={
        "service": "company-setup", "id_card": person(114)}).json()
    intake = staff(mn_server, "W01", "p2")
    call(intake, "W01", ticket["id"])
    intake.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    held_on_this_phone(page, mn_server, [ticket])
    page.goto(f"{mn_server.url}/m/#/t/{ticket['id']}")
    expect(page.locator("#rate")).to_be_visible()
    page.locator("label:has(input[name=level][value='1'])").click()
    page.locator("label:has(input[name=reason][value='wait'])").click()
    page.locator("#rate-go").click()
    expect(page.locator("#followup")).to_contain_text("个工作日内核实")
    vertical(page, "#followup .mn", "ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ")
    page.screenshot(path=str(shots / "phone-mn-followup.png"), full_page=True)
