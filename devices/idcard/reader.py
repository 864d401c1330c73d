"""The ID card reader driver: find → select → read (30 01, then 30 03 for an appended address)
over any serial-like port, with per-command timeouts, debouncing of a card that stays on the
antenna, and reconnection through the supervisor. The photo stays in memory only."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import termios
import time
from collections.abc import Callable
from typing import Protocol

import serial

from devices.errors import BadAddress, DeviceError, DeviceTimeout, DeviceUnavailable, ProtocolError
from devices.health import Health, HealthState
from devices.idcard.card import CardDataError, IdCard, decode_appended_address, decode_text
from devices.idcard.photo import PhotoUnavailable, decode_photo
from devices.idcard.protocol import (
    Answer,
    CardReadError,
    Command,
    FrameParser,
    Status,
    decode_sam_id,
    encode_command,
    parse_answer,
    split_read,
    status_error,
)
from devices.simlink import SimEngine
from devices.supervisor import Supervisor
from devices.turns import FairLock

PORT_ERRORS = (serial.SerialException, OSError, termios.error)
log = logging.getLogger("devices.idcard")

SHORT_TIMEOUT = 0.5   # status, find, select: a reader answers within tens of ms
READ_TIMEOUT = 2.0    # 1295 bytes: 0.11 s at 115200, 1.35 s at 9600
POLL_INTERVAL = 0.2   # between finds while waiting for a card
MIN_WAIT = 0.05       # the least a capped question waits for its answer
URL_FORMS = ("sim://idcard[?cards=FILE&…], serial:///dev/ttyUSB0?baudrate=115200, loop://, "
             "socket://host:port, usb://0x0400:0xc35a")


class Port(Protocol):
    timeout: float | None

    def write(self, data: bytes) -> int | None: ...

    def read(self, size: int = 1) -> bytes: ...

    @property
    def in_waiting(self) -> int: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


class GarbledAnswer(ProtocolError):
    """Bytes came back but no valid frame: a checksum failed or the frame stopped mid-way."""


def transact(port: Port, command: Command, timeout: float, gap: float = 0.1,
             data: bytes = b"") -> Answer:
    """Send one command and wait for one answer frame.

    A frame dropped by the parser, or bytes that stop arriving for `gap` s mid-frame, raise
    GarbledAnswer at once instead of waiting out the timeout. Transport errors become
    DeviceUnavailable.
    """
    try:
        port.reset_input_buffer()
        port.write(encode_command(command, data))
    except PORT_ERRORS as exc:
        raise DeviceUnavailable(f"ID card reader port failed: {exc}") from exc
    return read_answer(port, timeout, gap, command.name)


def read_answer(port: Port, timeout: float, gap: float = 0.1, name: str = "a command") -> Answer:
    """Wait up to `timeout` s for one answer frame on `port` (see transact)."""
    parser = FrameParser()
    try:
        deadline = time.monotonic() + timeout
        last_byte = time.monotonic()
        while time.monotonic() < deadline:
            chunk = port.read(max(1, port.in_waiting))
            now = time.monotonic()
            if chunk:
                last_byte = now
            bodies = parser.feed(chunk)
            if bodies:
                return parse_answer(bodies[0])
            if parser.dropped and not parser.pending():
                raise GarbledAnswer(f"garbled answer to {name}")
            if parser.pending() and now - last_byte > gap:
                raise GarbledAnswer(f"answer to {name} stopped after {parser.pending()} bytes")
    except PORT_ERRORS as exc:
        raise DeviceUnavailable(f"ID card reader port failed: {exc}") from exc
    raise DeviceTimeout(f"ID card reader did not answer {name} within {timeout:g} s")


class IdCardReader:
    """`read_card(timeout)`, `sam_id()`, `health`, `close()` over a port that `opener` opens."""

    def __init__(self, address: str, opener: Callable[[], Port], *,
                 poll_interval: float = POLL_INTERVAL) -> None:
        self.address = address
        self.poll_interval = poll_interval
        self._opener = opener
        self._health = HealthState(f"idcard {address}")
        self.supervisor: Supervisor[Port] = Supervisor(self._health, self._connect, self._disconnect)
        # The number of the card on the antenna since it was read: a card that stays is read
        # once; it counts again only after a "no card" answer (removed) or forget().
        self._present: str | None = None
        self._photo: bytes | None = None
        self._lock = FairLock()  # read_card polls in a loop: a SAM query must get its turn
        # While read_card waits: its deadline, which caps how long a question that finds out
        # whether anyone is there (SAM status on connecting, find card) waits for silence.
        self._until: float | None = None
        self._found = False  # this poll's find answered "card found"
        # A capped question cut short is still owed its answer: answers do not name their
        # command, so a late one read as the next command's answer shifts every answer after
        # it by one (a reader answering in 60 ms failed every card). (port, command, until)
        self._owed: tuple[Port, Command, float] | None = None
        # Why the last read_card found a card but returned none (moved, unreadable, the reader
        # garbling its answers), for a caller that reports it; None when no card was there.
        self.last_problem: str | None = None
        self.port: Port | None = None
        self.on_close: Callable[[], None] | None = None  # e.g. a simulator's control socket

    # -- connection -----------------------------------------------------------------------
    def _connect(self) -> Port:
        port = self._opener()
        try:
            self._command(port, Command.SAM_STATUS, SHORT_TIMEOUT, "SAM status", capped=True)
        except Exception:
            port.close()
            raise
        self.port = port
        return port

    def _disconnect(self, port: Port) -> None:
        with contextlib.suppress(*PORT_ERRORS):
            port.close()
        self.port = None

    @property
    def health(self) -> Health:
        return self._health.value

    def close(self) -> None:
        with self._lock:
            self._photo, self._present = None, None
            self.supervisor.close()
        if self.on_close is not None:
            self.on_close()

    # -- commands -------------------------------------------------------------------------
    def _command(self, port: Port, command: Command, timeout: float, doing: str,
                 accept: tuple[int, ...] = (Status.SUCCESS,), *, capped: bool = False) -> Answer:
        """One command: up to 3 tries after garbled answers, 2 after silence; SW3 errors raised.
        `capped`: no try waits past read_card's deadline (a silent reader does not stretch
        the caller's timeout); the reads of a card found go on with their own time."""
        answer: Answer | None = None
        for attempt in range(3):
            wait = timeout
            if capped and self._until is not None:
                wait = min(timeout, max(MIN_WAIT, self._until - time.monotonic()))
            answer = self._late_answer(port, command, wait)
            if answer is not None:
                break
            asked = time.monotonic()
            try:
                answer = transact(port, command, wait)
                break
            except GarbledAnswer:
                time.sleep(0.01 * attempt)  # let the line go quiet before asking again
            except DeviceTimeout:
                if wait < timeout:  # cut short by the caller's deadline: the answer may come
                    self._owed = (port, command, asked + timeout)
                if attempt or wait < timeout:
                    raise
        if answer is None:
            raise DeviceTimeout(f"{doing}: no valid answer in 3 attempts")
        if answer.sw3 not in accept:
            raise status_error(answer.sw3, doing)
        return answer

    def _late_answer(self, port: Port, command: Command, budget: float) -> Answer | None:
        """Before asking anything, wait (within `budget` s) for the answer still owed to a
        question cut short. Answers it when it was the same question, else discards it.
        Raises DeviceTimeout when the budget ends first: nothing may be asked meanwhile."""
        if self._owed is None:
            return None
        owed_port, owed, until = self._owed
        if owed_port is not port:  # reconnected since: the old port's answer went with it
            self._owed = None
            return None
        stop = min(until, time.monotonic() + budget)
        try:
            answer = read_answer(port, max(0.0, stop - time.monotonic()))
        except GarbledAnswer:
            answer = None
        except DeviceTimeout:
            if time.monotonic() < until:
                raise DeviceTimeout(f"ID card reader has not yet answered {owed.name}") from None
            answer = None  # it never came: the line is clear
        self._owed = None
        port.reset_input_buffer()
        return answer if owed is command else None

    def sam_status(self, timeout: float = 2.0) -> None:
        """Check the security module; raises ReaderFault (permanent) when it is broken."""
        with self._lock:
            self.supervisor.run(lambda p: self._command(p, Command.SAM_STATUS, SHORT_TIMEOUT,
                                                        "SAM status"), time.monotonic() + timeout)

    def sam_id(self, timeout: float = 2.0) -> str:
        with self._lock:
            answer = self.supervisor.run(
                lambda p: self._command(p, Command.SAM_ID, SHORT_TIMEOUT, "SAM ID"),
                time.monotonic() + timeout)
        return decode_sam_id(answer.data)

    # -- reading cards --------------------------------------------------------------------
    def read_card(self, timeout: float) -> IdCard | None:
        """The next card placed on the antenna within `timeout` s, or None.

        A card that stays on the antenna is returned once (debounced). Raises DeviceUnavailable
        when the reader is gone for the whole timeout, ReaderFault when its SAM is broken,
        CardRejected when the SAM refuses the card.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            self._until, self.last_problem = deadline, None
            try:
                return self._read_until(deadline)
            finally:
                self._until = None

    def _read_until(self, deadline: float) -> IdCard | None:
        bad_block = False
        while True:
            self._found = False
            try:
                card = self.supervisor.run(self._poll_once, deadline)
            except CardReadError as exc:
                card = None  # card moved during the read: try again on the next poll
                self.last_problem = str(exc)
            except CardDataError:
                if bad_block:  # twice in a row: the card really holds this
                    raise
                bad_block, card = True, None  # line noise that fooled the XOR: once more
            except DeviceTimeout as exc:
                if self._found:  # a card answered, then its read did not come through
                    self.last_problem = str(exc)
                if time.monotonic() >= deadline:
                    return None
                card = None
            if card is not None:
                self.last_problem = None
                return card
            now = time.monotonic()
            if now >= deadline:
                return None
            time.sleep(min(self.poll_interval, deadline - now))

    def _poll_once(self, port: Port) -> IdCard | None:
        found = self._command(port, Command.FIND_CARD, SHORT_TIMEOUT, "find card",
                              (Status.CARD_FOUND, Status.NO_CARD), capped=True)
        if found.sw3 == Status.NO_CARD:
            self._present = None
            return None
        self._found = True
        selected = self._command(port, Command.SELECT_CARD, SHORT_TIMEOUT, "select card",
                                 (Status.SUCCESS, Status.SELECT_FAILED))
        if selected.sw3 == Status.SELECT_FAILED:
            self.last_problem = "the reader could not select the card (SW3 81)"
            return None
        answer = self._command(port, Command.READ_TEXT_PHOTO, READ_TIMEOUT, "read card")
        payload = split_read(answer.data)
        card = decode_text(payload.text)
        if card.number == self._present:
            return None
        self._present = card.number
        self._photo = payload.photo  # memory only, replaced by the next card
        return self._with_appended_address(port, card)

    def _with_appended_address(self, port: Port, card: IdCard) -> IdCard:
        """Add the appended address (30 03) when the card has one. Optional: a reader that does
        not know the command (SW3 21), fails it or stays silent still gives the card we read."""
        try:
            extra = self._command(port, Command.READ_ADDRESS, SHORT_TIMEOUT,
                                  "read appended address", (Status.SUCCESS, Status.NO_ITEM))
            if extra.sw3 != Status.SUCCESS or not extra.data:
                return card
            appended = {"appended_address": decode_appended_address(extra.data)}
        except (DeviceError, CardDataError) as exc:
            log.info("%s: no appended address (%s)", self.address, exc)
            return card
        return dataclasses.replace(card, extra={**card.extra, **appended})

    def forget(self) -> None:
        """Drop the last card and its photo (end of a citizen's flow): a card still on the
        antenna will be read again."""
        with self._lock:
            self._present, self._photo = None, None

    def photo_bmp(self) -> bytes:
        """The last card's photo decoded by the vendor plug-in, in memory; never stored."""
        if self._photo is None:
            raise PhotoUnavailable("no card read, or its photo was forgotten")
        return decode_photo(self._photo)


def open_reader(url: str, within: float | None = None) -> IdCardReader:
    """A reader from its URL. The device may be absent now: the reader connects when used.
    It tries once at once, waiting at most `within` s for a silent reader (default 1 s)."""
    from devices.idcard.simulator import simulator_from_options
    from devices.simctl import serve_for
    from devices.transport import SERIAL_FORM, is_serial_url, parse_url

    parsed = parse_url(url, URL_FORMS)
    if parsed.scheme == "sim":
        if parsed.host != "idcard" or parsed.path not in ("", "/"):
            raise BadAddress(f"not an ID card simulator URL: {url!r}; expected sim://idcard?cards=FILE")
        sim = simulator_from_options(parsed.options)
        reader = IdCardReader(url, lambda: _sim_port(sim))
        reader.simulator = sim  # type: ignore[attr-defined]
        control = serve_for(parsed.options, sim.controls())
        reader.on_close = control.close if control else None
    elif is_serial_url(url):
        from devices.transport import open_serial, serial_target
        serial_target(url)  # refuse a bad path or option now, not at first use
        reader = IdCardReader(url, lambda: open_serial(url))
    elif parsed.scheme == "usb":
        from devices.idcard.usb_port import open_usb, usb_ids
        usb_ids(url)
        reader = IdCardReader(url, lambda: open_usb(url))
    else:
        raise BadAddress(f"unknown ID card reader URL {url!r}; expected {URL_FORMS} ({SERIAL_FORM})")
    # Absent or faulty now is not an error here: health says so and the supervisor reconnects.
    reader._until = time.monotonic() + (2 * SHORT_TIMEOUT if within is None else within)
    with contextlib.suppress(DeviceError):
        reader.supervisor.run(lambda port: None, time.monotonic())
    reader._until = None
    return reader


def _sim_port(sim: SimEngine) -> Port:
    from devices.simlink import SimPort

    try:
        return SimPort(sim)
    except serial.SerialException as exc:
        raise DeviceUnavailable(f"simulated reader: {exc}") from exc
