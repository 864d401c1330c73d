"""The ticket printer driver: `open_printer(url, profile)` -> `TicketPrinter`.

Before and after each ticket it asks the printer's real-time status (flush input, DLE EOT n,
one byte with a short timeout); no answer is offline. A failed print raises a `DeviceError`
subclass to the caller, who keeps the number on screen. A lost transport is reopened by itself
on a later call, with backoff.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from devices.errors import BadAddress, DeviceError, DeviceUnavailable, NotReady, ProtocolError
from devices.health import Health, HealthState
from devices.printer import status as st
from devices.printer.layout import TicketLayout, ticket_bytes
from devices.printer.profiles import load_profile
from devices.printer.simulator import PrinterSimulator
from devices.printer.transports import (
    FileTransport,
    SerialTransport,
    SimTransport,
    TcpTransport,
    Transport,
    UsbTransport,
)
from devices.simctl import serve_for

log = logging.getLogger("devices.printer")
FORMS = (
    "sim://printer[?paper=out|low&cover=open&control=SOCKET], file:///path, serial:///dev/ttyUSB0[?baudrate=N], "
    "usb://0x0416:0x5011[?in_ep=0x81&out_ep=0x03], tcp://host:9100 (each may add "
    "?profile=NAME, a python-escpos printer profile such as ZJ-5870, and width=58|80, the paper "
    "in mm)"
)
PYSERIAL_SCHEMES = ("loop", "socket", "spy", "rfc2217", "hwgrep", "alt")
_T = TypeVar("_T")
BEFORE, AFTER = "before printing", "after printing"  # the two status checks of a ticket
STATUS_TIMEOUT = 0.3  # seconds for one status byte; a printer answers within milliseconds


class TicketPrinter:
    def __init__(self, name: str, connect: Callable[[], Transport], profile: str = "default",
                 status_timeout: float = STATUS_TIMEOUT, width_mm: int | None = None) -> None:
        self.name = name
        self.width_mm = width_mm  # the paper loaded, when the URL says; else the ticket's own
        self.profile = load_profile(profile)
        self.status_timeout = status_timeout
        self.health = HealthState(f"printer {name}")
        self._connect = connect
        self._transport: Transport | None = None
        self._lock = threading.RLock()
        self._retry_at = 0.0
        self._last_error = ""
        self._backoff = 0.5
        self.on_close: Callable[[], None] | None = None  # e.g. a simulator's control socket

    # --- transport with reconnect ----------------------------------------------------------
    def _port(self) -> Transport:
        if self._transport is not None:
            return self._transport
        if time.monotonic() < self._retry_at:
            raise DeviceUnavailable(f"{self._last_error} (next try in {self._backoff:.0f} s)")
        try:
            self._transport = self._connect()
        except DeviceUnavailable as exc:
            self._last_error = str(exc)
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, 30.0)
            self.health.set(Health.OFFLINE, "cannot connect")
            raise
        self._backoff = 0.5
        return self._transport

    def _lost(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    # --- status ------------------------------------------------------------------------------
    def read_status(self) -> st.PrinterStatus | None:
        """The decoded real-time status; None when the transport cannot tell (a plain file)."""
        with self._lock:
            try:
                port = self._port()
                if not port.answers_status:
                    return None
                return self._query(port)
            except DeviceUnavailable:
                self._lost()
                return st.NO_ANSWER

    def _query(self, port: Transport) -> st.PrinterStatus:
        answers: dict[int, int | None] = {}
        for n in st.QUERIES:
            answers[n] = self._ask(port, n)
            if answers[n] is None:
                return st.NO_ANSWER  # do not wait for the rest of a silent printer
        if st.needs_error_cause(answers[st.OFFLINE_CAUSE]):
            answers[st.ERROR_CAUSE] = self._ask(port, st.ERROR_CAUSE)
        try:
            return st.decode(answers)
        except ProtocolError:
            log.warning("printer %s: invalid status answer %r, asking again", self.name, answers)
            again = {n: self._ask(port, n) for n in answers}
            return st.decode(again)

    def _ask(self, port: Transport, n: int) -> int | None:
        port.flush_input()  # stale answers, or bytes that image data made the printer send
        port.write(st.query(n))
        return port.read_byte(self.status_timeout)

    def status(self) -> Health:
        try:
            found = self.read_status()
        except ProtocolError:
            self.health.set(Health.ERROR, "invalid status answers")
            return Health.ERROR
        except DeviceError as exc:
            self.health.set(Health.OFFLINE, str(exc))
            return Health.OFFLINE
        health = Health.ONLINE if found is None else found.health
        self.health.set(health)
        return health

    # --- printing ----------------------------------------------------------------------------
    def print_ticket(self, ticket: TicketLayout) -> None:
        """Print one ticket or raise: NotReady (paper out, cover open, an offline or error state
        the printer reports; `interrupted` when it stopped during this ticket), DeviceUnavailable
        (no answer, transport lost), PermanentFault (cutter, unrecoverable), DeviceTimeout,
        ProtocolError."""
        if self.width_mm is not None and ticket.width_mm != self.width_mm:
            ticket = dataclasses.replace(ticket, width_mm=self.width_mm)
        data = ticket_bytes(ticket, self.profile)
        with self._lock:
            port = self._io(self._port)
            self._check(port, BEFORE)
            self._io(lambda: port.write(data))
            self._check(port, AFTER)

    def _io(self, action: Callable[[], _T]) -> _T:
        """Run a transport action; a lost transport is dropped, to be reopened next time."""
        try:
            return action()
        except DeviceUnavailable:
            self._lost()
            raise

    def _check(self, port: Transport, when: str) -> None:
        if not port.answers_status:
            self.health.set(Health.ONLINE)
            return
        found = self._io(lambda: self._query(port))
        self.health.set(found.health, when)
        problem = found.problem()
        if isinstance(problem, NotReady):
            # it passed the check before the job: stopping now means it stopped during it (the
            # paper ran out half-way), and the ticket that came out may be cut short
            raise NotReady(f"{problem} ({when}; printer {self.name})", problem.health,
                           interrupted=when == AFTER)
        if problem is not None:
            raise type(problem)(f"{problem} ({when}; printer {self.name})")

    def close(self) -> None:
        with self._lock:
            self._lost()
        if self.on_close is not None:
            self.on_close()


def open_printer(url: str, profile: str = "default") -> TicketPrinter:
    """Open a ticket printer by URL (see FORMS). A `profile=` option in the URL (a python-escpos
    profile name such as ZJ-5870) wins over the argument. A wrong URL raises BadAddress at once;
    a printer that is unplugged right now is retried by the first status() or print_ticket()."""
    connect, options = _connector(url)
    timeout = _number(options, "status_timeout", STATUS_TIMEOUT, url)
    width = options.get("width")
    if width is not None and width not in ("58", "80"):
        raise BadAddress(f"width={width} in {url!r}: the paper is 58 or 80 (mm)")
    printer = TicketPrinter(url, connect, options.get("profile", profile), status_timeout=timeout,
                            width_mm=int(width) if width else None)
    simulator = getattr(connect, "simulator", None)
    if simulator is None and "control" in options:
        raise BadAddress(f"control= is for the simulator (sim://printer?control=SOCKET), not {url!r}")
    if simulator is not None:
        printer.simulator = simulator  # type: ignore[attr-defined]  # as reader.simulator, pad.simulator
        control = serve_for(options, simulator.controls(), simulator.lock)
        printer.on_close = control.close if control else None
    try:
        printer._port()
    except DeviceUnavailable as exc:
        log.warning("printer %s not available yet: %s", url, exc)
    return printer


def _connector(url: str) -> tuple[Callable[[], Transport], dict[str, str]]:
    if not isinstance(url, str) or "://" not in url:
        raise BadAddress(f"not a printer URL: {url!r}; expected one of {FORMS}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in PYSERIAL_SCHEMES:  # the query belongs to pyserial
        return (lambda: SerialTransport(url, {}, 30.0)), {}
    try:
        options = dict(parse_qsl(parts.query, strict_parsing=bool(parts.query)))
    except ValueError as exc:
        raise BadAddress(f"bad options in {url!r}; expected one of {FORMS}") from exc
    common: dict[str, str] = {k: options.pop(k) for k in ("profile", "status_timeout", "control", "width")
                              if k in options}
    connect = _transport(url, scheme, parts, options, common.get("profile"))
    return connect, common


def _transport(url: str, scheme: str, parts: SplitResult, options: dict[str, str],
               profile: str | None) -> Callable[[], Transport]:
    if scheme == "sim":
        if parts.netloc != "printer":
            raise BadAddress(f"simulator URL must be sim://printer[?knobs], not {url!r}")
        if profile is not None and not load_profile(profile).cutter:
            options.setdefault("cutter", "none")  # the simulated printer is that model
        sim = PrinterSimulator(urlencode(options))

        def connect() -> Transport:
            return SimTransport(sim)

        connect.simulator = sim  # type: ignore[attr-defined]
        return connect
    if scheme == "file":
        _only(options, url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            # file://tmp/t.bin names host "tmp": the job would go to /t.bin, not where meant
            raise BadAddress(f"file URL needs an absolute path after three slashes: {url!r}; "
                             "expected file:///path/to/file")
        return lambda: FileTransport(parts.path)
    write_timeout = _number(options, "write_timeout", 30.0, url)
    if scheme == "tcp":
        _only(options, url, "write_timeout", "connect_timeout")
        if not parts.hostname:
            raise BadAddress(f"no host in {url!r}; expected tcp://host:9100")
        host, port = parts.hostname, parts.port or 9100
        connect_timeout = _number(options, "connect_timeout", 3.0, url)
        return lambda: TcpTransport(host, port, connect_timeout, write_timeout)
    if scheme == "usb":
        return _usb(url, parts.netloc, options, write_timeout)
    if scheme == "serial":
        _only(options, url, "write_timeout", "baudrate", "rtscts", "xonxoff")
        settings = {"baudrate": int(_number(options, "baudrate", 9600, url)),
                    "rtscts": options.get("rtscts") == "1", "xonxoff": options.get("xonxoff") == "1"}
        return lambda: SerialTransport(parts.path, settings, write_timeout)
    raise BadAddress(f"unknown printer URL scheme {scheme!r} in {url!r}; expected one of {FORMS}")


def _usb(url: str, netloc: str, options: dict[str, str], write_timeout: float) -> Callable[[], Transport]:
    _only(options, url, "write_timeout", "in_ep", "out_ep")
    try:
        vid, pid = (int(x, 16) for x in netloc.split(":"))
        in_ep, out_ep = int(options.get("in_ep", "0x82"), 16), int(options.get("out_ep", "0x01"), 16)
    except ValueError as exc:
        raise BadAddress(f"bad USB address {url!r}; expected usb://0x0416:0x5011") from exc
    return lambda: UsbTransport(vid, pid, in_ep, out_ep, write_timeout)


def _only(options: dict[str, str], url: str, *allowed: str) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(("profile", "status_timeout", *allowed))
        raise BadAddress(f"unknown option {unknown[0]!r} in {url!r}; allowed: {known}")


def _number(options: dict[str, str], key: str, default: float, url: str) -> float:
    try:
        value = float(options.get(key, default))
    except ValueError as exc:
        raise BadAddress(f"option {key} in {url!r} must be a number") from exc
    if value <= 0:
        raise BadAddress(f"option {key} in {url!r} must be positive")
    return value
