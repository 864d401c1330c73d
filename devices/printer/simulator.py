"""A ticket printer seen from the wire: it walks the ESC/POS stream, records jobs (split at cuts,
or at a long feed on printers without a cutter), answers DLE EOT status in real time (even inside
image data, as real printers do), and has fault knobs: paper low/out (or a roll of N lines),
cover open, offline, silent, garbled or slow answers, cutter jam or no cutter, unplugged.
Runs in-process (`sim://printer?...`) or on a pty (`serve_pty`); `controls()` lets a demo or a
trainer run out of paper, refill, open the cover and fetch the printed jobs while it runs.
"""

from __future__ import annotations

import base64
import contextlib
import os
import sys
import threading
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import parse_qsl

from devices.errors import BadAddress
from devices.printer.commands import command_length
from devices.simctl import ControlError, Controls, ControlServer, Handler, number, words
from devices.simlink import Emission, serve_on
from devices.simlink import serve_pty as serve

KNOBS = ("paper=ok|low|out, cover=open|closed, offline=1, silent=1, garbled=1, slow=SECONDS, "
         "paper_lines=N, cutter=jam|none, unplugged=1")
KEEP_JOBS = 200
TEAR_FEED = 6  # lines fed at once that bring a ticket to the tear bar (python-escpos' cut feed)
LOW_LINES = 40  # the near-end sensor trips with about this much paper left

@dataclass
class Job:
    data: bytearray = field(default_factory=bytearray)
    cut: bool = False
    complete: bool = True  # False when paper ran out or the cover opened while printing
    unknown: list[str] = field(default_factory=list)


