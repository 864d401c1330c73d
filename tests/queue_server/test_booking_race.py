"""Bookings race for the last places of a slot: however many citizens press "book" at once,
a slot never takes more than its capacity, each holder gets at most one booking of a service a
day, and every refusal is `slot_full` or `already_booked` (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from queue_server import wire, wire_journey
from queue_server.db.store import Store
from queue_server.domain.errors import DomainError
from queue_server.usecases import appointments
from tests.queue_server.inproc import HALL_TZ, database, journey_db
from tests.queue_server.test_appointment_day import person


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with database(request.param, tmp_path) as url:
        s = Store(journey_db(tmp_path, url=url),
                  clock=lambda: datetime(2026, 3, 6, 10, tzinfo=HALL_TZ))
        yield s
        s.close()


def test_a_slot_never_takes_more_than_its_capacity(store: Store) -> None:
    start = datetime(2026, 3, 9, 9, 0, tzinfo=HALL_TZ)
    people = [person(100 + i) for i in range(10)] + [person(100)] * 2  # one of them thrice
    outcomes: list[str] = []
    gate = threading.Barrier(len(people))

    def book(who: dict[str, str]) -> None:
        body = wire_journey.AppointmentIn(service="case", start=start,
                                          id_card=wire.IdCardIn(**who))
        gate.wait()
        try:
            appointments.book(store, "j1", body, "")
            outcomes.append("booked")
        except DomainError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=book, args=(who,)) for who in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    counts = Counter(outcomes)
    assert counts["booked"] == 2  # the slot's capacity
    assert set(counts) <= {"booked", "slot_full", "already_booked"}
    assert sum(counts.values()) == len(people)
    slot = appointments.list_slots(store, "j1", "case", start.date())[0]
    assert slot.booked == 2
