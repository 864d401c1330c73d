"""Checking in at the kiosk through its view-model, against a real hall server process and the
device simulators: a booking by the simulated ID card reader (on time: a priority ticket; too
early and late: their own answers), by a typed code (a forged one refused), by a booking's QR
code; a number from the phone by its QR code; a case ready for pickup by ID card, whose pickup
number is printed (the ESC/POS bytes decoded by an independent interpreter); and the green
channel declared on the service's screen."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from kiosk import states as st
from kiosk.config import DeviceUrls, TerminalConfig
from kiosk.flow import KioskFlow
from kiosk.runtime import build_kiosk, start_kiosk, stop_kiosk
from queue_server import wire, wire_journey
from queue_server.db.store import Store
from queue_server.usecases import appointments, counters, supplement, tickets
from queue_server.usecases.auth import Principal
from server_process.hall import HallProcess
from tests.kiosk.conftest import present_card, printed
from tests.procs import ROOT


def _zone_near_noon() -> str:
    """A fixed-offset zone where it is about noon now. The tests book slots up to two hours
    after and an hour before now in hall time, so in Asia/Shanghai a run late in the day
    (or early) crossed the hall's midnight and had to be skipped."""
    east = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return "Etc/GMT" if east == 0 else f"Etc/GMT{-east:+d}"  # Etc/GMT-8 is UTC+8


ZONE = _zone_near_noon()
TZ = ZoneInfo(ZONE)
CARDS = json.loads((ROOT / "devices/idcard/sample_cards.json").read_text())["cards"]
HALL_TOML = """
[hall]
id = "kj"
name = "测试政务服务中心"
timezone = "{zone}"
open_days = "every_day"

[[services]]
code = "license"
name = "食品经营许可"
prefix = "L"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 3
requires_id_card = true

[services.booking]
hours = ["00:00-24:00"]
slot_minutes = 15
capacity = 5

[services.remote]
checkin = true

[[services]]
code = "general"
name = "综合业务"
prefix = "G"
route = ["intake"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["license", "general"]

[[counters]]
code = "A01"
name = "审批1"
zone = "approval"
services = ["license"]

[[counters]]
code = "P01"
name = "出件窗口"
zone = "pickup"
services = ["license"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"
""".replace("{zone}", ZONE)


@pytest.fixture(scope="module")
def jhall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallProcess]:
    hall = HallProcess(tmp_path_factory.mktemp("checkin"), HALL_TOML)
    hall.kiosk_token = hall.enrol("kiosk", "k1")  # type: ignore[attr-defined]
    hall.start()
    yield hall
    hall.stop()


@pytest.fixture
def flow(jhall: HallProcess, tmp_path: Path, qtbot: Any) -> Iterator[KioskFlow]:
    config = TerminalConfig(role="kiosk", server=jhall.url,
                            token=jhall.kiosk_token,  # type: ignore[attr-defined]
                            devices=DeviceUrls(idcard="sim://idcard?dwell=0",
                                               printer=f"file://{tmp_path / 'printer.bin'}",
                                               camera="sim://camera"))
    made = build_kiosk(config, cache_path=tmp_path / "cache.json")
    start_kiosk(made, heartbeat_s=0.5)
    qtbot.waitUntil(lambda: made.online and bool(made.link.catalog.services), timeout=20000)
    yield made
    stop_kiosk(made)


def next_slot(after: datetime) -> datetime:
    """The first 15-minute slot starting after `after` (hall time)."""
    local = after.astimezone(TZ)
    start = local.replace(minute=local.minute // 15 * 15, second=0, microsecond=0)
    return start + timedelta(minutes=15)


def book(jhall: HallProcess, card: int, start: datetime) -> str:
    resp = httpx.post(jhall.url + "/api/v1/appointments", json={
        "service": "license", "start": start.isoformat(),
        "id_card": {"number": CARDS[card]["number"], "name": CARDS[card]["name"]}}, timeout=5)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["code"])


def book_in_the_past(jhall: HallProcess, card: int, start: datetime) -> str:
    """A booking made two hours ago for a slot that has started by now (through the use case,
    with the clock of then)."""
    store = Store(jhall.db, clock=lambda: start - timedelta(hours=2))
    try:
        out = appointments.book(store, "kj", wire_journey.AppointmentIn(
            service="license", start=start,
            id_card=wire.IdCardIn(number=CARDS[card]["number"], name=CARDS[card]["name"])), "")
    finally:
        store.close()
    return out.code


def same_day(start: datetime) -> None:
    assert start.astimezone(TZ).date() == datetime.now(TZ).date(), "the hall's day turned"


def checked_in(flow: KioskFlow, qtbot: Any) -> wire.TicketIssued:
    qtbot.waitUntil(lambda: flow.state in (st.TICKET, st.ANSWER), timeout=20000)
    assert flow.state == st.TICKET, flow.data.answer
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    assert flow.data.ticket is not None
    return flow.data.ticket


