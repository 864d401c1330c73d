"""What a failure of the hall database means to the administrator, in one line, Chinese first,
then English, saying what to do: `explained` for whatever ended a command (the commands leave
the database's failures to it: they are worded here and nowhere else), `refusal` for a driver's
(SQLAlchemy's, or SQLite's own where `provisioning.backup` copies a file), the store's,
Alembic's or the file system's error, and `schema_problem` for a database that is not Kuaiban's
of this version. The driver's own words are shown only where nothing better is known, and then
without the SQL, the exception's class or a traceback.

Exit codes (CONTRACT.md §1): `DatabaseRefused`, 2, when what `--db` names cannot be used as it
is (fix it, run again); `DatabaseFailed`, 1, when the right database failed this time (locked
too long, disk full, connection lost: run again once that is over)."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from provisioning.errors import CommandFailed, UsageError
from queue_server.db.busy import Busy, StorageFull, Unavailable, first_line
from queue_server.db.failure_words import DAMAGED, NOT_SQLITE, newer_schema, pg_said
from queue_server.db.health import MIN_FREE_BYTES, sqlite_file
from queue_server.db.store import HEAD, NewerSchema, known_revisions


class DatabaseRefused(UsageError):
    """What `--db` names cannot be used as it is: exit 2."""


class DatabaseFailed(CommandFailed):
    """The database failed while the command ran: exit 1."""


Said = tuple[type[CommandFailed], str]  # the error to raise and its reason, Chinese first

EXPECTED = ("应为 sqlite:///路径/hall.db 或 postgresql+psycopg://用户@主机/库",
            "expected sqlite:///path/hall.db or postgresql+psycopg://user@host/db")
LOCKED = ("数据库被另一个程序锁住,等待后仍未释放;请稍后再运行(是否有开着事务的 sqlite3 或 psql?) / "
          "the database stayed locked by another program: run the command again in a moment "
          "(an sqlite3 or psql session with an open transaction?)")
FULL = ("磁盘已满,数据库写不进去;请腾出空间后再运行 / the disk is full and the database cannot "
        "be written: free some space, then run the command again")
EMPTY = ("是空数据库;请先运行 provisioning init 建库 / an empty database: run "
         "`provisioning init` first")
FOREIGN = ("不是快办的数据库(里面是别的表;--db 指错了吗?) / not a Kuaiban database (it holds "
           "other tables: does --db name the right one?)")


def shown_url(url: str) -> str:
    """The URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _conn_problem(conn: Connection) -> str | None:
    """Why the database behind `conn` is not a Kuaiban database of this version, or None."""
    tables = set(inspect(conn).get_table_names())
    if "terminals" not in tables:
        return EMPTY if not tables - {"alembic_version"} else FOREIGN
    found = ([str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))
              .scalars()] if "alembic_version" in tables else [])
    if found == [HEAD]:
        return None
    shown = ", ".join(found) or "-"
    if set(found) - known_revisions():
        return newer_schema(shown, HEAD)
    return (f"数据库结构是旧版本的({shown},本程序要 {HEAD});请先运行 provisioning init 升级(服务器"
            f"启动时也会升级) / the database has an older schema ({shown}; this Kuaiban needs "
            f"{HEAD}): run `provisioning init` to upgrade it first (the server also does when "
            "it starts)")


