"""The wire protocol of SAM_V resident ID card readers (GA/T 467 ch. 7), as pure functions.

Commands are encoded from a closed set (`Command`), so the fingerprint read (30 10) cannot be
sent through this API. `FrameParser` turns any byte stream into answer frames: it resynchronises
on the preamble, reads by LEN, checks the XOR, and skips noise. SW3 codes map onto our
exception tree.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import Enum

from devices.errors import DeviceError, PermanentFault, ProtocolError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 0x0600  # a read answer is 0x0508; anything far larger is noise


class Command(Enum):
    """Every command the host may send: (CMD, PARA). 30 10 (fingerprints) is deliberately absent."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_ADDRESS = (0x30, 0x03)
    SET_BAUD_115200 = (0x60, 0x00)
    SET_BAUD_57600 = (0x60, 0x01)
    SET_BAUD_38400 = (0x60, 0x02)
    SET_BAUD_19200 = (0x60, 0x03)
    SET_BAUD_9600 = (0x60, 0x04)
    SET_FRAME_SIZE = (0x61, 0xFF)  # + one byte of frame size (vendor SDKs send 61 FF 50); answer 90


FORBIDDEN = frozenset({(0x30, 0x10)})  # biometrics: never sent, never answered by our simulator


class Status(int, Enum):
    SUCCESS = 0x90
    NO_ITEM = 0x91
    CARD_FOUND = 0x9F
    BAD_CHECKSUM = 0x10
    BAD_LENGTH = 0x11
    BAD_COMMAND = 0x21
    NOT_PERMITTED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


STATUS_TEXT: dict[int, str] = {
    0x90: "success", 0x91: "the card has no such item", 0x9F: "card found",
    0x10: "reader saw a bad checksum in our frame", 0x11: "reader saw a bad length in our frame",
    0x21: "bad command or parameter", 0x23: "operation not permitted", 0x24: "unknown error",
    0x31: "card failed to authenticate the SAM", 0x32: "SAM failed to authenticate the card (possible forgery)",
    0x33: "data verification error", 0x40: "unrecognised card type",
    0x41: "read failed (card moved, or read without select)", 0x47: "get-random failed",
    0x60: "SAM self-test failed", 0x66: "SAM not authorised", 0x80: "no card found", 0x81: "select failed",
}


class CardReadError(DeviceError):
    """The card could not be read this time (moved, unreadable); a new attempt may succeed."""


class CardRejected(DeviceError):
    """The SAM refused the card (authentication or type): likely not a genuine card."""


class ReaderFault(PermanentFault):
    """The reader's security module reports a fault that retrying will not cure."""


class ProtocolRejected(ProtocolError):
    """The reader refused our frame (checksum, length, command): a bug or a line fault."""


# SW3 -> exception class; absent codes (90, 91, 9F, 80, 81) are answers, not errors.
STATUS_ERRORS: dict[int, type[DeviceError]] = {
    0x10: ProtocolRejected, 0x11: ProtocolRejected, 0x21: ProtocolRejected,
    0x23: ProtocolRejected, 0x24: CardReadError, 0x31: CardRejected, 0x32: CardRejected,
    0x33: CardReadError, 0x40: CardRejected, 0x41: CardReadError, 0x47: CardReadError,
    0x60: ReaderFault, 0x66: ReaderFault,
}


def status_error(sw3: int, doing: str) -> DeviceError:
    """The exception for an SW3 code, saying what we were doing."""
    text = STATUS_TEXT.get(sw3, "undocumented status")
    cls = STATUS_ERRORS.get(sw3, ProtocolError)
    return cls(f"{doing}: reader answered SW3={sw3:02X} ({text})")


def xor(data: bytes) -> int:
    """XOR of all bytes. Long frames fold as one big integer: halves XORed together keep byte
    alignment, so log2(n) big-integer steps replace n Python-level steps."""
    if len(data) < 64:
        out = 0
        for b in data:
            out ^= b
        return out
    value, width = int.from_bytes(data, "big"), len(data)
    while width > 1:
        half = (width + 1) // 2
        value = (value >> (8 * half)) ^ (value & ((1 << (8 * half)) - 1))
        width = half
    return value


def frame(body: bytes) -> bytes:
    """Wrap a body (CMD PARA DATA, or SW1 SW2 SW3 DATA) into a full frame."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    head = struct.pack(">H", length) + body
    return PREAMBLE + head + bytes([xor(head)])


def encode_command(command: Command, data: bytes = b"") -> bytes:
    """The host's frame for a command. Only members of `Command` can be encoded."""
    if not isinstance(command, Command):
        raise TypeError(f"not a reader command: {command!r}")
    cmd, para = command.value
    if (cmd, para) in FORBIDDEN:  # unreachable by construction; kept as a guard for edits
        raise ValueError("the fingerprint command is never sent")
    return frame(bytes([cmd, para]) + data)