def answered(flow: KioskFlow, qtbot: Any) -> str:
    qtbot.waitUntil(lambda: flow.state in (st.TICKET, st.ANSWER), timeout=20000)
    assert flow.state == st.ANSWER and flow.data.answer is not None
    return flow.data.answer[0]


def test_booking_checked_in_with_the_id_card_on_time(flow: KioskFlow, jhall: HallProcess,
                                                    qtbot: Any, tmp_path: Path) -> None:
    start = next_slot(datetime.now(UTC))
    same_day(start)
    book(jhall, 0, start)
    flow.checkin.open()
    assert flow.state == st.CHECKIN
    flow.checkin.read_card()
    assert flow.state == st.IDCARD
    present_card(flow, 0)
    ticket = checked_in(flow, qtbot)
    assert ticket.priority and ticket.priority_reason == "appointment"
    assert flow.data.checkin == "appointment" and flow.data.id_card is None
    data = printed(flow)
    assert ticket.number.encode() in data and CARDS[0]["number"].encode() not in data
    texts = [t.strip() for t in npos(data, tmp_path)["texts"]]  # a priority ticket: marked
    assert texts[texts.index("优先 Priority") - 1] == ticket.number


def test_too_early_late_and_forged(flow: KioskFlow, jhall: HallProcess, qtbot: Any) -> None:
    later = next_slot(datetime.now(UTC) + timedelta(hours=2))
    same_day(later)
    book(jhall, 2, later)
    flow.checkin.open()
    flow.checkin.read_card()
    present_card(flow, 2)
    assert answered(flow, qtbot) == "appointment_too_early"
    assert flow.data.answer is not None and "签到" in flow.data.answer[1]
    flow.back()
    assert flow.state == st.CHECKIN

    for key in "ZZZZZZZZZZ":
        flow.checkin.type_key(key)
    assert flow.checkin.code_shown() == "ZZZZZ-ZZZZZ"
    flow.checkin.submit_code()
    assert answered(flow, qtbot) == "appointment_unknown"

    started = next_slot(datetime.now(UTC) - timedelta(hours=1))
    same_day(started)
    code = book_in_the_past(jhall, 3, started)
    flow.checkin.open()
    for key in code.replace("-", ""):
        flow.checkin.type_key(key)
    flow.checkin.submit_code()
    late = checked_in(flow, qtbot)
    assert late.appointment_late and not late.priority and flow.data.checkin == "late"


def test_booking_qr_and_phone_number_qr(flow: KioskFlow, jhall: HallProcess, qtbot: Any) -> None:
    start = next_slot(datetime.now(UTC))
    same_day(start)
    code = book(jhall, 5, start)
    flow.checkin.open()
    flow.found_qr(f"http://hall.example:8750/m/#a={code.replace('-', '')}")
    first = checked_in(flow, qtbot)
    assert first.priority_reason == "appointment"
    flow.checkin.open()  # the same booking's QR code again: refused, naming the number it gave
    flow.found_qr(f"http://hall.example:8750/m/#a={code.replace('-', '')}")
    assert answered(flow, qtbot) == "appointment_used"
    assert flow.data.answer_number == first.number and first.number in (flow.data.answer or ("", ""))[1]

    remote = httpx.post(jhall.url + "/api/v1/remote-tickets", json={
        "service": "license", "id_card": {"number": CARDS[6]["number"], "name": "李强"}},
        timeout=5).json()
    assert remote["arrival_required"]
    flow.checkin.open()
    flow.found_qr(remote["track_url"])
    arrived = checked_in(flow, qtbot)
    assert arrived.id == remote["id"] and not arrived.arrival_required
    assert flow.data.checkin == "arrival"


def _ready_yesterday(jhall: HallProcess, card: int) -> tuple[str, str]:
    """A case taken in two days ago and approved yesterday: ready, waiting for its holder."""
    now = datetime.now(UTC)
    clock = [now - timedelta(days=2)]
    store = Store(jhall.db, clock=lambda: clock[0])
    kiosk = Principal("kiosk", "kj", 1, "k1")
    try:
        issued, _ = tickets.issue(store, kiosk, wire.TicketCreate(
            service="license", id_card=wire.IdCardIn(number=CARDS[card]["number"],
                                                     name=CARDS[card]["name"])), None, "")
        for counter, at in (("W01", now - timedelta(days=2)), ("A01", now - timedelta(days=1))):
            clock[0] = at
            who = Principal("staff", "kj", 1, "pad", counter, "s001", "staff")
            while counters.call_next(store, who, counter, "").id != issued.id:
                counters.finish(store, who, counter, wire.FinishIn(outcome="done"), "")
            counters.finish(store, who, counter, wire.FinishIn(outcome="next"), "")
    finally:
        store.close()
    return issued.id, issued.number


