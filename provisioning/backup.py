"""Online, consistent backups of a hall database and their restore.

- SQLite: the SQLite online backup API copies a consistent snapshot (WAL included) while the
  server keeps running; the backup is itself an SQLite file, checked with `integrity_check`.
- PostgreSQL (or any other URL): a logical dump of our tables read in one REPEATABLE READ, READ
  ONLY transaction (one snapshot), written as gzip'd JSON lines: a header, then one line a row.

Restore takes either form into either kind of database (schema created by the migrations when
missing). It runs in one transaction: all our tables are emptied and refilled, or nothing
changes. Stop the server first: a restore replaces what it is working on.

Event ids grow for the life of a hall (terminals reconnect with `after=` the last id they saw):
a restore given the replaced database's highest id of each hall (`last_event_ids`) raises that
hall's restored sequence to it in the same all-or-nothing step, so new events never reuse an
old id.
Likewise numbers: a citizen may hold a ticket the backup never saw, so a restore given the
replaced database's number counters (`numbers_handed_out`) raises each restored counter of
that hall, prefix and day to at least it: no number is handed out twice in a day.

A failure says which side failed, the database or the backup file, and what to do
(`provisioning.backup_failures`); a failure of the database read or written through SQLAlchemy
is left to `provisioning.db_failures.explained`, which the command's entry point asks.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import gzip
import json
import os
import sqlite3
import tempfile
from collections.abc import Generator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    MetaData,
    Table,
    bindparam,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import CompileError, DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from provisioning import backup_failures as failures
from provisioning.db import file_refusal, url_refusal
from queue_server.db.busy import first_line
from queue_server.db.health import sqlite_file

FORMAT = "kuaiban-backup"
SQLITE_MAGIC = b"SQLite format 3\x00"
OUT, FROM = "--out", "--from"  # how the commands name the backup file, in what they say


def _sqlite_path(url: str) -> Path | None:
    """The SQLite file of `url`, or None for another database (a URL naming no file was
    refused before anything opened it)."""
    refused = url_refusal(url)
    if refused is not None:
        raise refused
    return sqlite_file(url) if make_url(url).get_backend_name() == "sqlite" else None


def _reading_backup(path: Path) -> sqlite3.Connection:
    """The SQLite backup file `path`, opened read-only and, unless a write-ahead log lies
    beside it (a copy taken with one), as a file nobody writes: a backup on a read-only medium
    opens too (read as a WAL database, it would want to make its index beside it)."""
    uri = Path(os.path.abspath(path)).as_uri()
    whole = not Path(f"{path}-wal").exists()
    return sqlite3.connect(f"{uri}?mode=ro{'&immutable=1' if whole else ''}", uri=True)


def our_tables(meta: MetaData) -> list[Table]:
    """Tables in foreign-key order: the server's models (when importable) plus alembic_version."""
    try:
        from queue_server.db.models import Base
        names = set(Base.metadata.tables) | {"alembic_version"}
    except ImportError:  # pragma: no cover - the server package is part of this repository
        names = set(meta.tables)
    return [t for t in meta.sorted_tables if t.name in names]


def _reflect(conn: Connection) -> MetaData:
    """Our tables' metadata, read from the database (callers have found the halls there)."""
    meta = MetaData()
    meta.reflect(conn)
    return meta


# -- values <-> JSON ---------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$dt":
            return datetime.fromisoformat(raw)
        if tag == "$d":
            return date.fromisoformat(raw)
        if tag == "$b":
            return base64.b64decode(raw)
        if tag == "$n":
            return Decimal(raw)
    return value


