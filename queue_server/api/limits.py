"""Rate limits of the public endpoints (the phone page and booking need no token, CONTRACT.md
§6): token buckets per client address and per ID number, in this process's memory. A request
over its limit is 429 with a code and `Retry-After`. The ID number is keyed here with a random
per-process key, never stored and never logged; several server processes each count their own
share (the limits are a brake on abuse, not an exact quota)."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable

from queue_server.api.settings import Settings
from queue_server.domain.errors import TooMany
from queue_server.domain.security import normalise_id


class Bucket:
    """`limit` requests, refilled evenly over `per_s` seconds, for each key."""

    def __init__(self, limit: int, per_s: float, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.limit, self.rate = float(limit), limit / per_s
        self.clock = clock
        self._tokens: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token of `key`; answers 0 when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, when = self._tokens.get(key, (self.limit, now))
            tokens = min(self.limit, tokens + (now - when) * self.rate)
            if tokens >= 1.0:
                self._tokens[key] = (tokens - 1.0, now)
                if len(self._tokens) > 50_000:
                    self._forget_full(now)
                return 0.0
            self._tokens[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for key, (tokens, when) in list(self._tokens.items()):
            if tokens + (now - when) * self.rate >= self.limit:
                del self._tokens[key]


class PublicLimits:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        writes = max(1, settings.public_writes_per_min)
        self.reads = Bucket(writes * 6, 60.0, clock)
        self.writes = Bucket(writes, 60.0, clock)
        self.ids = Bucket(max(1, settings.public_per_id_per_hour), 3600.0, clock)
        self._key = os.urandom(32)

    def client(self, address: str, write: bool) -> None:
        wait = (self.writes if write else self.reads).take(address)
        if wait:
            raise TooMany("rate_limited", "请求过于频繁,请稍后再试 / too many requests from "
                          "this device, try again later", int(wait) + 1)

    def id_number(self, number: str) -> None:
        key = hmac.new(self._key, normalise_id(number).encode(), hashlib.sha256).hexdigest()
        wait = self.ids.take(key)
        if wait:
            raise TooMany("rate_limited_id", "此证件号操作过于频繁,请稍后再试 / too many "
                          "requests for this ID number, try again later", int(wait) + 1)
