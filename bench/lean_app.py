"""The yardstick of bench_scale.py: the leanest durable insert behind one FastAPI route, served
by the queue server's own uvicorn settings (the connection guard, `UVICORN_OPTIONS`, no access
log, one worker).

SQLite: one connection on the event loop's thread, WAL, `synchronous=FULL`; each request is
`BEGIN IMMEDIATE` … one INSERT … `COMMIT` done inline (no thread hop, no lock, nothing shared
between requests: every insert pays its own fsync). PostgreSQL: a thread-local autocommit
connection per worker thread, one INSERT a transaction (commits of several threads overlap,
as PostgreSQL allows).

    python bench/lean_app.py --db sqlite:////tmp/lean.db --port 8799
    python bench/lean_app.py --db postgresql://postgres@127.0.0.1:5432/bench_x --port 8799
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.api.guard import Limits, guarded  # noqa: E402
from queue_server.api.stream import UVICORN_OPTIONS  # noqa: E402

_TABLE = ("create table if not exists lean_tickets (id {pk}, hall text, service text,"
          " issued_at text)")


def sqlite_app(path: str, mode: str) -> FastAPI:
    with sqlite3.connect(path) as con:
        con.execute("pragma journal_mode=wal")
        con.execute(_TABLE.format(pk="integer primary key"))
    local = threading.local()
    lock = threading.Lock()
    one = ThreadPoolExecutor(1, thread_name_prefix="lean-writer")

    def connection() -> sqlite3.Connection:
        con = getattr(local, "con", None)
        if con is None:
            con = local.con = sqlite3.connect(path, isolation_level=None,
                                              check_same_thread=False)
            con.execute("pragma synchronous=full")
        return con

    def write(body: dict[str, str]) -> dict[str, Any]:
        con = connection()
        with lock:
            con.execute("begin immediate")
            cur = con.execute("insert into lean_tickets (hall, service, issued_at)"
                              " values (?,?,?)", (body.get("hall", ""), body.get("service", ""),
                                                  datetime.now(UTC).isoformat()))
            con.execute("commit")
        return {"id": cur.lastrowid}

    app = FastAPI()
    if mode == "pool":
        app.post("/insert", status_code=201)(write)
    elif mode == "inline":
        @app.post("/insert", status_code=201)
        async def inline(body: dict[str, str]) -> dict[str, Any]:
            return write(body)
    else:
        @app.post("/insert", status_code=201)
        async def thread(body: dict[str, str]) -> dict[str, Any]:
            return await asyncio.get_running_loop().run_in_executor(one, write, body)

    return app


def pg_app(url: str) -> FastAPI:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(_TABLE.format(pk="bigserial primary key"))
    local = threading.local()
    app = FastAPI()

    @app.post("/insert", status_code=201)
    def insert(body: dict[str, str]) -> dict[str, Any]:
        con = getattr(local, "con", None)
        if con is None:
            con = local.con = psycopg.connect(dsn, autocommit=True)
        row = con.execute("insert into lean_tickets (hall, service, issued_at) values"
                          " (%s,%s,%s) returning id",
                          (body.get("hall", ""), body.get("service", ""),
                           datetime.now(UTC).isoformat())).fetchone()
        return {"id": row[0] if row else None}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://…")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-conn-per-client", type=int, default=64)
    parser.add_argument("--max-connections", type=int, default=2048)
    parser.add_argument("--sqlite-mode", choices=("pool", "thread", "inline"), default="pool",
                        help="SQLite: a sync route in the thread pool (default), one writer "
                        "thread, or inline on the event loop")
    args = parser.parse_args()
    app = (sqlite_app(args.db.removeprefix("sqlite:///"), args.sqlite_mode) if args.db.startswith("sqlite")
           else pg_app(args.db))
    limits = Limits(per_client=args.max_conn_per_client, total=args.max_connections)
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, access_log=False,
                log_level="warning", http=guarded(limits), **UVICORN_OPTIONS)


if __name__ == "__main__":
    main()
