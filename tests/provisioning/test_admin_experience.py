"""What an administrator following docs/admin.md reads: `init`'s refusals name the line, the
block (by number and code) and the reason, Chinese first; `staff` asks which hall when an id is
in several; `calendar show` shows the hall's closed days; `export` of a missing file creates
nothing; `list` says what its time is and keeps its columns; `tls` speaks Chinese first. Each
runs the real command on a real SQLite file built by the migrations."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from provisioning.__main__ import main
from queue_server.db.models import Staff
from tests.procs import TEST_HALL, load_test_hall

GOOD = TEST_HALL.read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _chinese_first(line: str) -> None:
    zh, sep, en = line.partition(" / ")
    assert sep and CJK.match(zh) and re.match(r"[A-Za-z]", en), line


@pytest.mark.parametrize(("old", "new", "key", "said"), [
    ('route = ["intake", "approval", "pickup"]', 'route = ["intake", "pickup", "approval"]',
     "services #2 (case).route", "功能区要按办事顺序写"),
    ("time_limit_workdays = 2", 'time_limit_workdays = "2"', "services #2 (case).time_limit_workdays",
     "应为整数"),
    ('prefix = "B"', 'prefix = "A"', "services #2 (case).prefix",
     "services #1 (general)"),
    ('timezone = "Asia/Shanghai"', 'timezone = "Asia/Beijing"', "hall.timezone", "未知的时区"),
    ('role = "supervisor"', 'role = "supervisor"\nshift = 1', "staff #3 (s003).shift", "未知的键"),
    ('prefix = "B"', 'prefx = "B"', "services #2 (case).prefx", "是不是 prefix?"),
])
def test_init_refusal_names_line_block_and_reason_chinese_first(
        old: str, new: str, key: str, said: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace(old, new, 1)
    config = tmp_path / "hall.toml"
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "hall.db"
    code, out, err = _run(capsys, "init", "--config", str(config), "--db", f"sqlite:///{db}")
    assert code == 2 and not out and not db.exists()
    line = GOOD[:GOOD.index(old)].count("\n") + 1 + new.count("\n")  # the changed line
    prefix = f"provisioning init: {config}:{line}: {key}: "
    assert err.startswith(prefix) and said in err, err
    _chinese_first(err.strip().removeprefix(prefix))


def test_init_refuses_bad_toml_with_its_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "hall.toml"
    config.write_text(GOOD.replace("[hall]", "[hall", 1), encoding="utf-8")
    code, _, err = _run(capsys, "init", "--config", str(config), "--db",
                        f"sqlite:///{tmp_path / 'hall.db'}")
    assert code == 2 and err.startswith(f"provisioning init: {config}:3: 不是有效的 TOML / not "
                                        "valid TOML"), err


def test_init_says_what_it_did_and_warns_chinese_first(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    code, out, err = _run(capsys, "init", "--config", str(TEST_HALL), "--db", url)
    assert code == 0 and not err
    _chinese_first(out.strip())
    assert out.startswith("大厅 t1(测试政务服务中心)") and "1 outpost(s)" in out
    from queue_server import wire
    from queue_server.db.store import Store
    from queue_server.usecases.auth import Principal
    from queue_server.usecases.tickets import issue

    store = Store(url)
    try:
        issue(store, Principal("kiosk", "t1", 1, "k"), wire.TicketCreate(service="consult"),
              None, "")
    finally:
        store.close()
    edited = tmp_path / "edited.toml"
    edited.write_text(GOOD.replace('''[[services]]
code = "consult"
name = "咨询"
prefix = "Z"
route = ["consult"]
''', "").replace('''[[counters]]
code = "C01"
name = "咨询台"
zone = "consult"
services = ["consult"]
''', ""), encoding="utf-8")
    code, out, err = _run(capsys, "init", "--config", str(edited), "--db", url)
    assert code == 0
    assert err.startswith("provisioning init: 警告 / warning: t1:事项 consult 已从配置中删除,但还有 1 "
                          "个号未办完"), err
    assert "/ t1: service consult removed while 1 of its tickets are open" in err


def test_a_counter_removed_names_its_terminals_and_the_zone_it_left_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Removing the one pickup counter W04 said nothing: the case service's tickets waited at
    pickup with no counter to call them, and W04's pad went on enrolled there, refused at each
    sign-in (`没有窗口 W04`). Both are said; nothing else changes."""
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    assert _run(capsys, "init", "--config", str(TEST_HALL), "--db", url)[0] == 0
    assert _run(capsys, "enrol", "--db", url, "--kind", "counter", "--name", "c-w04",
                "--counter", "W04", "--hall", "t1", "--json")[0] == 0
    edited = tmp_path / "edited.toml"
    w04 = GOOD.index('[[counters]]\ncode = "W04"')
    edited.write_text(GOOD[:w04] + GOOD[GOOD.index("[[counters]]", w04 + 1):], encoding="utf-8")
    code, out, err = _run(capsys, "init", "--config", str(edited), "--db", url)
    assert code == 0 and out.startswith("大厅 t1")
    notes = [line.removeprefix("provisioning init: 警告 / warning: ")
             for line in err.strip().splitlines()]
    assert len(notes) == 2, err
    for note in notes:
        _chinese_first(note.removeprefix("t1:"))
    assert "窗口 W04 已从配置中删除,终端 c-w04 仍登记在该窗口上" in notes[0], notes
    assert "出件区没有窗口办理事项 case" in notes[1] and "pickup zone" in notes[1], notes


