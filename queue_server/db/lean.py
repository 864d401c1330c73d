"""The hot statements run on the driver's cursor: the same SQL, parameters and typed values
that SQLAlchemy's `Connection.execute` would use, without its execution context.

Why: around each statement SQLAlchemy spends some 8-10 µs of Python on SQLite (its cache
lookup, execution context, events, result metadata), about as much as the statement itself;
on PostgreSQL about 60 µs more than psycopg alone. A counter's call cycle runs some thirty
statements and an issue a dozen, on the one writer thread.

How: a statement marked with `hot()` (a module-level constant: its plan is kept by its id)
is compiled once per dialect by SQLAlchemy's own compiler, keeping its SQL text, the order of
its parameters with their values where the statement holds them, and its types' parameter
and result processors. `rows()` runs it on the unit's DBAPI connection, inside the unit's
transaction, and answers named tuples typed as SQLAlchemy's rows are. On PostgreSQL the SQL
is kept with PostgreSQL's own placeholders and run on psycopg's raw cursor, which sends it
as it is (psycopg would convert a long statement's placeholders again at every execution).
A driver error is raised as SQLAlchemy raises it (`DBAPIError.instance`: IntegrityError,
OperationalError..., the driver's error as `orig`, a lost connection invalidated with every
pooled one opened before it), so `db.busy` and every caller see no difference. A statement
not marked, or one that needs what this does not do (expanding IN lists, parameters computed
at execution), goes through `Connection.execute`.
tests/queue_server/test_lean.py checks the hot statements' rows equal SQLAlchemy's on SQLite
and PostgreSQL."""

from __future__ import annotations

import contextlib
import re
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import CompileError, DBAPIError

from queue_server.db.busy import connection_lost

S = TypeVar("S")
Processor = Callable[[Any], Any]
_ASK = object()  # a parameter the caller gives


class _Plan(NamedTuple):
    sql: str
    # Each parameter: its name, its value where the statement holds one (a literal in its
    # WHERE) or _ASK, its type's processor; in the driver's order where it is positional.
    params: tuple[tuple[str, Any, Processor | None], ...]
    positional: bool
    row: Any  # the named tuple of its result columns; None when it answers no rows
    results: tuple[tuple[int, Processor], ...]
    # psycopg: the SQL with PostgreSQL's own placeholders ($1, $2...), for each the index of
    # its parameter in `params`, and psycopg's raw cursor, which sends the SQL as it is.
    raw: tuple[str, tuple[int, ...], Callable[[Any], Any]] | None = None


_HOT: dict[int, Any] = {}  # id -> statement (kept, so that its id is never reused)
_PLANS: weakref.WeakKeyDictionary[Dialect, dict[int, _Plan | None]] = \
    weakref.WeakKeyDictionary()


def hot(stmt: S) -> S:
    """Mark `stmt`, a statement built once, to run on the driver's cursor."""
    _HOT[id(stmt)] = stmt
    return stmt


_INSERTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Any] = {}


def typed_params(table: Table, columns: Iterable[str]) -> dict[Any, Any]:
    """Values for an INSERT of these columns: each a parameter of its own name, typed as its
    column (so that its type processes it)."""
    return {table.c[c]: bindparam(c, type_=table.c[c].type) for c in columns}


def insert_of(table: Table, columns: Iterable[str], returning: tuple[str, ...] = ()) -> Any:
    """INSERT of these columns of `table`, each a parameter of its own name (with its
    column's type), RETURNING those named: built once for each set of columns, hot."""
    key = (table.name, tuple(columns), returning)
    stmt = _INSERTS.get(key)
    if stmt is None:
        stmt = insert(table).values(typed_params(table, key[1]))
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning))
        stmt = _INSERTS[key] = hot(stmt)
    return stmt


def _columns(stmt: Any) -> list[Any]:
    if getattr(stmt, "is_select", False) or getattr(stmt, "is_text", False):
        return list(stmt.selected_columns)
    if getattr(stmt, "is_dml", False) and getattr(stmt, "_returning", ()):
        return list(stmt.exported_columns)
    return []


