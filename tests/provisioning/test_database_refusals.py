"""What an administrator reads when the database named by `--db` cannot serve the command
(provisioning/db.py and db_failures.py): one line, the reason Chinese first, then English,
saying what to do; exit 2 when what `--db` names cannot be used as it is, 1 when the right
database failed this time (locked too long, disk full); never a traceback or a driver's class
name, never a password; nothing created or changed. Each case runs the real `python -m
provisioning` command on real files built by the migrations (and on PostgreSQL with
KUAIBAN_TEST_PG)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from provisioning.db_failures import explained
from provisioning.errors import UsageError
from server_process.process import free_port
from tests.conftest import fresh_pg_database
from tests.procs import ROOT, TEST_HALL, load_test_hall

PG = os.environ.get("KUAIBAN_TEST_PG", "")
CJK = re.compile(r"[\u4e00-\u9fff]")
NEEDS_PG = pytest.mark.skipif(not PG, reason="KUAIBAN_TEST_PG not set")


def prov(*argv: str, wrap: tuple[str, ...] = (), cwd: Path = ROOT
         ) -> subprocess.CompletedProcess[str]:
    """The real command; `wrap` runs it under another program (unshare, setpriv)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*wrap, sys.executable, "-m", "provisioning", *argv], cwd=cwd,
                          env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=90)


