"""`provisioning backup` never writes over a file already there (an earlier backup, perhaps the
only good one: an outside check found it overwritten without a word) unless `--force` is
given, and never over the database itself, by whatever name: putting the copy in its place
would take the file from under a running server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from provisioning import backup
from provisioning.__main__ import main
from tests.provisioning.conftest import BACKENDS, load_hall
from tests.provisioning.test_backup import _add_events

CJK = re.compile(r"[\u4e00-\u9fff]")


def _refusal(err: str, out: Path) -> tuple[str, str]:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"provisioning backup: --out {out}: "), err
    zh, sep, en = err.strip().split(": ", 2)[2].partition(" / ")
    assert sep and CJK.match(zh) and re.match(r"[A-Za-z]", en), err
    return zh, en


@pytest.mark.parametrize("kind", BACKENDS)
def test_an_existing_backup_is_kept_unless_force(kind: str, db_factory, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory(kind)
    load_hall(url)
    out = tmp_path / ("hall.db" if kind == "sqlite" else "hall.jsonl.gz")
    assert main(["backup", "--db", url, "--out", str(out)]) == 0
    first = out.read_bytes()
    _add_events(url, 3)
    capsys.readouterr()

    assert main(["backup", "--db", url, "--out", str(out)]) == 2
    zh, en = _refusal(capsys.readouterr().err, out)
    assert zh.startswith("这个文件已经存在,备份不会覆盖它;请换一个文件名,或加 --force") and "--force" in en
    assert out.read_bytes() == first
    assert not out.with_name(out.name + ".part").exists()

    assert main(["backup", "--db", url, "--out", str(out), "--force"]) == 0
    assert "替换了原有的文件" in capsys.readouterr().out
    assert out.stat().st_mode & 0o777 == 0o600
    restored = db_factory(kind)
    assert main(["restore", "--db", restored, "--from", str(out)]) == 0
    assert backup.table_counts(restored)["events"] == backup.table_counts(url)["events"]


def test_a_link_at_out_is_not_followed_over_its_file(db_factory, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    kept = tmp_path / "monday.db"
    kept.write_bytes(b"the only good copy")
    link = tmp_path / "latest.db"
    link.symlink_to(kept)
    dangling = tmp_path / "gone.db"
    dangling.symlink_to(tmp_path / "nothing-here.db")
    for out in (link, dangling):
        assert main(["backup", "--db", url, "--out", str(out)]) == 2
        _refusal(capsys.readouterr().err, out)
    assert kept.read_bytes() == b"the only good copy"


def test_the_database_itself_is_never_the_backup(db_factory, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    database = Path(url.removeprefix("sqlite:///"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(database)
    os.link(database, tmp_path / "hard.db")
    inode = database.stat().st_ino
    before = backup.snapshot(url)
    for out in (database, tmp_path / "link.db", tmp_path / "sub" / ".." / database.name,
                tmp_path / "hard.db", Path(f"{database}-wal")):
        assert main(["backup", "--db", url, "--out", str(out), "--force"]) == 2
        zh, en = _refusal(capsys.readouterr().err, out)
        assert zh.startswith(f"这就是 --db {url} 的数据库文件"), zh
        assert "write it to another file" in en, en
    assert database.stat().st_ino == inode and (tmp_path / "link.db").is_symlink()
    assert backup.snapshot(url) == before
