"""How the machine's disk answered while a phase ran: a thread writes 8 KB and waits for
`fdatasync`, every 10 ms, in a file of the given folder (the bench's work folder, on the same
file system as PostgreSQL's data here), and keeps each wait. A commit waits for such a flush
of the write-ahead log, so a stall of the disk is a stall of every commit: the open loop's
p99 then shows the disk, not the server (seen here: idle, 8 s of flushes gave p50 0.09 ms and
a max of 38 ms)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import TracebackType

from httpload import percentile


class DiskWatch:
    def __init__(self, folder: Path, every: float = 0.010) -> None:
        self.path = folder / f"disk-watch-{os.getpid()}"
        self.every = every
        self.waits: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="disk-watch", daemon=True)

    def __enter__(self) -> DiskWatch:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.path.unlink(missing_ok=True)

    def _run(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            block = b"\0" * 8192
            while not self._stop.wait(self.every):
                os.pwrite(fd, block, 0)
                started = time.perf_counter()
                os.fdatasync(fd)
                self.waits.append(time.perf_counter() - started)
        finally:
            os.close(fd)

    def note(self) -> dict[str, float | int]:
        """The flushes' figures: how many, p50 and p99 and max (ms), how many over 20 ms."""
        if not self.waits:
            return {}
        return {"flushes": len(self.waits),
                "p50_ms": round(percentile(self.waits, 50) * 1000, 2),
                "p99_ms": round(percentile(self.waits, 99) * 1000, 2),
                "max_ms": round(max(self.waits) * 1000, 1),
                "over_20ms": sum(w > 0.020 for w in self.waits)}

    def summary(self) -> str:
        f = self.note()
        if not f:
            return "disk: no flush measured"
        return (f"disk alongside (8 KB + fdatasync every {self.every * 1000:g} ms, "
                f"{f['flushes']}): p50 {f['p50_ms']:.2f}  p99 {f['p99_ms']:.2f}  max "
                f"{f['max_ms']:.1f} ms, {f['over_20ms']} over 20 ms")
