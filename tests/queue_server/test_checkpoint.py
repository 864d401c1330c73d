"""The WAL is copied back into an SQLite hall's database by the store's checkpoint thread ahead of
the commits (a commit that checkpoints keeps its whole batch waiting), on a real file built by
the migrations, and the WAL stays as large as SQLite's own checkpoints keep it. What a commit
wrote is seen in the database file itself (opened `immutable`, which reads no WAL) only once a
checkpoint copied it."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from queue_server.db.checkpoint import Checkpointer
from queue_server.db.models import AdminToken
from queue_server.db.store import Store, migrate
from queue_server.db.unit import Tx


def _in_file(path: Path) -> int:
    """Admin tokens in the database file alone (the WAL not read)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(conn.execute("select count(*) from admin_tokens").fetchone()[0])
    finally:
        conn.close()


def _write(store: Store, n: int, prefix: str) -> None:
    def one(i: int) -> object:
        def work(tx: Tx) -> None:
            tx.session.add(AdminToken(token_hash=f"{prefix}{i}" + "x" * 400, created_at=tx.now))
        return work

    async def run() -> None:
        for i in range(n):  # one at a time: a commit each
            await store.run(one(i))

    asyncio.run(run())


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[Path, Store, Checkpointer]]:
    path = tmp_path / "hall.db"
    url = f"sqlite:///{path}"
    migrate(url)
    store = Store(url)
    try:
        assert store._checkpoints is not None
        yield path, store, store._checkpoints
    finally:
        store.close()


def _until(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_under_steady_commits_the_thread_copies_and_the_wal_stays_bounded(
        hall: tuple[Path, Store, Checkpointer]) -> None:
    """With only this thread checkpointing, commits that never paused left the last frames
    behind every time, the WAL never started again from its beginning and grew to 150 MB (an
    outside check). The writer's own checkpoint at 1,000 pages still lets it start again."""
    path, store, checkpoints = hall
    checkpoints.burst = 64
    _write(store, 3000, "a")  # some 3 pages a commit: the WAL passes 1,000 pages many times
    assert checkpoints.done >= 5  # the thread kept copying (woken by bursts of 64)
    assert Path(f"{path}-wal").stat().st_size < 2 * 1000 * 4096 + 32  # as SQLite's own
    _until(lambda: _in_file(path) >= 3000)
    assert _in_file(path) == 3000
    store.close()
    assert not Path(f"{path}-wal").exists()  # the last connection's close checkpoints it all


def test_a_quiet_store_checkpoints_what_a_second_brought_and_then_nothing(
        hall: tuple[Path, Store, Checkpointer]) -> None:
    path, store, checkpoints = hall
    checkpoints.interval = 0.05
    _write(store, 3, "a")
    _until(lambda: _in_file(path) >= 3)
    assert _in_file(path) == 3
    _until(lambda: not checkpoints.commits)  # a commit counted late is checkpointed too
    time.sleep(0.1)
    done = checkpoints.done
    time.sleep(0.3)  # six intervals without a commit: no checkpoint
    assert checkpoints.done == done


def test_a_failing_checkpoint_is_logged_once_and_the_next_one_recovers(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A checkpoint that cannot open its database says so once, not at every commit, and says
    when it works again."""
    path = tmp_path / "hall.db"
    missing = tmp_path / "gone" / "hall.db"
    migrate(f"sqlite:///{path}")
    checkpoints = Checkpointer(missing, interval=0.02)
    caplog.set_level(logging.INFO, "queue_server.db")
    try:
        for _ in range(3):
            checkpoints.committed()
            time.sleep(0.08)
        failed = [r for r in caplog.records if "checkpoint failed" in r.getMessage()]
        assert len(failed) == 1 and checkpoints.done == 0
        checkpoints.path = path
        checkpoints.committed()
        _until(lambda: checkpoints.done > 0)
        assert checkpoints.done == 1
        assert any("work again" in r.getMessage() for r in caplog.records)
    finally:
        checkpoints.close()
