"""The staff corner of a kiosk: reached by a long press and a PIN, it shows the devices' health
and the server link, and is the only way out of the full-screen app.

The PIN is stored in the terminal's configuration as `scrypt$n$r$p$salt_hex$hash_hex`
(`hash_pin`); an empty hash keeps the corner locked.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from kiosk.port import StepPort
from kiosk.states import ADMIN, ADMIN_PIN

MAX_TRIES = 5
LOCKOUT_S = 300.0


def hash_pin(pin: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(bytes.fromhex(digest)))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(digest))


class Admin:
    def __init__(self, port: StepPort) -> None:
        self.port = port
        self.health: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._failures = 0
        self._locked_until = 0.0

    def open(self) -> None:
        """The long press on the corner."""
        self.port.touch()
        self.port.go(ADMIN_PIN, "" if self.port.admin_pin_hash else "admin_no_pin")

    def unlock(self, pin: str) -> None:
        port = self.port
        port.touch()
        stored = port.admin_pin_hash
        if time.monotonic() < self._locked_until:
            port.say("admin_locked")
            return
        if not stored or not pin:
            port.say("admin_no_pin" if not stored else "admin_wrong")
            return

        def done(ok: bool) -> None:  # scrypt takes ~50 ms: kept off the GUI thread
            if ok:
                self._failures = 0
                port.go(ADMIN)
                self.refresh()
                return
            self._failures += 1
            if self._failures >= MAX_TRIES:
                self._failures, self._locked_until = 0, time.monotonic() + LOCKOUT_S
            port.say("admin_wrong")

        port.runner.submit(lambda: verify_pin(pin, stored), done)

    def refresh(self) -> None:
        devices = self.port.devices

        def done(result: tuple[dict[str, str], dict[str, str]]) -> None:
            self.health, self.errors = result
            self.port.emit_changed()

        self.port.runner.submit(lambda: (devices.health(), devices.errors()), done, keep=True)

    @property
    def server_url(self) -> str:
        """The server's address; empty while zeroconf is still looking."""
        return self.port.link.url

    @property
    def machine_id(self) -> str:
        return self.port.machine_id

    @property
    def device_urls(self) -> dict[str, str]:
        return dict(self.port.devices.urls)

    def quit(self) -> None:
        if self.port.state == ADMIN:
            self.port.request_quit()