def _names(columns: list[Any]) -> list[str]:
    """The rows' names as SQLAlchemy gives them: a name taken already (two tables' `id`) gets
    `_1`, `_2`...; one that is not an identifier becomes `_<position>` (namedtuple's rename)."""
    names: list[str] = []
    for column in columns:
        name, n = column.key, 0
        while name in names:
            n += 1
            name = f"{column.key}_{n}"
        names.append(name)
    return names


def _build(dialect: Dialect, stmt: Any) -> _Plan | None:
    compiled = stmt.compile(dialect=dialect)
    binds = compiled.binds
    if compiled.escaped_bind_names or any(
            b.expanding or b.literal_execute or b.callable is not None for b in binds.values()):
        return None
    names = compiled.positiontup if dialect.positional else list(binds)
    params = tuple((name, _ASK if binds[name].required else binds[name].value,
                    binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                   for name in names)
    columns = _columns(stmt)
    row, results = None, ()
    if columns:
        # The names SQLAlchemy's rows have: its compiler's (count(*) is `count_1`, a second
        # `id` is `id_1`), else the columns' own.
        named = getattr(compiled, "_result_columns", None)
        names = ([entry[0] for entry in named] if named and len(named) == len(columns)
                 else _names(columns))
        row = namedtuple("LeanRow", names, rename=True)  # type: ignore[misc]
        results = tuple((i, proc) for i, c in enumerate(columns)
                        if (proc := c.type.dialect_impl(dialect).result_processor(dialect,
                                                                                    None)))
    raw = None
    if dialect.driver == "psycopg" and not dialect.positional:
        import psycopg

        raw = (*_dollar_placeholders(compiled.string, [name for name, _, _ in params]),
               psycopg.RawCursor)
    return _Plan(compiled.string, params, bool(dialect.positional), row, results, raw)


_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")


def _dollar_placeholders(sql: str, names: list[str]) -> tuple[str, tuple[int, ...]]:
    """pyformat SQL (`%(name)s`, a literal `%` as `%%`) with PostgreSQL's `$n` placeholders
    instead, one for each name however often it is used, and the index in `names` of each
    `$n`'s parameter. psycopg converts `%(name)s` on every execution unless the statement is
    short (4 KB, 50 parameters; the issue's one statement is longer): some 12 % of a
    PostgreSQL server's CPU while issuing, measured with py-spy."""
    numbers: dict[str, int] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in numbers:
            numbers[name] = len(numbers) + 1
        return f"${numbers[name]}"

    raw = _PLACEHOLDER.sub(placeholder, sql)
    index = {name: i for i, name in enumerate(names)}
    return raw, tuple(index[name] for name in numbers)


def _plan(dialect: Dialect, stmt: Any) -> _Plan | None:
    key = id(stmt)
    if _HOT.get(key) is not stmt:
        return None
    plans = _PLANS.get(dialect)
    if plans is None:
        plans = _PLANS[dialect] = {}
    if key not in plans:
        plans[key] = _build(dialect, stmt)
    return plans[key]


def build_plans(dialect: Dialect) -> None:
    """Build now the plan of every statement marked so far that this dialect can compile (a
    fresh server's first requests would otherwise build theirs: `db.warm`); a statement of
    another database's (PostgreSQL's ON CONFLICT on SQLite) is left alone."""
    for stmt in list(_HOT.values()):
        with contextlib.suppress(CompileError, AttributeError, NotImplementedError):
            _plan(dialect, stmt)


def plan_of(conn: Connection, stmt: Any) -> _Plan | None:
    """How `stmt` runs on this connection's database: its plan, or None (through SQLAlchemy)."""
    return _plan(conn.dialect, stmt)


def _args(plan: _Plan, given: Mapping[str, Any], raw: bool = False) -> Any:
    """The driver's parameters: in the plan's order (positional), in its `$n` order (`raw`)
    or by name, each processed by its type as SQLAlchemy would."""
    values = [given[name] if name in given or value is _ASK else value
              for name, value, _ in plan.params]  # a missing one: KeyError, its name
    for i, (_, _, proc) in enumerate(plan.params):
        if proc is not None:
            values[i] = proc(values[i])
    if plan.positional:
        return tuple(values)
    if raw:
        assert plan.raw is not None
        return tuple(values[i] for i in plan.raw[1])
    return {name: v for (name, _, _), v in zip(plan.params, values, strict=True)}


def _execute(conn: Connection, sql: str, args: Any, fetch: bool, many: bool = False,
             cursor_of: Callable[[Any], Any] | None = None) -> tuple[list[Any], tuple[str, ...]]:
    """Run on the connection's DBAPI cursor (or the one `cursor_of` makes of the DBAPI
    connection): its rows (when `fetch`) and their names; a driver error raised as SQLAlchemy
    raises it."""
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    cursor = dbapi_conn.cursor() if cursor_of is None else cursor_of(dbapi_conn)
    try:
        if many:
            cursor.executemany(sql, args)
        else:
            cursor.execute(sql, args)
        if not fetch:
            return [], ()
        return cursor.fetchall(), tuple(d[0] for d in cursor.description or ())
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, sql, args, exc, cursor) from exc
    finally:
        cursor.close()


