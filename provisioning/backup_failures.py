"""What a failed backup or restore means to the administrator: one line, Chinese first, then
English, naming the side that failed (the database of `--db`, or the backup file of `--out` or
`--from`) and what to do. The database's failures are worded by `provisioning.db_failures`
(`database` hands them there); this module words the backup file's, and tells which side a
failure of SQLite's copy was on. SQLite's or the file system's own words are shown only where
nothing better is known.

Exit codes (CONTRACT.md §1): `BackupError`, 2, when the backup file cannot be used or made as
it is (fix it, run again); `BackupFailed`, 1, when writing it failed this time (its disk is
full, an I/O error). Nothing was changed either way: the database is as it was and a partly
written backup is removed."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from provisioning.db_failures import DatabaseRefused, owner_of, refusal, shown_url
from provisioning.errors import CommandFailed, UsageError
from queue_server.db.busy import first_line
from queue_server.db.health import MIN_FREE_BYTES


class BackupError(UsageError):
    """The backup file cannot be used or made as it is: exit 2."""


class BackupFailed(CommandFailed):
    """Writing the backup file failed this time (disk full, I/O error): exit 1."""


# SQLite's primary result codes met here
_PERM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 8, 10, 11, 13, 14, 26


def database(url: str, exc: BaseException) -> CommandFailed:
    """A failure of the database at `url` (SQLite's copy, or the file system's), as
    `db_failures` says it; the error's own words where it knows nothing better."""
    return refusal(url, exc) or DatabaseRefused(
        f"--db {shown_url(url)}: 无法使用数据库 / cannot use the database: {first_line(exc)}")


def no_kuaiban_tables(url: str, tables: set[str]) -> DatabaseRefused:
    """A database to back up that has no hall tables: empty, or another program's."""
    if not tables - {"alembic_version"}:
        why = ("是空库;请先运行 provisioning init 建库 / no Kuaiban tables in this database (an "
               "empty one): run `provisioning init` first")
    else:
        why = ("里面是别的程序的表;--db 指错了吗? / no Kuaiban tables in this database (it holds "
               "another program's: does --db name the right one?)")
    return DatabaseRefused(f"--db {shown_url(url)}: 数据库里没有快办的表,{why}")


def damaged_copy(url: str, file: Path) -> DatabaseRefused:
    """The copy SQLite made of the database at `url` (the file `file`) is not sound."""
    check = f"sqlite3 {file} 'PRAGMA integrity_check'"
    return DatabaseRefused(
        f"--db {shown_url(url)}: 复制出的备份未通过完整性检查,数据库文件可能已损坏;请检查它({check}),"
        f"必要时用 provisioning restore 恢复较早的备份 / the copy failed its integrity check: the "
        f"database file may be damaged: check it ({check}) and if need be restore an earlier "
        "backup with `provisioning restore`")


