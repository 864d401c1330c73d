"""Where the CPU of one measured window went (bench_scale's PostgreSQL part): the server
processes, the loader (this process), PostgreSQL's processes and the rest of the machine, from
/proc utime+stime deltas, and how often PostgreSQL backends waited on a lock, sampled from
pg_stat_activity five times a second.

PostgreSQL's processes: the backends of the bench database (found in pg_stat_activity at the
start and at every sample, so backends that connect during the window count from zero) plus its
background processes (WAL writer, checkpointer, autovacuum…) and the postmaster. Other
databases' backends (other people's tests on the same server) count as "other"."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
# Our backends and the server's own processes, with what each is waiting on.
_ACTIVITY = ("select pid, wait_event_type, state from pg_stat_activity "
             "where (datname = current_database() or backend_type <> 'client backend') "
             "and pid <> pg_backend_pid()")


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a process (all its threads) in seconds; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def machine_busy() -> float:
    """CPU seconds all cores spent neither idle nor waiting for IO, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK


@dataclass
class Share:
    """One window's figures: CPU seconds by whom, and the lock-wait samples."""

    wall: float = 0.0
    servers: list[float] = field(default_factory=list)
    loader: float = 0.0
    postgres: float = 0.0
    machine: float = 0.0
    samples: int = 0
    lock_samples: int = 0  # samples in which at least one backend waited on a lock
    lock_waiting: int = 0  # backends waiting on a lock, summed over the samples
    active: int = 0  # active backends, summed over the samples

    def cores(self, seconds: float) -> float:
        return seconds / self.wall if self.wall else 0.0

    @property
    def other(self) -> float:
        return max(0.0, self.machine - sum(self.servers) - self.loader - self.postgres)

    def cores_row(self) -> str:
        return (f"servers {self.cores(sum(self.servers)):.2f} cores, loader "
                f"{self.cores(self.loader):.2f}, postgres {self.cores(self.postgres):.2f}, "
                f"other {self.cores(self.other):.2f}: "
                f"{self.cores(self.machine):.2f} of {CORES}")

    def locks_row(self) -> str:
        n = max(self.samples, 1)
        return (f"lock waits in {self.lock_samples}/{self.samples} samples, "
                f"{self.lock_waiting / n:.2f} waiting of {self.active / n:.1f} active")


class Watch:
    """Start at the measured window's start, stop at its end (httpload.closed_loop's
    `watch`); `share` then holds the figures."""

    def __init__(self, dsn: str, servers: list[int]) -> None:
        self.dsn, self.server_pids = dsn, servers
        self.share = Share()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def _backends(self, con: object, count: bool) -> None:
        rows = con.execute(_ACTIVITY).fetchall()  # type: ignore[attr-defined]
        for pid, *_ in rows:
            cpu = proc_cpu(pid)
            if cpu is None:
                continue
            self._first.setdefault(pid, cpu if not count else 0.0)
            self._last[pid] = cpu
        if count:
            waiting = sum(1 for _, wait, _ in rows if wait == "Lock")
            self.share.samples += 1
            self.share.lock_samples += waiting > 0
            self.share.lock_waiting += waiting
            self.share.active += sum(1 for _, _, state in rows if state == "active")

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as con:
            postmaster = parent(con.execute("select pg_backend_pid()").fetchone()[0])  # type: ignore[index]
            if postmaster is not None:
                self._first[postmaster] = self._last[postmaster] = proc_cpu(postmaster) or 0.0
            self._backends(con, count=False)
            self._started.set()
            while not self._stop.wait(0.2):
                self._backends(con, count=True)
            self._backends(con, count=True)
            if postmaster is not None:
                self._last[postmaster] = proc_cpu(postmaster) or self._last[postmaster]

    def start(self) -> None:
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._started.wait(5)
        self._t0 = time.perf_counter()
        self._servers0 = [proc_cpu(pid) or 0.0 for pid in self.server_pids]
        self._loader0 = proc_cpu(os.getpid()) or 0.0
        self._machine0 = machine_busy()

    def stop(self) -> Share:
        s = self.share
        s.wall = time.perf_counter() - self._t0
        s.servers = [(proc_cpu(pid) or 0.0) - t for pid, t in zip(self.server_pids,
                                                                   self._servers0, strict=True)]
        s.loader = (proc_cpu(os.getpid()) or 0.0) - self._loader0
        s.machine = machine_busy() - self._machine0
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        s.postgres = sum(self._last[pid] - first for pid, first in self._first.items())
        return s