def rows(conn: Connection, stmt: Any, params: Mapping[str, Any] | None = None
         ) -> Sequence[Any]:
    """`stmt` with `params` in the connection's transaction: its rows (named tuples typed as
    SQLAlchemy types them; SQLAlchemy's own rows for a statement not marked `hot`), or none
    for a statement that answers none."""
    plan = _plan(conn.dialect, stmt)
    if plan is None or not conn.in_transaction():  # SQLAlchemy begins it (autobegin)
        result = conn.execute(stmt, params)
        return result.all() if result.returns_rows else []
    sql, cursor_of = _driver_sql(plan)
    fetched, _ = _execute(conn, sql, _args(plan, params or {}, raw=cursor_of is not None),
                          plan.row is not None, cursor_of=cursor_of)
    return _typed(plan, fetched)


def _driver_sql(plan: _Plan) -> tuple[str, Callable[[Any], Any] | None]:
    """The SQL to send and the cursor to send it on (None: the connection's own)."""
    if plan.raw is not None:
        return plan.raw[0], plan.raw[2]
    return plan.sql, None


def rows_and_commit(conn: Connection, stmt: Any, params: Mapping[str, Any]
                    ) -> Sequence[Any] | None:
    """PostgreSQL (psycopg): `rows(conn, stmt, params)` and the transaction's COMMIT in one
    round trip (one query string of two statements, its values bound by the driver on this
    side: PostgreSQL's simple protocol takes no parameters). What `stmt` locks is held until
    the commit, and not also while its answer travels back and this side sends COMMIT. Answers
    None where that cannot be done (not psycopg, or `stmt` not hot): the caller commits."""
    plan = _plan(conn.dialect, stmt)
    if plan is None or conn.dialect.driver != "psycopg" or not conn.in_transaction():
        return None
    import psycopg

    fetched, _ = _execute(conn, f"{plan.sql}; COMMIT", _args(plan, params), fetch=True,
                          cursor_of=psycopg.ClientCursor)
    return _typed(plan, fetched)


def rows_then_commit(conn: Connection, stmt: Any, params: Mapping[str, Any]
                     ) -> Sequence[Any] | None:
    """PostgreSQL (psycopg): `rows(conn, stmt, params)` and the transaction's COMMIT sent
    together in one pipeline (one round trip), the statement with its own placeholders and
    the plan PostgreSQL keeps for it (`rows_and_commit` binds the values on this side into one
    simple query: right for a short statement, but psycopg parses a long one's placeholders
    again at every execution). What `stmt` locks is held only while PostgreSQL runs it and
    commits. If the statement fails, nothing of it is written, as `each_then_commit` says.
    Answers None where this cannot be done (not psycopg, or `stmt` not hot): the caller runs
    the statement and commits as usual."""
    done = each_then_commit(conn, [(stmt, params)])
    return None if done is None else done[0]