class PrinterSimulator:
    def __init__(self, query: str = "") -> None:
        try:
            knobs = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
            self.paper = knobs.pop("paper", "ok")
            self.cover_open = knobs.pop("cover", "closed") == "open"
            self.offline = knobs.pop("offline", "") == "1"
            self.silent = knobs.pop("silent", "") == "1"
            self.garbled = knobs.pop("garbled", "") == "1"
            self.unplugged = knobs.pop("unplugged", "") == "1"
            self.slow = float(knobs.pop("slow", "0"))
            lines = knobs.pop("paper_lines", None)
            self.paper_lines = int(lines) if lines is not None else None
            cutter = knobs.pop("cutter", "ok")
            self.cutter_jam, self.no_cutter = cutter == "jam", cutter == "none"
        except ValueError as exc:
            raise BadAddress(f"bad simulator option in {query!r}; knobs: {KNOBS}") from exc
        if knobs or self.paper not in ("ok", "low", "out") or cutter not in ("ok", "jam", "none"):
            raise BadAddress(f"unknown simulator option in {query!r}; knobs: {KNOBS}")
        self.jobs: list[Job] = []
        self.job_count = 0
        self.current = Job()
        self.cutter_error = False
        self.queries = 0
        self._buf = bytearray()
        self._tail = b""
        self.lock = threading.Lock()  # the bytes and the control socket may come on two threads

    # --- the status a real printer reports -------------------------------------------------
    @property
    def paper_out(self) -> bool:
        return self.paper == "out" or self.paper_lines == 0

    @property
    def paper_low(self) -> bool:
        return self.paper == "low" or (self.paper_lines is not None and self.paper_lines < LOW_LINES)

    @property
    def stopped(self) -> bool:
        return self.offline or self.cover_open or self.paper_out or self.cutter_error

    def answer(self, n: int) -> bytes:
        self.queries += 1
        if self.silent or n not in (1, 2, 3, 4):
            return b""
        if self.garbled:
            return b"\xff"
        bits = {
            1: 0x08 * self.stopped,
            2: 0x04 * self.cover_open | 0x20 * self.paper_out | 0x40 * self.cutter_error,
            3: 0x08 * self.cutter_error,
            4: 0x0C * self.paper_low | 0x60 * self.paper_out,
        }[n]
        return bytes([0x12 | bits])

    # --- what a trainer does to it (the control interface) ---------------------------------
    def set_paper(self, paper: str, lines: int | None = None) -> None:
        """`ok` (a fresh roll: `lines` long, or endless), `low` (near end) or `out`."""
        if paper not in ("ok", "low", "out"):
            raise ControlError("paper is ok, low or out")
        self.paper, self.paper_lines = paper, lines if paper == "ok" else None

    def set_cover(self, open_: bool) -> None:
        self.cover_open = open_

    def state(self) -> dict[str, object]:
        paper = "out" if self.paper_out else "low" if self.paper_low else "ok"
        return {"paper": paper, "paper_lines": self.paper_lines,
                "cover": "open" if self.cover_open else "closed", "offline": self.offline,
                "cutter": "jam" if self.cutter_error else "none" if self.no_cutter else "ok",
                "jobs": self.job_count, "unplugged": self.unplugged}

    def job(self, number: int = -1) -> dict[str, object]:
        """Job `number` (1 = the first since start; negative counts from the last) with its
        bytes in base64, for `devices.printer.render`."""
        first = self.job_count - len(self.jobs) + 1
        index = number - first if number > 0 else len(self.jobs) + number
        if not self.jobs or not 0 <= index < len(self.jobs):
            raise ControlError(f"no job {number}: jobs {first}..{self.job_count} are kept")
        job = self.jobs[index]
        return {"job": first + index, "cut": job.cut, "complete": job.complete,
                "bytes": base64.b64encode(bytes(job.data)).decode("ascii")}

    def controls(self) -> Controls:
        """The methods above as control-socket commands (`devices.simctl`)."""
        def paper(rest: str) -> object:
            args = words(rest, 1, 2, "paper ok|low|out [LINES]")
            lines = int(number(args[1], "paper ok LINES", 1, 100_000)) if len(args) > 1 else None
            self.set_paper(args[0], lines)
            return self.state()

        def switch(action: Callable[[bool], object], off: str, on: str) -> Handler:
            def run(rest: str) -> object:
                (value,) = words(rest, 1, 1, f"{off}|{on}")
                if value not in (off, on):
                    raise ControlError(f"expected {off} or {on}")
                action(value == on)
                return self.state()
            return run

        def refill(rest: str) -> object:
            self.set_paper("ok")
            return self.state()

        def job(rest: str) -> object:
            args = words(rest, 0, 1, "job [N]")
            return self.job(int(number(args[0], "job N", -KEEP_JOBS, 1e12)) if args else -1)

        return {
            "paper": (paper, "ok|low|out [LINES]: the paper sensor; ok is a new roll (LINES long)"),
            "refill": (refill, "a new roll of paper"),
            "cover": (switch(self.set_cover, "closed", "open"), "open|closed: the cover"),
            "plug": (switch(lambda out: setattr(self, "unplugged", out), "in", "out"),
                     "in|out: the printer answers nothing while out"),
            "state": (lambda rest: self.state(), "paper, cover, cutter and the number of jobs"),
            "job": (job, "[N]: job N (default the last) as base64 ESC/POS bytes"),
        }

    # --- the byte stream -------------------------------------------------------------------
    def receive(self, data: bytes) -> bytes:
        """Take bytes from the host; return the real-time answers they asked for."""
        with self.lock:
            answers = self._realtime(data)
            self._buf += data
            self._walk()
            return answers

    def _realtime(self, data: bytes) -> bytes:
        """DLE EOT n anywhere in the stream, even split across reads or inside image data."""
        seen = self._tail + data
        out = bytearray()
        for i in range(len(seen) - 2):  # the tail holds at most two bytes: no pattern twice
            if seen[i] == 0x10 and seen[i + 1] == 0x04:
                out += self.answer(seen[i + 2])
        self._tail = seen[-2:]
        return bytes(out)

    def _walk(self) -> None:
        buf = self._buf
        i = 0
        while i < len(buf):
            size, known = command_length(buf, i)
            if size is None:  # incomplete: wait for more bytes
                break
            if not known:
                self.current.unknown.append(buf[i : i + 2].hex())
            self._apply(bytes(buf[i : i + size]))
            i += size
        del buf[:i]

    def _apply(self, cmd: bytes) -> None:
        if cmd[:2] in (b"\x10\x04", b"\x10\x05"):
            return  # real-time commands were answered on arrival
        if cmd == b"\x1b@" and self.current.data.strip(b"\x1b@\x1c&"):
            self._end_job(cut=False)  # a new job on a printer that only feeds
        if self.stopped:
            self.current.complete = False
            return
        self.current.data += cmd
        if cmd[:2] == b"\x1dV":
            if self.cutter_jam:
                self.cutter_error = True
                self.current.complete = False
            self._end_job(cut=not self.cutter_jam)
            return
        self._use_paper(cmd)
        if self.no_cutter and cmd[:2] == b"\x1bd" and cmd[2] >= TEAR_FEED:
            self._end_job(cut=False)  # fed out to the tear bar: a printer without a cutter

    def _use_paper(self, cmd: bytes) -> None:
        if cmd == b"\n":
            lines = 1
        elif cmd[:2] == b"\x1bd":
            lines = cmd[2]
        elif cmd[:2] == b"\x1dv":
            lines = (cmd[6] + 256 * cmd[7] + 23) // 24
        elif cmd[:2] == b"\x1d(" and cmd[5:7] == b"1Q":
            lines = 8  # a native QR code
        else:
            return
        if self.paper_lines is not None:
            self.paper_lines = max(0, self.paper_lines - lines)
            if self.paper_lines == 0:
                self.current.complete = False

    def _end_job(self, cut: bool) -> None:
        self.current.cut = cut
        self.jobs.append(self.current)
        del self.jobs[:-KEEP_JOBS]  # a simulator left running for days keeps only recent jobs
        self.job_count += 1
        self.current = Job()


