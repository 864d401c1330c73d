"""Working days for promised time limits (限时办结) and follow-up deadlines. Pure: the calendar is
data passed in (`WorkCalendar`): the official years (packaged with the software or imported by
the administrator, authoritative), the hall's own closed days, and for any other year the
statutory holidays by rule (domain/holidays.py) on top of weekends, marked provisional. A
deadline says whether it depended on such a provisional year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.holidays import statutory_holidays


@dataclass(frozen=True)
class OfficialYear:
    """A year's published schedule: `holidays` are days off, `workdays` adjusted working days
    (weekend days worked); `source` is "packaged" or "imported"."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = "imported"


@dataclass(frozen=True)
class WorkCalendar:
    official: Mapping[int, OfficialYear] = field(default_factory=dict)
    closed: frozenset[date] = frozenset()

    def with_closed(self, closed: Iterable[date]) -> WorkCalendar:
        return WorkCalendar(self.official, frozenset(closed))

    def confirmed(self, year: int) -> bool:
        return year in self.official

    def status(self, year: int) -> str:
        """"imported", "packaged" or "provisional"."""
        known = self.official.get(year)
        return known.source if known is not None else "provisional"

    def is_workday(self, day: date) -> bool:
        if day in self.closed:
            return False
        known = self.official.get(day.year)
        if known is not None:
            if day in known.workdays:
                return True
            if day in known.holidays:
                return False
            return day.weekday() < 5
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


@dataclass(frozen=True)
class Due:
    """A deadline and whether it rests on a year that is not confirmed."""

    at: datetime
    provisional: bool


def add_workdays(start: date, days: int, calendar: WorkCalendar) -> tuple[date, bool]:
    """The `days`-th working day after `start` (0 = `start` itself, or the next working day
    when `start` is not one), and whether a day counted lies in a provisional year."""
    day, provisional = start, False
    if days == 0:
        while not calendar.is_workday(day):
            provisional |= not calendar.confirmed(day.year)
            day += timedelta(days=1)
        return day, provisional or not calendar.confirmed(day.year)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        provisional |= not calendar.confirmed(day.year)
        if calendar.is_workday(day):
            counted += 1
    return day, provisional


def deadline(start_day: date, days: int, tz: str, calendar: WorkCalendar) -> Due:
    """End (23:59:59 local) of the `days`-th working day after business day `start_day`, in
    UTC as every instant the server answers (an answer written before a read from the database
    gave it as +08:00 where the rest said Z)."""
    last, provisional = add_workdays(start_day, days, calendar)
    end = datetime.combine(last, time(23, 59, 59), tzinfo=ZoneInfo(tz))
    return Due(end.astimezone(UTC), provisional)
