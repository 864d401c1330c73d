"""Opening the hall database for a subcommand: `open_store` gives the server's `Store` once
the database is found to be a Kuaiban database of this version, and never creates one (that is
`provisioning init`'s job); `url_refusal` says what is wrong with a `--db` URL before anything
opens it, `file_refusal` what is wrong with the SQLite file it names, and `foreign_refusal`
keeps `init` and `restore` out of another program's database. Every refusal is one line,
Chinese first (`provisioning.db_failures`)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from provisioning.db_failures import (
    EXPECTED,
    DatabaseRefused,
    refusal,
    schema_problem,
    shown_url,
)
from queue_server.db.health import sqlite_file
from queue_server.db.store import Store, foreign_tables
from queue_server.db.urls import BACKENDS


def url_refusal(url: str) -> DatabaseRefused | None:
    """Why `url` cannot name a hall database, said before anything opens it (the cases of
    `queue_server.db.urls.url_problem`, in the administrator's words), or None."""
    zh, en = EXPECTED
    try:
        parsed = make_url(url)
    except ArgumentError:
        return DatabaseRefused(f"--db {url!r}: 不是数据库地址,{zh} / not a database URL ({en})")
    shown = f"--db {shown_url(url)}"
    if parsed.get_backend_name() not in BACKENDS:
        return DatabaseRefused(f"{shown}: 快办只用 SQLite 或 PostgreSQL,{zh} / "
                               f"{parsed.drivername} is not a database Kuaiban runs on ({en})")
    try:
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError):  # an unknown driver name, or one not installed
        return DatabaseRefused(f"{shown}: 没有安装驱动 {parsed.drivername},{zh} / no such "
                               f"driver installed: {parsed.drivername} ({en})")
    if parsed.get_backend_name() == "sqlite" and parsed.host:  # sqlite://var/lib/...: a slash lost
        four = f"sqlite:////{parsed.host}/{parsed.database or ''}".rstrip("/")
        return DatabaseRefused(f"{shown}: 这个 SQLite 地址不该有主机名({parsed.host}),文件路径写在三个"
                               f"斜杠之后,绝对路径要四个斜杠:{four} / an SQLite URL names no "
                               f"host ({parsed.host}): the file's path comes after three "
                               f"slashes, an absolute path after four: {four}")
    if parsed.get_backend_name() == "sqlite" and sqlite_file(url) is None:
        # gone when the command ends: `init` would load a hall into it and say it did
        return DatabaseRefused(f"{shown}: 内存数据库存不下大厅,请给出文件,如 "
                               "sqlite:////var/lib/kuaiban/hall.db / an in-memory database keeps "
                               "no hall: name a file, e.g. sqlite:////var/lib/kuaiban/hall.db")
    return None


def file_refusal(url: str) -> DatabaseRefused | None:
    """An SQLite URL that names no database file: said before anything could make one."""
    if make_url(url).get_backend_name() != "sqlite":
        return None
    file, shown = sqlite_file(url), f"--db {url}"
    if file is None:  # in memory: `url_refusal` said so
        return None
    if file.is_dir():
        return DatabaseRefused(f"{shown}: 这是文件夹,不是数据库文件 / this is a folder, not a "
                               "database file")
    if file.is_file():
        return None
    if not file.is_absolute() and (Path("/") / file).is_file():  # sqlite:/// + /abs/path
        four = f"sqlite:////{file}"
        return DatabaseRefused(f"{shown}: 没有这个数据库文件 {file}(相对于当前文件夹);绝对路径要写"
                               f"四个斜杠:{four} / no such database file {file} (relative to "
                               f"the current folder); an absolute path takes four slashes: "
                               f"{four}")
    return DatabaseRefused(f"{shown}: 没有这个数据库文件(请先运行 provisioning init 建库) / no "
                           "such database file (run `provisioning init` first)")


def new_file_refusal(url: str, *, service: bool = False) -> DatabaseRefused | None:
    """A relative SQLite path where an absolute one was meant, said before `init` makes the
    file (and its folders) in the current folder: `sqlite:///var/lib/kuaiban/hall.db` (one
    slash lost) where /var exists and ./var does not. `service`: the path goes into a systemd
    unit, which runs in another folder, so any relative path is refused."""
    file = sqlite_file(url) if make_url(url).get_backend_name() == "sqlite" else None
    if file is None or file.is_absolute():
        return None
    four, here = f"sqlite:////{file}", f"sqlite:///./{file}"
    if service:
        return DatabaseRefused(f"--db {url}: 服务不在当前文件夹运行,数据库要写绝对路径(四个斜杠),"
                               f"如 {four} / the service does not run in the current folder: "
                               f"give the database's absolute path (four slashes), e.g. {four}")
    first, written = file.parts[0], make_url(url).database or ""
    if (len(file.parts) < 2 or file.exists() or written.startswith(("./", "../"))
            or Path(first).exists() or not (Path("/") / first).is_dir()):
        return None  # a file in the current folder, or in a folder of it: as written
    return DatabaseRefused(f"--db {url}: 这是相对于当前文件夹的路径 {file};绝对路径要写四个斜杠:"
                           f"{four};确实要放在当前文件夹下,请写 {here} / a path relative to the "
                           f"current folder ({file}); an absolute path takes four slashes: "
                           f"{four}; for one under the current folder write {here}")


@contextmanager
def open_store(url: str) -> Iterator[Store]:
    """The hall database at `url`, open for the block and closed after it. `DatabaseRefused`
    (nothing created or changed) when it is missing, not Kuaiban's, of another version, or
    cannot be reached; a failure within the block is the caller's (`explained` says it)."""
    refused = url_refusal(url) or file_refusal(url)
    if refused is not None:
        raise refused
    try:
        problem = schema_problem(url)
    except Exception as exc:
        said = refusal(url, exc)
        if said is None:
            raise
        raise said from None
    if problem is not None:
        raise DatabaseRefused(f"--db {shown_url(url)}: {problem}")
    store = Store(url)
    try:
        yield store
    finally:
        store.close()


def foreign_refusal(url: str, command: str) -> DatabaseRefused | None:
    """Why `command` (`init`, `restore`) must not write Kuaiban's tables into the database at
    `url`: it holds another program's tables (`foreign_tables`, the rule the server's start
    follows too). None for an empty database, a missing SQLite file and Kuaiban's own at any
    version; a failure to read is raised for `explained` to say."""
    theirs = foreign_tables(url)
    if not theirs:
        return None
    names, more = ", ".join(theirs[:3]), len(theirs) - 3
    zh_names, en_names = ((f"{names} 等 {len(theirs)} 个", f"{names} and {more} more")
                          if more > 0 else (names, names))
    if make_url(url).get_backend_name() == "sqlite":
        zh, en = "请给出一个新文件的路径", "name a new file"
    else:
        user = make_url(url).username or getpass.getuser()  # libpq's default
        zh, en = (f"请给出一个空库,如 createdb -O {user} kuaiban",
                  f"name an empty database, e.g. createdb -O {user} kuaiban")
    return DatabaseRefused(
        f"--db {shown_url(url)}: 不是快办的数据库(里面是别的程序的表 {zh_names});{command} 不会把"
        f"快办的表建在旁边,{zh} / not a Kuaiban database (it holds another program's tables: "
        f"{en_names}): {command} does not put Kuaiban's tables beside them; {en}")
