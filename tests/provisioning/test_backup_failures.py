"""What an administrator reads when `provisioning backup` or `restore` fails
(provisioning/backup_failures.py): one line, Chinese first, naming the side that failed (`--db`
the database, `--out`/`--from` the backup file) and what to do, never SQLite's bare words ("unable
to open database file" for a backup onto a read-only mount) nor a traceback; exit 2 for what can
be fixed, 1 when the backup's disk filled; nothing changed and no partial backup left. Each case
runs the real `python -m provisioning` on files built by the migrations."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning import backup
from tests.procs import load_test_hall
from tests.provisioning.conftest import BACKENDS
from tests.provisioning.test_database_refusals import NEEDS_MOUNTS, _can, prov, refused

NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


def _in_mount(setup: str, *argv: str, after: str = "true"
              ) -> subprocess.CompletedProcess[str]:
    """`provisioning ARGV` in a mount namespace of its own after `setup`, then `after` (shell,
    run there: what a test checks inside the mount is looked at before the mount goes)."""
    script = f'{setup} && {{ "$@"; rc=$?; {after}; exit $rc; }}'
    return prov(*argv, wrap=("unshare", "-m", "sh", "-c", script, "sh"))


@pytest.fixture()
def hall(tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    load_test_hall(f"sqlite:///{folder / 'hall.db'}")
    return folder / "hall.db"


@pytest.fixture()
def good_backup(hall: Path, tmp_path: Path) -> Path:
    out = tmp_path / "good.db"
    assert prov("backup", "--db", f"sqlite:///{hall}", "--out", str(out)).returncode == 0
    return out


@NEEDS_MOUNTS
def test_a_database_on_a_read_only_mount_is_said_to_be_the_databases(hall: Path,
                                                                      tmp_path: Path) -> None:
    """SQLite said "unable to open database file" of the database's path, exit 2."""
    out = tmp_path / "out"
    out.mkdir()
    folder = hall.parent
    result = _in_mount(f"mount --bind -o ro {folder} {folder}", "backup", "--db",
                       f"sqlite:///{hall}", "--out", str(out / "b.db"))
    reason = refused(result)
    assert result.stderr.startswith(f"provisioning backup: --db sqlite:///{hall}: "), result.stderr
    assert reason.startswith(f"文件夹 {folder} 所在的文件系统是只读挂载的"), reason
    assert "unable to open" not in result.stderr
    assert list(out.iterdir()) == []


@NEEDS_MOUNTS
@pytest.mark.parametrize("kind", BACKENDS)
def test_a_backup_onto_a_read_only_mount_names_the_backup_file(kind: str, db_factory,
                                                               tmp_path: Path) -> None:
    url = db_factory(kind)
    load_test_hall(url)
    ro = tmp_path / "usb"
    ro.mkdir()
    out = ro / "hall.db"
    result = _in_mount(f"mount --bind -o ro {ro} {ro}", "backup", "--db", url, "--out", str(out))
    reason = refused(result)
    assert result.stderr.startswith(f"provisioning backup: --out {out}: "), result.stderr
    assert reason.startswith(f"备份文件写不进去:文件夹 {ro} 所在的文件系统是只读挂载的"), reason
    assert "write it somewhere writable" in reason and "Errno" not in reason
    assert list(ro.iterdir()) == []


@NEEDS_MOUNTS
@pytest.mark.slow
@pytest.mark.parametrize("kind", BACKENDS)
def test_a_backup_that_does_not_fit_exits_1_and_leaves_no_part(kind: str, db_factory,
                                                               tmp_path: Path) -> None:
    """SQLite said "database or disk is full" after the database's path: the database was
    blamed for the backup's disk."""
    url = db_factory(kind)
    load_test_hall(url)
    small = tmp_path / "small"
    small.mkdir()
    listing = tmp_path / "left.txt"
    fill = (f"mount -t tmpfs -o size=256k tmpfs {small} && "
            f"(dd if=/dev/zero of={small}/filler bs=4k 2>/dev/null; true)")
    result = _in_mount(fill, "backup", "--db", url, "--out", str(small / "hall.db"),
                       after=f"ls -A {small} > {listing}")
    reason = refused(result, code=1)
    assert result.stderr.startswith(f"provisioning backup: --out {small / 'hall.db'}: ")
    assert reason.startswith(f"备份文件写不下:文件夹 {small} 所在的磁盘已满"), reason
    assert "free some space" in reason
    assert listing.read_text().split() == ["filler"]  # no hall.db, no hall.db.part


