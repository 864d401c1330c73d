"""The few-seconds cache behind hall settings, service rows and the wait estimate."""

from __future__ import annotations

import time

from queue_server.db.ttl import TtlCache


def test_entries_expire_are_forgotten_and_absence_is_kept() -> None:
    cache: TtlCache[tuple[str, str], int | None] = TtlCache(0.2, limit=3)
    assert cache.get(("h", "a")) == (False, None)
    cache.put(("h", "a"), 1)
    cache.put(("h", "none"), None)  # "no such row" is an answer too
    cache.put(("g", "b"), 2)
    assert cache.get(("h", "a")) == (True, 1) and cache.get(("h", "none")) == (True, None)
    cache.forget(lambda key: key[0] == "h")
    assert cache.get(("h", "a")) == (False, None) and cache.get(("g", "b")) == (True, 2)
    time.sleep(0.25)
    assert cache.get(("g", "b")) == (False, None)
    for i in range(4):  # over the limit: it starts afresh instead of growing
        cache.put(("x", str(i)), i)
    assert cache.get(("x", "0")) == (False, None) and cache.get(("x", "3")) == (True, 3)
