"""Keyboard-style (USB HID) rating pads: each button is a key; a key map turns key presses into
levels. Sources: a Linux evdev device (`keys:///dev/input/eventN`, raw `struct input_event`
records) or text lines, one key name or digit a line (`keys://stdin`, `keys:///path?format=text`).
"""

from __future__ import annotations

import os
import select
import struct
import sys
import time
from collections import deque

from devices.errors import BadAddress, DeviceUnavailable
from devices.health import Health, HealthState
from devices.pad.protocol import Rating
from devices.transport import DeviceUrl, check_options
from devices.turns import FairLock

KEYS_FORM = "keys:///dev/input/event3[?map=KEY_KP1:1,KEY_KP2:2,…&format=evdev|text], keys://stdin"
EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux: timeval, type, code, value
EV_KEY, PRESS = 1, 1
KEY_CODES: dict[str, int] = {
    "KEY_1": 2, "KEY_2": 3, "KEY_3": 4, "KEY_4": 5, "KEY_5": 6,
    "KEY_KP1": 79, "KEY_KP2": 80, "KEY_KP3": 81, "KEY_KP4": 75, "KEY_KP5": 76,
    "KEY_F1": 59, "KEY_F2": 60, "KEY_F3": 61, "KEY_F4": 62, "KEY_F5": 63,
    "KEY_A": 30, "KEY_B": 48, "KEY_C": 46, "KEY_D": 32, "KEY_E": 18,
}
DEFAULT_MAP = {**{f"KEY_{i}": i for i in range(1, 6)}, **{f"KEY_KP{i}": i for i in range(1, 6)}}


def parse_key_map(text: str | None) -> dict[int, int]:
    """`KEY_KP1:1,KEY_KP2:2` (names or numeric codes) -> {key code: level}."""
    pairs = DEFAULT_MAP.items() if not text else [_pair(item) for item in text.split(",")]
    mapping: dict[int, int] = {}
    for key, level in pairs:
        code = int(key) if str(key).isdigit() else KEY_CODES.get(str(key).upper())
        if code is None:
            raise BadAddress(f"unknown key {key!r} in map; known: {', '.join(KEY_CODES)} or a code; "
                             f"expected {KEYS_FORM}")
        mapping[code] = int(level)
    return mapping


def _pair(item: str) -> tuple[str, int]:
    key, _, level = item.partition(":")
    if not level.isdigit() or not 1 <= int(level) <= 5:
        raise BadAddress(f"map entry {item!r} is not KEY:LEVEL with LEVEL 1..5; expected {KEYS_FORM}")
    return key.strip(), int(level)


def decode_events(data: bytes) -> tuple[list[int], bytes]:
    """Key codes pressed in raw evdev bytes, and the incomplete tail."""
    whole = len(data) - len(data) % EVENT.size
    codes = [code for _, _, kind, code, value in EVENT.iter_unpack(data[:whole])
             if kind == EV_KEY and value == PRESS]
    return codes, data[whole:]


def encode_press(code: int, when: float = 0.0) -> bytes:
    """Raw evdev bytes of one key press and release (for tests and simulators)."""
    sec, usec = int(when), int((when % 1) * 1e6)
    return EVENT.pack(sec, usec, EV_KEY, code, 1) + EVENT.pack(sec, usec, EV_KEY, code, 0)


def decode_text_keys(line: str) -> int | None:
    """A key code from a text line: a key name (`KEY_KP3`), a code (`#81`) or a digit 1..5."""
    word = line.strip().upper()
    if len(word) == 1 and word in "12345":
        return KEY_CODES[f"KEY_{word}"]
    if word.startswith("#") and word[1:].isdigit():
        return int(word[1:])
    return KEY_CODES.get(word)


class KeyPad:
    """`read_rating(timeout)` from key presses; `show_rating_page` is a no-op (no screen)."""

    def __init__(self, url: DeviceUrl) -> None:
        check_options(url, {"map": "KEY:LEVEL,…", "format": "evdev or text"}, KEYS_FORM)
        self.address = url.raw
        self.mapping = parse_key_map(url.options.get("map"))
        self.source = "stdin" if url.host == "stdin" else url.path
        if not self.source or (url.host and url.host != "stdin"):
            raise BadAddress(f"no key source in {url.raw!r}; expected {KEYS_FORM}")
        fmt = url.options.get("format", "text" if self.source == "stdin" else "evdev")
        if fmt not in ("evdev", "text"):
            raise BadAddress(f"format={fmt!r} in {url.raw!r}; expected {KEYS_FORM}")
        self.text = fmt == "text"
        self._health = HealthState(f"pad {url.raw}")
        self._fd: int | None = None
        self._tail = b""
        self._presses: deque[int] = deque()
        self._lock = FairLock()  # the reader polls in a loop: close must get its turn
        self._open()

    @property
    def health(self) -> Health:
        return self._health.value

    def _open(self) -> bool:
        try:
            self._fd = sys.stdin.fileno() if self.source == "stdin" else os.open(self.source, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            self._health.set(Health.OFFLINE, str(exc))
            return False
        self._tail = b""
        self._health.set(Health.ONLINE, "key source open")
        return True

    def _close_fd(self) -> None:
        if self._fd is not None and self.source != "stdin":
            os.close(self._fd)
        self._fd = None

    def _read_some(self, wait: float) -> None:
        if self._fd is None and not self._open():
            time.sleep(wait)
            return
        assert self._fd is not None
        ready, _, _ = select.select([self._fd], [], [], wait)
        if not ready:
            return
        try:
            data = os.read(self._fd, 4096)
        except BlockingIOError:
            return
        except OSError as exc:  # ENODEV: the pad was unplugged
            self._close_fd()
            self._health.set(Health.OFFLINE, str(exc))
            return
        if not data:  # end of a file or a FIFO with no writer: wait for more
            time.sleep(min(wait, 0.05))
            return
        if self.text:
            lines = (self._tail + data).split(b"\n")
            self._tail = lines.pop()
            found = [decode_text_keys(line.decode("utf-8", "replace")) for line in lines]
            self._presses.extend(c for c in found if c is not None)
        else:
            codes, self._tail = decode_events(self._tail + data)
            self._presses.extend(codes)

    def read_rating(self, timeout: float) -> Rating | None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                while self._presses:
                    level = self.mapping.get(self._presses.popleft())
                    if level is not None:
                        return Rating(level)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if self._fd is None:
                        raise DeviceUnavailable(f"key pad {self.source} is gone")
                    return None
                self._read_some(min(remaining, 0.2))

    def show_rating_page(self, ticket_number: str) -> None:
        """A key pad has no screen; the on-screen pad role shows the page instead."""

    def close(self) -> None:
        with self._lock:
            self._close_fd()
            self._health.set(Health.OFFLINE, "closed")
