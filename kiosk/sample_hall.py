"""The data the screens are rendered with (`--screens DIR`): the built-in sample, or a hall
configuration's real services, counters and texts (`--screens DIR --hall HALL.toml`), read with
the server's own parser and turned into what the server would answer (`/hall`, `/services`,
`/counters`), with made-up but plausible queue figures. No database, no server."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from queue_server import wire
from queue_server.config import ConfigError, HallConfig, load_config


class HallFileError(Exception):
    """The hall configuration given with --hall cannot be read (file, key and reason)."""


@dataclass
class HallSample:
    hall: wire.HallOut
    services: list[wire.ServiceInfo]
    counters: list[wire.CounterInfo] = field(default_factory=list)
    # the bank-branch outposts, as GET /hall answers a terminal enrolled at one, and the codes
    # of the services each offers
    outposts: list[wire.HallOut] = field(default_factory=list)
    outpost_services: dict[str, list[str]] = field(default_factory=dict)

    def service(self, code: str) -> wire.ServiceInfo:
        return next(s for s in self.services if s.code == code)

    def counter(self, zone: str = "intake") -> wire.CounterInfo:
        """The first counter of `zone` (the counter pad's sample), else the first counter."""
        return next((c for c in self.counters if c.zone == zone), self.counters[0])


def _waiting(i: int) -> int:
    return (i * 7) % 13


def from_config(cfg: HallConfig) -> HallSample:
    h = cfg.hall
    hall = wire.HallOut(
        id=h.id, name=h.name, timezone=h.timezone, announce=h.announce, day_starts=h.day_starts,
        languages=list(h.languages), name_en=h.name_en, name_mn=h.name_mn,
        announce_en=h.announce_en, announce_mn=h.announce_mn, notice=h.notice,
        notice_en=h.notice_en, notice_mn=h.notice_mn, priority_age=h.priority_age)
    services = []
    for i, s in enumerate(cfg.services):
        services.append(wire.ServiceInfo(
            code=s.code, name=s.name, prefix=s.prefix, route=list(s.route),
            materials=list(s.materials), waiting=_waiting(i), estimated_wait_s=_waiting(i) * 240,
            open=True, requires_id_card=s.requires_id_card,
            time_limit_workdays=s.time_limit_workdays, daily_cap=s.daily_cap,
            remaining_today=None if s.daily_cap is None else s.daily_cap - 1,
            category=s.category, category_en=s.category_en,
            category_mn=s.category_mn, name_en=s.name_en, name_mn=s.name_mn,
            materials_en=s.materials_en, materials_mn=s.materials_mn))
    counters = [wire.CounterInfo(code=c.code, name=c.name, zone=c.zone, services=list(c.services),
                                 name_en=c.name_en, name_mn=c.name_mn) for c in cfg.counters]
    hall.counters = counters
    outposts = [wire.HallOut(
        id=o.id, name=o.name, timezone=h.timezone, announce=h.announce, day_starts=h.day_starts,
        parent=h.id, languages=list(h.languages), name_en=o.name_en, name_mn=o.name_mn,
        announce_en=h.announce_en, announce_mn=h.announce_mn, priority_age=h.priority_age,
        counters=[wire.CounterInfo(code=c.code, name=c.name, zone=c.zone,
                                   services=list(c.services), name_en=c.name_en,
                                   name_mn=c.name_mn) for c in o.counters])
        for o in cfg.outposts]
    return HallSample(hall, services, counters, outposts,
                      {o.id: list(o.services) for o in cfg.outposts})


def load_hall_sample(path: Path) -> HallSample:
    try:
        return from_config(load_config(path))
    except ConfigError as exc:
        raise HallFileError(str(exc)) from exc


LANGUAGES = ("zh", "en", "mn")
# The form factors each role is bought in (width x height in pixels), the first the default of
# `--screens` without `--size`.
ROLE_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "kiosk": ((1920, 1080), (1080, 1920)),
    "bank": ((1920, 1080), (1080, 1920)),
    "counter": ((1366, 768), (1280, 800)),
    "display": ((1920, 1080), (3840, 2160), (1080, 1920)),
    "pad": ((1280, 800), (800, 480)),
    "devices": ((500, 980),),
}


@dataclass
class RenderOptions:
    """What `--screens` renders: at `size` (None: the role's first form factor), with `hall`'s
    data (None: the built-in sample), in `langs`."""

    size: tuple[int, int] | None = None
    hall: HallSample | None = None
    langs: tuple[str, ...] = ("zh", "en")

    def size_of(self, role: str) -> tuple[int, int]:
        return self.size or ROLE_SIZES[role][0]

    def suffix(self) -> str:
        """A file name's tail when a size was asked for (`-1080x1920`), so sizes can share DIR."""
        return f"-{self.size[0]}x{self.size[1]}" if self.size else ""


def parse_size(text: str) -> tuple[int, int]:
    """`1080x1920` -> (1080, 1920); ValueError with the reason otherwise."""
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit()):
        raise ValueError(f"bad size {text!r}: use WIDTHxHEIGHT, e.g. 1080x1920")
    size = (int(w), int(h))
    if not all(200 <= v <= 8000 for v in size):
        raise ValueError(f"bad size {text!r}: each side from 200 to 8000 pixels")
    return size
