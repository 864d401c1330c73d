"""The hall configuration's sections for the citizen's journey before and after the counter
(docs/admin.md, "预约、远程取号与证照寄送"): the hall's opening hours and open days, the rules
of appointments and check-in, the ready-for-pickup notification, and per service its booking
slots, remote numbers (远程取号) and mail delivery (证照寄送). Plain pydantic models, read once
with the rest of `queue_server.config`. Each refusal is said here, Chinese first, then English;
`queue_server.config` puts the file, the line and the key (`services #1 (case).booking.hours`)
before it.

A time range is `"HH:MM-HH:MM"` local time (the end may be `24:00`); several ranges of a day
are a list, e.g. `["08:30-12:00", "14:30-17:30"]`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_range(text: str) -> tuple[int, int]:
    """`"08:30-12:00"` as minutes of the day `(510, 720)`; ValueError saying why, Chinese
    first, with the expected form."""
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)", text.strip())
    if not match:
        raise ValueError(f"时间段 {text!r} 格式不对,应为 HH:MM-HH:MM,如 08:30-12:00 / bad time "
                         f"range {text!r}: use HH:MM-HH:MM, e.g. 08:30-12:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end > 24 * 60:
        raise ValueError(f"时间段 {text!r} 的结束最晚为 24:00 / bad time range {text!r}: it "
                         "ends at 24:00 at the latest")
    if end <= start:
        raise ValueError(f"时间段 {text!r} 的结束须晚于开始 / bad time range {text!r}: the end "
                         "must come after the start")
    return start, end


def check_ranges(value: list[str]) -> list[str]:
    """Each range well-formed, none overlapping another (the two are named)."""
    parsed = sorted((parse_range(v), v) for v in value)
    for ((_, end), first), ((start, _), second) in zip(parsed, parsed[1:], strict=False):
        if start < end:
            raise ValueError(f"时间段 {first!r} 与 {second!r} 重叠 / time ranges {first!r} and "
                             f"{second!r} overlap")
    return value


class AppointmentRules(_Strict):
    """`[hall.appointments]`: the check-in window around a slot's start, how far ahead one
    may book, and the missed-booking rule (`missed_limit` bookings missed within
    `missed_window_days` days block booking for `blocked_days` days; 0 turns it off)."""

    checkin_before_min: int = Field(default=30, ge=0, le=240)
    checkin_after_min: int = Field(default=15, ge=0, le=240)
    book_ahead_days: int = Field(default=14, ge=0, le=90)
    missed_limit: int = Field(default=3, ge=0, le=50)
    missed_window_days: int = Field(default=30, ge=1, le=365)
    blocked_days: int = Field(default=30, ge=1, le=365)


class NotifySection(_Strict):
    """`[hall.notify]`: where "ready for pickup" goes. Without `webhook` it is only logged."""

    webhook: str | None = Field(default=None, max_length=500)
    max_attempts: int = Field(default=12, ge=1, le=100)

    @field_validator("webhook")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"网址 {value!r} 不对,应为 http://主机[:端口]/路径 或 https://... / "
                             f"bad URL {value!r}: use http://host[:port]/path or https://...")
        return value


class ServiceBooking(_Strict):
    """`[services.booking]`: bookable slots. `days` narrows the hall's open days to some
    weekdays (default: every open day); `hours` are cut into `slot_minutes` slots of
    `capacity` bookings each, within the hall's opening hours."""

    hours: list[str] = Field(min_length=1, max_length=8)
    slot_minutes: int = Field(default=30, ge=5, le=480)
    capacity: int = Field(default=1, ge=1, le=1000)
    days: list[str] | None = None

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: list[str]) -> list[str]:
        return check_ranges(value)

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str] | None) -> list[str] | None:
        for day in value or ():
            if day not in WEEKDAYS:
                known = ", ".join(WEEKDAYS)
                raise ValueError(f"未知的星期 {day!r}(可用:{known}) / unknown weekday {day!r} "
                                 f"(use {known})")
        return value


class ServiceRemote(_Strict):
    """`[services.remote]`: today's number taken from the phone page, while the hall is open
    (or within `hours`). With `checkin` the number waits for its holder to check in at a
    kiosk before a counter can call it."""

    checkin: bool = True
    hours: list[str] | None = None

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: list[str] | None) -> list[str] | None:
        return check_ranges(value) if value is not None else None


OpenDays = Literal["workdays", "every_day"]
