"""`provisioning restore` refuses while a server uses the database: an outside check restored
under a running server, which went on issuing numbers; the 49 tickets taken meanwhile were gone
from the database while citizens held them (on PostgreSQL the restore failed on a foreign key
instead, in the driver's words). A server killed with -9 leaves nothing that still refuses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning import backup
from provisioning.__main__ import main
from provisioning.demo.procs import ProcessGroup, python_cmd
from queue_server.db.presence import servers_using
from server_process import free_port, wait_healthy
from tests.provisioning.conftest import BACKENDS, load_hall

pytestmark = pytest.mark.slow  # real server processes


@pytest.fixture()
def group(tmp_path: Path) -> Iterator[ProcessGroup]:
    with ProcessGroup(tmp_path / "logs") as g:
        yield g


@pytest.mark.parametrize("kind", BACKENDS)
def test_restore_waits_for_the_server_to_stop(kind: str, db_factory, group: ProcessGroup,
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory(kind)
    load_hall(url)
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
    port = free_port()
    proc = group.start("server", python_cmd("queue_server", "--db", url, "--port", str(port),
                                            "--no-zeroconf", "--log-level", "warning"))
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    # (but what the running server keeps of its own accord: its figures' state, written a
    # moment after it answers, once after the count on a busy machine)
    own = {"fig_state", "case_alerts"}

    def counts() -> dict[str, int]:
        return {k: v for k, v in backup.table_counts(url).items() if k not in own}

    before = counts()
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "请先停止服务器" in err and "stop it before restoring" in err, err
    assert counts() == before  # nothing was touched
    proc.kill()  # even -9: the kernel drops the lock, the database its connections
    proc.wait(10)
    deadline = time.monotonic() + 10  # PostgreSQL drops a killed client's connections once
    while servers_using(url) is not None and time.monotonic() < deadline:  # it notices
        time.sleep(0.05)
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes"]) == 0