def copy_failed(url: str, flag: str, out: Path, exc: sqlite3.Error) -> CommandFailed:
    """SQLite's copy of the database at `url` into the backup `out` failed: the database was
    found readable before, so what the backup file's disk says comes first."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _FULL or (code in (_IOERR, _CANTOPEN) and _nearly_full(out)):
        return file_failed(flag, out, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    if code in (_PERM, _READONLY, _CANTOPEN):
        return file_failed(flag, out, OSError(errno.EACCES, os.strerror(errno.EACCES),
                                              str(out)))
    if code == _IOERR:
        return BackupFailed(
            f"--db {shown_url(url)}: 复制时读写出错(数据库或 {out} 所在的磁盘故障?);请检查磁盘后再"
            f"运行 / an I/O error while copying (a failing disk under the database or under "
            f"{out}?): check the disks, then run the command again")
    return database(url, exc)


def file_failed(flag: str, path: Path, exc: OSError, *, reading: bool = False
                ) -> CommandFailed:
    """The backup file `path` (given as `flag`) could not be read, made or written."""
    said = f"{flag} {path}"
    if reading and exc.errno == errno.ENOENT:
        return BackupError(f"{said}: 没有这个备份文件 / no such backup file")
    if exc.errno == errno.EISDIR or path.is_dir():
        return BackupError(f"{said}: 这是文件夹,不是备份文件;请给出文件,如 {path}/hall.db / this is "
                           f"a folder, not a backup file: name a file, e.g. {path}/hall.db")
    folder = _folder(path)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BackupFailed(f"{said}: 备份文件写不下:文件夹 {folder} 所在的磁盘已满;请腾出空间,或把备份"
                            f"写到别处 / the backup file does not fit: the disk of {folder} is "
                            "full: free some space, or write the backup elsewhere")
    if exc.errno == errno.EIO:
        return BackupFailed(f"{said}: 读写备份文件时出错(磁盘故障?);请检查磁盘后再运行 / an I/O "
                            "error on the backup file (a failing disk?): check the disk, then run "
                            "the command again")
    if exc.errno == errno.EROFS or (not reading and _read_only(folder)):
        return BackupError(f"{said}: 备份文件写不进去:文件夹 {folder} 所在的文件系统是只读挂载的;请把"
                           f"备份写到可写的地方 / the backup file cannot be written: the file "
                           f"system of {folder} is mounted read-only: write it somewhere writable")
    if exc.errno in (errno.EACCES, errno.EPERM):
        denied = path if path.exists() else folder
        owner = owner_of(denied)
        if reading:
            return BackupError(f"{said}: 没有读取 {denied} 的权限(它属于 {owner});请以 {owner} 运行命令 "
                               f"/ no permission to read {denied} (it belongs to {owner}): run "
                               f"the command as {owner}")
        return BackupError(f"{said}: 没有写入 {denied} 的权限(它属于 {owner});请以 {owner} 运行命令,"
                           f"或把备份写到别处 / no permission to write {denied} (it belongs to "
                           f"{owner}): run the command as {owner}, or write the backup elsewhere")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        above = Path(os.path.abspath(path)).parents
        blocker = next((p for p in reversed(above) if p.exists() and not p.is_dir()), path)
        return BackupError(f"{said}: 路径中的 {blocker} 不是文件夹,备份文件放不进去 / {blocker} is "
                           "not a folder: the backup file cannot go there")
    why = exc.strerror or exc.__class__.__name__
    zh, en = ("读取", "read") if reading else ("写入", "write")
    return BackupError(f"{said}: 无法{zh}备份文件({why}) / cannot {en} the backup file: {why}")


def exists(flag: str, path: Path) -> BackupError:
    """A backup is never written over a file already there (an earlier backup, perhaps the
    only good one) unless `--force` says so."""
    return BackupError(f"{flag} {path}: 这个文件已经存在,备份不会覆盖它;请换一个文件名,或加 --force 覆盖它 "
                       "/ the file already exists and a backup does not overwrite it: choose another "
                       "name, or add --force to replace it")


def is_the_database(url: str, flag: str, path: Path) -> BackupError:
    """The backup file named is the database file itself (or a file SQLite keeps beside it),
    perhaps through a link: putting the copy in its place would pull the file from under a
    running server, whose tickets from then on would go to a file nobody sees."""
    return BackupError(f"{flag} {path}: 这就是 --db {shown_url(url)} 的数据库文件(或它旁边的文件),备份不能"
                       "写在它上面;请把备份写到另一个文件 / this is the database file of --db (or a "
                       "file beside it): the backup cannot go over it: write it to another file")


def not_a_backup(flag: str, path: Path, detail: str = "") -> BackupError:
    """A file that is not a backup of Kuaiban's (`detail`: what it is instead)."""
    zh, en = {"damaged": ("备份文件已损坏", "the backup file is damaged"),
              "cut": ("备份文件不完整或已损坏(复制时被截断?)",
                      "the backup file is incomplete or damaged (cut short when copied?)"),
              }.get(detail, ("不是快办的备份文件", "not a Kuaiban backup file"))
    return BackupError(f"{flag} {path}: {zh};请换一个由 provisioning backup 写出的备份 / {en}: use "
                       "another backup written by `provisioning backup`")


def unknown_table(flag: str, path: Path, table: str) -> BackupError:
    """A backup holding a table this Kuaiban does not have: a newer Kuaiban's."""
    return BackupError(f"{flag} {path}: 备份中有本版本快办没有的表 {table}(更新版本的快办做的备份?);请用那个"
                       f"版本恢复 / the backup has a table {table} this Kuaiban does not have (made "
                       "by a newer Kuaiban?): restore it with that version")


def rows_do_not_fit(flag: str, path: Path, exc: BaseException) -> BackupError:
    """The backup's rows were refused by the database's schema (the restore was undone)."""
    return BackupError(f"{flag} {path}: 备份中的数据与本版本快办的数据库结构不符,已撤销恢复;请用做这个备份"
                       f"的快办版本恢复 / the backup's rows do not fit this Kuaiban's schema and "
                       f"the restore was undone: restore it with the Kuaiban that made it "
                       f"({first_line(exc)})")


def _folder(path: Path) -> Path:
    """The nearest folder of `path` that exists."""
    return next((p for p in Path(os.path.abspath(path)).parents if p.is_dir()), Path("/"))


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _nearly_full(path: Path) -> bool:
    """Whether the file system of `path` has (almost) no space left: SQLite then reports an
    I/O error or a file it cannot open as often as a full disk."""
    try:
        st = os.statvfs(_folder(path))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < MIN_FREE_BYTES

