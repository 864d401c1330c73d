"""What `python -m queue_server` says when it cannot start, and when it starts on a database
with no hall: one line, Chinese first, saying what to do (an outside check found a port in use
and a missing PostgreSQL database said in English only, and a mistyped SQLite path served an
empty new file without a word). The real server process, on real databases."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_ENV
from tests.procs import ROOT, ServerProcess

CJK = re.compile(r"[\u4e00-\u9fff]")


def _refusal(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "queue_server", "--no-zeroconf", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    said = lines[0].removeprefix("queue_server: ")
    zh, sep, en = said.partition(" / ")
    assert sep and CJK.search(zh) and re.search(r"[A-Za-z]", en), said
    return said


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_port_in_use_says_stop_it_or_give_another(tmp_path: object) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said = _refusal("--db", f"sqlite:///{tmp_path}/h.db", "--port", str(port))
    assert said == (f"127.0.0.1 的端口 {port} 已被占用:另一个程序或另一个快办服务器正在用它;请先停掉它,"
                    f"或用 --port 换一个端口 / port {port} on 127.0.0.1 is in use by another "
                    "program or another Kuaiban server: stop it, or give another --port")


def test_an_unreachable_postgresql_is_said_plainly() -> None:
    port = _free_port()  # nothing listens there
    said = _refusal("--db", f"postgresql+psycopg://kuaiban:secret@127.0.0.1:{port}/hall",
                    "--port", str(_free_port()))
    assert said.startswith(f"--db postgresql+psycopg://kuaiban:***@127.0.0.1:{port}/hall: "
                           f"连接不上 PostgreSQL 服务器 127.0.0.1:{port}"), said
    assert "secret" not in said


def test_a_missing_postgresql_database_gives_the_createdb_command() -> None:
    admin = os.environ.get(PG_ENV, "")
    if not admin:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
    url = make_url(admin).set(database=f"kb_missing_{uuid.uuid4().hex[:8]}")
    user = url.username
    said = _refusal("--db", url.render_as_string(hide_password=False), "--port",
                    str(_free_port()))
    assert f"没有数据库 {url.database}" in said and f"createdb -O {user} {url.database}" in said
    assert f"there is no database {url.database}" in said, said


@pytest.mark.parametrize(("db", "words"), [
    ("nonsense", "不是数据库地址"),
    ("mysql://x@127.0.0.1/y", "快办不支持这种数据库"),
    ("postgresql+nosuchdriver://x@127.0.0.1/y", "没有安装这个数据库驱动"),
])
def test_a_url_it_cannot_use_is_said_chinese_first(db: str, words: str) -> None:
    said = _refusal("--db", db)
    assert words in said and "sqlite:///路径/hall.db" in said, said


def test_a_file_that_is_no_database(tmp_path: object) -> None:
    path = f"{tmp_path}/notes.db"
    with open(path, "w", encoding="utf-8") as out:
        out.write("hello\n" * 100)
    said = _refusal("--db", f"sqlite:///{path}", "--port", str(_free_port()))
    assert "不是 SQLite 数据库文件" in said, said


@pytest.mark.parametrize("args", [["--port", "0"], ["--lock-timeout", "0"],
                                  ["--tls-cert", "x.pem"], ["--max-connections", "0"],
                                  ["--idle-timeout", "0"]])
def test_option_refusals_are_chinese_first(args: list[str]) -> None:
    _refusal(*args)


_NO_HALL = "里没有大厅,终端会什么也找不到;请先载入大厅配置:python -m provisioning init"


def test_a_database_with_no_hall_is_warned_of_at_start(
        tmp_path: object, run_server: Callable[..., ServerProcess]) -> None:
    url = f"sqlite:///{tmp_path}/mistyped.db"  # a new file, as a mistyped path makes
    server = run_server(url)
    warned = [line for line in server.log_tail(20000).splitlines() if _NO_HALL in line]
    assert len(warned) == 1, server.log_tail()
    assert "WARNING" in warned[0]
    assert (f"the database {url} holds no hall: terminals will find nothing; load one with "
            f"`python -m provisioning init --config FILE --db {url}`") in warned[0]


def test_a_database_with_a_hall_is_not_warned_of(
        hall_db: str, run_server: Callable[..., ServerProcess]) -> None:
    server = run_server(hall_db)
    assert _NO_HALL not in server.log_tail(20000)


def test_a_newer_kuaiban_s_database_is_refused_in_one_line(hall_db: str) -> None:
    """One server upgraded (and the schema with it) while another still runs the old version:
    the old one printed Alembic's 71-line traceback and exit 1, a restart loop under systemd
    (an outside check of a city's database). Refused in one line, exit 2, as the
    administrator's commands refuse it."""
    import sqlite3

    file = make_url(hall_db).database
    assert file is not None
    with sqlite3.connect(file) as con:
        con.execute("UPDATE alembic_version SET version_num = '0999'")
    said = _refusal("--db", hall_db, "--port", str(_free_port()))
    assert "更新版本的快办" in said and "0999" in said and "newer Kuaiban" in said


def test_an_upgrade_at_the_start_is_logged(tmp_path: object,
                                           run_server: Callable[..., ServerProcess]) -> None:
    """A server that upgraded an older database at its start left no trace of it in its log
    (an outside check): it says from which schema to which."""
    from alembic import command

    from queue_server.db.store import HEAD, alembic_config

    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0007")
    server = run_server(url)
    assert f"database schema upgraded from 0007 to {HEAD}" in server.log_tail(20000)
