"""Rate limits of the public endpoints (the phone page and booking need no token, CONTRACT.md
§6): token buckets per client address and per ID number, in this process's memory. A request
over its limit is 429 with a code and `Retry-After`. The ID number is keyed here with a random
per-process key, never stored and never logged; several server processes each count their own
share (the limits are a brake on abuse, not an exact quota)."""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable

from queue_server.api.ratelimit import Bucket, RateLimited
from queue_server.api.settings import Settings
from queue_server.domain.errors import TooMany
from queue_server.domain.security import normalise_id


class PublicLimits:
    """Token buckets (`ratelimit.Bucket`, the server's one kind): reads and writes per client
    address a minute, and bookings, cancels and numbers per ID number an hour."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        writes = max(1, settings.public_writes_per_min)
        per_id = max(1, settings.public_per_id_per_hour)
        self.reads = Bucket(writes * 6, burst=writes * 6, max_keys=50_000, clock=clock)
        self.writes = Bucket(writes, burst=writes, max_keys=50_000, clock=clock)
        self.ids = Bucket(per_id / 60.0, burst=per_id, max_keys=50_000, clock=clock)
        self._key = os.urandom(32)

    def client(self, address: str, write: bool) -> None:
        try:
            (self.writes if write else self.reads).take(address)
        except RateLimited as exc:
            raise TooMany("rate_limited", "请求过于频繁,请稍后再试 / too many requests from "
                          "this device, try again later", exc.retry_after) from exc

    def id_number(self, number: str) -> None:
        key = hmac.new(self._key, normalise_id(number).encode(), hashlib.sha256).hexdigest()
        try:
            self.ids.take(key)
        except RateLimited as exc:
            raise TooMany("rate_limited_id", "此证件号操作过于频繁,请稍后再试 / too many "
                          "requests for this ID number, try again later",
                          exc.retry_after) from exc
