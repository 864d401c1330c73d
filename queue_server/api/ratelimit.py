"""Rate limits of the requests that guess at something: staff logins (PINs) and ticket lookups
by ID card (an ID number is guessable) per terminal, and the public tracking page per client
address (it has no terminal). A ticket's id is a 96-bit secret: reading a ticket by its id is
not limited (reports and boards read many). A token bucket per key, in this process's memory: a limit of N a minute
allows a burst of `burst` and then one every 60/N seconds. Over it: 429 `rate_limited` with
Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.1f} s")
        self.retry_after = max(1, math.ceil(retry_after))


class Bucket:
    """Token buckets by key; thread-safe (sync endpoints run in a thread pool). Holds at most
    `max_keys` keys: when full, the buckets that have refilled are forgotten (they equal a new
    one), so memory stays bounded however many addresses try."""

    def __init__(self, per_minute: float, burst: int, *, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._tokens: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token of `key`, or raise `RateLimited` with the wait for the next."""
        if self.rate <= 0:
            return  # no limit
        now = self.clock()
        with self._lock:
            tokens, at = self._tokens.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._tokens[key] = (tokens, now)
                raise RateLimited((1.0 - tokens) / self.rate)
            if key not in self._tokens and len(self._tokens) >= self.max_keys:
                self._forget_full(now)
            self._tokens[key] = (tokens - 1.0, now)

    def _forget_full(self, now: float) -> None:
        full = [k for k, (t, at) in self._tokens.items()
                if t + (now - at) * self.rate >= self.burst]
        for k in full:
            del self._tokens[k]
        if len(self._tokens) >= self.max_keys:  # all of them busy: forget the oldest half
            for k in sorted(self._tokens, key=lambda k: self._tokens[k][1])[:self.max_keys // 2]:
                del self._tokens[k]


@dataclass(frozen=True)
class Rates:
    """Per minute; 0 turns a limit off."""

    login: float = 10.0
    lookup: float = 60.0
    public: float = 60.0


class Limiter:
    """The server's buckets: `login` and `lookup` per terminal, `public` per client address."""

    def __init__(self, rates: Rates, clock: Callable[[], float] = time.monotonic) -> None:
        self.login = Bucket(rates.login, burst=max(1, int(rates.login)), clock=clock)
        self.lookup = Bucket(rates.lookup, burst=max(1, int(rates.lookup // 3)), clock=clock)
        self.public = Bucket(rates.public, burst=max(1, int(rates.public // 3)), clock=clock)


def throttle(request: Any, bucket: str, terminal_id: int | None = None) -> None:
    """Spend one of `bucket` ("login", "lookup", "public") for this request: keyed by the
    terminal when there is one, else by the client's address."""
    limiter: Limiter = request.app.state.limiter
    client = request.client.host if request.client is not None else "?"
    key = f"terminal:{terminal_id}" if terminal_id is not None else f"address:{client}"
    getattr(limiter, bucket).take(key)