@dataclass(frozen=True)
class Answer:
    """A reader → host frame."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def ok(self) -> bool:
        return self.sw3 in (Status.SUCCESS, Status.CARD_FOUND)


def encode_answer(answer: Answer) -> bytes:
    return frame(bytes([answer.sw1, answer.sw2, answer.sw3]) + answer.data)


@dataclass(frozen=True)
class Request:
    """A host → reader frame as the reader sees it."""

    cmd: int
    para: int
    data: bytes


class FrameParser:
    """Streaming parser: feed any chunks, get whole valid frame bodies back.

    Noise before a preamble is dropped; a frame with a bad checksum or an impossible length
    is skipped (counted in `dropped`) and the search resumes one byte after its preamble, so a
    preamble inside garbage cannot swallow the next good frame. Never raises on input bytes.
    """

    def __init__(self, max_len: int = MAX_LEN) -> None:
        self._buf = bytearray()
        self.max_len = max_len
        self.dropped = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        return [event for event in self.events(chunk) if isinstance(event, bytes)]

    def events(self, chunk: bytes) -> list[bytes | str]:
        """Like `feed`, with the reason ("length" or "checksum") in place of each dropped frame,
        in the order they came: a reader answers a spoilt frame (SW3 11 or 10)."""
        self._buf += chunk
        out: list[bytes | str] = []
        while True:
            event = self._next()
            if event is None:
                return out
            out.append(event)

    def pending(self) -> int:
        return len(self._buf)

    def _next(self) -> bytes | str | None:
        buf = self._buf
        start = buf.find(PREAMBLE)
        if start < 0:
            keep = _partial_preamble(buf)
            del buf[: len(buf) - keep]
            return None
        if start:
            del buf[:start]
        if len(buf) < 7:
            return None
        length = (buf[5] << 8) | buf[6]
        if length < 2 or length > self.max_len:
            self.dropped += 1
            del buf[:1]
            return "length"
        if len(buf) < 7 + length:
            return None
        whole = bytes(buf[: 7 + length])
        if xor(whole[5:-1]) != whole[-1]:
            self.dropped += 1
            del buf[:1]
            return "checksum"
        del buf[: 7 + length]
        return whole[7:-1]


def _partial_preamble(buf: bytearray) -> int:
    """How many trailing bytes of `buf` could start a preamble."""
    for keep in range(min(len(buf), len(PREAMBLE) - 1), 0, -1):
        if buf.endswith(PREAMBLE[:keep]):
            return keep
    return 0


def parse_answer(body: bytes) -> Answer:
    """An answer from a frame body; `ProtocolError` when it is too short."""
    if len(body) < 3:
        raise ProtocolError(f"answer frame too short ({len(body)} bytes)")
    return Answer(body[0], body[1], body[2], bytes(body[3:]))


def parse_request(body: bytes) -> Request:
    if len(body) < 2:
        raise ProtocolError(f"command frame too short ({len(body)} bytes)")
    return Request(body[0], body[1], bytes(body[2:]))


def decode_sam_id(data: bytes) -> str:
    """`05.01-20101129-0001228293-0296863149` from the 16 data bytes of a SAM ID answer."""
    if len(data) < 16:
        raise ProtocolError(f"SAM ID answer has {len(data)} data bytes, expected 16")
    a, b, c = struct.unpack_from("<III", data, 4)
    return f"{data[0]:02X}.{data[2]:02X}-{a}-{b:010d}-{c:010d}"


def encode_sam_id(sam_id: str) -> bytes:
    """The inverse of `decode_sam_id` (used by the simulator)."""
    try:
        head, a, b, c = sam_id.split("-")
        major, minor = head.split(".")
        return bytes([int(major, 16), 0, int(minor, 16), 0]) + struct.pack("<III", int(a), int(b), int(c))
    except (ValueError, struct.error) as exc:
        raise ValueError(f"not a SAM ID like 05.01-20101129-0001228293-0296863149: {sam_id!r}") from exc


@dataclass(frozen=True)
class ReadPayload:
    text: bytes
    photo: bytes


def split_read(data: bytes) -> ReadPayload:
    """Text and photo of a 30 01 answer, trusting its two length fields."""
    if len(data) < 4:
        raise ProtocolError("read answer without length fields")
    text_len, photo_len = struct.unpack_from(">HH", data, 0)
    if 4 + text_len + photo_len > len(data):
        raise ProtocolError(f"read answer says {text_len}+{photo_len} bytes but has {len(data) - 4}")
    return ReadPayload(data[4 : 4 + text_len], data[4 + text_len : 4 + text_len + photo_len])


def join_read(payload: ReadPayload) -> bytes:
    return struct.pack(">HH", len(payload.text), len(payload.photo)) + payload.text + payload.photo
