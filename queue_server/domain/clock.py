"""Time in the hall: the business day (numbering restarts at `day_starts` local time) and ISO
formatting. Pure functions; the clock itself is passed in by the caller."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The years a hall's day may be asked about: far beyond any real question, and far from the
# calendar's ends, where a day's start in a time zone cannot be computed.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def business_day(now: datetime, tz: str, day_starts: time) -> date:
    """The business day `now` belongs to: the last day that has begun by `now` (see
    `day_start`); a local time before `day_starts` is still the previous day (a 24-hour hall
    with day_starts 04:00 numbers 03:59 with yesterday). Defined by the instants the days
    begin, so it never goes back when the clocks do (the repeated hour of autumn)."""
    day = now.astimezone(ZoneInfo(tz)).date()
    return day if now >= day_start(day, tz, day_starts) else day - timedelta(days=1)


def day_start(day: date, tz: str, day_starts: time) -> datetime:
    """The instant business day `day` begins, in UTC: the first instant whose local time on
    that date is `day_starts` or later. A time the clocks repeat (autumn) begins the day at
    its first occurrence; a time they skip (spring, e.g. 02:30 where 02:00 becomes 03:00)
    begins it at the jump."""
    zone = ZoneInfo(tz)
    wall = datetime.combine(day, day_starts)
    earlier = wall.replace(tzinfo=zone).astimezone(UTC)  # fold 0: the offset before a change
    later = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if later >= earlier:  # a time that exists (once, or twice in autumn)
        return earlier
    # Skipped: fold 1 reads it with the offset after the jump (an instant before it), fold 0
    # with the one before (after it). The jump lies between; find it to the microsecond.
    lo, hi = later, earlier
    while hi - lo > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, as the API and the commands ask; ValueError otherwise
    (`date.fromisoformat` alone would also take 20261206 or 2026-W49-1)."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not YYYY-MM-DD")
    day = date.fromisoformat(text)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # 9999-12-31 overflowed a day's start: a 500
        raise ValueError(f"{text!r} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return day


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of a month written YYYY-MM; ValueError otherwise."""
    found = _MONTH.fullmatch(text)
    if not found or not 1 <= int(found[2]) <= 12:
        raise ValueError(f"{text!r} is not YYYY-MM")
    return int(found[1]), int(found[2])
