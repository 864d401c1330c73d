"""Appointments as pure rules: the slots of a service on a day (its booking hours cut into
slots, kept where the hall is open), the check-in verdict of an arrival against a booking's
window, the missed-booking rule that blocks booking, and the booking codes (random, not
guessable, easy to type: no 0/O, 1/I/L). No I/O, no clock."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from queue_server.domain.hall import BookingRules, HallInfo
from queue_server.domain.opening import local_ranges, works_on

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols
CODE_LENGTH = 10                                  # 31**10 ≈ 2**49.5


@dataclass(frozen=True)
class SlotPlan:
    """A service's booking hours (minutes of the day), slot length, capacity per slot and
    the weekdays it takes bookings (0 = Monday; None: every day the hall is open)."""

    hours: tuple[tuple[int, int], ...]
    slot_minutes: int
    capacity: int
    weekdays: frozenset[int] | None = None


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int


def slots(plan: SlotPlan, day: date, hall: HallInfo) -> list[Slot]:
    """The slots of `day` (times in UTC): each booking range cut into `slot_minutes` pieces
    from its start, keeping the pieces that lie inside one of the hall's opening ranges."""
    if not works_on(hall, day) or (plan.weekdays is not None
                                   and day.weekday() not in plan.weekdays):
        return []
    opening = local_ranges(hall, day, hall.opening or ((0, 24 * 60),))
    step = timedelta(minutes=plan.slot_minutes)
    out: list[Slot] = []
    for start, end in local_ranges(hall, day, plan.hours):
        at = start
        while at + step <= end:
            if any(o_start <= at and at + step <= o_end for o_start, o_end in opening):
                out.append(Slot(at.astimezone(UTC), (at + step).astimezone(UTC),
                                plan.capacity))
            at += step
    return out


Verdict = Literal["too_early", "on_time", "late"]


def window(start: datetime, rules: BookingRules) -> tuple[datetime, datetime]:
    """From when to when an arrival counts as on time for a slot starting at `start`."""
    return (start - timedelta(minutes=rules.checkin_before_min),
            start + timedelta(minutes=rules.checkin_after_min))


def verdict(start: datetime, now: datetime, rules: BookingRules) -> Verdict:
    opens, closes = window(start, rules)
    if now < opens:
        return "too_early"
    return "on_time" if now <= closes else "late"


def missed_at(start: datetime, rules: BookingRules) -> datetime:
    """When a booking nobody checked in for counts as missed: its window has closed."""
    return window(start, rules)[1]


def blocked_until(misses: Sequence[datetime], rules: BookingRules) -> datetime | None:
    """Until when booking is blocked, given the times bookings were missed: `missed_limit`
    misses within `missed_window_days` block for `blocked_days` from the last of them."""
    limit = rules.missed_limit
    if limit <= 0 or len(misses) < limit:
        return None
    ordered = sorted(misses)
    span, block = timedelta(days=rules.missed_window_days), timedelta(days=rules.blocked_days)
    until: datetime | None = None
    for i in range(limit - 1, len(ordered)):
        if ordered[i] - ordered[i - limit + 1] <= span:
            ends = ordered[i] + block
            until = ends if until is None or ends > until else until
    return until


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A typed or scanned code without separators, upper case; None when it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch not in " -_")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def show_code(code: str) -> str:
    """`ABCDE-FGHJK`: how a code is printed and shown."""
    return f"{code[:5]}-{code[5:]}"
