"""The evaluation pad's serial protocol v1 (docs/pad-protocol.md) as pure functions.

Frame: `A5 5A | LEN | SEQ | TYPE | PAYLOAD (LEN bytes) | CRC` where CRC is CRC-8 (poly 0x07,
init 0x00) over LEN, SEQ, TYPE and PAYLOAD. `PadParser` resynchronises on `A5 5A`, reads by
LEN, checks the CRC and never raises on input bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from devices.errors import ProtocolError

SOF = b"\xa5\x5a"
MAX_PAYLOAD = 64


class FrameType(IntEnum):
    RATING = 0x01      # pad -> host: LEVEL, N, REASON x N; host ACKs with the same SEQ
    HEARTBEAT = 0x02   # pad -> host: STATE (0 idle, 1 rating page shown); every second
    SHOW_RATING = 0x11  # host -> pad: ticket number, UTF-8, 1..16 bytes; pad ACKs
    PING = 0x12        # host -> pad: pad ACKs (used by probing)
    ACK = 0x7F         # either way: ACKED_TYPE, RESULT (0 ok, 1 bad payload, 2 unknown type)


class AckResult(IntEnum):
    OK = 0
    BAD_PAYLOAD = 1
    UNKNOWN_TYPE = 2


# Reason codes on the wire -> the reason words of the API (queue_server.wire.BAD_REASONS).
REASONS: dict[int, str] = {1: "slow", 2: "attitude", 3: "unclear", 4: "repeat", 5: "wait", 6: "other"}
REASON_CODES = {v: k for k, v in REASONS.items()}


class PadProtocolError(ProtocolError):
    """A pad frame or payload is malformed."""


@dataclass(frozen=True)
class PadFrame:
    type: int
    seq: int
    payload: bytes = b""


@dataclass(frozen=True)
class Rating:
    level: int
    reasons: tuple[str, ...] = ()


def _crc8_bitwise(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


_CRC8_TABLE = bytes(_crc8_bitwise(bytes([i])) for i in range(256))


def crc8(data: bytes) -> int:
    """CRC-8, polynomial 0x07, init 0, no reflection (check value F4 for "123456789")."""
    crc = 0
    for byte in data:
        crc = _CRC8_TABLE[crc ^ byte]
    return crc


def encode(frame: PadFrame) -> bytes:
    if not 0 <= frame.seq <= 255 or not 0 <= frame.type <= 255:
        raise ValueError("seq and type are single bytes")
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError(f"payload longer than {MAX_PAYLOAD} bytes")
    body = bytes([len(frame.payload), frame.seq, frame.type]) + frame.payload
    return SOF + body + bytes([crc8(body)])


class PadParser:
    """Streaming parser of pad frames; bad frames are counted in `dropped` and skipped."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> list[PadFrame]:
        self._buf += chunk
        frames: list[PadFrame] = []
        buf = self._buf
        while True:
            start = buf.find(SOF)
            if start < 0:
                del buf[: len(buf) - (1 if buf.endswith(SOF[:1]) else 0)]
                return frames
            del buf[:start]
            if len(buf) < 3:
                return frames
            length = buf[2]
            if length > MAX_PAYLOAD:
                self.dropped += 1
                del buf[:1]
                continue
            if len(buf) < 6 + length:
                return frames
            body = bytes(buf[2 : 5 + length])
            if crc8(body) != buf[5 + length]:
                self.dropped += 1
                del buf[:1]
                continue
            del buf[: 6 + length]
            frames.append(PadFrame(body[2], body[1], body[3:]))

    def pending(self) -> int:
        return len(self._buf)


def rating_frame(rating: Rating, seq: int) -> bytes:
    return encode(PadFrame(FrameType.RATING, seq, rating_payload(rating)))


def rating_payload(rating: Rating) -> bytes:
    if not 1 <= rating.level <= 5:
        raise ValueError(f"level {rating.level} outside 1..5")
    codes = [REASON_CODES[r] for r in rating.reasons]
    return bytes([rating.level, len(codes), *codes])


def parse_rating(payload: bytes) -> Rating:
    """A rating from a RATING payload; PadProtocolError says what is wrong."""
    if len(payload) < 2:
        raise PadProtocolError("rating payload shorter than 2 bytes")
    level, count = payload[0], payload[1]
    if not 1 <= level <= 5:
        raise PadProtocolError(f"rating level {level} outside 1..5")
    if len(payload) != 2 + count:
        raise PadProtocolError(f"rating says {count} reasons but carries {len(payload) - 2}")
    if level <= 2 and not count:  # the protocol: at least one reason for levels 1 and 2
        raise PadProtocolError(f"a level {level} rating without a reason")
    try:
        reasons = tuple(REASONS[code] for code in payload[2:])
    except KeyError as exc:
        raise PadProtocolError(f"unknown reason code {exc.args[0]}") from exc
    return Rating(level, reasons)


def show_frame(ticket_number: str, seq: int) -> bytes:
    data = ticket_number.encode("utf-8")
    if not 1 <= len(data) <= 16:
        raise ValueError("ticket number must be 1..16 bytes of UTF-8")
    return encode(PadFrame(FrameType.SHOW_RATING, seq, data))


def parse_show(payload: bytes) -> str:
    if not 1 <= len(payload) <= 16:
        raise PadProtocolError("ticket number must be 1..16 bytes")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PadProtocolError("ticket number is not UTF-8") from exc


def ack_frame(acked: PadFrame, result: AckResult = AckResult.OK) -> bytes:
    return encode(PadFrame(FrameType.ACK, acked.seq, bytes([acked.type & 0xFF, result])))


def heartbeat_frame(seq: int, state: int = 0) -> bytes:
    return encode(PadFrame(FrameType.HEARTBEAT, seq, bytes([state])))


def ping_frame(seq: int) -> bytes:
    return encode(PadFrame(FrameType.PING, seq))
