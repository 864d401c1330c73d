"""Evaluation pads (评价器): serial pads speaking protocol v1 (docs/pad-protocol.md), keyboard-style
pads through a key map, and a simulator. `open_pad(url)` gives a `RatingPad`."""

from __future__ import annotations

from typing import Protocol

import serial

from devices.errors import BadAddress, DeviceError, DeviceUnavailable
from devices.health import Health
from devices.pad.protocol import Rating

PAD_URLS = "sim://pad[?every=3], serial:///dev/ttyUSB1, keys:///dev/input/event3?map=KEY_KP1:1,…, keys://stdin"


class RatingPad(Protocol):
    @property
    def health(self) -> Health: ...

    def read_rating(self, timeout: float) -> Rating | None: ...

    def show_rating_page(self, ticket_number: str) -> None: ...

    def close(self) -> None: ...


def open_pad(url: str) -> RatingPad:
    """A pad from its URL; an absent serial pad is offline, not an error (it reconnects)."""
    import contextlib
    import time

    from devices.pad.keys import KeyPad
    from devices.pad.serial_pad import SerialPad
    from devices.pad.simulator import pad_simulator_from_options
    from devices.simctl import serve_for
    from devices.simlink import SimPort
    from devices.transport import is_serial_url, open_serial, parse_url, serial_target

    parsed = parse_url(url, PAD_URLS)
    if parsed.scheme == "keys":
        return KeyPad(parsed)
    if parsed.scheme == "sim":
        if parsed.host != "pad" or parsed.path not in ("", "/"):
            raise BadAddress(f"not a pad simulator URL: {url!r}; expected sim://pad?every=3")
        sim = pad_simulator_from_options(parsed.options, url)

        def sim_port() -> SimPort:
            try:
                return SimPort(sim)
            except serial.SerialException as exc:
                raise DeviceUnavailable(f"simulated pad: {exc}") from exc

        pad = SerialPad(url, sim_port)
        pad.simulator = sim  # type: ignore[attr-defined]
        control = serve_for(parsed.options, sim.controls())
        pad.on_close = control.close if control else None
    elif is_serial_url(url):
        serial_target(url, 9600)
        pad = SerialPad(url, lambda: open_serial(url, default_baudrate=9600))
    else:
        raise BadAddress(f"unknown pad URL {url!r}; expected {PAD_URLS}")
    with contextlib.suppress(DeviceError):
        pad.supervisor.run(lambda port: None, time.monotonic())
    return pad


__all__ = ["PAD_URLS", "Rating", "RatingPad", "open_pad"]