def _two_halls(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'halls.db'}"
    load_test_hall(url)  # t1 and its outpost bank1
    load_test_hall(url, hall_id="t2", outpost_id="bank2")  # other people, the same ids
    return url


def _pins(url: str) -> dict[str, str | None]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {hall: pin for hall, pin in conn.execute(
                select(Staff.hall, Staff.pin_hash).where(Staff.id == "s001"))}
    finally:
        engine.dispose()


def test_staff_pin_asks_which_hall_when_the_id_is_in_several(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = _two_halls(tmp_path)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("2468\n"))
    code, _, err = _run(capsys, "staff", "--db", url, "--id", "s001", "--pin-stdin")
    assert code == 2 and "t1" in err and "t2" in err and "--hall" in err, err
    _chinese_first(err.strip().removeprefix("provisioning staff: "))
    assert set(_pins(url).values()) == {None}  # nothing set
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("2468\n"))
    code, _, err = _run(capsys, "staff", "--db", url, "--id", "s001", "--pin-stdin",
                        "--hall", "bank1")  # an outpost names its hall's group
    assert code == 0 and "t1" in err and "bank1" in err, err
    pins = _pins(url)
    assert pins["t1"] and pins["bank1"] and pins["t2"] is None and pins["bank2"] is None
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("2468\n"))
    code, _, err = _run(capsys, "staff", "--db", url, "--id", "s001", "--pin-stdin",
                        "--hall", "nowhere")
    assert code == 2 and "nowhere" in err


def test_calendar_show_marks_the_halls_closed_days(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)  # closed_days = ["2026-12-31"], a Thursday
    code, out, _ = _run(capsys, "calendar", "show", "--year", "2026", "--db", url)
    assert code == 0
    december = next(ln for ln in out.splitlines() if ln.startswith("2026-12"))
    assert " 31" not in december and " 30" in december
    assert "闭厅 / hall closed (t1): 31" in out
    code, out, _ = _run(capsys, "calendar", "show", "--year", "2026", "--db", url, "--json")
    shown = json.loads(out)
    assert shown["closed_days"] == {"t1": ["2026-12-31"]}
    assert "2026-12-31" not in shown["workdays"] and "2026-12-30" in shown["workdays"]
    two = _two_halls(tmp_path)
    code, out, _ = _run(capsys, "calendar", "show", "--year", "2026", "--db", two)
    assert "(t1): 31" in out and "(t2): 31" in out
    code, out, _ = _run(capsys, "calendar", "show", "--year", "2026", "--db", two, "--hall", "t2")
    assert "(t2): 31" in out and "(t1)" not in out


def test_export_of_a_missing_file_creates_nothing(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "new.db"
    code, out, err = _run(capsys, "export", "--db", f"sqlite:///{missing}")
    assert code == 2 and not out and not missing.exists()
    assert "没有这个数据库文件" in err and "no such database file" in err, err
    _chinese_first(err.strip().split(": ", 2)[-1])


def _columns(line: str) -> list[int]:
    """The screen column where each field of a `list` row starts (CJK takes two)."""
    starts, col, prev = [], 0, " "
    for i, ch in enumerate(line):
        if ch != " " and prev == " " and line[max(0, i - 2):i] == "  ":
            starts.append(col)
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        prev = ch
    return starts


def test_list_says_last_heartbeat_and_keeps_its_columns(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url, hall_id="hangjinhouqi-zhengwu-fuwu-zhongxin", outpost_id="bank1")
    for kind, name in (("kiosk", "自助机-1"), ("bank", "b1")):
        assert main(["enrol", "--db", url, "--kind", kind, "--name", name]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "list", "--db", url)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert "最后心跳/last heartbeat (UTC)" in lines[0] and "last seen" not in out
    assert all("无心跳/none" in ln for ln in lines[1:]) and "never" not in out
    assert _columns(lines[1])[:5] == _columns(lines[2])[:5] == _columns(lines[0])[:5]


def test_tls_speaks_chinese_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "tls", "--out", str(tmp_path / "tls"), "--host", "hall-server")
    assert code == 0
    for line in out.splitlines():
        assert CJK.match(line), line


def test_init_refusals_of_the_database_say_why_and_change_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that would take another hall's outpost id is refused in words, not with a
    traceback (the hall and outpost stay as they were)."""
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)  # t1 and its outpost bank1
    other = tmp_path / "t2.toml"
    other.write_text(TEST_HALL.read_text(encoding="utf-8").replace('id = "t1"', 'id = "t2"'),
                     encoding="utf-8")
    code, _out, err = _run(capsys, "init", "--config", str(other), "--db", url)
    assert code == 2 and "bank1 在数据库中已是大厅 t1 的网点" in err, err
    assert "Traceback" not in err
