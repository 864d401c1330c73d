"""An appointment day end to end through the HTTP API (CONTRACT.md §6), on a real server on
loopback with an injected clock: slots from the hall's configuration, bookings, full slots,
cancellations (a wrong ID number is as unknown as a forged code), check-ins too early, on time
and late, forged and other-day codes, no-shows becoming missed at the rollover, and the
missed-booking rule blocking and then allowing booking again."""

from __future__ import annotations

import httpx
import pytest

from queue_server.usecases.halls import roll_days
from tests.queue_server.inproc import Clock, InProcServer, enrol, staff_client

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def person(n: int, born: str = "19850312") -> dict[str, str]:
    """A valid resident ID number (with its check character) and a name."""
    first = f"150102{born}{n:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first, WEIGHTS, strict=True)) % 11]
    return {"number": first + check, "name": f"测试{n}"}


A, B, C, D, E, F, X = (person(i) for i in range(1, 8))
MON = "2026-03-09"


@pytest.fixture()
def day(journey: tuple[InProcServer, Clock]) -> tuple[InProcServer, Clock]:
    return journey


def slot(hhmm: str, day: str = MON) -> str:
    return f"{day}T{hhmm}:00+08:00"


def book(api: httpx.Client, who: dict[str, str], start: str, service: str = "case",
         **extra: object) -> httpx.Response:
    return api.post("/appointments", json={"service": service, "start": start,
                                           "id_card": who, **extra})


def code_of(resp: httpx.Response) -> str:
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) >= {"code", "service", "start", "end"}
    assert "number" not in resp.text and "id_card" not in body
    return str(body["code"])