def test_a_folder_as_out_is_refused_before_anything_is_written(hall: Path,
                                                               tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    result = prov("backup", "--db", f"sqlite:///{hall}", "--out", str(folder))
    assert refused(result).startswith(f"这是文件夹,不是备份文件;请给出文件,如 {folder}/hall.db")
    assert list(folder.iterdir()) == [] and not (tmp_path / "backups.part").exists()


def test_an_empty_or_foreign_database_has_no_kuaiban_tables(tmp_path: Path) -> None:
    empty, foreign = tmp_path / "empty.db", tmp_path / "foreign.db"
    sqlite3.connect(empty).close()
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    for file, said in ((empty, "请先运行 provisioning init"), (foreign, "别的程序的表")):
        result = prov("backup", "--db", f"sqlite:///{file}", "--out", str(tmp_path / "b.db"))
        reason = refused(result)
        assert reason.startswith("数据库里没有快办的表") and said in reason, reason
        assert "no Kuaiban tables" in reason
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "b.db.part").exists()


def _cut_dump(path: Path) -> Path:
    with gzip.open(path, "wt") as f:
        f.write(json.dumps({"format": "kuaiban-backup", "version": 1}) + "\n")
        f.write('{"t": "halls", "r": {"id": "x"')  # cut off mid-row
    return path


def test_restore_names_the_backup_file_it_cannot_use(hall: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{hall}"
    before = backup.snapshot(url)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    for file, said in ((tmp_path / "missing.db", "没有这个备份文件"),
                       (tmp_path, "这是文件夹,不是备份文件"),
                       (junk, "备份文件已损坏"),
                       (other, "不是快办的备份文件"),
                       (notes, "不是快办的备份文件"),
                       (_cut_dump(tmp_path / "cut.jsonl.gz"), "备份文件不完整或已损坏")):
        result = prov("restore", "--db", url, "--from", str(file), "--yes")
        reason = refused(result)
        assert result.stderr.startswith(f"provisioning restore: --from {file}: "), result.stderr
        assert reason.startswith(said), reason
        assert "BadGzipFile" not in reason and "file is not a database" not in reason
    assert backup.snapshot(url) == before


@NEEDS_MOUNTS
def test_a_backup_on_a_read_only_medium_restores(good_backup: Path, tmp_path: Path) -> None:
    """A backup is an SQLite file in WAL mode: opened read-only on a read-only mount it wanted
    its index beside it, and the restore said "damaged SQLite file: unable to open database
    file"."""
    medium = tmp_path / "medium"
    medium.mkdir()
    shutil.copy(good_backup, medium / "b.db")
    target = tmp_path / "restored.db"
    result = _in_mount(f"mount --bind -o ro {medium} {medium}", "restore", "--db",
                       f"sqlite:///{target}", "--from", str(medium / "b.db"))
    assert result.returncode == 0, result.stderr
    assert backup.table_counts(f"sqlite:///{target}")["halls"] == 2


@NEEDS_MOUNTS
def test_restore_into_a_read_only_mount_is_said_to_be_the_databases(good_backup: Path,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    result = _in_mount(f"mount --bind -o ro {folder} {folder}", "restore", "--db",
                       f"sqlite:///{folder / 'hall.db'}", "--from", str(good_backup))
    assert refused(result).startswith(f"文件夹 {folder} 所在的文件系统是只读挂载的"), result.stderr
    assert result.stderr.startswith(f"provisioning restore: --db sqlite:///{folder}/hall.db: ")
    assert list(folder.iterdir()) == []


@pytest.fixture()
def open_folder() -> Iterator[Path]:
    """A folder any account may enter (pytest's own are its owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="kb-perm-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(not _can(*NOBODY), reason="needs root and setpriv to run as another account")
def test_a_backup_file_it_may_not_read_names_its_owner(good_backup: Path, open_folder: Path
                                                       ) -> None:
    """It said "[Errno 13] Permission denied" after the database's URL."""
    theirs = open_folder / "b.db"
    shutil.copy(good_backup, theirs)
    theirs.chmod(0o600)  # as `backup` writes it: the halls' secret is in it
    target = open_folder / "hall.db"
    result = prov("restore", "--db", f"sqlite:///{target}", "--from", str(theirs), wrap=NOBODY)
    reason = refused(result)
    assert result.stderr.startswith(f"provisioning restore: --from {theirs}: ")
    assert reason.startswith(f"没有读取 {theirs} 的权限(它属于 root);请以 root 运行命令"), reason
    assert not target.exists()
