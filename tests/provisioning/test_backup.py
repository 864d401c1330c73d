"""`provisioning backup` / `restore`: a consistent copy of a live database that, restored into a
fresh database, reproduces every row; broken backups refused without touching the target."""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
from pathlib import Path

import pytest

from provisioning import backup
from provisioning.__main__ import main
from tests.provisioning.conftest import BACKENDS, load_hall


def _add_events(url: str, n: int) -> None:
    from queue_server.db.store import Store
    store = Store(url)
    try:
        for i in range(n):
            with store.write() as tx:
                tx.emit("hjhq", "test.marker", seq=i, note="备份测试")
    finally:
        store.close()


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kind", BACKENDS)
def test_backup_then_restore_into_a_fresh_database_reproduces_every_row(
        kind: str, db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = db_factory(kind)
    load_hall(source)
    _add_events(source, 5)
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", source, "--out", str(out), "--json"]) == 0
    rows = _json(capsys)["rows"]
    assert rows["staff"] == 30 * 2 and rows["events"] >= 5 and rows["halls"] == 2
    assert out.stat().st_mode & 0o777 == 0o600  # it holds the halls' secret

    target = db_factory(kind)
    assert main(["restore", "--db", target, "--from", str(out), "--json"]) == 0
    assert _json(capsys)["rows"] == rows
    assert backup.snapshot(target) == backup.snapshot(source)

    # the restored database keeps working: new events continue after the restored ids
    _add_events(target, 1)
    assert backup.table_counts(target)["events"] == rows["events"] + 1


def test_sqlite_backup_is_consistent_while_a_writer_runs(db_factory, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    source = db_factory("sqlite")
    load_hall(source)
    writer = threading.Thread(target=_add_events, args=(source, 200))
    writer.start()
    try:
        assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db"), "--json"]) == 0
    finally:
        writer.join(60)
    conn = sqlite3.connect(tmp_path / "b.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # each event's transaction also advanced its hall's sequence: a torn copy would disagree
    last = conn.execute("SELECT max(id) FROM events WHERE hall = 'hjhq'").fetchone()[0] or 0
    assert conn.execute("SELECT count(*) FROM events WHERE hall = 'hjhq'").fetchone()[0] == last
    seq = conn.execute("SELECT last FROM hall_event_seq WHERE hall = 'hjhq'").fetchone()[0]
    assert seq == last
    conn.close()
    capsys.readouterr()


def test_restore_refuses_to_overwrite_a_hall_without_yes(db_factory, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    source = db_factory("sqlite")
    load_hall(source)
    assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db")]) == 0
    capsys.readouterr()
    at_backup = backup.table_counts(source)["events"]
    _add_events(source, 3)
    before = backup.snapshot(source)
    assert main(["restore", "--db", source, "--from", str(tmp_path / "b.db")]) == 2
    assert "--yes" in capsys.readouterr().err
    assert backup.snapshot(source) == before
    assert main(["restore", "--db", source, "--from", str(tmp_path / "b.db"), "--yes"]) == 0
    assert backup.table_counts(source)["events"] == at_backup  # the 3 later events are gone


def test_broken_backups_are_refused_and_the_target_is_untouched(db_factory, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    target = db_factory("sqlite")
    load_hall(target)
    before = backup.snapshot(target)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    dump = tmp_path / "cut.jsonl.gz"
    with gzip.open(dump, "wt") as f:
        f.write(json.dumps({"format": "kuaiban-backup", "version": 1}) + "\n")
        f.write('{"t": "halls", "r": {"id": "x"')  # cut off mid-row
    for bad in (junk, text_file, dump, tmp_path / "missing.db"):
        assert main(["restore", "--db", target, "--from", str(bad), "--yes"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
    assert backup.snapshot(target) == before


def test_backup_of_a_missing_or_empty_database_exits_2(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--db", f"sqlite:///{tmp_path / 'none.db'}",
                 "--out", str(tmp_path / "b.db")]) == 2
    assert "no such database" in capsys.readouterr().err
    sqlite3.connect(tmp_path / "empty.db").close()
    assert main(["backup", "--db", f"sqlite:///{tmp_path / 'empty.db'}",
                 "--out", str(tmp_path / "b.db")]) == 2
    assert "no Kuaiban tables" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()
    assert main(["backup", "--db", "nonsense", "--out", str(tmp_path / "b.db")]) == 2


def _hall_events(url: str, hall: str = "hjhq") -> int:
    """How many events the hall has (its ids run 1..n: one sequence per hall)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM events WHERE hall = :h"),
                                    {"h": hall}).scalar_one())
    finally:
        engine.dispose()


def _new_event_id(url: str) -> int:
    from queue_server.db.store import Store
    store = Store(url)
    written: list[dict[str, object]] = []
    store.on_events = written.extend  # what the server's event hub would send to terminals
    try:
        with store.write() as tx:
            tx.emit("hjhq", "test.marker", note="恢复之后")
        assert len(written) == 1
        return int(written[0]["id"])  # type: ignore[call-overload]
    finally:
        store.close()


def _last_id(url: str) -> int:
    last, why = backup.last_event_id(url)
    assert last is not None, why
    return last


@pytest.mark.parametrize("kind", BACKENDS)
def test_restoring_an_older_backup_keeps_event_ids_growing(
        kind: str, db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # terminals remember the last id they saw and reconnect with after=<id>: an id handed out
    # again after a restore would be skipped by every board
    url = db_factory(kind)
    load_hall(url)
    _add_events(url, 2)
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", url, "--out", str(out)]) == 0
    at_backup = _last_id(url)
    _add_events(url, 4)
    seen = _last_id(url)
    assert seen == at_backup + 4
    capsys.readouterr()

    assert main(["restore", "--db", url, "--from", str(out), "--yes"]) == 0
    said = capsys.readouterr().out
    assert f"事件编号从 {seen} 之后继续" in said and f"event ids continue after {seen}" in said
    assert _hall_events(url) == at_backup  # the later events are gone...
    assert _new_event_id(url) == seen + 1  # ...but their ids are not handed out again

    # restoring once more (JSON output) never lowers the counter either
    assert main(["restore", "--db", url, "--from", str(out), "--yes", "--json"]) == 0
    ids = _json(capsys)["event_ids"]
    assert ids == {"replaced_last": seen + 1, "continue_after": seen + 1, "note": None}
    assert _new_event_id(url) == seen + 2


def test_restore_into_a_missing_database_continues_after_the_backup(
        db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = db_factory("sqlite")
    load_hall(source)
    _add_events(source, 3)
    assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db")]) == 0
    at_backup = _last_id(source)
    capsys.readouterr()

    target = tmp_path / "hall.db"
    url = f"sqlite:///{target}"
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db")]) == 0
    said = capsys.readouterr().out
    assert "no database file" in said
    assert "event ids continue after the backup's: " in said  # for each hall, by name
    assert f"hall hjhq after {at_backup}" in said and f"hjhq 从 {at_backup} 之后" in said
    assert backup.snapshot(url) == backup.snapshot(source)
    assert _new_event_id(url) == at_backup + 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_restore_over_a_damaged_database_still_works_and_says_so(
        db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = db_factory("sqlite")
    load_hall(source)
    _add_events(source, 3)
    assert main(["backup", "--db", source, "--out", str(tmp_path / "b.db")]) == 0
    at_backup = _last_id(source)
    capsys.readouterr()

    # an old hall database whose pages after the first are garbage: unreadable, yet replaceable
    url = db_factory("sqlite")
    load_hall(url)
    target = Path(url.removeprefix("sqlite:///"))
    data = bytearray(target.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xab" * (len(data) - page)
    target.write_bytes(data)
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes"]) == 0
    said = capsys.readouterr().out
    assert "unreadable: database disk image is malformed" in said
    assert f"hall hjhq after {at_backup}" in said
    assert backup.snapshot(url) == backup.snapshot(source)
    assert _new_event_id(url) == at_backup + 1


def _next_numbers(url: str, prefix: str, day: str, n: int) -> list[int]:
    """Hand out the next `n` numbers of `prefix` on `day`, as issuing tickets does."""
    from datetime import date

    from queue_server.db.store import Store
    from queue_server.usecases.tickets import next_number
    store = Store(url)
    try:
        out = []
        for _ in range(n):
            with store.write() as tx:
                out.append(next_number(tx.conn, "hjhq", prefix, date.fromisoformat(day), None))
        return out
    finally:
        store.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_restoring_an_older_backup_never_hands_out_a_number_again(
        kind: str, db_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # citizens hold printed A003 and A004 issued after the backup: after the restore the next
    # number is A005, and a prefix or day begun after the backup continues as well
    url = db_factory(kind)
    load_hall(url)
    assert _next_numbers(url, "A", "2026-12-07", 2) == [1, 2]
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", url, "--out", str(out)]) == 0
    assert _next_numbers(url, "A", "2026-12-07", 2) == [3, 4]
    assert _next_numbers(url, "B", "2026-12-07", 1) == [1]
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(out), "--yes", "--json"]) == 0
    assert _json(capsys)["number_counters_kept"] == 2
    assert _next_numbers(url, "A", "2026-12-07", 1) == [5]
    assert _next_numbers(url, "B", "2026-12-07", 1) == [2]
    assert _next_numbers(url, "A", "2026-12-08", 1) == [1]  # another day starts at 1
