"""What a new administrator read in English only, now one line, Chinese first, saying what to
do (an outside check): `enrol`'s refusals list what there is to choose from (the halls, the
hall's counter codes, the code in its right case), `revoke` lists the active terminals,
`calendar import` says a missing file plainly and reads a file a Windows editor saved (UTF-8
with a byte-order mark) or refuses one in GBK with its line. Real commands on real SQLite files
built by the migrations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provisioning.__main__ import main
from tests.procs import load_test_hall

CJK = re.compile(r"[\u4e00-\u9fff]")


def _refused(capsys: pytest.CaptureFixture[str], command: str, *argv: str) -> str:
    """The one line a refused command prints (exit 2), without its `provisioning CMD: `."""
    assert main([command, *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    line = err.strip().removeprefix(f"provisioning {command}: ")
    zh, sep, en = line.partition(" / ")
    assert sep and CJK.search(zh.split(": ")[-1]) and re.search(r"[A-Za-z]", en), line
    return line


@pytest.fixture()
def two_halls(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'halls.db'}"
    load_test_hall(url)  # t1 (W01..W04, C01) and its outpost bank1 (N01)
    load_test_hall(url, hall_id="t2", outpost_id="bank2")
    return url


@pytest.fixture()
def one_hall(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    return url


def test_enrol_says_which_halls_there_are(two_halls: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    said = _refused(capsys, "enrol", "--db", two_halls, "--kind", "kiosk", "--name", "k",
                    "--json")
    assert said.startswith("数据库里有多个大厅(bank1、bank2、t1、t2);请用 --hall 指定"), said
    assert said.endswith("several halls: give --hall (bank1, bank2, t1, t2)"), said
    said = _refused(capsys, "enrol", "--db", two_halls, "--kind", "kiosk", "--name", "k",
                    "--hall", "t3", "--json")
    assert "--hall t3: 没有这个大厅" in said and "t1、t2" in said, said


def test_enrol_lists_the_hall_s_counters_and_the_right_case(
        one_hall: str, capsys: pytest.CaptureFixture[str]) -> None:
    said = _refused(capsys, "enrol", "--db", one_hall, "--kind", "counter", "--name", "c",
                    "--counter", "w02", "--hall", "t1", "--json")
    assert said.startswith("--counter w02: 大厅 t1 没有窗口 w02;是 W02 吗?"), said
    assert "W01、W02、W03、W04" in said and "did you mean W02?" in said, said
    said = _refused(capsys, "enrol", "--db", one_hall, "--kind", "counter", "--name", "c",
                    "--counter", "W99", "--json")
    assert "没有窗口 W99" in said and "吗?" not in said, said
    assert "t1:C01、W01、W02、W03、W04" in said and "bank1:N01" in said, said
    assert "no counter 'W99'" in said, said
    said = _refused(capsys, "enrol", "--db", one_hall, "--kind", "pad", "--name", "p",
                    "--counter", "N01", "--hall", "t1", "--json")
    assert "大厅 t1 没有窗口 N01,它在 bank1" in said, said


@pytest.mark.parametrize(("argv", "words"), [
    (["--kind", "counter"], "请用 --counter"),
    (["--kind", "robot"], "应为 kiosk"),
    (["--kind", "display", "--counter", "W01"], "只有窗口终端"),
])
def test_enrol_s_own_refusals_are_chinese_first(one_hall: str, argv: list[str], words: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    said = _refused(capsys, "enrol", "--db", one_hall, "--name", "x", "--json", *argv)
    assert words in said, said


def test_a_terminal_enrolled_nowhere_is_refused_by_terminal_config_in_both_languages(
        one_hall: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    said = _refused(capsys, "terminal-config", "--db", one_hall, "--out",
                    str(tmp_path / "t.toml"), "--kind", "counter", "--counter", "w01",
                    "--hall", "t1", "--machine-id", "0123456789abcdef")
    assert "是 W01 吗?" in said and "did you mean W01?" in said, said


def test_revoke_lists_the_active_terminals(one_hall: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    said = _refused(capsys, "revoke", "--db", one_hall, "--name", "nosuch")
    assert "没有名为 'nosuch' 的在用终端" in said and "provisioning list" in said, said
    for name in ("kiosk-1", "display-1"):
        assert main(["enrol", "--db", one_hall, "--kind", name.split("-")[0], "--name", name,
                     "--hall", "t1", "--json"]) == 0
    capsys.readouterr()
    said = _refused(capsys, "revoke", "--db", one_hall, "--name", "nosuch")
    assert "在用的有:display-1、kiosk-1" in said and "active: display-1, kiosk-1" in said, said
    said = _refused(capsys, "revoke", "--db", one_hall, "--name", "Kiosk-1")
    assert "是 kiosk-1 吗?" in said and "did you mean kiosk-1?" in said, said
    said = _refused(capsys, "revoke", "--db", one_hall, "--id", "99")
    assert "没有 id 为 99 的在用终端" in said and "kiosk-1 (id " in said, said


def test_calendar_import_says_a_missing_file_plainly(one_hall: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nofile.toml"
    said = _refused(capsys, "calendar", "import", str(missing), "--db", one_hall)
    assert said == f"{missing}: 文件不存在 / cannot read: no such file", said


CALENDAR = '# 2027 年节假日安排\nyear = 2027\nholidays = ["2027-01-01"]\n'


def test_calendar_import_reads_utf8_with_a_bom(one_hall: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "2027.toml"
    saved.write_text(CALENDAR, encoding="utf-8-sig")  # Windows Notepad's "UTF-8"
    assert main(["calendar", "import", str(saved), "--db", one_hall]) == 0, capsys.readouterr()


def test_calendar_import_refuses_gbk_with_its_line(one_hall: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "2027.toml"
    saved.write_bytes(("year = 2027\n" + CALENDAR).encode("gbk"))
    said = _refused(capsys, "calendar", "import", str(saved), "--db", one_hall)
    assert said.startswith(f"{saved}:2: 文件不是 UTF-8 编码(像是 GBK):请用 UTF-8 另存"), said
    assert said.endswith("the file is not UTF-8 (it looks like GBK): save it as UTF-8"), said
