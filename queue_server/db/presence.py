"""Whether a server is using a hall database, for the commands that must not run under one
(`provisioning restore` replaced the tables while a server went on issuing numbers, and the
tickets citizens held from then were gone). Nothing is written that could go stale: a server
on an SQLite file holds a shared lock on a file beside it for as long as the process lives (the
kernel drops it when the process dies, `kill -9` too); a server on PostgreSQL names its
connections (`application_name`), and the database lists the live ones."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from queue_server.db.health import sqlite_file

APPLICATION_NAME = "kuaiban-server"
_HELD: list[IO[bytes]] = []  # the open lock files of this process: never closed while it lives


def lock_file(database: Path) -> Path:
    """The lock beside the real file, whatever path reached it (a symlink, `..`, a relative
    path): a restore given another path to the file a server uses finds the server's lock."""
    real = database.resolve()
    return real.with_name(real.name + ".server-lock")


def hold(url: str) -> None:
    """Called by a starting server: mark the database as in use for this process's life. On
    PostgreSQL the connections say it (`PGAPPNAME`, which libpq reads, set before any
    connects)."""
    if make_url(url).get_backend_name() == "postgresql":
        os.environ.setdefault("PGAPPNAME", APPLICATION_NAME)
        return
    database = sqlite_file(url)
    if database is None:
        return
    handle = open(lock_file(database), "ab")  # noqa: SIM115 - held open for the process's life
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # several servers may share one file
    _HELD.append(handle)


def servers_using(url: str) -> str | None:
    """Who is using the database as a server, in words ("a server process" / "2 connections
    of kuaiban-server from 10.0.0.5, 10.0.0.6"), or None when nobody is."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT coalesce(host(client_addr), 'local') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND application_name = :name"), {"name": APPLICATION_NAME}).scalars().all()
        finally:
            engine.dispose()
        if not rows:
            return None
        return (f"{len(rows)} 个服务器连接,来自 {', '.join(sorted(set(rows)))} / {len(rows)} "
                f"server connection(s) from {', '.join(sorted(set(rows)))}")
    database = sqlite_file(url)
    if database is None or not lock_file(database).exists():
        return None
    with open(lock_file(database), "rb") as handle:  # (flock needs no write access)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "本机有服务器进程正在使用 / a server process on this machine uses it"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None
