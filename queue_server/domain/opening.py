"""When the hall is open: its open days (working days of the official calendar, or every day)
and its opening hours of such a day. This module is the one place the appointments, the
remote numbers and their checks ask the working-day calendar (`domain.workdays`), so that a
calendar of another source changes one call. Pure functions over `HallInfo`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.hall import HallInfo

ALL_DAY = ((0, 24 * 60),)


def works_on(hall: HallInfo, day: date) -> bool:
    """Is the hall open on local calendar day `day`?"""
    if hall.open_days == "every_day":
        return day not in hall.closed_days
    return hall.calendar.is_workday(day)  # the official calendar (imported years too)


def local_ranges(hall: HallInfo, day: date, ranges: Iterable[tuple[int, int]]
                 ) -> list[tuple[datetime, datetime]]:
    """Minutes-of-day ranges of `day` as aware datetimes in the hall's time zone."""
    zone = ZoneInfo(hall.timezone)
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    out = []
    for start, end in ranges:
        # Wall-clock arithmetic: combine, not add, so a range means local time on any day.
        begin = _at(midnight, start, zone)
        out.append((begin, _at(midnight, end, zone)))
    return out


def _at(midnight: datetime, minutes: int, zone: ZoneInfo) -> datetime:
    day = midnight.date() + timedelta(days=minutes // (24 * 60))
    rest = minutes % (24 * 60)
    return datetime(day.year, day.month, day.day, rest // 60, rest % 60, tzinfo=zone)


def is_open(hall: HallInfo, now: datetime, hours: Iterable[tuple[int, int]] | None = None
            ) -> bool:
    """Is the hall open at `now` (and, given `hours`, is `now` also within them)?"""
    local = now.astimezone(ZoneInfo(hall.timezone))
    day = local.date()
    if not works_on(hall, day):
        return False
    for ranges in (hall.opening or ALL_DAY, tuple(hours) if hours is not None else ALL_DAY):
        if not any(start <= local < end for start, end in local_ranges(hall, day, ranges)):
            return False
    return True


def opened_at(hall: HallInfo, now: datetime) -> datetime | None:
    """When the hall's present opening hours began (None: it is closed at `now`)."""
    if not is_open(hall, now):
        return None
    local = now.astimezone(ZoneInfo(hall.timezone))
    return next((begin for begin, end in local_ranges(hall, local.date(), hall.opening or ALL_DAY)
                 if begin <= local < end), None)


def next_opening(hall: HallInfo, now: datetime, days: int = 31) -> datetime | None:
    """When the hall opens next, if it is closed at `now`; None while it is open (or when it
    opens on none of the next `days` days). A number taken at night is called from then."""
    if is_open(hall, now):
        return None
    today = now.astimezone(ZoneInfo(hall.timezone)).date()
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        if not works_on(hall, day):
            continue
        for begin, _end in local_ranges(hall, day, hall.opening or ALL_DAY):
            if begin > now:
                return begin
    return None


def numbering_day(hall: HallInfo, now: datetime) -> date:
    """The business day a number taken at `now` belongs to (its numbering and daily cap): the
    day it is called on. Taken while the hall is closed (the 24-hour room at night), that is
    the day it opens next, or the morning's first number of a service was handed out a second
    time beside the one taken the evening before."""
    return hall.day_of(next_opening(hall, now) or now)
