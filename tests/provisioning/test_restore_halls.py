"""`provisioning restore` over a database holding several halls: it replaces the whole database,
so halls the backup does not have are deleted. Without `--yes` the refusal names, Chinese first,
the halls that would be replaced and those that would be deleted (an outside check got only
"... already holds a hall; add --yes", in English and singular, and lost the other halls with
`--yes`); with `--yes` the output names the halls deleted. What the restored halls' event ids
and numbers continue after is said a line a hall, each naming its hall (the check read "continue
after 3" followed by "... were not read ... ()", about no hall in particular)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from provisioning import backup
from provisioning.__main__ import main
from tests.provisioning.conftest import BACKENDS, MINIMAL, load_hall
from tests.provisioning.test_backup import _next_numbers

HJHQ = "hjhq(杭锦后旗政务服务中心)"
OUTPOST = "abc-hjhq(中国农业银行杭锦后旗支行 政银合作便民服务点)"
DEMO_ZH, DEMO_EN = "demo(示例政务服务中心)", "demo (示例政务服务中心)"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _emit(url: str, hall: str, n: int = 1) -> int:
    """`n` events in `hall`; answers the id of the last, as the server hands it out."""
    from queue_server.db.store import Store
    store = Store(url)
    written: list[dict[str, object]] = []
    store.on_events = written.extend
    try:
        for i in range(n):
            with store.write() as tx:
                tx.emit(hall, "test.marker", seq=i)
        return int(written[-1]["id"])  # type: ignore[call-overload]
    finally:
        store.close()


def _halls(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT id FROM halls ORDER BY id")).scalars())
    finally:
        engine.dispose()


def _one_line(err: str) -> tuple[str, str]:
    """The Chinese and the English half of a one-line refusal of restore's."""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("provisioning restore: --db "), err
    reason = err.strip().split(": ", 2)[2]
    zh, sep, en = reason.partition(" / ")
    assert sep and CJK.match(zh) and re.match(r"[A-Za-z]", en), err
    return zh, en


@pytest.mark.parametrize("kind", BACKENDS)
def test_restore_names_the_halls_it_would_replace_and_delete(
        kind: str, db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory(kind)
    load_hall(url)  # hjhq and its outpost abc-hjhq
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", url, "--out", str(out)]) == 0
    load_hall(url, MINIMAL)  # a third hall, demo, that the backup does not have
    _emit(url, "demo", 2)
    before = backup.snapshot(url)
    capsys.readouterr()

    assert main(["restore", "--db", url, "--from", str(out)]) == 2
    zh, en = _one_line(capsys.readouterr().err)
    assert zh.startswith(f"已有大厅,恢复会用备份替换大厅 {OUTPOST}、{HJHQ},并删除备份中没有的大厅 {DEMO_ZH}"
                         "及其全部数据;确认请加 --yes 再运行"), zh
    assert "replace the halls abc-hjhq (" in en and f"DELETE the halls {DEMO_EN}" in en, en
    assert backup.snapshot(url) == before  # nothing was touched

    assert main(["restore", "--db", url, "--from", str(out), "--yes"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[1] == (f"已删除备份中没有的大厅 {DEMO_ZH}及其全部数据 / deleted the halls the backup "
                       f"does not have, with all their data: {DEMO_EN}"), said
    assert _halls(url) == ["abc-hjhq", "hjhq"]


def test_restore_json_names_the_halls_deleted(db_factory, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
    load_hall(url, MINIMAL)
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes",
                 "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["halls_removed"] == [{"id": "demo", "name": "示例政务服务中心"}]


def test_restore_over_halls_the_backup_all_lacks_says_it_deletes_them(
        db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, target = db_factory("sqlite"), db_factory("sqlite")
    load_hall(source)
    load_hall(target, MINIMAL)
    assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db")]) == 0
    capsys.readouterr()
    assert main(["restore", "--db", target, "--from", str(tmp_path / "b.db")]) == 2
    zh, en = _one_line(capsys.readouterr().err)
    assert zh.startswith(f"已有大厅,恢复会删除备份中没有的大厅 {DEMO_ZH}及其全部数据;"), zh
    assert "would DELETE the halls demo" in en and "replace" not in en.split(";")[0], en


def test_restore_without_yes_over_an_unreadable_database_says_to_add_yes(
        db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # (it said the file was damaged and to restore a backup: what the administrator was doing)
    source, url = db_factory("sqlite"), db_factory("sqlite")
    load_hall(source)
    load_hall(url)
    assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db")]) == 0
    target = Path(url.removeprefix("sqlite:///"))
    data = bytearray(target.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xab" * (len(data) - page)
    target.write_bytes(data)
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db")]) == 2
    zh, en = _one_line(capsys.readouterr().err)
    assert zh.startswith("读不出其中有哪些大厅;确认要用备份替换整个数据库,请加 --yes"), zh
    assert "malformed" in en and "add --yes" in en, en


@pytest.mark.parametrize("kind", BACKENDS)
def test_each_line_on_event_ids_and_numbers_names_its_hall(
        kind: str, db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory(kind)
    load_hall(url)
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", url, "--out", str(out)]) == 0
    hjhq = _emit(url, "hjhq", 3)  # after the backup: terminals have seen these ids
    outpost = _emit(url, "abc-hjhq")
    assert _next_numbers(url, "A", "2026-12-07", 2) == [1, 2]  # hjhq's numbers, held by citizens
    capsys.readouterr()

    assert main(["restore", "--db", url, "--from", str(out), "--yes"]) == 0
    said = capsys.readouterr().out
    lines = said.splitlines()
    assert "()" not in said and "not read" not in said and "未读取" not in said, said
    assert lines[1:] == [
        f"大厅 {OUTPOST}:事件编号从 {outpost} 之后继续(原数据库已发到 {outpost}) / hall abc-hjhq "
        f"(中国农业银行杭锦后旗支行 政银合作便民服务点): event ids continue after {outpost} (the "
        f"replaced database had handed out up to {outpost})",
        f"大厅 {HJHQ}:事件编号从 {hjhq} 之后继续(原数据库已发到 {hjhq});号码接着原数据库已发出的号继续,"
        f"不重发 / hall hjhq (杭锦后旗政务服务中心): event ids continue after {hjhq} (the replaced "
        f"database had handed out up to {hjhq}); numbers continue after those the replaced "
        "database had handed out: none is issued twice"], said
    assert _emit(url, "hjhq") == hjhq + 1 and _emit(url, "abc-hjhq") == outpost + 1
    assert _next_numbers(url, "A", "2026-12-07", 1) == [3]


def test_a_hall_without_events_in_the_backup_never_reuses_an_id(
        db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a hall's sequence row is made by its first event: a backup taken before the outpost had
    # one has no row for it, and raising only the rows there are left it to start at 1 again
    url = db_factory("sqlite")
    load_hall(url)
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
    with sqlite3.connect(tmp_path / "b.db") as conn:
        conn.execute("DELETE FROM events WHERE hall = 'abc-hjhq'")
        conn.execute("DELETE FROM hall_event_seq WHERE hall = 'abc-hjhq'")
    conn.close()
    seen = _emit(url, "abc-hjhq", 2)
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes"]) == 0
    assert f"hall abc-hjhq (中国农业银行杭锦后旗支行 政银合作便民服务点): event ids continue after {seen} " \
        in capsys.readouterr().out
    assert _emit(url, "abc-hjhq") == seen + 1
