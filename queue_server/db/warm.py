"""A fresh server's first requests, paid for before it answers any (`api.app._warm`).

Why: a server just started spent 30-60 ms more on its first issue than on its tenth. The hot
statements' plans (`lean`) are built on first use, each of the pool's PostgreSQL connections
is opened by the unit that first needs it (3-4 ms each here, several at once when a burst
meets a fresh server), and the ORM configures its mappers on its first query.

How: before the server listens (its lifespan's start), the mappers are configured, every
hot statement this database can run gets its plan, and on PostgreSQL the pool's connections
are opened and left in the pool, each after the caller's `each` ran on it in a transaction
rolled back (the plain issue's statement, taking no number: `tickets.warm_connection`).
Nothing is written. A failure only leaves the work to the first requests, as before."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.orm import configure_mappers

from queue_server.db import lean
from queue_server.db.store import PG_POOL, Store


def warm(store: Store, each: Callable[[Connection], None] | None = None) -> None:
    """Warm `store`: the mappers, the hot statements' plans, and on PostgreSQL the pool's
    `PG_POOL` connections opened, `each(conn)` run on each of them in a transaction that is
    rolled back (what its server process has to learn before it runs the hot statements
    quickly)."""
    configure_mappers()
    lean.build_plans(store.writer.dialect)
    if not store.is_sqlite:
        opened: list[Connection] = []
        try:
            for _ in range(PG_POOL):
                conn = store.writer.connect()
                opened.append(conn)
                conn.exec_driver_sql("SELECT 1").close()
                if each is not None:
                    each(conn)
                conn.rollback()
        finally:
            for conn in opened:
                conn.close()  # back to the pool, still open
