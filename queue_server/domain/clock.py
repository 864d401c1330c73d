"""Time in the hall: the business day (numbering restarts at `day_starts` local time) and ISO
formatting. Pure functions; the clock itself is passed in by the caller."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def business_day(now: datetime, tz: str, day_starts: time) -> date:
    """The business day `now` belongs to: a local time before `day_starts` is still the
    previous day (a 24-hour hall with day_starts 04:00 numbers 03:59 with yesterday)."""
    local = now.astimezone(ZoneInfo(tz))
    shifted = local - timedelta(hours=day_starts.hour, minutes=day_starts.minute)
    return shifted.date()


def day_start(day: date, tz: str, day_starts: time) -> datetime:
    """The instant business day `day` begins, in UTC."""
    return datetime.combine(day, day_starts, tzinfo=ZoneInfo(tz)).astimezone(UTC)
