"""Servers as if each ran on a machine of its own (bench_scale's `--server-cpu`): every server
process goes into a control group of its own whose CPU quota is `cores` cores, so adding a
server adds CPU, as adding a machine would, while PostgreSQL and the loader keep the rest of
this machine. On a machine with few cores the uncapped servers, PostgreSQL and the loader share
the same cores, and the ratio of two servers to one says more about the cores than about the
servers; capped, it says whether the servers hold each other up (locks, the database).

Needs root and a writable cgroup CPU controller (v2 `cpu.max`, or v1 `cpu.cfs_quota_us`);
`CpuCap` raises `CapUnavailable` saying why when there is none."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 10_000  # a short period: a capped server is held back in small steps, not 50 ms ones


class CapUnavailable(RuntimeError):
    pass


class CpuCap:
    """Control groups `kuaiban-bench-<pid>-<n>` under the CPU controller, one per process."""

    def __init__(self, cores: float) -> None:
        if cores <= 0:
            raise CapUnavailable("the quota must be more than 0 cores")
        self.quota_us = int(cores * PERIOD_US)
        self.cores = cores
        self.groups: list[Path] = []
        v1 = ROOT / "cpu"
        if (ROOT / "cgroup.controllers").exists():
            if "cpu" not in (ROOT / "cgroup.controllers").read_text().split():
                raise CapUnavailable("cgroup v2 without the cpu controller")
            self.base, self.v2 = ROOT, True
        elif (v1 / "cpu.cfs_quota_us").exists():
            self.base, self.v2 = v1, False
        else:
            raise CapUnavailable(f"no cgroup CPU controller under {ROOT}")
        if not os.access(self.base, os.W_OK):
            raise CapUnavailable(f"{self.base} is not writable (run as root)")

    def add(self, pid: int) -> None:
        """Move process `pid` (all its threads) into a new group with the quota."""
        group = self.base / f"kuaiban-bench-{os.getpid()}-{len(self.groups)}"
        try:
            group.mkdir()
            self.groups.append(group)
            if self.v2:
                controllers = self.base / "cgroup.subtree_control"
                if "cpu" not in controllers.read_text().split():
                    controllers.write_text("+cpu")
                (group / "cpu.max").write_text(f"{self.quota_us} {PERIOD_US}")
            else:
                (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(self.quota_us))
            (group / "cgroup.procs").write_text(str(pid))
        except OSError as exc:
            raise CapUnavailable(f"cannot cap process {pid} in {group}: {exc}") from exc

    def close(self) -> None:
        """Move what is left back to the root group and remove the groups."""
        for group in self.groups:
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (self.base / "cgroup.procs").write_text(pid)
            with contextlib.suppress(OSError):
                group.rmdir()
        self.groups.clear()

    def __enter__(self) -> CpuCap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
