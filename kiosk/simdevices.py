"""The demo's simulated devices as the device console reaches them: each simulator's control
socket (the `control=` option of its URL, `devices.simctl`), one command line at a time, and the
printed tickets as pictures drawn from the printer's real ESC/POS bytes (`devices.printer.render`).

Every call blocks (a socket round trip, or drawing a ticket): the console's view-model makes
them on its task runner, never on the GUI thread.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from devices.simctl import send

KINDS = ("idcard", "printer", "camera", "pad")
_NUMBER = re.compile(r"^[A-Z]{1,2}[0-9]{2,5}$")


class SimUnavailable(Exception):
    """No simulator answers at that socket (not configured, not started yet, or gone)."""


class SimRefused(Exception):
    """The simulator understood the command and refused it; the message says why."""


def control_sockets(urls: dict[str, str]) -> dict[str, str]:
    """kind -> control socket path, from the `control=` option of each device URL."""
    out: dict[str, str] = {}
    for kind, url in urls.items():
        if kind in KINDS and url:
            path = dict(parse_qsl(urlsplit(url).query)).get("control", "")
            if path:
                out[kind] = path
    return out


@dataclass(frozen=True)
class PrintedTicket:
    """One job of the printer, drawn: its number and QR code as read back from the bytes."""

    job: int
    number: str  # the large number printed, "" when none was found
    qr: str  # the text of its QR code (the ticket's tracking link), "" when none
    png: bytes
    size: tuple[int, int]
    lines: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """Its zone and service as printed (`一窗受理 · 企业开办`), "" when not found."""
        return next((line.strip() for line in self.lines if " · " in line), "")


def draw_ticket(job: int, data: bytes, width_mm: int = 80) -> PrintedTicket:
    """Interpret the bytes as the printer would print them, and say what is on the paper."""
    from devices.printer.render import render

    drawn = render(data, width_mm)
    number = next((line.strip() for line in drawn.lines if _NUMBER.match(line.strip())), "")
    out = io.BytesIO()
    drawn.image.save(out, "PNG")
    return PrintedTicket(job, number, drawn.qr[0] if drawn.qr else "", out.getvalue(),
                         drawn.image.size, tuple(drawn.lines))


@dataclass
class Snapshot:
    """What each simulator says about itself now; a kind missing is not running."""

    states: dict[str, dict[str, object]] = field(default_factory=dict)
    cards: list[dict[str, object]] = field(default_factory=list)
    new_tickets: list[PrintedTicket] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class Simulators:
    def __init__(self, sockets: dict[str, str], width_mm: int = 80, timeout: float = 2.0) -> None:
        self.sockets = {k: v for k, v in sockets.items() if k in KINDS and v}
        self.width_mm, self.timeout = width_mm, timeout

    def has(self, kind: str) -> bool:
        return kind in self.sockets

    def send(self, kind: str, line: str) -> object:
        """One command to the `kind` simulator; its result, or SimUnavailable / SimRefused."""
        path = self.sockets.get(kind)
        if path is None:
            raise SimUnavailable(f"no {kind} simulator in this console's configuration")
        try:
            answer = send(path, line, self.timeout)
        except (OSError, ValueError) as exc:  # nobody listens, or the answer was not JSON
            raise SimUnavailable(f"{kind}: no simulator answers at {path}: {exc}") from exc
        if not answer.get("ok"):
            raise SimRefused(str(answer.get("error", "refused")))
        return answer.get("result")

    def snapshot(self, known_jobs: int, keep: int = 12) -> Snapshot:
        """Every simulator's state, the reader's cards, and the jobs printed after `known_jobs`
        (at most the last `keep` of them), drawn."""
        snap = Snapshot()
        for kind in self.sockets:
            try:
                state = self.send(kind, "state")
                snap.states[kind] = dict(state) if isinstance(state, dict) else {}
                if kind == "idcard":
                    cards = self.send(kind, "cards")
                    snap.cards = [dict(c) for c in cards] if isinstance(cards, list) else []
            except (SimUnavailable, SimRefused) as exc:
                snap.errors[kind] = str(exc)
        jobs = int(str(snap.states.get("printer", {}).get("jobs", 0)))
        if jobs < known_jobs:  # a new printer (the kiosk reopened it): its jobs count from 1
            known_jobs = 0
        for job in range(max(known_jobs + 1, jobs - keep + 1), jobs + 1):
            try:
                snap.new_tickets.append(self.ticket(job))
            except (SimUnavailable, SimRefused) as exc:  # dropped from the printer's memory
                snap.errors["printer"] = str(exc)
        return snap

    def ticket(self, job: int) -> PrintedTicket:
        answer = self.send("printer", f"job {job}")
        if not isinstance(answer, dict) or "bytes" not in answer:
            raise SimRefused(f"job {job}: the printer gave no bytes")
        return draw_ticket(int(str(answer.get("job", job))),
                           base64.b64decode(str(answer["bytes"])), self.width_mm)
