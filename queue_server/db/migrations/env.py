"""Alembic environment: runs on the connection `queue_server.db.store.migrate` passes in, or on
an engine made from the URL in `config.attributes["url"]`."""

from __future__ import annotations

from typing import Any

from alembic import context

from queue_server.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Any) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from queue_server.db.store import make_engine

    engine = make_engine(config.attributes["url"])
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