def npos(data: bytes, tmp: Path) -> dict[str, Any]:
    node, tool = shutil.which("node"), ROOT / "tests" / "npos"
    if node is None or not (tool / "node_modules" / "npos").is_dir():
        pytest.skip("the npos ESC/POS interpreter is not installed (bin/bootstrap)")
    job = tmp / "pickup.bin"
    job.write_bytes(data)
    done = subprocess.run([node, str(tool / "parse.js"), str(job)], capture_output=True,
                          text=True, timeout=60, check=False)
    return dict(json.loads(done.stdout))


def test_a_ready_case_is_collected_with_the_id_card(flow: KioskFlow, jhall: HallProcess,
                                                    qtbot: Any, tmp_path: Path) -> None:
    ticket_id, first_number = _ready_yesterday(jhall, 1)
    flow.checkin.open()
    flow.checkin.read_card()
    present_card(flow, 1)
    pickup = checked_in(flow, qtbot)
    assert pickup.id == ticket_id and pickup.zone == "pickup" and flow.data.checkin == "pickup"
    assert pickup.number.startswith("L")  # today's number, the same ticket
    read = npos(printed(flow), tmp_path)
    text = "".join(read["texts"]).replace("\n", "")
    assert not read["replacement"] and pickup.number in text and "出件" in text
    assert read["qr"] == [pickup.track_url] and read["cuts"] == 1
    assert CARDS[1]["number"] not in text and CARDS[1]["name"] not in text
    journey = httpx.get(f"{jhall.url}/api/v1/track/{ticket_id}", timeout=5).json()["journey"]
    assert [s["number"] for s in journey] == [first_number, first_number, pickup.number]

    other_id, _number = _ready_yesterday(jhall, 4)  # the case's QR code (its tracking link)
    flow.reset()
    flow.checkin.open()
    flow.found_qr(f"http://hall.example:8750/t/{other_id}")
    by_qr = checked_in(flow, qtbot)
    assert by_qr.id == other_id and by_qr.zone == "pickup" and flow.data.checkin == "pickup"


def test_a_case_sent_back_for_papers_checks_in_with_the_id_card(
        flow: KioskFlow, jhall: HallProcess, qtbot: Any, tmp_path: Path) -> None:
    """补正: the holder of a case an approval post sent back yesterday for papers swipes their
    card; the kiosk checks the case in under today's number for intake, says why, and prints."""
    now = datetime.now(UTC)
    clock = [now - timedelta(days=1)]
    store = Store(jhall.db, clock=lambda: clock[0])
    try:
        issued, _ = tickets.issue(store, Principal("kiosk", "kj", 1, "k1"), wire.TicketCreate(
            service="license", id_card=wire.IdCardIn(number=CARDS[6]["number"],
                                                     name=CARDS[6]["name"])), None, "")
        for counter in ("W01", "A01"):
            who = Principal("staff", "kj", 1, "pad", counter, "s001", "staff")
            while counters.call_next(store, who, counter, "").id != issued.id:
                counters.finish(store, who, counter, wire.FinishIn(outcome="done"), "")
            if counter == "W01":
                counters.finish(store, who, counter, wire.FinishIn(outcome="next"), "")
        with store.write() as tx:
            supplement.request_in(tx, who, "A01", "", wire.SupplementIn(papers=["申请书"]))
    finally:
        store.close()
    flow.checkin.open()
    flow.checkin.read_card()
    present_card(flow, 6)
    back = checked_in(flow, qtbot)
    assert back.id == issued.id and back.zone == "intake" and flow.data.checkin == "supplement"
    assert back.number.startswith("L")  # today's number, the same ticket
    text = "".join(npos(printed(flow), tmp_path)["texts"]).replace("\n", "")
    assert back.number in text and CARDS[6]["number"] not in text
    flow.reset()  # the ticket's QR code under the camera says the same (a reprint now)
    flow.checkin.open()
    flow.found_qr(f"http://hall.example:8750/t/{issued.id}")
    again = checked_in(flow, qtbot)
    assert again.id == issued.id and flow.data.checkin == "supplement"


def test_green_channel_declared_on_the_service_screen(flow: KioskFlow, qtbot: Any) -> None:
    flow.start()
    flow.choose_service("general")
    flow.ticketing.ask_priority()
    assert flow.state == st.PRIORITY
    flow.ticketing.choose_priority("serviceman")
    assert flow.state == st.DETAIL and flow.data.priority_reason == "serviceman"
    flow.take_number()
    ticket = checked_in(flow, qtbot)
    assert ticket.priority and ticket.priority_reason == "serviceman"
    flow.reset()
    assert flow.data.priority_reason is None  # forgotten with the citizen
