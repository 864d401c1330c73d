"""The loud warning every `provisioning` command prints while an open case's deadline rests on
a calendar year that is neither packaged nor imported (its deadline is provisional)."""

from __future__ import annotations

import sys
from typing import TextIO

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


def warning_text(url: str) -> str | None:
    """The warning for the database at `url`, or None (nothing open depends on such a year,
    or there is no database to ask)."""
    from queue_server.db.health import sqlite_file
    from queue_server.usecases.calendars import unconfirmed_open

    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            file = sqlite_file(url)
            if file is None or not file.is_file():
                return None
        engine = create_engine(url)
    except Exception:  # noqa: BLE001 - not a URL: the command itself said so
        return None
    try:
        with engine.connect() as conn:
            seen = inspect(conn)
            if not seen.has_table("stages") or "deadline_provisional" not in {
                    c["name"] for c in seen.get_columns("stages")}:
                return None
            found = unconfirmed_open(conn)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if not found.cases:
        return None
    years = ", ".join(str(y) for y in found.years)
    return (f"!!! 警告 / WARNING: {found.cases} 件在办案件的办结时限按未确认的 {years} 年日历临时推算"
            f" / {found.cases} open case(s) have PROVISIONAL deadlines: the calendar of {years}"
            f" is neither packaged nor imported. Import the official schedule: python -m "
            f"provisioning calendar import FILE --db URL")


def warn(url: str | None, out: TextIO | None = None) -> None:
    text = warning_text(url) if url else None
    if text:
        print(text, file=out or sys.stderr)
