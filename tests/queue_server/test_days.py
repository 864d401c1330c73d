"""Business days and working days: numbering restarts at `day_starts` local time (checked with
an injected clock on a real SQLite file), `day.rolled` once per turn, and deadlines counted in
Chinese working days plus the hall's closed days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server import wire
from queue_server.config import parse_config
from queue_server.db.store import Store, migrate
from queue_server.domain.clock import business_day, day_start
from queue_server.domain.errors import Conflict
from queue_server.domain.workdays import WorkCalendar, add_workdays, deadline
from queue_server.usecases.auth import Principal
from queue_server.usecases.calendars import packaged_years
from queue_server.usecases.halls import apply_config, roll_days
from queue_server.usecases.tickets import issue
from tests.procs import TEST_HALL

SH = "Asia/Shanghai"


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 23), st.integers(0, 59),
       st.sampled_from([SH, "Asia/Urumqi", "Europe/Berlin", "America/New_York"]))
def test_a_business_day_begins_exactly_at_day_starts(day: date, hh: int, mm: int, tz: str
                                                      ) -> None:
    starts = time(hh, mm)
    begin = day_start(day, tz, starts)
    assert business_day(begin, tz, starts) == day
    assert business_day(begin - timedelta(microseconds=1), tz, starts) < day



def test_the_clocks_changing_neither_skips_nor_repeats_a_business_day() -> None:
    """Where the clocks jump over `day_starts` (spring, 2040-03-11 in New York: 02:00 becomes
    03:00) the day begins at the jump; where they repeat it (autumn, 2026-11-01: 01:30 comes
    twice) the day begins at its first 01:30 and stays begun through the second."""
    ny = "America/New_York"
    begin = day_start(date(2040, 3, 11), ny, time(2, 1))
    assert begin == datetime(2040, 3, 11, 7, 0, tzinfo=UTC)  # 01:59:59 EST + 1 s = 03:00 EDT
    assert business_day(begin, ny, time(2, 1)) == date(2040, 3, 11)
    assert business_day(begin - timedelta(microseconds=1), ny, time(2, 1)) == date(2040, 3, 10)
    begin = day_start(date(2026, 11, 1), ny, time(1, 30))
    assert begin == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first one
    assert business_day(begin - timedelta(microseconds=1), ny, time(1, 30)) == date(2026, 10, 31)
    for minutes in range(0, 24 * 60, 10):  # on through 01:00-01:59 EST, the repeated hour
        assert business_day(begin + timedelta(minutes=minutes), ny, time(1, 30)) == date(2026, 11, 1)
    assert business_day(begin + timedelta(hours=25), ny, time(1, 30)) == date(2026, 11, 2)

class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _store(tmp_path: Path, day_starts: str, clock: FakeClock) -> Store:
    url = f"sqlite:///{tmp_path / 'days.db'}"
    migrate(url)
    store = Store(url, clock=clock)
    text = TEST_HALL.read_text(encoding="utf-8").replace('day_starts = "00:00"',
                                                         f'day_starts = "{day_starts}"')
    apply_config(store, parse_config(text))
    return store


def test_numbering_restarts_at_the_configured_local_time(tmp_path: Path) -> None:
    local = ZoneInfo(SH)
    clock = FakeClock(datetime(2026, 3, 2, 23, 50, tzinfo=local))
    store = _store(tmp_path, "04:00", clock)
    kiosk = Principal("kiosk", "t1", 1, "k")
    req = wire.TicketCreate(service="general")

    def number() -> str:
        return issue(store, kiosk, req, None, "http://x")[0].number

    assert [number(), number()] == ["A001", "A002"]
    clock.now = datetime(2026, 3, 3, 3, 59, tzinfo=local)  # a 24-hour hall, still open
    assert number() == "A003"
    assert roll_days(store) == ["t1", "bank1"]  # the first look at the halls
    assert roll_days(store) == []
    clock.now = datetime(2026, 3, 3, 4, 0, tzinfo=local)
    assert number() == "A001"
    assert roll_days(store) == ["t1", "bank1"] and roll_days(store) == []
    rolled = [e for e in store.fetch_events("t1", 0, 100) if e["type"] == "day.rolled"]
    assert [e["day"] for e in rolled] == ["2026-03-02", "2026-03-03"]
    assert rolled[1]["previous"] == "2026-03-02"
    store.close()


def test_days_in_utc_are_not_local_days(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai
    store = _store(tmp_path, "00:00", clock)
    kiosk = Principal("kiosk", "t1", 1, "k")
    req = wire.TicketCreate(service="general")
    assert issue(store, kiosk, req, None, "")[0].number == "A001"
    clock.now = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 00:00 the next local day
    assert issue(store, kiosk, req, None, "")[0].number == "A001"
    store.close()


def test_a_new_day_start_may_not_move_the_business_day_it_is(tmp_path: Path) -> None:
    """Re-init at 08:00 with day_starts 09:00 (it was 00:00) made it yesterday again: a second
    A001 beside the waiting one. Refused while the two settings disagree, in words that say
    when to try again; taken once they agree, and numbering goes on."""
    local = ZoneInfo(SH)
    clock = FakeClock(datetime(2026, 3, 3, 8, 0, tzinfo=local))
    store = _store(tmp_path, "00:00", clock)
    kiosk = Principal("kiosk", "t1", 1, "k")
    req = wire.TicketCreate(service="general")
    assert issue(store, kiosk, req, None, "")[0].number == "A001"
    later = TEST_HALL.read_text(encoding="utf-8").replace('day_starts = "00:00"',
                                                          'day_starts = "09:00"')
    with pytest.raises(Conflict) as refused:
        apply_config(store, parse_config(later))
    assert refused.value.code == "business_day_would_move"
    assert "09:00" in refused.value.message and "2026-03-02" in refused.value.message
    assert issue(store, kiosk, req, None, "")[0].number == "A002"  # nothing changed
    clock.now = datetime(2026, 3, 3, 9, 0, tzinfo=local)
    apply_config(store, parse_config(later))  # both say 2026-03-03 now
    assert issue(store, kiosk, req, None, "")[0].number == "A003"
    store.close()


CAL = WorkCalendar(packaged_years())


def test_working_days_follow_the_official_calendar() -> None:
    assert not CAL.is_workday(date(2025, 10, 1))  # National Day
    assert CAL.is_workday(date(2025, 9, 28))  # a Sunday made a working day
    assert add_workdays(date(2025, 9, 30), 1, CAL) == (date(2025, 10, 9), False)  # Golden Week
    assert add_workdays(date(2026, 3, 6), 1, CAL) == (date(2026, 3, 9), False)  # Fri -> Mon
    assert add_workdays(date(2026, 3, 7), 0, CAL) == (date(2026, 3, 9), False)  # Sat: next
    closed = CAL.with_closed([date(2026, 12, 31)])
    assert add_workdays(date(2026, 12, 30), 1, closed)[0] != date(2026, 12, 31)


def test_deadline_is_the_end_of_a_working_day_in_hall_time() -> None:
    friday = date(2026, 3, 6)
    due = deadline(friday, 2, SH, CAL)
    assert due.at == datetime(2026, 3, 10, 23, 59, 59, tzinfo=ZoneInfo(SH))
    assert not due.provisional
    assert deadline(friday, 2, SH, CAL.with_closed([date(2026, 3, 9)])).at.date() == \
        date(2026, 3, 11)


def test_idempotency_keys_last_a_day_and_are_forgotten_after_a_week(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    store = _store(tmp_path, "00:00", clock)
    kiosk = Principal("kiosk", "t1", 1, "k")
    req = wire.TicketCreate(service="general")
    first = issue(store, kiosk, req, "key-1", "")[0]
    clock.now += timedelta(hours=30)
    roll_days(store)
    assert issue(store, kiosk, req, "key-1", "")[0].id == first.id  # still known after 30 h
    clock.now += timedelta(days=8)
    roll_days(store)
    assert issue(store, kiosk, req, "key-1", "")[0].id != first.id
    store.close()
