"""Rows read with Core statements that remember what the use case changes and save it as one
UPDATE of the changed columns: the counter actions' hot path without the ORM's unit of work
(its flush cost more than the statements themselves)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Update

from queue_server.db import lean

_UPDATES: dict[tuple[str, tuple[str, ...]], Update] = {}


class Record:
    """One row as attributes. Assigning an attribute marks the column changed; `save()`
    writes the changed columns, keyed by the table's primary key."""

    def __init__(self, table: Table, row: Any) -> None:
        """`row`: a dict of its columns, or a row with `_fields` (SQLAlchemy's or `lean`'s)."""
        values = dict(row) if isinstance(row, dict) else dict(zip(row._fields, row, strict=True))
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_changed", {})
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._table.c:
            raise AttributeError(f"{self._table.name} has no column {name!r}")
        if self.__dict__.get(name, value) != value or name not in self.__dict__:
            self._changed[name] = value
        self.__dict__[name] = value

    def __getattr__(self, name: str) -> Any:  # only for names not set: a typo, not a column
        raise AttributeError(f"{self._table.name} row has no {name!r}")

    def save(self, conn: Connection) -> None:
        changed: dict[str, Any] = self._changed
        if not changed:
            return
        table = self._table
        keys = [c.name for c in table.primary_key.columns]
        cols = tuple(sorted(changed))
        stmt = _UPDATES.get((table.name, cols))
        if stmt is None:
            stmt = lean.hot(update(table)
                            .where(*[table.c[k] == bindparam(f"k_{k}") for k in keys])
                            .values({table.c[c]: bindparam(f"v_{c}", type_=table.c[c].type)
                                     for c in cols}))
            _UPDATES[(table.name, cols)] = stmt
        params = {f"k_{k}": self.__dict__[k] for k in keys}
        params.update({f"v_{c}": changed[c] for c in cols})
        lean.rows(conn, stmt, params)
        changed.clear()
