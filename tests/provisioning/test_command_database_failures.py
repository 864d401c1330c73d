"""The commands leave the database's failures to `provisioning.db_failures.explained`: no
command words them itself (`list`, `revoke`, `terminal-config`, `export`, `backup` passed on the
driver's first line, exception class included: "(psycopg.errors.InsufficientPrivilege)
permission denied for table terminals"; `init` "cannot create or migrate: ..."; `export` said a
missing file its own way, without the four slashes an absolute path takes). Each case runs the
real `python -m provisioning` on a database built by the migrations: one line, Chinese first,
what to do, exit 2, nothing written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import fresh_pg_database
from tests.procs import TEST_HALL, load_test_hall
from tests.provisioning.test_database_refusals import NEEDS_PG, PG, prov, refused


def test_export_of_a_missing_relative_path_shows_the_four_slashes(tmp_path: Path) -> None:
    hall = tmp_path / "hall.db"
    load_test_hall(f"sqlite:///{hall}")
    relative = str(hall).lstrip("/")  # sqlite:///var/lib/... : relative to the current folder
    result = prov("export", "--db", f"sqlite:///{relative}", cwd=tmp_path)
    reason = refused(result)
    assert reason.startswith(f"没有这个数据库文件 {relative}(相对于当前文件夹)"), reason
    assert f"sqlite:////{relative}" in reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.db"]


@pytest.fixture()
def stranger() -> Iterator[tuple[str, str]]:
    """A hall database on PostgreSQL (its owner's URL) and a login role of no rights in it
    (dropped afterwards, as the database is)."""
    role = f"kb_stranger_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    databases = fresh_pg_database(PG)
    try:
        yield next(databases), role
    finally:
        for _ in databases:
            pass
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        engine.dispose()


@NEEDS_PG
def test_init_without_the_right_to_create_tables_says_what_to_grant(stranger: tuple[str, str]
                                                                    ) -> None:
    """PostgreSQL 15 lets only a database's owner create tables in its schema public."""
    url, role = stranger
    theirs = make_url(url).set(username=role).render_as_string(hide_password=False)
    database = make_url(url).database
    reason = refused(prov("init", "--config", str(TEST_HALL), "--db", theirs))
    assert reason.startswith(f"数据库服务器 PostgreSQL 不允许用户 {role} 这样做(permission denied for "
                             "schema public)"), reason
    assert f"ALTER DATABASE {database} OWNER TO {role}" in reason
    assert _tables(url) == []


@NEEDS_PG
def test_commands_on_tables_they_may_not_read_say_so_in_one_place(stranger: tuple[str, str],
                                                                  tmp_path: Path) -> None:
    """The role may read the schema version (so the database is found to be Kuaiban's), not
    the tables: each command's read or write fails inside it."""
    url, role = stranger
    load_test_hall(url)
    owner = create_engine(url)
    with owner.begin() as conn:
        conn.execute(text(f'GRANT SELECT ON alembic_version TO "{role}"'))
    owner.dispose()
    theirs = make_url(url).set(username=role).render_as_string(hide_password=False)
    before = {t: _count(url, t) for t in ("terminals", "halls")}
    for argv in (("list",), ("revoke", "--name", "k1"), ("export",),
                 ("terminal-config", "--kind", "kiosk", "--out", str(tmp_path / "k.toml"),
                  "--machine-id", "0123456789abcdef"),
                 ("backup", "--out", str(tmp_path / "b.jsonl.gz"))):
        result = prov(*argv, "--db", theirs)
        reason = refused(result)
        assert reason.startswith(f"数据库服务器 PostgreSQL 不允许用户 {role} 这样做(permission denied "
                                 "for table "), (argv, reason)
        assert "provisioning init" in reason and "psycopg.errors" not in result.stderr, reason
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert {t: _count(url, t) for t in before} == before


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()