def each_then_commit(conn: Connection, steps: Sequence[tuple[Any, Mapping[str, Any]]]
                     ) -> list[list[Any]] | None:
    """`rows_then_commit` for several statements: each of `steps` (a hot statement and its
    parameters) in order, then the COMMIT, all in one pipeline (one round trip). Answers each
    statement's rows. If one fails, PostgreSQL skips the rest and the COMMIT, and the
    transaction is left failed for the caller's rollback (or, begun here, rolled back). None
    where this cannot be done.

    When nothing has been sent in the unit's transaction yet, psycopg would begin it with a
    BEGIN of its own and wait for its answer before sending the first statement (a round trip
    of its own, about a millisecond here under load). Instead the statements then go in
    psycopg's autocommit mode, with no BEGIN and no COMMIT: PostgreSQL runs the statements of
    a pipeline up to its sync as one implicit transaction, committed at the sync if all
    succeeded and rolled back if one failed. One statement alone (a unit of one issue, most
    units over many halls) is its own transaction in that mode, and goes without the
    pipeline's machinery: 75-105 µs of this side's CPU against 125-145 here."""
    return _pipelined(conn, steps, commit=True)


def reads(conn: Connection, steps: Sequence[tuple[Any, Mapping[str, Any]]]
          ) -> list[list[Any]] | None:
    """PostgreSQL (psycopg): statements that only read, each of `steps` (a hot statement and
    its parameters) in order in one pipeline (one round trip), their rows; None where this
    cannot be done (the caller reads one by one). Sent before anything else in the unit's
    transaction, they go with no BEGIN, as `each_then_commit`'s do (in read committed each
    statement sees what was committed before it either way), and the transaction is still
    not begun after them: a unit's `each_then_commit` then needs no BEGIN either."""
    return _pipelined(conn, steps, commit=False)


def _pipelined(conn: Connection, steps: Sequence[tuple[Any, Mapping[str, Any]]], commit: bool
               ) -> list[list[Any]] | None:
    plans = [_plan(conn.dialect, stmt) for stmt, _ in steps]
    if not conn.in_transaction() or any(p is None or p.raw is None for p in plans):
        return None
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    from psycopg.pq import TransactionStatus  # plans with `raw` are psycopg's

    idle = dbapi_conn.pgconn.transaction_status == TransactionStatus.IDLE
    sent = []
    error = conn.dialect.loaded_dbapi.Error

    def send() -> None:
        for plan, (_, params) in zip(plans, steps, strict=True):
            assert plan is not None and plan.raw is not None
            sql, _, cursor_of = plan.raw
            cursor, args = cursor_of(dbapi_conn), _args(plan, params, raw=True)
            sent.append((plan, cursor, sql, args))
            cursor.execute(sql, args)
        if commit and not idle:
            dbapi_conn.commit()

    try:
        if idle:
            dbapi_conn.autocommit = True
        if idle and len(plans) == 1:
            send()  # one statement alone is its own transaction: no pipeline needed
        else:
            _in_pipeline(dbapi_conn, send, error)
        return [_typed(plan, cursor.fetchall() if plan.row is not None else [])
                for plan, cursor, _, _ in sent]
    except error as exc:  # told at the sync: said of the last sent
        _, cursor, sql, args = sent[-1] if sent else (None, None, "", None)
        raise _wrapped(conn, sql, args, exc, cursor) from exc
    finally:
        if idle:
            _no_autocommit(conn, dbapi_conn)
        for _, cursor, _, _ in sent:
            cursor.close()


