"""The yardstick of bench_queue.py: a bare FastAPI endpoint doing one SQLite insert, with the
same durability settings as the queue server (WAL, synchronous=FULL, one in-process write lock,
BEGIN IMMEDIATE), served by the same uvicorn options.

    python bench/bare_app.py --db /tmp/bare.db --port 8799
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI

_local = threading.local()
_write_lock = threading.Lock()


def make_app(path: str) -> FastAPI:
    with sqlite3.connect(path) as con:
        con.execute("pragma journal_mode=wal")
        con.execute("create table if not exists tickets (id integer primary key, hall text,"
                    " service text, issued_at text)")

    def connection() -> sqlite3.Connection:
        con = getattr(_local, "con", None)
        if con is None:
            con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            con.execute("pragma synchronous=full")
            _local.con = con
        return con

    app = FastAPI()

    @app.post("/insert", status_code=201)
    def insert(body: dict[str, str]) -> dict[str, object]:
        con = connection()
        with _write_lock:
            con.execute("begin immediate")
            cur = con.execute("insert into tickets (hall, service, issued_at) values (?,?,?)",
                              ("bench", body.get("service", ""), datetime.now(UTC).isoformat()))
            con.execute("commit")
        return {"id": cur.lastrowid}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(make_app(args.db), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
