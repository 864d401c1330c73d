"""Device addresses as strict URL strings, and opening serial-like ports from them.

`serial:///dev/ttyUSB0?baudrate=115200` opens a local port; every other scheme pyserial knows
(`loop://`, `socket://host:port`, `spy://…`, `rfc2217://…`, `hwgrep://…`) is handed to
`serial.serial_for_url` as it is. A wrong URL or option raises `BadAddress` whose message shows
the expected form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import serial

from devices.errors import BadAddress, DeviceUnavailable

SERIAL_FORM = "serial:///dev/ttyUSB0?baudrate=115200[&parity=N&bytesize=8&stopbits=1]"
PYSERIAL_SCHEMES = ("loop", "socket", "spy", "rfc2217", "hwgrep", "alt", "cp2110")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


@dataclass(frozen=True)
class DeviceUrl:
    """A parsed device address: `scheme://host/path?key=value&…`."""

    raw: str
    scheme: str
    host: str
    path: str
    options: dict[str, str] = field(default_factory=dict)


def parse_url(url: str, form: str) -> DeviceUrl:
    """Split a device URL; `form` is the expected form shown when the URL is malformed."""
    if not isinstance(url, str) or "://" not in url:
        raise BadAddress(f"not a device URL: {url!r}; expected {form}")
    parts = urlsplit(url)
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise BadAddress(f"bad options in {url!r}; expected {form}") from exc
    options: dict[str, str] = {}
    for key, value in pairs:
        if key in options:
            raise BadAddress(f"option {key!r} given twice in {url!r}; expected {form}")
        options[key] = value
    return DeviceUrl(url, parts.scheme.lower(), parts.netloc, parts.path, options)


def check_options(url: DeviceUrl, allowed: Mapping[str, str], form: str) -> None:
    """Refuse options not in `allowed` (name -> description), showing the expected form."""
    unknown = sorted(set(url.options) - set(allowed))
    if unknown:
        known = ", ".join(f"{k} ({v})" for k, v in allowed.items()) or "none"
        raise BadAddress(
            f"unknown option {unknown[0]!r} in {url.raw!r}; known options: {known}; expected {form}"
        )


def number_option(url: DeviceUrl, name: str, default: float, form: str,
                  low: float = 0.0, high: float = 3600.0) -> float:
    """A numeric option within [low, high], or `default` when absent."""
    text = url.options.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise BadAddress(f"option {name}={text!r} is not a number in {url.raw!r}; expected {form}") from exc
    if not low <= value <= high:
        raise BadAddress(f"option {name}={text} outside {low:g}..{high:g} in {url.raw!r}; expected {form}")
    return value


SERIAL_OPTIONS = {
    "baudrate": "bits per second, e.g. 115200",
    "bytesize": "5-8",
    "parity": "N, E, O, M or S",
    "stopbits": "1, 1.5 or 2",
}


def serial_settings(url: DeviceUrl, default_baudrate: int) -> dict[str, Any]:
    """Port settings from the options of a `serial://` URL."""
    check_options(url, SERIAL_OPTIONS, SERIAL_FORM)
    baud = int(number_option(url, "baudrate", default_baudrate, SERIAL_FORM, 50, 4_000_000))
    settings: dict[str, Any] = {"baudrate": baud}
    if "bytesize" in url.options:
        size = url.options["bytesize"]
        if size not in ("5", "6", "7", "8"):
            raise BadAddress(f"bytesize={size!r} in {url.raw!r}; expected 5-8: {SERIAL_FORM}")
        settings["bytesize"] = int(size)
    if "parity" in url.options:
        parity = url.options["parity"].upper()
        if parity not in ("N", "E", "O", "M", "S"):
            raise BadAddress(f"parity={parity!r} in {url.raw!r}; expected N/E/O/M/S: {SERIAL_FORM}")
        settings["parity"] = parity
    if "stopbits" in url.options:
        stop = url.options["stopbits"]
        if stop not in ("1", "1.5", "2"):
            raise BadAddress(f"stopbits={stop!r} in {url.raw!r}; expected 1, 1.5 or 2: {SERIAL_FORM}")
        settings["stopbits"] = float(stop) if stop == "1.5" else int(stop)
    return settings


def is_serial_url(url: str) -> bool:
    """True for the addresses `open_serial` accepts."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme == "serial" or scheme in PYSERIAL_SCHEMES


def serial_target(url: str, default_baudrate: int = 115200) -> tuple[str, dict[str, Any]]:
    """What to hand to `serial.serial_for_url` for a URL, checked without opening anything."""
    parsed = parse_url(url, SERIAL_FORM)
    if parsed.scheme == "serial":
        if parsed.host or not parsed.path:
            raise BadAddress(f"serial URL needs an absolute path: {url!r}; expected {SERIAL_FORM}")
        return parsed.path, serial_settings(parsed, default_baudrate)
    if parsed.scheme in PYSERIAL_SCHEMES:
        return url, {"baudrate": default_baudrate}
    raise BadAddress(f"unknown port scheme {parsed.scheme!r} in {url!r}; expected {SERIAL_FORM} "
                     f"or a pyserial URL ({', '.join(s + '://' for s in PYSERIAL_SCHEMES)})")


def open_serial(url: str, *, default_baudrate: int = 115200, timeout: float = 0.05) -> serial.SerialBase:
    """Open a serial-like port from a URL; `DeviceUnavailable` when it cannot be opened."""
    target, settings = serial_target(url, default_baudrate)
    try:
        return serial.serial_for_url(target, timeout=timeout, write_timeout=2.0, **settings)
    except (ValueError, KeyError) as exc:
        # pyserial 3.5's URL handlers raise KeyError while formatting their own "expected" text
        raise BadAddress(f"bad option in {url!r}: {exc}; expected {SERIAL_FORM} or a pyserial "
                         "URL such as loop://, socket://host:port") from exc
    except (serial.SerialException, OSError) as exc:
        if "expected a string in the form" in str(exc):
            raise BadAddress(f"{url!r}: {exc}") from exc
        raise DeviceUnavailable(f"cannot open {url}: {exc}") from exc
