"""Working days for promised time limits (限时办结) and follow-up deadlines: China's public
holidays and adjusted working weekends from `chinese_calendar`, plus a hall's own closed days.
Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar


def is_workday(day: date, closed: Iterable[date] = ()) -> bool:
    if day in set(closed):
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet: weekdays only
        return day.weekday() < 5


def add_workdays(start: date, days: int, closed: Iterable[date] = ()) -> date:
    """The `days`-th working day after `start` (0 = `start` itself, or the next working day
    when `start` is not one)."""
    closed = set(closed)
    day = start
    if days == 0:
        while not is_workday(day, closed):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, closed):
            counted += 1
    return day


def deadline(now: datetime, days: int, tz: str, closed: Iterable[date] = ()) -> datetime:
    """End (23:59:59 local) of the `days`-th working day after the local date of `now`."""
    zone = ZoneInfo(tz)
    last = add_workdays(now.astimezone(zone).date(), days, closed)
    return datetime.combine(last, time(23, 59, 59), tzinfo=zone)
