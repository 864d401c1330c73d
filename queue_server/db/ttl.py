"""A small per-process cache whose entries live a few seconds: the hall's settings, its
service rows and the inputs of the wait estimate, which every busy request reads and which
change rarely (or matter only as an estimate)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from time import monotonic
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, seconds: float, limit: int = 10_000) -> None:
        self.seconds = seconds
        self.limit = limit
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> tuple[bool, V | None]:
        """(True, value) while the entry is fresh, else (False, None)."""
        hit = self._entries.get(key)
        if hit is not None and hit[0] > monotonic():
            return True, hit[1]
        return False, None

    def put(self, key: K, value: V) -> V:
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[key] = (monotonic() + self.seconds, value)
        return value

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def forget(self, which: Callable[[K], bool] | None = None) -> None:
        """Drop every entry, or those whose key `which` picks."""
        if which is None:
            self._entries.clear()
            return
        for key in [k for k in self._entries if which(k)]:
            self._entries.pop(key, None)