def refused(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The reason of a one-line refusal, checked to be said as the contract asks."""
    err = result.stderr
    assert result.returncode == code, (result.returncode, result.stdout, err)
    assert not result.stdout and err.count("\n") == 1, err
    assert "Traceback" not in err and "Error)" not in err and "[SQL" not in err, err
    reason = err.strip().split(": ", 2)[2]  # after "provisioning CMD: --db URL: "
    zh, sep, en = reason.partition(" / ")
    assert sep and CJK.match(zh) and re.match(r"[A-Za-z`]", en), err
    return reason


@pytest.fixture()
def hall_db(tmp_path: Path) -> Path:
    path = tmp_path / "hall.db"
    load_test_hall(f"sqlite:///{path}")
    return path


def _set_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def _revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
    engine.dispose()
    return found


@pytest.mark.parametrize(("argv", "said"), [
    (("admin-token", "--db", "notaurl", "--json"), "不是数据库地址"),
    (("admin-token", "--db", "mysql://kb:s3cret@127.0.0.1/y", "--json"),
     "快办只用 SQLite 或 PostgreSQL"),
    (("enrol", "--db", "postgresql+nosuchdriver://x@127.0.0.1/y", "--kind", "kiosk", "--name",
      "k", "--json"), "没有安装驱动"),
    (("init", "--config", str(TEST_HALL), "--db", "sqlite://"), "内存数据库"),
    (("admin-token", "--db", "sqlite:///{tmp}/absent.db", "--json"), "没有这个数据库文件"),
    (("list", "--db", "sqlite:///{tmp}"), "这是文件夹"),
    (("init", "--config", str(TEST_HALL), "--db", "sqlite:///{tmp}"), "这是文件夹"),
])
def test_urls_and_paths_that_name_no_database(argv: tuple[str, ...], said: str,
                                              tmp_path: Path) -> None:
    result = prov(*(a.format(tmp=tmp_path) for a in argv))
    reason = refused(result)
    assert reason.startswith(said) and "s3cret" not in result.stderr, reason
    assert list(tmp_path.iterdir()) == []


def test_a_relative_path_is_pointed_at_its_four_slashes(hall_db: Path, tmp_path: Path) -> None:
    """`sqlite:///var/...` is relative to the current folder: the absolute file is named."""
    relative = str(hall_db).lstrip("/")
    reason = refused(prov("list", "--db", f"sqlite:///{relative}", cwd=tmp_path))
    assert f"sqlite:////{relative}" in reason and "四个斜杠" in reason, reason


def test_init_makes_no_database_where_a_slash_was_lost(tmp_path: Path) -> None:
    """`init` makes a new file: with one slash lost (`sqlite:///var/lib/...` where /var exists,
    or `sqlite://var/lib/...`) it made the database, folders and all, under the current folder
    (the checkout, following the docs) or left an empty folder there. Refused, nothing made;
    `sqlite:///./var/...` says a folder of the current one is meant, and is made."""
    work = tmp_path / "work"
    work.mkdir()
    absolute = tmp_path / "kuaiban" / "hall.db"
    relative = str(absolute).lstrip("/")
    for url in (f"sqlite:///{relative}", f"sqlite://{relative}"):
        reason = refused(prov("init", "--config", str(TEST_HALL), "--db", url, cwd=work))
        assert f"sqlite:////{relative}" in reason and "四个斜杠" in reason, reason
        assert list(work.iterdir()) == [] and not absolute.exists()
    made = prov("init", "--config", str(TEST_HALL), "--db", "sqlite:///./var/hall.db", cwd=work)
    assert made.returncode == 0, made.stderr
    assert (work / "var" / "hall.db").is_file()


def test_files_that_are_not_a_kuaiban_database_are_left_as_they_were(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all " * 300)
    empty = tmp_path / "empty.db"
    empty.touch()
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    before = {p: p.read_bytes() for p in (garbage, empty, foreign)}
    for argv, file, said in (
            (("admin-token", "--json"), garbage, "不是 SQLite 数据库文件"),
            (("init", "--config", str(TEST_HALL)), garbage, "不是 SQLite 数据库文件"),
            (("list",), empty, "是空数据库"),
            (("enrol", "--kind", "kiosk", "--name", "k", "--json"), foreign, "不是快办的数据库")):
        reason = refused(prov(*argv, "--db", f"sqlite:///{file}"))
        assert reason.startswith(said), reason
    assert {p: p.read_bytes() for p in before} == before


def test_a_newer_schema_is_refused_and_kept(hall_db: Path) -> None:
    url = f"sqlite:///{hall_db}"
    _set_revision(url, "9999")  # a migration this Kuaiban does not have
    for argv in (("admin-token", "--json"), ("init", "--config", str(TEST_HALL))):
        reason = refused(prov(*argv, "--db", url))  # init's was alembic's traceback, exit 1
        assert "更新版本的快办" in reason and "9999" in reason and "newer Kuaiban" in reason
    assert _revision(url) == "9999"


def test_an_older_schema_asks_for_init_which_upgrades_it(tmp_path: Path) -> None:
    from alembic import command

    from queue_server.db.store import HEAD, alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0008")  # a database of the previous version
    reason = refused(prov("list", "--db", url))
    assert reason.startswith("数据库结构是旧版本的(0008") and "provisioning init" in reason
    assert _revision(url) == "0008"
    assert prov("init", "--config", str(TEST_HALL), "--db", url).returncode == 0
    assert _revision(url) == HEAD and prov("list", "--db", url).returncode == 0


@pytest.mark.slow
def test_a_database_locked_too_long_exits_1(hall_db: Path) -> None:
    """A write that waits out the lock timeout (5 s) was a traceback from the store."""
    holder = sqlite3.connect(hall_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        reason = refused(prov("admin-token", "--db", f"sqlite:///{hall_db}", "--json"), code=1)
    finally:
        holder.close()
    assert reason.startswith("数据库被另一个程序锁住") and "run the command again" in reason


def _can(*wrap: str) -> bool:
    if os.geteuid() != 0 or not shutil.which(wrap[0]):
        return False
    probe = subprocess.run([*wrap, "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


NEEDS_MOUNTS = pytest.mark.skipif(not _can("unshare", "-m"),
                                  reason="needs root and unshare for a mount of its own")


def _in_mount(setup: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command in a mount namespace of its own, after `setup` (shell) ran there."""
    return prov(*argv, wrap=("unshare", "-m", "sh", "-c", f'{setup} && exec "$@"', "sh"))


@NEEDS_MOUNTS
def test_a_read_only_file_system_is_named(hall_db: Path, tmp_path: Path) -> None:
    folder = hall_db.parent
    ro = f"mount --bind -o ro {folder} {folder}"
    for argv in (("list",), ("admin-token", "--json"), ("init", "--config", str(TEST_HALL))):
        reason = refused(_in_mount(ro, *argv, "--db", f"sqlite:///{hall_db}"))
        assert f"{folder} 所在的文件系统是只读挂载的" in reason and "read-only" in reason, reason
    new = folder / "new" / "hall.db"
    reason = refused(_in_mount(ro, "init", "--config", str(TEST_HALL), "--db", f"sqlite:///{new}"))
    assert "只读" in reason and not new.parent.exists()


@NEEDS_MOUNTS
@pytest.mark.slow
def test_a_full_disk_exits_1_and_says_so(tmp_path: Path) -> None:
    """On a full file system SQLite reports an I/O error or a file it cannot make: the
    administrator reads that the disk is full."""
    small = tmp_path / "small"
    small.mkdir()
    db = small / "hall.db"
    fill = (f"mount -t tmpfs -o size=2m tmpfs {small} && {sys.executable} -m provisioning init "
            f"--config {TEST_HALL} --db sqlite:///{db} >/dev/null && "
            f"(dd if=/dev/zero of={small}/filler bs=4k 2>/dev/null; true)")
    for argv in (("admin-token", "--json"), ("enrol", "--kind", "kiosk", "--name", "k", "--json")):
        reason = refused(_in_mount(fill, *argv, "--db", f"sqlite:///{db}"), code=1)
        assert reason.startswith("磁盘已满") and "free some space" in reason, reason
    fresh = (f"mount -t tmpfs -o size=64k tmpfs {small} && "
             f"(dd if=/dev/zero of={small}/filler bs=4k 2>/dev/null; true)")
    result = _in_mount(fresh, "init", "--config", str(TEST_HALL), "--db", f"sqlite:///{db}")
    assert refused(result, code=1).startswith("磁盘已满")


@pytest.fixture()
def open_folder() -> Iterator[Path]:
    """A folder any account may enter (pytest's own are its owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="kb-perm-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(not _can("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    reason="needs root and setpriv to run as another account")
def test_no_permission_names_the_owner(open_folder: Path) -> None:
    db = open_folder / "hall.db"
    load_test_hall(f"sqlite:///{db}")
    db.chmod(0o644)
    nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    reason = refused(prov("admin-token", "--db", f"sqlite:///{db}", "--json", wrap=nobody))
    assert f"没有写入 {db} 的权限(它属于 root)" in reason and "run the command as root" in reason
    new = open_folder / "sub" / "hall.db"
    reason = refused(prov("init", "--config", str(TEST_HALL), "--db", f"sqlite:///{new}",
                          wrap=nobody))
    assert f"没有写入 {open_folder} 的权限" in reason and not new.parent.exists()


def test_a_postgresql_server_that_does_not_answer() -> None:
    url = f"postgresql+psycopg://kb:s3cret@127.0.0.1:{free_port()}/kuaiban"
    for argv in (("admin-token", "--json"), ("init", "--config", str(TEST_HALL))):
        result = prov(*argv, "--db", url)
        reason = refused(result)
        assert reason.startswith("连接不上 PostgreSQL 服务器 127.0.0.1:") and "is it running" in reason
        assert "s3cret" not in result.stderr and "kb:***@" in result.stderr


@NEEDS_PG
def test_a_postgresql_database_that_does_not_exist_is_not_created() -> None:
    name = f"kb_absent_{uuid.uuid4().hex[:8]}"
    url = make_url(PG).set(database=name, password="s3cret").render_as_string(hide_password=False)
    for argv in (("admin-token", "--json"), ("init", "--config", str(TEST_HALL))):
        result = prov(*argv, "--db", url)
        reason = refused(result)
        assert reason.startswith(f"没有数据库 {name}(PostgreSQL 服务器 127.0.0.1:"), reason
        assert f"createdb -O {make_url(PG).username} {name}" in reason and "s3cret" not in reason
    admin = create_engine(PG)
    with admin.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                            {"n": name}).scalar() == 0
    admin.dispose()


@NEEDS_PG
def test_a_postgresql_database_of_a_newer_kuaiban_is_refused() -> None:
    databases = fresh_pg_database(PG)
    url = next(databases)
    try:
        load_test_hall(url)
        _set_revision(url, "9999")
        for argv in (("list",), ("init", "--config", str(TEST_HALL))):
            assert "更新版本的快办" in refused(prov(*argv, "--db", url))
        assert _revision(url) == "9999"
    finally:
        for _ in databases:
            pass


def test_a_defect_is_not_dressed_as_a_database_failure(tmp_path: Path) -> None:
    """Only the database's troubles are said for it: a constraint broken or a bug keeps its
    traceback (exit 1), and a command's own refusal is shown as it is."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert explained(RuntimeError("a bug"), url) is None
    assert explained(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
                     url) is None
    own = UsageError("--kind: expected one of kiosk, counter")
    assert explained(own, url) is own