def _in_pipeline(dbapi_conn: Any, send: Callable[[], None], error: type[Exception]) -> None:
    """`send` inside a psycopg pipeline, its first driver error raised once the pipeline is
    left. Leaving a failed pipeline fails too ("pipeline aborted", "the connection is lost"),
    which psycopg logs as a warning when an error is already on its way out of the block: one
    line per refused request while PostgreSQL is lost or read-only."""
    failed: Exception | None = None
    try:
        with dbapi_conn.pipeline():
            try:
                send()
            except error as exc:
                failed = exc
    except error as exc:
        failed = failed or exc
    if failed is not None:
        raise failed


def _no_autocommit(conn: Connection, dbapi_conn: Any) -> None:
    """Back out of the autocommit mode `each_then_commit` took; a connection that cannot
    (lost, or left inside a transaction) is never used again."""
    try:
        dbapi_conn.autocommit = False
    except conn.dialect.loaded_dbapi.Error as exc:
        if not conn.invalidated:
            _lost(conn, exc)


def _typed(plan: _Plan, fetched: Sequence[Any]) -> list[Any]:
    if plan.row is None:
        return []
    make, results = plan.row._make, plan.results
    if not results:
        return [make(r) for r in fetched]
    out = []
    for r in fetched:
        typed = list(r)
        for i, proc in results:
            typed[i] = proc(typed[i])
        out.append(make(typed))
    return out


def many(conn: Connection, stmt: Any, params: Sequence[Mapping[str, Any]]) -> None:
    """`stmt` (answering no rows) once for each of `params`, in one call of the driver."""
    plan = _plan(conn.dialect, stmt)
    if plan is None or plan.row is not None or not conn.in_transaction():
        conn.execute(stmt, list(params))
        return
    sql, cursor_of = _driver_sql(plan)
    _execute(conn, sql, [_args(plan, p, raw=cursor_of is not None) for p in params],
             fetch=False, many=True, cursor_of=cursor_of)


def driver_rows(conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
    """Driver SQL (in the driver's own parameter style, values already as the driver takes
    them) as `Connection.exec_driver_sql` runs it, without its execution context: the rows
    as the driver gives them, with their names (`_fields`) from the cursor."""
    fetched, names = _execute(conn, sql, params, fetch=True)
    row = _DRIVER_ROWS.get(names)
    if row is None:
        row = _DRIVER_ROWS[names] = namedtuple("DriverRow", names, rename=True)  # type: ignore[misc]
    return [row._make(r) for r in fetched]


_DRIVER_ROWS: dict[tuple[str, ...], Any] = {}


def driver(conn: Connection, sql: str) -> None:
    """Driver SQL that answers no rows (a SAVEPOINT), run as `driver_rows` runs its own."""
    _execute(conn, sql, (), fetch=False)


def first(conn: Connection, stmt: Any, params: Mapping[str, Any] | None = None) -> Any:
    """The first row of `rows()`, or None."""
    found = rows(conn, stmt, params)
    return found[0] if found else None


def scalar(conn: Connection, stmt: Any, params: Mapping[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    found = rows(conn, stmt, params)
    return found[0][0] if found else None


def _wrapped(conn: Connection, sql: str, args: Any, exc: Exception, cursor: Any
             ) -> BaseException:
    """The driver's error as SQLAlchemy's `Connection.execute` raises it."""
    dialect = conn.dialect
    lost = connection_lost(dialect, exc, conn.connection.dbapi_connection, cursor)
    if lost:
        _lost(conn, exc)
    return DBAPIError.instance(sql, args, exc, dialect.loaded_dbapi.Error,
                               connection_invalidated=lost, dialect=dialect)


def _lost(conn: Connection, exc: BaseException) -> None:
    """A connection that can take no further command is dropped, and with it every pooled
    connection opened before it, as SQLAlchemy's own statements do on a disconnect
    (`Pool._invalidate`, what `Connection.execute` calls): after a restart each of them is
    dead too. Dropping only this one, each request that met another would fail in turn, and
    the database's state would flap ok -> db_unavailable -> ok once per pooled connection."""
    conn.engine.pool._invalidate(conn.connection, exc, _checkin=False)
    conn.invalidate(exc)
