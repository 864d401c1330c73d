"""A hall's settings as a plain value: what the use cases and the domain need of the `halls`
row (time zone, business day, announcement, priority rules, closed days, the ID-number key,
opening hours and open days, the appointment rules and where notifications go)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from queue_server.domain.clock import business_day


@dataclass(frozen=True)
class BookingRules:
    """The hall's rules of appointments (`[hall.appointments]` of the configuration)."""

    checkin_before_min: int = 30
    checkin_after_min: int = 15
    book_ahead_days: int = 14
    missed_limit: int = 3
    missed_window_days: int = 30
    blocked_days: int = 30


@dataclass(frozen=True)
class HallInfo:
    id: str
    name: str
    parent: str | None
    timezone: str
    day_starts: time
    announce: str
    secret: str
    priority_age: int = 70
    priority_cap: int = 3
    no_show_after_recalls: int = 0
    followup_days: int = 3
    closed_days: tuple[date, ...] = ()
    opening: tuple[tuple[int, int], ...] = ()  # minutes of the day; empty: around the clock
    open_days: str = "workdays"                # or "every_day"
    rules: BookingRules = field(default_factory=BookingRules)
    webhook: str | None = None
    notify_attempts: int = 12

    def day_of(self, now: datetime) -> date:
        return business_day(now, self.timezone, self.day_starts)
