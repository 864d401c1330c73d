"""`init` and `restore` keep out of another program's database (provisioning/db.py's
`foreign_refusal`): one that holds other tables and no Kuaiban schema version is refused, exit 2,
one line, Chinese first, with nothing written (`init` created Kuaiban's tables beside the other
program's; `restore` replaced an SQLite file whole, the other program's tables with it). An empty
database, or Kuaiban's own at an older version, is initialised or upgraded as before. The real
`python -m provisioning` on real SQLite files and, with KUAIBAN_TEST_PG, a PostgreSQL database
of the test's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.procs import TEST_HALL, load_test_hall
from tests.provisioning.test_database_refusals import NEEDS_PG, prov, refused


def _their_file(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as conn:
        for statement in statements or ("CREATE TABLE accounts (id INTEGER, owner TEXT)",
                                        "INSERT INTO accounts VALUES (7, '会计')"):
            conn.execute(statement)
    conn.close()
    return path


@pytest.fixture()
def backup_file(tmp_path: Path) -> Path:
    hall = tmp_path / "hall.db"
    load_test_hall(f"sqlite:///{hall}")
    out = tmp_path / "hall-backup.db"
    assert prov("backup", "--db", f"sqlite:///{hall}", "--out", str(out)).returncode == 0
    return out


def test_init_and_restore_refuse_another_programs_sqlite_file(tmp_path: Path,
                                                              backup_file: Path) -> None:
    theirs = _their_file(tmp_path / "accounts.db")
    before = theirs.read_bytes()
    for argv in (("init", "--config", str(TEST_HALL)),
                 ("restore", "--from", str(backup_file), "--yes")):
        result = prov(*argv, "--db", f"sqlite:///{theirs}")
        reason = refused(result)
        command = argv[0]
        assert reason.startswith("不是快办的数据库(里面是别的程序的表 accounts)"), reason
        assert f"{command} does not put Kuaiban's tables beside them" in reason
        assert "请给出一个新文件的路径" in reason and "name a new file" in reason
    assert theirs.read_bytes() == before
    assert not Path(f"{theirs}-wal").exists()


def test_another_alembic_programs_database_is_not_taken_for_kuaibans(tmp_path: Path) -> None:
    theirs = _their_file(tmp_path / "shop.db",
                         "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
                         "INSERT INTO alembic_version VALUES ('3f1c2a9b7d10')",
                         "CREATE TABLE orders (id INTEGER)", "CREATE TABLE customers (id INTEGER)",
                         "CREATE TABLE invoices (id INTEGER)", "CREATE TABLE items (id INTEGER)")
    before = theirs.read_bytes()
    reason = refused(prov("init", "--config", str(TEST_HALL), "--db", f"sqlite:///{theirs}"))
    assert reason.startswith("不是快办的数据库(里面是别的程序的表 alembic_version, customers, "
                             "invoices 等 5 个)"), reason
    assert "and 2 more" in reason
    assert theirs.read_bytes() == before


def test_an_empty_file_and_an_older_kuaiban_are_still_initialised(tmp_path: Path) -> None:
    from alembic import command

    from queue_server.db.store import HEAD, alembic_config

    empty = tmp_path / "empty.db"
    empty.touch()
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()
    older = tmp_path / "older.db"
    command.upgrade(alembic_config(f"sqlite:///{older}"), "0008")
    for file in (empty, blank, older):
        url = f"sqlite:///{file}"
        result = prov("init", "--config", str(TEST_HALL), "--db", url)
        assert result.returncode == 0, result.stderr
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
            assert conn.execute(text("SELECT count(*) FROM halls")).scalar() == 2
        engine.dispose()


@NEEDS_PG
def test_a_postgresql_database_of_another_program_is_refused(backup_file: Path) -> None:
    from tests.conftest import fresh_pg_database
    from tests.provisioning.test_database_refusals import PG

    databases = fresh_pg_database(PG)
    url = next(databases)
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE accounts (id INTEGER)"))
        for argv in (("init", "--config", str(TEST_HALL)),
                     ("restore", "--from", str(backup_file), "--yes")):
            reason = refused(prov(*argv, "--db", url))
            assert reason.startswith("不是快办的数据库(里面是别的程序的表 accounts)"), reason
            assert "createdb -O" in reason and "name an empty database" in reason
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["accounts"]
        with engine.begin() as conn:  # the same database, emptied: initialised as before
            conn.execute(text("DROP TABLE accounts"))
        engine.dispose()
        result = prov("init", "--config", str(TEST_HALL), "--db", url)
        assert result.returncode == 0, result.stderr
    finally:
        for _ in databases:
            pass
