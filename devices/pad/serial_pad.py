"""The driver of a serial evaluation pad (protocol v1, docs/pad-protocol.md): ratings are ACKed
and de-duplicated by sequence number, heartbeats keep health, `show_rating_page` waits for the
pad's ACK. Reconnects through the supervisor."""

from __future__ import annotations

import contextlib
import termios
import time
from collections import deque
from collections.abc import Callable
from functools import partial

import serial

from devices.errors import DeviceTimeout, DeviceUnavailable, ProtocolError
from devices.health import Health, HealthState
from devices.pad.protocol import (
    AckResult,
    FrameType,
    PadFrame,
    PadParser,
    PadProtocolError,
    Rating,
    ack_frame,
    parse_rating,
    ping_frame,
    show_frame,
)
from devices.supervisor import Supervisor
from devices.turns import FairLock

PORT_ERRORS = (serial.SerialException, OSError, termios.error)
SILENCE = 3.5     # a pad sends a heartbeat every second; this much silence means it is gone
ACK_WAIT = 0.5


class SerialPad:
    def __init__(self, address: str, opener: Callable[[], serial.SerialBase]) -> None:
        self.address = address
        self._opener = opener
        self._health = HealthState(f"pad {address}")
        self.supervisor: Supervisor[serial.SerialBase] = Supervisor(self._health, self._connect, self._disconnect)
        self._parser = PadParser()
        self._ratings: deque[Rating] = deque()
        self._acks: list[PadFrame] = []
        self._last_seq: tuple[int, bytes] | None = None
        self._seq = 0
        self._heard = 0.0
        self._lock = FairLock()  # the reader polls in a loop: a request must get its turn
        self.on_close: Callable[[], None] | None = None  # e.g. a simulator's control socket

    @property
    def health(self) -> Health:
        return self._health.value

    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) % 256
        return self._seq

    def _connect(self) -> serial.SerialBase:
        port = self._opener()
        self._parser = PadParser()
        try:
            self._request(port, ping_frame(self._next_seq()), FrameType.PING, "ping")
        except Exception:
            with contextlib.suppress(*PORT_ERRORS):
                port.close()
            raise
        return port

    def _disconnect(self, port: serial.SerialBase) -> None:
        with contextlib.suppress(*PORT_ERRORS):
            port.close()

    def _pump(self, port: serial.SerialBase, wait: float) -> None:
        """Read and handle frames for up to `wait` s (returns early when a rating is queued)."""
        deadline = time.monotonic() + wait
        try:
            while True:
                for frame in self._parser.feed(port.read(max(1, port.in_waiting))):
                    self._heard = time.monotonic()
                    self._handle(port, frame)
                if self._ratings or time.monotonic() >= deadline:
                    break
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"pad port failed: {exc}") from exc
        if time.monotonic() - self._heard > SILENCE:
            raise DeviceTimeout(f"pad silent for {SILENCE:g} s")

    def _pump_for(self, wait: float, port: serial.SerialBase) -> None:
        self._pump(port, wait)

    def _handle(self, port: serial.SerialBase, frame: PadFrame) -> None:
        if frame.type == FrameType.ACK:
            self._acks.append(frame)
        elif frame.type == FrameType.RATING:
            try:
                rating = parse_rating(frame.payload)
            except PadProtocolError:
                port.write(ack_frame(frame, AckResult.BAD_PAYLOAD))
                return
            port.write(ack_frame(frame))
            if self._last_seq != (frame.seq, frame.payload):  # a retransmission is not a new rating
                self._last_seq = (frame.seq, frame.payload)
                self._ratings.append(rating)
        elif frame.type != FrameType.HEARTBEAT:  # nothing a pad sends: say so, as the pad does
            port.write(ack_frame(frame, AckResult.UNKNOWN_TYPE))

    def _request(self, port: serial.SerialBase, data: bytes, kind: int, doing: str) -> None:
        seq = data[3]
        for _ in range(3):
            self._acks.clear()
            try:
                port.write(data)
            except PORT_ERRORS as exc:
                raise DeviceUnavailable(f"pad port failed: {exc}") from exc
            self._heard = time.monotonic()
            deadline = time.monotonic() + ACK_WAIT
            while time.monotonic() < deadline:
                self._pump(port, 0.05)
                for ack in self._acks:
                    if ack.seq == seq and ack.payload[:1] == bytes([kind]):
                        if ack.payload[1:2] != b"\x00":
                            raise ProtocolError(f"pad refused {doing}: result {ack.payload[1:2].hex()}")
                        return
        raise DeviceTimeout(f"pad did not acknowledge {doing}")

    def read_rating(self, timeout: float) -> Rating | None:
        """The next rating within `timeout` s, or None. DeviceUnavailable if the pad is gone."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._ratings:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                try:
                    self.supervisor.run(partial(self._pump_for, min(remaining, 0.2)), deadline)
                except DeviceTimeout:
                    if time.monotonic() >= deadline:
                        return None
            return self._ratings.popleft()

    def show_rating_page(self, ticket_number: str, timeout: float = 2.0) -> None:
        frame = show_frame(ticket_number, self._next_seq())
        with self._lock:
            self.supervisor.run(lambda p: self._request(p, frame, FrameType.SHOW_RATING, "show rating page"),
                                time.monotonic() + timeout)

    def close(self) -> None:
        with self._lock:
            self.supervisor.close()
            self._ratings.clear()
        if self.on_close is not None:
            self.on_close()
