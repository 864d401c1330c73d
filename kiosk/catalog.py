"""The kiosk's list of services: grouping by category, search by Chinese text or pinyin
(full or initials: "qykb" finds 企业开办) or by the English name the hall gave (`name_en`:
"water" finds 用水报装, Water connection), or by its category the same ways ("bdc" finds
二手房转移登记 of 不动产登记, after the services whose own name matches), and the cached copy that
keeps the papers lists (一次性告知) readable while the server is unreachable."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from queue_server import wire

log = logging.getLogger("kiosk.catalog")
OTHER = "其他"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Entry:
    service: wire.ServiceInfo
    initials: str
    spelled: str
    english: tuple[str, ...] = ()  # the words of `name_en`, lower case
    category: Entry | None = None  # the service's category (不动产登记), searched the same ways

    @classmethod
    def of(cls, service: wire.ServiceInfo) -> Entry:
        words = tuple(_WORD.findall((service.name_en or "").lower()))
        group = None
        if service.category:
            named = wire.ServiceInfo(code="", name=service.category, prefix="", route=[],
                                     name_en=service.category_en)
            group = cls.of(named)
        return cls(service, *_keys(service.name), english=words, category=group)

    def rank(self, q: str, words: list[str]) -> int | None:
        """How well the query matches the service's own name: 0 Chinese text (or its code or
        prefix), 1 pinyin initials from the start or the English words, 2 pinyin inside;
        None no match."""
        s = self.service
        if q in s.name.lower() or (s.code and (q == s.code or q == s.prefix.lower())):
            return 0
        english = self.english_match(words)
        if self.initials.startswith(q) or english == 1:
            return 1
        if q in self.initials or q in self.spelled or english == 2:
            return 2
        return None

    def english_match(self, words: list[str]) -> int | None:
        """How well typed `words` match the English name: 1 each begins a word of it ("water",
        "real est"), 2 they run on inside it as typed without spaces (the screen keyboard has
        no space: "waterconn"); None no match."""
        if not self.english or not words:
            return None
        if all(any(w.startswith(q) for w in self.english) for q in words):
            return 1
        joined, typed = "".join(self.english), "".join(words)
        if len(typed) >= 3 and typed in joined:
            return 2
        return None


def _keys(name: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin  # its dictionaries take ~0.5 s: loaded on first search

    initials = "".join(s[:1] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    spelled = "".join(lazy_pinyin(name, errors="ignore"))
    return initials.lower(), spelled.lower()


class Catalog:
    """Services of this terminal's hall, in the server's order."""

    def __init__(self, services: list[wire.ServiceInfo] | None = None) -> None:
        self._services: list[wire.ServiceInfo] = []
        self._entries: list[Entry] | None = None
        self.replace(services or [])

    def replace(self, services: list[wire.ServiceInfo]) -> None:
        self._services = list(services)
        self._entries = None  # pinyin keys are made on the first search

    @property
    def services(self) -> list[wire.ServiceInfo]:
        return list(self._services)

    def get(self, code: str) -> wire.ServiceInfo | None:
        return next((s for s in self._services if s.code == code), None)

    def categories(self) -> list[str]:
        seen: list[str] = []
        for s in self._services:
            cat = s.category or OTHER
            if cat not in seen:
                seen.append(cat)
        return seen

    def category_name(self, category: str, lang: str) -> str:
        """A category's name in `lang` (`category_en`, `category_mn` of its services), the
        Chinese one where the hall gave none."""
        if lang in ("en", "mn"):
            for s in self._services:
                if (s.category or OTHER) == category:
                    form = getattr(s, f"category_{lang}")
                    if form:
                        return str(form)
            if category == OTHER and lang == "en":
                return "Other"
        return category

    def in_category(self, category: str | None) -> list[wire.ServiceInfo]:
        if not category:
            return self.services
        return [s for s in self._services if (s.category or OTHER) == category]

    def search(self, query: str) -> list[wire.ServiceInfo]:
        """Chinese substring, pinyin initials prefix/substring, full pinyin substring, or the
        English name's words (case-insensitive, by prefix), of the service's name, then of its
        category's."""
        q = "".join(query.split()).lower()
        words = _WORD.findall(query.lower())
        if not q:
            return self.services
        if self._entries is None:
            self._entries = [Entry.of(s) for s in self._services]
        hits: list[tuple[int, int, wire.ServiceInfo]] = []
        for i, e in enumerate(self._entries):
            rank = e.rank(q, words)
            if rank is None and e.category is not None and len(q) >= 2:
                # its category's name matched from its start (two letters at least, and
                # not inside the category's pinyin: those find too much)
                group = e.category.rank(q, words)
                if group == 2 and e.category.spelled.startswith(q):
                    group = 1  # "budongchan": the category's full pinyin
                rank = None if group is None or group > 1 else 3 + group
            if rank is not None:
                hits.append((rank, i, e.service))
        return [s for _r, _i, s in sorted(hits, key=lambda h: (h[0], h[1]))]

    def zone_waiting(self) -> dict[str, int]:
        """People waiting per zone: each service's waiting in every zone (tickets gone on to
        approval or pickup included, as the board counts them), or, from a server that does not
        say, at the first zone of its route."""
        out = {z: 0 for z in wire.ZONES}
        for s in self.services:
            if s.waiting_by_zone:
                for zone, n in s.waiting_by_zone.items():
                    out[zone] = out.get(zone, 0) + n
            elif s.route:
                out[s.route[0]] = out.get(s.route[0], 0) + s.waiting
        return out

    # -- the cached copy ---------------------------------------------------------------------
    def save(self, path: Path, hall_name: str, hall: wire.HallOut | None = None) -> None:
        """The services and the hall (its name, time zone, languages, counters) for a kiosk
        that starts while the server is away. As JSON: a service's `calls_from` (a datetime
        while the hall is closed) made every save fail at night, so a kiosk installed or
        restarted at night had no cache at all (the 24-hour room, an outside check)."""
        data = {"hall_name": hall_name, "services": [s.model_dump(mode="json")
                                                     for s in self.services],
                "hall": hall.model_dump(mode="json") if hall is not None else None}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:  # a read-only disk must not stop the kiosk
            log.warning("cannot write the services cache %s: %s", path, exc)

    @classmethod
    def load(cls, path: Path) -> Cached | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            services = [wire.ServiceInfo.model_validate(s) for s in data["services"]]
            hall = wire.HallOut.model_validate(data["hall"]) if data.get("hall") else None
            return Cached(cls(services), str(data.get("hall_name", "")), hall)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("no usable services cache at %s: %s", path, exc)
            return None


class Cached(NamedTuple):
    """What a kiosk kept of its hall: the services, the hall's name, the hall (None in a cache
    written before the hall was)."""

    catalog: Catalog
    hall_name: str
    hall: wire.HallOut | None
