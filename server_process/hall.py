"""A hall loaded by the administrator's command, and a hall's server on a port of its own.

`provisioning(...)` runs one `python -m provisioning` command through its entry point in this
process (the same code as the command line, without an interpreter start per command) and is
this package's only door into our code: a hall is loaded as an administrator loads it, never by
calling `queue_server` directly."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

from server_process.process import ServerProcess, free_port, start_server


def provisioning(*argv: str, stdin: str = "") -> str:
    """`python -m provisioning ARGV`, in this process; answers what it printed. Raises
    RuntimeError with the end of its error output when it exits non-zero."""
    from provisioning.__main__ import main

    out, err, saved = io.StringIO(), io.StringIO(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        sys.stdin = saved
    if code != 0:
        raise RuntimeError(f"provisioning {argv[0]} exited {code}: "
                           f"{err.getvalue().strip()[-600:]}")
    return out.getvalue()


def init_hall(db_url: str, config: Path | str) -> None:
    """`provisioning init`: migrate the database and load a hall configuration, given as a TOML
    file or as its text."""
    if isinstance(config, Path):
        provisioning("init", "--config", str(config), "--db", db_url)
        return
    with tempfile.TemporaryDirectory(prefix="kuaiban-hall-") as tmp:
        path = Path(tmp) / "hall.toml"
        path.write_text(config, encoding="utf-8")
        provisioning("init", "--config", str(path), "--db", db_url)


class HallProcess:
    """An SQLite hall in `tmp` set up from `hall_toml`, and its server process: started on a port
    chosen once, so a test may kill it and start it again where the terminals expect it."""

    def __init__(self, tmp: Path, hall_toml: str) -> None:
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'hall.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: ServerProcess | None = None
        config = tmp / "hall.toml"
        config.write_text(hall_toml, encoding="utf-8")
        init_hall(self.db, config)

    def set_pin(self, staff: str, pin: str) -> None:
        provisioning("staff", "--db", self.db, "--id", staff, "--pin-stdin", stdin=pin + "\n")

    def enrol(self, kind: str, name: str, counter: str | None = None,
              hall: str | None = None) -> str:
        args = ["enrol", "--db", self.db, "--kind", kind, "--name", name]
        args += ["--counter", counter] if counter else []
        args += ["--hall", hall] if hall else []
        return str(json.loads(provisioning(*args, "--json"))["token"])

    def start(self, *args: str, timeout: float = 30.0) -> ServerProcess:
        self.server = start_server(self.db, self.tmp, *args, port=self.port,
                                   log=self.tmp / "server.log", timeout=timeout)
        return self.server

    def kill(self) -> None:
        if self.server is not None:
            self.server.kill()
        self.server = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None

    def log_tail(self) -> str:
        path = self.tmp / "server.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""