def schema_problem(url: str) -> str | None:
    """Why the database at `url` is not a Kuaiban database of this version, or None. Asked on
    a plain connection: the store's would turn an SQLite file into WAL mode, and the file may
    be another program's."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _conn_problem(conn)
    finally:
        engine.dispose()


def explained(exc: Exception, url: str | None) -> CommandFailed | None:
    """The error to print for `exc`, which ended a command run with `--db url`: a command's
    own error as it is (its words are the reason: a refusal of its input, or one of these
    module's), a database's failure said plainly, or None for anything else (a defect, whose
    traceback is wanted)."""
    if isinstance(exc, CommandFailed):
        return exc
    return refusal(url, exc) if url is not None else None


def refusal(url: str, exc: BaseException) -> CommandFailed | None:
    """`exc` said as the failure of the database at `url`, or None when it is no database's."""
    said = _said(url, exc)
    return None if said is None else said[0](f"--db {shown_url(url)}: {said[1]}")


def _said(url: str, exc: BaseException) -> Said | None:
    if isinstance(exc, Unavailable):  # the store's translation; the driver's error is its cause
        cause = exc.__cause__
        if isinstance(cause, DBAPIError):
            return _said(url, cause)
        if isinstance(exc, Busy):
            return DatabaseFailed, LOCKED
        if isinstance(exc, StorageFull):
            return DatabaseFailed, FULL
        return DatabaseFailed, f"数据库无法使用 / the database is unavailable: {exc.detail}"
    if isinstance(exc, PoolTimeout):
        return DatabaseFailed, LOCKED
    if isinstance(exc, ArgumentError):  # a URL SQLAlchemy cannot read
        zh, en = EXPECTED
        return DatabaseRefused, f"不是数据库地址,{zh} / not a database URL ({en})"
    if isinstance(exc, sqlite3.Error):  # SQLite's own, where a backup or restore copies a file
        code = getattr(exc, "sqlite_errorcode", None)
        return _sqlite(url, int(code) & 0xFF) if code is not None else None
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(orig, "sqlite_errorcode", None)
        said = (_sqlite(url, int(code) & 0xFF) if code is not None
                else _postgres(url, orig) if type(orig).__module__.startswith("psycopg")
                else None)
        if said is None and isinstance(exc, (OperationalError, InterfaceError)):
            # the database's trouble, in words we have no better ones for (a constraint or
            # an SQL error is a defect: its traceback is wanted)
            said = (DatabaseRefused, f"无法使用数据库 / cannot use the database: "
                                     f"{first_line(exc)}")
        return said
    if type(exc).__module__.startswith("alembic") or isinstance(exc, NewerSchema):
        # init's migration, on a schema it lacks
        try:
            problem = schema_problem(url)
        except SQLAlchemyError:
            problem = None
        return DatabaseRefused, problem or (f"无法升级数据库结构 / cannot upgrade the database's "
                                            f"schema: {first_line(exc)}")
    if isinstance(exc, OSError) and _is_database_path(url, exc):
        return _os(url, exc)
    return None


def _place(url: str) -> tuple[Path, Path] | None:
    """The SQLite file of `url` (absolute) and its nearest folder that exists."""
    file = sqlite_file(url)
    if file is None:
        return None
    file = Path(os.path.abspath(file))
    return file, next((p for p in file.parents if p.is_dir()), Path("/"))


def _nearly_full(url: str) -> bool:
    """Whether the file system under the SQLite file of `url` has (almost) no space left: a
    write then fails as an I/O error or a file that cannot be made, not always as "full"."""
    place = _place(url)
    try:
        st = os.statvfs(place[1]) if place else None
    except OSError:
        return False
    return st is not None and st.f_bavail * st.f_frsize < MIN_FREE_BYTES


def _folder_problem(url: str) -> str | None:
    """Why SQLite cannot open or write the file of `url` where the file system says so: a
    folder in its place, a read-only mount, or no permission on the file or its folder (the
    WAL's files are made beside the database). None when none is the case."""
    place = _place(url)
    if place is None:
        return None
    file, folder = place
    if file.is_dir():
        return "这是文件夹,不是数据库文件 / this is a folder, not a database file"
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if read_only:
        return (f"文件夹 {folder} 所在的文件系统是只读挂载的;请重新挂载为可写,或把数据库放到别处 / "
                f"the file system of {folder} is mounted read-only: remount it read-write or "
                "put the database elsewhere")
    for path in (file, folder):
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            owner = owner_of(path)
            sudo = "sudo" if owner == "root" else f"sudo -u {owner}"
            return (f"没有写入 {path} 的权限(它属于 {owner});请以 {owner} 运行命令,如 {sudo} … / "
                    f"no permission to write {path} (it belongs to {owner}): run the command as "
                    f"{owner}, e.g. {sudo} …")
    return None


def owner_of(path: Path) -> str:
    """The account that owns `path` (its number when it has no name)."""
    try:
        return path.owner()
    except (KeyError, OSError):  # an id with no account
        return str(path.stat().st_uid)


def _sqlite(url: str, code: int) -> Said | None:
    """An SQLite result code (the primary one) said to the administrator."""
    if code in (5, 6):  # BUSY, LOCKED
        return DatabaseFailed, LOCKED
    if code == 13 or (code in (10, 14) and _nearly_full(url)):  # FULL; IOERR, CANTOPEN
        return DatabaseFailed, FULL
    if code == 10:  # IOERR
        return DatabaseFailed, ("读写数据库文件时出错(磁盘故障?);请检查磁盘后再运行 / an I/O error "
                                "on the database file (a failing disk?): check the disk, then "
                                "run the command again")
    if code == 26:  # NOTADB
        return DatabaseRefused, NOT_SQLITE
    if code == 11:  # CORRUPT
        return DatabaseRefused, DAMAGED
    if code in (3, 8, 14, 23):  # PERM, READONLY, CANTOPEN, AUTH
        return DatabaseRefused, _folder_problem(url) or (
            "无法打开或写入数据库文件(是否被设为只读?) / cannot open or write the database file "
            "(is it read-only?)")
    return None


# What only the administrator's commands say besides the refusals the server's start says too
# (queue_server.db.failure_words): a server busy for a moment, and rights a table lacks.
_PG_BUSY: tuple[tuple[str, str], ...] = (
    (r"the database system is (starting up|shutting down|in recovery mode|not yet accepting)",
     "数据库服务器 PostgreSQL 正在启动或停止;请稍后再运行 / PostgreSQL is starting up or "
     "shutting down: run the command again in a moment"),
    (r"(too many clients|too many connections|remaining connection slots)",
     "数据库服务器 PostgreSQL 的连接数已满;请稍后再运行 / PostgreSQL has no connection free: "
     "run the command again in a moment"),
)
_PG_RIGHTS: tuple[tuple[str, str], ...] = (
    (r"(permission denied for \w+ [^\s:]+|must be owner of \w+ [^\s:]+)",
     "数据库服务器 PostgreSQL 不允许用户 {user} 这样做({0});请以建库(provisioning init)时的用户运行,"
     "或由它授权,如 GRANT ALL ON ALL TABLES IN SCHEMA public TO {user} / PostgreSQL does not let "
     "user {user} do this ({0}): run the command as the user that ran `provisioning init`, or "
     "have that user grant it, e.g. GRANT ALL ON ALL TABLES IN SCHEMA public TO {user}"),
)
_PG_STATES: dict[str, Said] = {
    "25006": (DatabaseRefused, "数据库服务器是只读的(备库?);请改用主库的地址 / the "
                               "PostgreSQL server is read-only (a standby?): use the primary's "
                               "address"),
    "53100": (DatabaseFailed, "数据库服务器的磁盘已满;请在那里腾出空间后再运行 / the "
                              "PostgreSQL server's disk is full: free space there, then run the "
                              "command again"),
    "55P03": (DatabaseFailed, LOCKED), "40001": (DatabaseFailed, LOCKED),
    "40P01": (DatabaseFailed, LOCKED), "57014": (DatabaseFailed, LOCKED),
}
_PG_LOST = ("与 PostgreSQL 的连接中断;请再运行一次 / the connection to PostgreSQL was lost: run "
            "the command again")


def _postgres(url: str, orig: BaseException | None) -> Said | None:
    """A psycopg error said to the administrator: by its words first (a connection that
    failed has no SQLSTATE), then by its SQLSTATE."""
    words = str(orig)
    refused = pg_said(url, words) or pg_said(url, words, _PG_RIGHTS)
    if refused is not None:
        return DatabaseRefused, refused
    busy = pg_said(url, words, _PG_BUSY)
    if busy is not None:
        return DatabaseFailed, busy
    state = str(getattr(orig, "sqlstate", None) or "")
    if state in _PG_STATES:
        return _PG_STATES[state]
    if state.startswith("08") or state in ("57P01", "57P02") or re.search(
            r"server closed the connection|connection is (lost|closed)|terminating connection",
            words):
        return DatabaseFailed, _PG_LOST
    return None


# The files SQLite and Kuaiban keep beside the database file, named after it: the WAL and its
# index, the rollback journal, a server's lock (queue_server.db.presence) and the folder where
# `provisioning restore` prepares the copy it puts in place (provisioning.backup).
_BESIDE = ("{}-wal", "{}-shm", "{}-journal", "{}.server-lock")
_RESTORE_STAGE = ".{}.restore-"


def _is_database_path(url: str, exc: OSError) -> bool:
    """Whether `exc` is about the SQLite file of `url`, one of its folders or a file kept
    beside it (not, say, an `--out` file of the command)."""
    try:
        file = sqlite_file(url)
    except ArgumentError:
        return False
    if file is None or not exc.filename:
        return False
    path, file = Path(os.path.abspath(os.fsdecode(exc.filename))), Path(os.path.abspath(file))
    beside = path.parent == file.parent and (
        path.name in {pattern.format(file.name) for pattern in _BESIDE}
        or path.name.startswith(_RESTORE_STAGE.format(file.name)))
    return path == file or path in file.parents or beside


def _os(url: str, exc: OSError) -> Said:
    name = os.fsdecode(exc.filename)
    if exc.errno == errno.ENOSPC:
        return DatabaseFailed, FULL
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DatabaseRefused, _folder_problem(url) or (
            f"没有权限使用 {name};请以它的所有者运行命令 / no permission to use {name}: run the "
            "command as its owner")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return DatabaseRefused, (f"路径中的 {name} 不是文件夹,数据库放不进去 / {name} is not a "
                                 "folder: the database cannot go there")
    why = exc.strerror or exc.__class__.__name__
    return DatabaseRefused, f"无法使用 {name}({why}) / cannot use {name}: {why}"
