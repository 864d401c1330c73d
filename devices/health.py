"""A device's health as a small state, with transitions logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum

log = logging.getLogger("devices.health")


class Health(str, Enum):  # noqa: UP042 (str() of members is relied upon as is)
    ONLINE = "online"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"

    @property
    def usable(self) -> bool:
        return self in (Health.ONLINE, Health.PAPER_LOW)


class HealthState:
    """Holds one device's health; logs and reports only changes ("printer K3: online -> paper_out")."""

    def __init__(self, name: str, on_change: Callable[[Health, Health], None] | None = None) -> None:
        self.name = name
        self._value = Health.OFFLINE
        self._on_change = on_change
        self._lock = threading.Lock()

    @property
    def value(self) -> Health:
        return self._value

    def set(self, new: Health, why: str = "") -> None:
        with self._lock:
            old, self._value = self._value, new
        if old is not new:
            log.info("%s: %s -> %s%s", self.name, old.value, new.value, f" ({why})" if why else "")
            if self._on_change is not None:
                self._on_change(old, new)
