"""Ticket printer benchmark: ticket layout -> ESC/POS bytes per second for each paper width and
QR kind, the bytes per ticket, and one full print (status before, job, status after) against the
simulator in-process and over a real pseudo-terminal.

    .venv/bin/python bench/bench_printer.py [--seconds 1.0]

Each case runs for about --seconds, so the whole run ends within about ten seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.printer import open_printer, ticket_bytes  # noqa: E402
from devices.printer.cli import sample_ticket  # noqa: E402
from devices.printer.simulator import PrinterSimulator, PtyPrinter  # noqa: E402

CASES = [("default", 80, "native QR"), ("default", 58, "native QR"),
         ("TH230", 80, "raster QR"), ("ZJ-5870", 58, "raster QR, GBK, no cutter")]


def layout_rate(profile: str, width: int, seconds: float) -> tuple[float, int]:
    ticket = dataclasses.replace(sample_ticket(), width_mm=width)
    size = len(ticket_bytes(ticket, profile))
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        # vary the number so nothing can be cached between tickets
        ticket_bytes(dataclasses.replace(ticket, number=f"A{count % 1000:03d}"), profile)
        count += 1
    return count / (time.perf_counter() - start), size


def print_times(url: str, seconds: float) -> list[float]:
    printer = open_printer(url)
    ticket, times = sample_ticket(), []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or not times:
        start = time.perf_counter()
        printer.print_ticket(ticket)
        times.append(time.perf_counter() - start)
    printer.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    print("ticket layout -> bytes (one core, in-process)")
    for profile, width, kind in CASES:
        rate, size = layout_rate(profile, width, args.seconds)
        print(f"  {profile:8s} {width} mm  {kind:27s} {rate:8.0f} tickets/s  {size:6d} bytes")
    sim = print_times("sim://printer", args.seconds)
    print(f"print_ticket, in-process simulator: median {statistics.median(sim) * 1e3:.2f} ms"
          f" over {len(sim)} tickets")
    server = PtyPrinter(PrinterSimulator())
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        pty = print_times(f"serial://{server.path}?baudrate=115200", args.seconds)
    finally:
        server.stop()
        thread.join()
        server.close()
    print(f"print_ticket, simulator over a pty:  median {statistics.median(pty) * 1e3:.2f} ms"
          f" over {len(pty)} tickets (status 1/2/4 before and after: 6 round trips)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
