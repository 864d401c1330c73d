"""Whether a `--db` URL can name a hall database, said in one line before anything opens it:
the commands exit 2 with it (contract §1) instead of a traceback from deep inside SQLAlchemy
(a database Kuaiban does not run on, or a driver that is not installed, raised ImportError
from the engine's creation)."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

EXPECTED = "expected sqlite:///path/hall.db or postgresql+psycopg://user@host/db"
BACKENDS = ("sqlite", "postgresql")


def url_problem(url: str) -> str | None:
    """Why `url` cannot name a hall database (one line, no password in it), or None when it
    can be tried: whether the database is there is for opening it to say."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"{url!r}: not a database URL ({EXPECTED})"
    if parsed.get_backend_name() not in BACKENDS:
        return f"{parsed.drivername}: not a database Kuaiban runs on ({EXPECTED})"
    try:
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError):  # an unknown driver name, or one not installed
        return f"{parsed.drivername}: no such driver installed ({EXPECTED})"
    return None
