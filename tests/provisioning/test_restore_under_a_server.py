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


def _aliases(database: Path, tmp_path: Path) -> list[Path]:
    """Other paths of the file `database`: a symlink, a chain of them through another folder,
    a path through `..` and a symlinked folder (a hard link is not followed: the server's lock
    is beside the file's real path)."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "link.db").symlink_to(database)
    (tmp_path / "other" / "chain.db").symlink_to(tmp_path / "link.db")
    (tmp_path / "folder").symlink_to(database.parent)
    return [tmp_path / "link.db", tmp_path / "other" / "chain.db",
            tmp_path / "sub" / ".." / database.name, tmp_path / "folder" / database.name]


def test_restore_under_a_server_is_refused_by_any_name_of_its_file(
        db_factory, group: ProcessGroup, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # an outside check restored through a symlink to the file a server was using (the lock
    # was looked for beside the link) and a ticket issued meanwhile was lost
    url = db_factory("sqlite")
    load_hall(url)
    database = Path(url.removeprefix("sqlite:///"))
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
    aliases = _aliases(database, tmp_path)
    port = free_port()
    proc = group.start("server", python_cmd("queue_server", "--db", url, "--port", str(port),
                                            "--no-zeroconf", "--log-level", "warning"))
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    before = backup.table_counts(url)["tickets"]
    capsys.readouterr()
    for alias in aliases:
        assert main(["restore", "--db", f"sqlite:///{alias}", "--from", str(tmp_path / "b.db"),
                     "--yes"]) == 2, alias
        err = capsys.readouterr().err
        assert "请先停止服务器" in err and "stop it before restoring" in err, (alias, err)
    assert backup.table_counts(url)["tickets"] == before
    proc.kill()
    proc.wait(10)
    assert main(["restore", "--db", f"sqlite:///{aliases[0]}", "--from", str(tmp_path / "b.db"),
                 "--yes"]) == 0  # a lock nobody holds refuses nothing


def test_restore_sees_a_server_started_on_a_link_elsewhere(
        db_factory, group: ProcessGroup, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # the server's unit names /var/lib/kuaiban/hall.db, a link to the file on a data disk;
    # the administrator restores into the file on the data disk
    url = db_factory("sqlite")
    load_hall(url)
    database = Path(url.removeprefix("sqlite:///"))
    assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
    (tmp_path / "etc").mkdir()
    link = tmp_path / "etc" / "hall.db"
    link.symlink_to(database)
    port = free_port()
    proc = group.start("server", python_cmd("queue_server", "--db", f"sqlite:///{link}",
                                            "--port", str(port), "--no-zeroconf",
                                            "--log-level", "warning"))
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    capsys.readouterr()
    assert main(["restore", "--db", url, "--from", str(tmp_path / "b.db"), "--yes"]) == 2
    assert "stop it before restoring" in capsys.readouterr().err
