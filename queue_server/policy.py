"""The queue policy as pure functions over plain data: which waiting ticket a counter calls
next, the priority cap, visible numbers and the estimated wait. No I/O, no clock.

Call-next order for one counter: tickets transferred to that counter; then priority tickets
(elderly, disabled, pregnant, appointment, marked by staff), unless the counter has already
called `cap` priority tickets in a row while a normal one waits; then the counter's order of
services; then issue time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    stage_id: int
    service: str
    priority: bool
    targeted: bool
    sort_at: datetime


def _key(services: Sequence[str]) -> Callable[[Candidate], tuple[int, datetime, int]]:
    rank = {code: i for i, code in enumerate(services)}

    def key(c: Candidate) -> tuple[int, datetime, int]:
        return (rank.get(c.service, len(rank)), c.sort_at, c.stage_id)

    return key


def pick_next(candidates: Iterable[Candidate], services: Sequence[str], streak: int,
              cap: int) -> Candidate | None:
    """The ticket a counter serving `services` (in order of preference) calls next, given it
    has called `streak` priority tickets in a row."""
    pool = list(candidates)
    targeted = [c for c in pool if c.targeted]
    if targeted:
        return min(targeted, key=lambda c: (c.sort_at, c.stage_id))
    pool = [c for c in pool if c.service in services]
    key = _key(services)
    prio = sorted((c for c in pool if c.priority), key=key)
    normal = sorted((c for c in pool if not c.priority), key=key)
    if prio and (streak < cap or not normal):
        return prio[0]
    return normal[0] if normal else None


def streak_after(streak: int, picked: Candidate) -> int:
    """Priority calls in a row after calling `picked`."""
    return streak + 1 if picked.priority else 0


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def estimate_wait_s(ahead: int, open_counters: int, mean_service_s: float) -> int:
    """People ahead, shared by the counters open for the service, at the recent service time."""
    return int(round(ahead * mean_service_s / max(open_counters, 1)))


def mean_service_s(durations: Sequence[float], default: float = 300.0) -> float:
    """Mean of recent service times in seconds, ignoring absurd ones (a forgotten finish)."""
    usable = [d for d in durations if 0 < d < 4 * 3600]
    return sum(usable) / len(usable) if usable else default