# -- backup ------------------------------------------------------------------------------------
def backup(url: str, out: Path, *, force: bool = False) -> dict[str, int]:
    """Write a consistent backup of the database at `url` to `out`; answers rows per table.
    A file already at `out` is replaced only with `force`, and never when it is the database
    itself."""
    path = _sqlite_path(url)
    refused = file_refusal(url)  # a missing SQLite file is not made (nor its backup begun)
    if refused is not None:
        raise refused
    if out.is_dir():
        raise failures.file_failed(OUT, out, IsADirectoryError(errno.EISDIR, "Is a directory"))
    if path is not None and _is_database_file(out, path):
        raise failures.is_the_database(url, OUT, out)
    if not force and os.path.lexists(out):  # (a link too, even a broken one)
        raise failures.exists(OUT, out)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        # The backup holds the halls' secret (the key of the ID numbers' hashes and the sealed
        # addresses): readable by its owner alone, as the terminal files and the TLS keys are.
        tmp.touch(mode=0o600)
    except OSError as exc:
        raise failures.file_failed(OUT, out, exc) from exc
    try:
        counts = _backup_sqlite(url, path, tmp, out) if path else _backup_logical(url, tmp)
        tmp.chmod(0o600)
        tmp.replace(out)  # the backup appears complete or not at all
    except OSError as exc:  # (the database's come as SQLAlchemy's or SQLite's errors)
        raise failures.file_failed(OUT, out, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return counts


# The files SQLite and the server keep beside a database, named after it.
_BESIDE = ("", "-wal", "-shm", "-journal", ".server-lock")


def _is_database_file(out: Path, database: Path) -> bool:
    """Whether `out` is the file `database`, or one kept beside it, by whatever path: a
    symlink, `..` or another hard link."""
    real, mine = Path(os.path.realpath(database)), Path(os.path.realpath(out))
    if mine.parent == real.parent and mine.name in {real.name + s for s in _BESIDE}:
        return True
    try:
        return out.samefile(database)
    except OSError:  # either missing: not the same file
        return False


def _backup_sqlite(url: str, path: Path, tmp: Path, out: Path) -> dict[str, int]:
    """SQLite's online backup of the file `path` into `tmp` (to become `out`), each failure
    said for the side it is on: the database is opened and read first, then the copy made."""
    try:
        src = sqlite3.connect(f"{Path(os.path.abspath(path)).as_uri()}?mode=ro", uri=True)
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as exc:
        raise failures.database(url, exc) from exc
    try:
        if "halls" not in tables:
            raise failures.no_kuaiban_tables(url, tables)
        _copy(url, path, src, tmp, out)
    finally:
        src.close()
    return table_counts(f"sqlite:///{tmp}")


def _copy(url: str, path: Path, src: sqlite3.Connection, tmp: Path, out: Path) -> None:
    try:
        dst = sqlite3.connect(tmp)
    except sqlite3.Error as exc:
        raise failures.copy_failed(url, OUT, out, exc) from exc
    try:
        src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise failures.copy_failed(url, OUT, out, exc) from exc
    finally:
        dst.close()
    if check != "ok":
        raise failures.damaged_copy(url, Path(os.path.abspath(path)))


def _backup_logical(url: str, out: Path) -> dict[str, int]:
    engine = create_engine(url)
    counts: dict[str, int] = {}
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
                gzip.open(out, "wt", encoding="utf-8") as f:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            meta = _reflect(conn)
            if "halls" not in meta.tables:
                raise failures.no_kuaiban_tables(url, set(meta.tables))
            tables = our_tables(meta)
            f.write(json.dumps({"format": FORMAT, "version": 1,
                                "tables": [t.name for t in tables]}) + "\n")
            for table in tables:
                counts[table.name] = 0
                order = list(table.primary_key.columns) or list(table.columns)
                for row in conn.execute(select(table).order_by(*order)):
                    line = {k: _encode(v) for k, v in row._mapping.items()}
                    f.write(json.dumps({"t": table.name, "r": line}, ensure_ascii=False) + "\n")
                    counts[table.name] += 1
            conn.rollback()
    finally:
        engine.dispose()
    return counts


# -- restore -----------------------------------------------------------------------------------
def _rows_from_file(path: Path) -> Generator[tuple[str, dict[str, Any]], None, None]:
    if _is_sqlite(path):
        engine = create_engine("sqlite://", poolclass=NullPool,
                               creator=lambda: _reading_backup(path))
        try:
            with engine.connect() as conn:
                for table in our_tables(_reflect(conn)):
                    for row in conn.execute(select(table)):
                        yield table.name, dict(row._mapping)
        finally:
            engine.dispose()
        return
    line = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
            line = 1
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise failures.not_a_backup(FROM, path)
            for text_line in f:
                line += 1
                item = json.loads(text_line)
                yield item["t"], {k: _decode(v) for k, v in item["r"].items()}
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise failures.not_a_backup(FROM, path, "cut" if line else "") from exc


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as f:  # a missing file, a folder or no permission says so
            return f.read(16) == SQLITE_MAGIC
    except OSError as exc:
        raise failures.file_failed(FROM, path, exc, reading=True) from exc


def check_backup(path: Path) -> None:
    """Refuse a file that is missing, truncated or not one of our backups."""
    if not _is_sqlite(path):
        for _ in _rows_from_file(path):  # reads the whole dump: a truncated gzip fails here
            pass
        return
    try:
        conn = _reading_backup(path)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            has_halls = conn.execute("SELECT count(*) FROM sqlite_master WHERE name='halls'"
                                     ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise failures.not_a_backup(FROM, path, "damaged") from exc
    if check != "ok":
        raise failures.not_a_backup(FROM, path, "damaged")
    if not has_halls:
        raise failures.not_a_backup(FROM, path)


# Never lowers a counter. Since migration 0008 each hall has its own (`hall_event_seq`), made by
# the hall's first event: a hall the backup has no row for (it had no events then) gets one, or
# its next event would take id 1 again. A backup made before 0008 has the one `event_seq` row
# the first migration inserted, raised to the highest floor of any hall.
_RAISE_HALL_SEQ = ("INSERT INTO hall_event_seq (hall, last) VALUES (:hall, :last) "
                   "ON CONFLICT (hall) DO UPDATE SET last = CASE WHEN excluded.last > "
                   "hall_event_seq.last THEN excluded.last ELSE hall_event_seq.last END")
_RAISE_EVENT_SEQ = "UPDATE event_seq SET last = :last WHERE id = 1 AND last < :last"

EventIds = dict[str, int]  # hall -> the last event id it handed out


def _raising(tables: set[str], floors: EventIds) -> tuple[str, list[dict[str, Any]]]:
    """The statement that raises the restored event sequences to `floors`, and its rows."""
    if "hall_event_seq" in tables:
        return _RAISE_HALL_SEQ, [{"hall": h, "last": n} for h, n in sorted(floors.items()) if n]
    return _RAISE_EVENT_SEQ, [{"last": max(floors.values(), default=0)}]


Number = tuple[str, str, str, int]  # hall, prefix, business day (YYYY-MM-DD), last handed out
# Never lowers a counter; adds the counters the backup lacks (a day or prefix begun after it).
_RAISE_NUMBER = ("INSERT INTO number_counters (hall, prefix, day, last) "
                 "VALUES (:hall, :prefix, :day, :last) ON CONFLICT (hall, prefix, day) DO UPDATE "
                 "SET last = CASE WHEN excluded.last > number_counters.last THEN excluded.last "
                 "ELSE number_counters.last END")  # one statement for SQLite and PostgreSQL


def _number_rows(numbers: list[Number], as_date: bool) -> list[dict[str, Any]]:
    return [{"hall": h, "prefix": p, "day": date.fromisoformat(d) if as_date else d, "last": n}
            for h, p, d, n in numbers]


def restore(path: Path, url: str, event_floors: EventIds | None = None,
            number_floor: list[Number] | None = None) -> dict[str, int]:
    """Replace the contents of our tables at `url` with the backup at `path`. With
    `event_floors` (`last_event_ids` of the replaced database), each hall's restored event
    sequence is at least its floor, and with `number_floor` every number counter at least the
    replaced database's (same transaction/copy)."""
    check_backup(path)
    target = _sqlite_path(url)
    floors = event_floors or {}
    if target is not None and _is_sqlite(path):
        return _restore_sqlite(url, path, target, floors, number_floor or [])
    from queue_server.db.store import migrate
    migrate(url)
    engine = create_engine(url)
    try:
        return _restore_rows(path, engine, floors, number_floor or [])
    finally:
        engine.dispose()


def _restore_sqlite(url: str, path: Path, target: Path, floors: EventIds,
                    numbers: list[Number]) -> dict[str, int]:
    """The backup file `path` copied over the database file `target` (of `url`) in one step.
    The backup was checked before: what fails now is the database's side (its folder, where
    the copy is prepared, or the file itself)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.restore-") as tmp:
        src = _reading_backup(path)
        try:
            if floors or numbers:
                src = _staged(url, src, Path(tmp) / "stage.db", floors, numbers)
            try:
                dst = sqlite3.connect(target, timeout=30)
                try:
                    src.backup(dst)  # page by page under the target's lock: all or nothing
                finally:
                    dst.close()
            except sqlite3.Error as exc:
                raise failures.database(url, exc) from exc
        finally:
            src.close()
    return table_counts(f"sqlite:///{target}")


def _staged(url: str, src: sqlite3.Connection, stage_path: Path, floors: EventIds,
            numbers: list[Number]) -> sqlite3.Connection:
    """A private copy of the backup, beside the database of `url`, with its event sequences
    raised to `floors` and its number counters to `numbers` (closes `src`): copying that into
    the target keeps the restore a single all-or-nothing step."""
    stage = sqlite3.connect(stage_path)
    try:
        src.backup(stage)
        tables = {r[0] for r in stage.execute("SELECT name FROM sqlite_master")}
        with stage:
            if floors:
                stage.executemany(*_raising(tables, floors))
            stage.executemany(_RAISE_NUMBER, _number_rows(numbers, as_date=False))
    except sqlite3.Error as exc:
        stage.close()
        raise failures.database(url, exc) from exc
    src.close()
    return stage


def _restore_rows(path: Path, engine: Engine, floors: EventIds,
                  numbers: list[Number]) -> dict[str, int]:
    """The backup's rows put into the database of `engine` in one transaction: its schema
    refusing them (a backup of another Kuaiban version) undoes it all and says so."""
    try:
        with engine.begin() as conn:
            tables = {t.name: t for t in our_tables(_reflect(conn))}
            counts = _put_rows(path, conn, tables)
            if floors:
                statement, rows = _raising(set(tables), floors)
                if rows:
                    conn.execute(text(statement), rows)
            if numbers:
                conn.execute(text(_RAISE_NUMBER).bindparams(bindparam("day", type_=Date)),
                             _number_rows(numbers, as_date=True))
            if engine.dialect.name == "postgresql":
                _reset_sequences(conn, list(tables.values()))
    except (IntegrityError, DataError, CompileError) as exc:
        raise failures.rows_do_not_fit(FROM, path, exc) from exc
    return counts


def _put_rows(path: Path, conn: Connection, tables: dict[str, Table]) -> dict[str, int]:
    """Empty our tables and fill them with the backup's rows; answers rows per table."""
    counts = dict.fromkeys(tables, 0)
    for table in reversed(list(tables.values())):
        conn.execute(table.delete())
    batch: list[dict[str, Any]] = []
    current = ""
    for name, row in _rows_from_file(path):
        if name not in tables:
            raise failures.unknown_table(FROM, path, name)
        if name != current and batch:
            conn.execute(tables[current].insert(), _parents_first(tables[current], batch))
            batch = []
        current = name
        batch.append(row)
        counts[name] = counts.get(name, 0) + 1
    if batch:
        conn.execute(tables[current].insert(), _parents_first(tables[current], batch))
    return counts


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order the rows of a self-referencing table (an outpost names its parent hall) so that
    every row comes after the row it points to."""
    links = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys
             if fk.column.table.name == table.name]
    if not links:
        return rows
    ordered: list[dict[str, Any]] = []
    placed: set[tuple[str, Any]] = set()
    pending = list(rows)
    while pending:
        ready = [r for r in pending
                 if all(r.get(c) is None or (t, r[c]) in placed for c, t in links)]
        if not ready:  # a cycle or a dangling link: let the database say which
            ready = pending
        for r in ready:
            placed.update((t, r.get(t)) for _c, t in links)
        ordered += ready
        pending = [r for r in pending if not any(r is x for x in ready)]
    return ordered


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Serial ids continue after the restored rows (inserting explicit ids leaves them behind)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].type.python_type is not int:
            continue
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({pk[0].name}), 1), "
            f"MAX({pk[0].name}) IS NOT NULL) FROM {table.name}"),
            {"t": table.name, "c": pk[0].name})


def table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in our_tables(_reflect(conn))}
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of our tables, sorted: what a restore must reproduce (used by checks)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out: dict[str, list[tuple[Any, ...]]] = {}
            for table in our_tables(_reflect(conn)):
                names = sorted(c.name for c in table.columns)
                rows = conn.execute(select(*[table.c[n] for n in names])).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
            return out
    finally:
        engine.dispose()


def _reading(url: str) -> Engine | None:
    """An engine that only reads the database at `url` (None: no such SQLite file; a missing
    file is not created)."""
    path = _sqlite_path(url)
    if path is not None and not path.is_file():
        return None
    return (create_engine("sqlite://", poolclass=NullPool,
                          creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True))
            if path is not None else create_engine(url, poolclass=NullPool))


def numbers_handed_out(url: str) -> list[Number]:
    """The number counters of the database at `url` (hall, prefix, day, last), or none when
    it cannot be read (then `last_event_id` says why)."""
    engine = _reading(url)
    if engine is None:
        return []
    try:
        with engine.connect() as conn:
            if "number_counters" not in set(inspect(conn).get_table_names()):
                return []
            rows = conn.execute(text("SELECT hall, prefix, day, last FROM number_counters"))
            return [(str(h), str(p), str(d)[:10], int(n)) for h, p, d, n in rows]
    except (SQLAlchemyError, sqlite3.Error, OSError, TypeError, ValueError):
        return []
    finally:
        engine.dispose()


def last_event_ids(url: str) -> tuple[EventIds | None, str]:
    """The highest event id the database at `url` has handed out, per hall (its event
    sequence, or a higher `events.id`; before migration 0008 one sequence served every hall),
    or None and why not (no such database, not ours, damaged). Reads only: a missing SQLite
    file is not created."""
    engine = _reading(url)
    if engine is None:
        return None, "无数据库文件 / no database file"
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            if "hall_event_seq" in names:
                ids = {str(h): int(n or 0) for h, n in
                       conn.execute(text("SELECT hall, last FROM hall_event_seq"))}
            elif "event_seq" in names:
                top = int(conn.execute(text("SELECT max(last) FROM event_seq")).scalar() or 0)
                halls: list[Any] = list(conn.execute(text("SELECT id FROM halls")).scalars()) \
                    if "halls" in names else []
                ids = {str(h): top for h in halls}
            else:
                return None, "无快办数据表 / no Kuaiban tables"
            if "events" in names:
                for hall, top in conn.execute(text("SELECT hall, max(id) FROM events "
                                                   "GROUP BY hall")):
                    ids[str(hall)] = max(ids.get(str(hall), 0), int(top or 0))
            return ids, ""
    except (SQLAlchemyError, sqlite3.Error, OSError, TypeError, ValueError) as exc:
        return None, _unreadable(exc)
    finally:
        engine.dispose()


def last_event_id(url: str) -> tuple[int | None, str]:
    """The highest event id the database at `url` has handed out in any hall, or None and why
    not (`last_event_ids`)."""
    ids, why = last_event_ids(url)
    return (None, why) if ids is None else (max(ids.values(), default=0), "")


Hall = tuple[str, str]  # id, name


def halls_in(url: str) -> tuple[list[Hall] | None, str]:
    """The halls of the database at `url`, in id order: none in a missing SQLite file or one
    without our tables; None and the error's words when it cannot be read. Reads only."""
    engine = _reading(url)
    if engine is None:
        return [], ""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("halls"):
                return [], ""
            rows = conn.execute(text("SELECT id, name FROM halls ORDER BY id"))
            return [(str(i), str(n)) for i, n in rows], ""
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        return None, first_line(exc)
    finally:
        engine.dispose()


def halls_in_backup(path: Path) -> list[Hall]:
    """The halls of the backup file `path` (checked before), in id order."""
    if _is_sqlite(path):
        conn = _reading_backup(path)
        try:
            rows = conn.execute("SELECT id, name FROM halls ORDER BY id").fetchall()
        except sqlite3.Error as exc:
            raise failures.not_a_backup(FROM, path, "damaged") from exc
        finally:
            conn.close()
        return [(str(i), str(n)) for i, n in rows]
    found: list[Hall] = []
    with contextlib.closing(_rows_from_file(path)) as dump:
        for table, row in dump:
            if table == "halls":
                found.append((str(row["id"]), str(row["name"])))
            elif found:  # a table's rows come together: the halls are all read
                break
    return sorted(found)


def _unreadable(exc: BaseException) -> str:
    return f"无法读取 / unreadable: {first_line(exc)}"
