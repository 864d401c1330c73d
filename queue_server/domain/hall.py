"""A hall's settings as a plain value: what the use cases and the domain need of the `halls`
row (time zone, business day, announcement, priority rules, closed days, the ID-number key,
opening hours and open days, the appointment rules and where notifications go)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from queue_server.domain.clock import business_day
from queue_server.domain.workdays import OfficialYear, WorkCalendar


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
    followup_days: int = 3  # 核实 (verify) of a bad rating, in working days from the rating
    followup_rectify_days: int = 10  # 整改, from the verification
    followup_reply_days: int = 2  # 回复 to the citizen, from the previous step
    case_soon_workdays: int = 1  # an approval case is "soon due" this many working days ahead
    # 补正期限: the working days after a case was sent back for papers by which its holder is
    # asked to bring them (0: no period; the approval post decides when to take it back)
    supplement_workdays: int = 0
    terminal_offline_s: int = 120  # a terminal whose heartbeat is older is "offline"
    closed_days: tuple[date, ...] = ()
    opening: tuple[tuple[int, int], ...] = ()  # minutes of the day; empty: around the clock
    open_days: str = "workdays"                # or "every_day"
    rules: BookingRules = field(default_factory=BookingRules)
    webhook: str | None = None
    notify_attempts: int = 12
    # The official calendar years (packaged and imported); any other year is provisional.
    official: Mapping[int, OfficialYear] = field(default_factory=dict)

    @property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(self.official, frozenset(self.closed_days))
    languages: tuple[str, ...] = ("zh",)
    # The hall's texts in its other languages: {"en": {"name", "announce", "notice"}, "mn": ...}
    texts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def text(self, key: str, lang: str, default: str = "") -> str:
        """The hall's `key` ("name", "announce", "notice") in `lang`, else the Chinese one."""
        chinese = {"name": self.name, "announce": self.announce}.get(key, default)
        if lang == "zh":
            return chinese
        return str(self.texts.get(lang, {}).get(key) or chinese)

    def other_names(self) -> dict[str, str | None]:
        """`hall_name_en` and `hall_name_mn`: the names the hall gives besides the Chinese one
        (None where it gives none)."""
        return {f"hall_name_{lang}": self.texts.get(lang, {}).get("name") or None
                for lang in ("en", "mn")}

    def day_of(self, now: datetime) -> date:
        return business_day(now, self.timezone, self.day_starts)
