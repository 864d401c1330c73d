"""Asking about a ticket (QR code on the camera, or ID card) and rating a finished service,
against a real hall server process and the device simulators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qrcode

from kiosk import states as st
from kiosk.client import ApiError
from kiosk.flow import KioskFlow
from kiosk.inquiry import rating_code_of, track_code
from tests.kiosk.conftest import MakeFlow, present_card
from tests.kiosk.hall import PIN, Hall

WANG = {"number": "150826198503120028", "name": "王丽华"}  # sample card 0


def test_track_code_from_qr_text() -> None:
    assert track_code("http://10.0.0.2:8750/t/8KQ2ZP4M") == "8KQ2ZP4M"
    assert track_code("http://10.0.0.2:8750/api/v1/tickets/abc123/") == "abc123"
    # ids are secrets.token_urlsafe: `_` and `-` belong to them (a `_` made the kiosk refuse one
    # ticket in five as "qr_unknown")
    assert track_code("http://127.0.0.1:45595/t/6uUpH_py51fnO-9J") == "6uUpH_py51fnO-9J"
    assert track_code("_-") == "_-"
    assert track_code("http://x/t/王丽华") is None
    assert track_code("http://x/t/" + "a" * 65) is None
    assert track_code("  ") is None
    assert track_code("http://x/t/<script>") is None
    assert track_code("http://10.0.0.2:8750/t/8KQ2ZP4M?c=Ab-_cd12") == "8KQ2ZP4M"
    assert rating_code_of("http://10.0.0.2:8750/t/8KQ2ZP4M?c=Ab-_cd12") == "Ab-_cd12"
    assert rating_code_of("http://10.0.0.2:8750/t/8KQ2ZP4M") is None
    assert rating_code_of("http://x/t/a?c=<script>") is None


def test_qr_code_on_camera_finds_the_ticket(make_flow: MakeFlow, qtbot: Any, hall: Hall,
                                            tmp_path: Path) -> None:
    issued = hall.api("POST", "/tickets", hall.kiosk_token, {"service": "water-connect"},
                      {"Idempotency-Key": "qr-test"}).json()
    folder = tmp_path / "qr"
    folder.mkdir()
    qrcode.make(issued["track_url"], box_size=8, border=6).save(folder / "ticket.png")
    flow = make_flow(camera=f"images://{folder}")
    flow.ask("ask")
    assert flow.state == st.ASK
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=25000)
    assert [t.number for t in flow.data.results] == [issued["number"]]
    assert flow.data.results[0].status == "waiting"


def count_lookups(flow: KioskFlow) -> list[tuple[str, int]]:
    """Every `GET /tickets/{id}` the flow's client sends from now on, as (id, the server's
    status): the real client and server, the calls only noted on their way through."""
    client = flow.link.client
    assert client is not None
    seen: list[tuple[str, int]] = []
    request = client.request

    def counted(method: str, path: str, **kw: Any) -> Any:
        lookup = method == "GET" and path.startswith("/tickets/")
        try:
            resp = request(method, path, **kw)
        except ApiError as exc:
            if lookup:
                seen.append((path.rsplit("/", 1)[-1], exc.status))
            raise
        if lookup:
            seen.append((path.rsplit("/", 1)[-1], resp.status_code))
        return resp

    client.request = counted  # type: ignore[method-assign]
    return seen


def test_unknown_qr_code_is_looked_up_once_while_it_stays(make_flow: MakeFlow, qtbot: Any,
                                                          hall: Hall, tmp_path: Path) -> None:
    """A code the server does not know (another hall, an old day) stays under the camera: one
    lookup and a steady "nothing found", not a lookup per preview frame; a different code
    shown next is looked up at once."""
    issued = hall.api("POST", "/tickets", hall.kiosk_token, {"service": "water-connect"},
                      {"Idempotency-Key": "qr-unknown-test"}).json()
    unknown = "NoSuch_Ticket-4711"
    folder = tmp_path / "qr"
    folder.mkdir()  # preview shows the first photo; capture() moves on to the second
    qrcode.make(f"{hall.url}/t/{unknown}", box_size=8, border=6).save(folder / "a-unknown.png")
    qrcode.make(issued["track_url"], box_size=8, border=6).save(folder / "b-known.png")
    flow = make_flow(camera=f"images://{folder}")
    seen = count_lookups(flow)
    flow.ask("ask")
    qtbot.waitUntil(lambda: flow.notice == "nothing_found", timeout=25000)
    assert flow.state == st.ASK
    states: list[str] = []
    frames: list[object] = []
    flow.stateChanged.connect(states.append)
    flow.preview.connect(frames.append)
    qtbot.wait(1500)  # the code stays under the camera, decoded on every frame
    assert len(frames) >= 3  # the preview kept running (and decoding) meanwhile
    assert seen == [(unknown, 404)]
    assert states == [] and flow.state == st.ASK and flow.notice == "nothing_found"

    flow.devices.capture()  # the citizen puts their own ticket under the camera
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=5000)
    assert [t.number for t in flow.data.results] == [issued["number"]]
    assert seen == [(unknown, 404), (track_code(issued["track_url"]), 200)]


def finish_ticket_of(hall: Hall, number: str) -> None:
    """A counter serves tickets until `number` is done."""
    login = hall.api("POST", "/auth/login", hall.counter_token,
                     {"staff": "s001", "pin": PIN, "counter": "W01"}).json()
    staff = login["token"]
    for _ in range(50):
        called = hall.api("POST", "/counters/W01/call-next", staff, {})
        assert called.status_code == 200, called.text
        hall.api("POST", "/counters/W01/start", staff, {})
        hall.api("POST", "/counters/W01/finish", staff, {"outcome": "done"})
        if called.json()["number"] == number:
            return
    raise AssertionError(f"{number} never called")


def test_card_lookup_then_rating_needs_reasons_for_low_levels(make_flow: MakeFlow, qtbot: Any,
                                                              hall: Hall) -> None:
    issued = hall.api("POST", "/tickets", hall.kiosk_token,
                      {"service": "property-general", "id_card": WANG},
                      {"Idempotency-Key": "rate-test"}).json()
    finish_ticket_of(hall, issued["number"])
    flow = make_flow()
    flow.ask("rate")
    flow.inquiry.read_card()
    assert flow.state == st.IDCARD
    present_card(flow, 0)
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=20000)
    assert flow.data.id_card is None  # one lookup, then forgotten
    mine = next(t for t in flow.data.results if t.number == issued["number"])
    assert flow.data.card is not None and flow.data.card.masked_name.startswith("王")
    flow.inquiry.start_rating(mine.id)
    assert flow.state == st.RATE
    flow.inquiry.choose_level(2)
    assert not flow.inquiry.can_submit()
    flow.inquiry.submit()
    assert flow.notice == "reasons_required" and flow.state == st.RATE
    flow.inquiry.toggle_reason("wait")
    flow.inquiry.submit()
    qtbot.waitUntil(lambda: flow.state == st.THANKS, timeout=20000)
    again = hall.api("POST", "/evaluations", hall.kiosk_token,
                     {"ticket": mine.id, "level": 5, "rating_code": mine.rating_code})
    assert again.status_code == 409  # one rating per stage: the server kept ours


def test_the_tickets_qr_code_lets_its_holder_rate(make_flow: MakeFlow, qtbot: Any, hall: Hall,
                                                  tmp_path: Path) -> None:
    """The kiosk sends the rating code of the scanned QR link: without it the server refuses a
    kiosk's rating (any board sees ticket ids in the events)."""
    issued = hall.api("POST", "/tickets", hall.kiosk_token, {"service": "water-connect"},
                      {"Idempotency-Key": "qr-rate"}).json()
    finish_ticket_of(hall, issued["number"])
    bare = hall.api("POST", "/evaluations", hall.kiosk_token, {"ticket": issued["id"],
                                                               "level": 5})
    assert bare.status_code == 403 and bare.json()["error"]["code"] == "proof_required"
    folder = tmp_path / "qr"
    folder.mkdir()
    qrcode.make(issued["track_url"], box_size=8, border=6).save(folder / "ticket.png")
    flow = make_flow(camera=f"images://{folder}")
    flow.ask("rate")
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=25000)
    assert flow.data.results[0].rating_code == rating_code_of(issued["track_url"])
    flow.inquiry.start_rating(issued["id"])
    flow.inquiry.choose_level(5)
    flow.inquiry.submit()
    qtbot.waitUntil(lambda: flow.state == st.THANKS, timeout=20000)