def error(resp: httpx.Response, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code and resp.json()["error"]["message"]


def test_slots_bookings_cancellations(day: tuple[InProcServer, Clock]) -> None:
    server, _clock = day
    api = server.client()
    slots = api.get("/slots", params={"service": "case", "date": MON}).json()
    # 09:00–12:00 and 14:30–16:30 in 30-minute slots, 2 places each, inside opening hours
    assert [s["start"][11:16] for s in slots] == ["01:00", "01:30", "02:00", "02:30", "03:00",
                                                  "03:30", "06:30", "07:00", "07:30", "08:00"]
    assert all(s["capacity"] == 2 and s["booked"] == 0 for s in slots)
    assert api.get("/slots", params={"service": "case", "date": "2026-03-07"}).json() == []
    # a day that cannot be booked offers nothing (booking beyond 14 days was 409 too_far_ahead)
    for day in ("2026-03-04", "2026-03-30", "9999-12-31"):
        assert api.get("/slots", params={"service": "case", "date": day}).json() == [], day
    error(api.get("/slots", params={"service": "general", "date": MON}), 400, "not_bookable")
    # a time at the calendar's ends has no day in the hall's zone (it was a 500)
    for start in ("9999-12-31T18:00:00Z", "0001-01-01T00:00:00+14:00"):
        error(book(api, A, start), 400, "unknown_slot")

    code_of(book(api, A, slot("09:00")))
    code_of(book(api, B, slot("09:00")))
    error(book(api, C, slot("09:00")), 409, "slot_full")
    error(book(api, A, slot("09:30")), 409, "already_booked")
    error(book(api, C, slot("09:10")), 400, "unknown_slot")
    error(book(api, C, slot("09:00", "2026-03-30")), 409, "too_far_ahead")
    error(book(api, C, slot("09:00", "2026-03-06")), 409, "slot_started")
    error(book(api, {"number": "150102198503120011", "name": "错号"}, slot("10:00")), 400,
          "bad_id_number")
    f_code = code_of(book(api, F, slot("10:30"), phone="13800138000"))
    assert api.get("/slots", params={"service": "case", "date": MON}).json()[0]["booked"] == 2

    wrong = api.post(f"/appointments/{f_code}/cancel", json={"id_number": A["number"]})
    forged = api.post("/appointments/ABCDE-FGHJK/cancel", json={"id_number": F["number"]})
    error(wrong, 404, "appointment_unknown")
    error(forged, 404, "appointment_unknown")
    assert wrong.json() == forged.json()  # a wrong ID number tells nothing about the code
    done = api.post(f"/appointments/{f_code}/cancel", json={"id_number": F["number"].lower()})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert F["number"] not in done.text
    assert api.get(f"/appointments/{f_code}").json()["status"] == "cancelled"
    freed = next(s for s in api.get("/slots", params={"service": "case", "date": MON}).json()
                 if s["start"].startswith(f"{MON}T02:30"))
    assert freed["booked"] == 0
    code_of(book(api, F, slot("10:30")))  # the same holder may book again after cancelling


def test_check_in_early_on_time_late_forged_and_no_show(day: tuple[InProcServer, Clock]
                                                        ) -> None:
    server, clock = day
    api = server.client()
    codes = {who["name"]: code_of(book(api, who, slot(at))) for who, at in
             ((A, "09:00"), (B, "09:00"), (C, "09:30"), (E, "10:00"))}
    tomorrow = code_of(book(api, D, slot("09:00", "2026-03-10")))
    kiosk = server.client(enrol(server.store.url, "kiosk", "kiosk-1"))

    clock.set(2026, 3, 9, 8, 20)
    early = kiosk.post("/tickets", json={"appointment": codes[A["name"]]})
    error(early, 409, "appointment_too_early")
    assert "08:30" in early.json()["error"]["message"]
    error(kiosk.post("/tickets", json={"appointment": "ZZZZZ-ZZZZZ"}), 404,
          "appointment_unknown")
    error(kiosk.post("/tickets", json={"appointment": "not a code"}), 404, "appointment_unknown")
    error(kiosk.post("/tickets", json={"appointment": tomorrow}), 409, "appointment_not_today")

    clock.set(2026, 3, 9, 8, 35)
    on_time = kiosk.post("/tickets", json={"appointment": codes[A["name"]].lower()})
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["priority"] is True
    assert on_time.json()["priority_reason"] == "appointment"
    assert on_time.json()["appointment_late"] is False and on_time.json()["service"] == "case"
    used = kiosk.post("/tickets", json={"appointment": codes[A["name"]]})
    error(used, 409, "appointment_used")  # (v1.2 ext) naming the number it gave
    assert used.json()["error"]["number"] == on_time.json()["number"]
    assert on_time.json()["number"] in used.json()["error"]["message"]
    walk_in = kiosk.post("/tickets", json={"service": "case"}).json()

    clock.set(2026, 3, 9, 9, 10)  # B by ID card only: today's booking is found by its HMAC
    by_card = kiosk.post("/tickets", json={"id_card": B})
    assert by_card.status_code == 201 and by_card.json()["priority_reason"] == "appointment"
    # D's booking is tomorrow's: the card says so, as the code does (it said "no booking of
    # yours for today", and the kiosk offered a plain number beside the booking)
    coming = kiosk.post("/tickets", json={"id_card": D})
    error(coming, 409, "appointment_not_today")
    assert "3月10日 09:00" in coming.json()["error"]["message"]
    assert "08:30–09:15" in coming.json()["error"]["message"]

    clock.set(2026, 3, 9, 9, 50)  # C's 09:30 window closed at 09:45
    late = kiosk.post("/tickets", json={"appointment": codes[C["name"]]})
    assert late.status_code == 201, late.text
    assert late.json()["appointment_late"] is True and late.json()["priority"] is False
    again = kiosk.post("/tickets", json={"appointment": codes[C["name"]]})
    error(again, 409, "appointment_used")
    assert again.json()["error"]["number"] == late.json()["number"]

    staff = staff_client(server, "W01")
    called = [staff.post("/counters/W01/call-next").json()["number"] for _ in range(4)]
    assert called == [on_time.json()["number"], by_card.json()["number"], walk_in["number"],
                      late.json()["number"]]

    assert api.get(f"/appointments/{codes[E['name']]}").json()["status"] == "booked"
    clock.set(2026, 3, 9, 10, 20)  # E never came: missed once the window closed
    assert api.get(f"/appointments/{codes[E['name']]}").json()["status"] == "missed"
    assert api.get(f"/appointments/{codes[A['name']]}").json()["status"] == "checked_in"
    assert api.get(f"/appointments/{codes[C['name']]}").json()["status"] == "late"

    clock.set(2026, 3, 10, 0, 1)  # the rollover marks it, with an event
    roll_days(server.store)
    from queue_server.usecases.appointments import mark_missed

    assert mark_missed(server.store) == 1
    events = server.store.fetch_events("j1", 0, 1000)
    assert [e["type"] for e in events].count("appointment.missed") == 1
    assert [e["type"] for e in events].count("appointment.checked_in") == 3
    error(kiosk.post("/tickets", json={"appointment": codes[E["name"]]}), 409,
          "appointment_not_today")


def test_three_missed_bookings_block_booking_for_thirty_days(day: tuple[InProcServer, Clock]
                                                              ) -> None:
    server, clock = day
    api = server.client()
    for booked_day in ("2026-03-09", "2026-03-10", "2026-03-11"):
        code_of(book(api, X, slot("09:00", booked_day)))
    clock.set(2026, 3, 11, 9, 10)  # the third window closes at 09:15: two misses so far
    kept = code_of(book(api, X, slot("09:00", "2026-03-12")))
    clock.advance(minutes=30)  # now three
    blocked = book(api, X, slot("09:00", "2026-03-16"))
    error(blocked, 409, "booking_blocked")
    assert "2026-04-10" in blocked.json()["error"]["message"]  # 30 days after the third miss
    code_of(book(api, A, slot("09:00", "2026-03-16")))  # others are not blocked
    # a booking made before the block stands; cancelled, it is not a fourth miss
    assert api.post(f"/appointments/{kept}/cancel", json={"id_number": X["number"]}
                    ).status_code == 200
    clock.set(2026, 4, 10, 9, 0)
    error(book(api, X, slot("09:00", "2026-04-13")), 409, "booking_blocked")
    clock.set(2026, 4, 10, 9, 16)  # 30 days after 2026-03-11 09:15: allowed again
    code_of(book(api, X, slot("09:00", "2026-04-13")))
