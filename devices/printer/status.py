"""Real-time printer status (DLE EOT n) as pure code: the queries, the check of each answer
byte, and the decoding of the answers into one `PrinterStatus` with its `Health` and error.

No answer means offline, never "paper OK" (python-escpos 3.1 reports a silent printer as having
paper). Every answer byte must have bits 1 and 4 set and bits 0 and 7 clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from devices.errors import DeviceError, DeviceUnavailable, NotReady, PermanentFault, ProtocolError
from devices.health import Health

PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4
QUERIES = (PRINTER, OFFLINE_CAUSE, PAPER)  # ERROR_CAUSE is asked only when an error is reported


def query(n: int) -> bytes:
    """The DLE EOT n command for one of the four status kinds."""
    if n not in (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER):
        raise ValueError(f"DLE EOT {n} is not a status query")
    return bytes((0x10, 0x04, n))


def valid(b: int) -> bool:
    """The fixed bits of every real-time status byte."""
    return 0 <= b <= 0xFF and (b & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    answered: bool = True
    offline: bool = False
    cover_open: bool = False
    feed_button: bool = False
    paper_low: bool = False
    paper_out: bool = False
    error: bool = False
    cutter_error: bool = False
    unrecoverable: bool = False
    auto_recoverable: bool = False

    @property
    def health(self) -> Health:
        if not self.answered:
            return Health.OFFLINE
        if self.cutter_error or self.unrecoverable:
            return Health.ERROR
        if self.paper_out:
            return Health.PAPER_OUT
        if self.cover_open:
            return Health.COVER_OPEN
        if self.error:
            return Health.ERROR
        if self.offline:
            return Health.OFFLINE
        return Health.PAPER_LOW if self.paper_low else Health.ONLINE

    def problem(self) -> DeviceError | None:
        """The error a print job must fail with now, or None when the printer can print.
        Paper and cover come before a generic error: printers raise the error bit for them too.
        A printer that answers but cannot print gives `NotReady` with the health that says why."""
        if not self.answered:
            return DeviceUnavailable("printer offline: no answer to the status query")
        if self.cutter_error:
            return PermanentFault("printer cutter error: needs a person")
        if self.unrecoverable:
            return PermanentFault("printer unrecoverable error: needs a person")
        if self.paper_out:
            return NotReady("printer out of paper", "paper_out")
        if self.cover_open:
            return NotReady("printer cover open", "cover_open")
        if self.error:
            return NotReady("printer error (recoverable): try again shortly", "error")
        if self.offline:
            return NotReady("printer offline", "offline")
        return None


NO_ANSWER = PrinterStatus(answered=False)


def decode(answers: Mapping[int, int | None]) -> PrinterStatus:
    """Decode the answers to DLE EOT 1, 2, 4 (and 3 when asked); a missing or None answer to any
    of them means the printer is offline. An invalid byte raises ProtocolError."""
    if any(answers.get(n) is None for n in QUERIES):
        return NO_ANSWER
    for n, b in answers.items():
        if n not in (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER):
            raise ProtocolError(f"no status query DLE EOT {n!r}")
        if b is not None and (not isinstance(b, int) or not valid(b)):
            raise ProtocolError(f"invalid DLE EOT {n} answer {b!r}: fixed bits not 0x12/0x93")
    printer, cause, paper = answers[PRINTER], answers[OFFLINE_CAUSE], answers[PAPER]
    err = answers.get(ERROR_CAUSE) or 0x12
    if printer is None or cause is None or paper is None:  # checked above; for the type checker
        return NO_ANSWER
    return PrinterStatus(
        offline=bool(printer & 0x08),
        cover_open=bool(cause & 0x04),
        feed_button=bool(cause & 0x08),
        paper_out=bool(cause & 0x20) or (paper & 0x60) == 0x60,
        paper_low=(paper & 0x0C) == 0x0C,
        error=bool(cause & 0x40),
        cutter_error=bool(err & 0x08),
        unrecoverable=bool(err & 0x20),
        auto_recoverable=bool(err & 0x40),
    )


def needs_error_cause(offline_cause: int | None) -> bool:
    """DLE EOT 3 is worth asking only when DLE EOT 2 says an error occurred."""
    return offline_cause is not None and valid(offline_cause) and bool(offline_cause & 0x40)
