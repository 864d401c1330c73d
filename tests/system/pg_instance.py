"""A throwaway PostgreSQL instance of a test's own, so the test may restart, stop or crash it
without touching anyone's database: `initdb` into a private folder, `pg_ctl` on a free loopback
port with its socket in that folder, run as the `postgres` user when we are root (initdb
refuses root). Removed whole afterwards."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.procs import free_port


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def pg_binaries() -> str | None:
    """Why a throwaway instance cannot be made here, or None when it can."""
    if _bin_dir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run initdb as"
    return None


class PgInstance:
    def __init__(self, _hint: Path | None = None) -> None:
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))
        self.data, self.sock = self.folder / "data", self.folder / "sock"
        self.port = free_port()
        self.bin = _bin_dir()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        argv = [str(self.bin / cmd[0]), *cmd[1:]]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)

    def start(self) -> None:
        self.sock.mkdir()
        if self.user:
            info = pwd.getpwnam(self.user)
            for path in (self.folder, self.sock):
                os.chown(path, info.pw_uid, info.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E",
                  "UTF8", "--no-sync")
        self.ctl("start", "-w")
        self.sql("CREATE DATABASE kb")

    def ctl(self, action: str, *args: str) -> None:
        """`pg_ctl ACTION`: start (with our port and socket), stop, restart (reuses them)."""
        extra: list[str] = []
        if action in ("start", "restart"):  # the log to a file: a pipe would never close
            extra = ["-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1",
                     "-l", str(self.folder / "pg.log")]
        self._run("pg_ctl", action, "-D", str(self.data), *extra, *args)

    def sql(self, query: str) -> str:
        return self._run("psql", "-h", str(self.sock), "-p", str(self.port), "-U", "postgres",
                         "-d", "postgres", "-Atc", query).stdout

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
