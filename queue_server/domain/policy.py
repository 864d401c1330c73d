"""The queue policy as pure functions over plain data: which waiting stage a counter calls next,
the priority cap, visible numbers and the estimated wait. No I/O, no clock.

Call-next order for one counter, in tiers (`TIERS`): stages transferred to that counter (any
zone or service, by issue time); then priority stages of its zone and services (elderly,
disabled, pregnant, appointment, marked by staff), unless the counter has already called `cap`
priority tickets in a row while a normal one waits; then normal stages. Within the last two,
the counter's order of services, then issue time; at an approval post (the back office's
限时办结) the deadline first, soonest first, then issue time, whatever the service. A stage
transferred to another counter is never a candidate here.

The database side (usecases/call_order.py) builds its queries from these same tiers and hands
`choose` the first stage of each; `pick_next` over all waiting stages must pick the same, and a
property test checks exactly that on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """A waiting stage as the policy sees it. `target`: the counter it was transferred to."""

    stage_id: int
    zone: str
    service: str
    priority: bool
    target: str | None
    sort_at: datetime
    deadline: datetime | None = None  # an approval stage's time limit (限时办结)


@dataclass(frozen=True)
class Caller:
    """The counter that calls: its zone, its services in order of preference, and how many
    priority tickets it called in a row (`streak`) against the hall's `cap`."""

    code: str
    zone: str
    services: tuple[str, ...]
    streak: int = 0
    cap: int = 3


@dataclass(frozen=True)
class Tier:
    """One kind of candidate: transferred to this counter, or a priority or normal stage of its
    zone and services (`priority`); `ranked`: ordered first by the counter's services."""

    name: str
    targeted: bool
    priority: bool | None
    ranked: bool


TARGETED = Tier("targeted", targeted=True, priority=None, ranked=False)
PRIORITY = Tier("priority", targeted=False, priority=True, ranked=True)
NORMAL = Tier("normal", targeted=False, priority=False, ranked=True)
TIERS = (TARGETED, PRIORITY, NORMAL)


def belongs(c: Candidate, tier: Tier, caller: Caller) -> bool:
    if tier.targeted:
        return c.target == caller.code
    return (c.target is None and c.zone == caller.zone and c.service in caller.services
            and c.priority == tier.priority)


def order_key(tier: Tier, caller: Caller) -> Callable[[Candidate], tuple[Any, ...]]:
    """Within a tier: the counter's order of services (ranked tiers), then issue time, then
    the stage id (two tickets issued in the same instant). An approval post's ranked tiers go
    by deadline instead of service (cases without one last): an overdue case waited while the
    post called fresh ones of the service it lists first (an outside check)."""
    if not tier.ranked:
        return lambda c: (c.sort_at, c.stage_id)
    if caller.zone == "approval":
        return lambda c: (c.deadline is None, c.deadline or c.sort_at, c.sort_at, c.stage_id)
    rank = {code: i for i, code in enumerate(caller.services)}
    return lambda c: (rank.get(c.service, len(rank)), c.sort_at, c.stage_id)


def choose(first: Mapping[str, Candidate | None], caller: Caller) -> Candidate | None:
    """The call, given the first stage of each tier (by tier name)."""
    if first.get(TARGETED.name) is not None:
        return first[TARGETED.name]
    prio, normal = first.get(PRIORITY.name), first.get(NORMAL.name)
    if prio is not None and (caller.streak < caller.cap or normal is None):
        return prio
    return normal


def pick_next(candidates: Iterable[Candidate], caller: Caller) -> Candidate | None:
    """The stage `caller` calls next among all waiting `candidates` of the hall."""
    pool = list(candidates)
    first: dict[str, Candidate | None] = {}
    for tier in TIERS:
        members = [c for c in pool if belongs(c, tier, caller)]
        first[tier.name] = min(members, key=order_key(tier, caller)) if members else None
    return choose(first, caller)


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