class PrinterEngine:
    """The simulator as a `simlink` engine (bytes in, timed answers out); each finished job is
    logged to `log`."""

    split = False

    def __init__(self, simulator: PrinterSimulator, log: TextIO | None = None) -> None:
        self.simulator, self.log, self._logged = simulator, log, 0

    @property
    def unplugged(self) -> bool:
        return self.simulator.unplugged

    def exchange(self, data: bytes, now: float) -> list[Emission]:
        answers = self.simulator.receive(data)
        return [(now + self.simulator.slow, answers)] if answers else []

    def tick(self, now: float) -> list[Emission]:
        sim = self.simulator
        while self.log and self._logged < sim.job_count:
            self._logged += 1
            back = sim.job_count - self._logged  # 0: the last job
            if back < len(sim.jobs):
                job = sim.jobs[-1 - back]
                print(f"printer sim: job {self._logged}: {len(job.data)} bytes, "
                      f"{'cut' if job.cut else 'not cut'}", file=self.log, flush=True)
        return []


class PtyPrinter:
    """The simulator behind a pseudo-terminal on a thread of the caller's: `path` is the device a
    driver opens; `serve_forever()` until `stop()`."""

    def __init__(self, simulator: PrinterSimulator | None = None, log: TextIO | None = None) -> None:
        self.simulator = simulator or PrinterSimulator()
        self.engine = PrinterEngine(self.simulator, log)
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no CR/LF rewriting: a printer port is 8-bit clean
        self.path = os.ttyname(self._slave)
        self._stop: list[int] = []

    def serve_forever(self) -> None:
        serve_on(self.master, self.engine, self._stop)

    def stop(self) -> None:
        self._stop.append(0)

    def close(self) -> None:
        self.stop()
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def serve_pty(options: str = "", link: str | None = None, control: str | None = None,
              unplug_after: float = 0.0, replug_after: float = 1.0) -> int:
    """`python -m devices sim printer --pty`: print the pty path (and the control socket's on
    the second line when `control` is given), log jobs to stderr, serve until killed."""
    simulator = PrinterSimulator(options)
    server = ControlServer(control, simulator.controls(), simulator.lock) if control else None
    return serve(PrinterEngine(simulator, sys.stderr), link, unplug_after=unplug_after,
                 replug_after=replug_after, control=server)
