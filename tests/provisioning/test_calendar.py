"""The calendar that does not run out: deadlines across 2026-12-31 without a 2027 calendar
(provisional: weekends and statutory holidays, marked on the ticket and its journey stage, with
a warning from every `provisioning` command) and after `provisioning calendar import`
(authoritative; open deadlines recomputed), over real HTTP with a set clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from provisioning.__main__ import main
from queue_server.domain.holidays import statutory_holidays
from queue_server.domain.workdays import OfficialYear, WorkCalendar, deadline
from queue_server.usecases.calendars import packaged_years
from tests.queue_server.live_hall import live_hall

SH = "Asia/Shanghai"
# A 2027 schedule for the tests (fictional where the State Council has not spoken yet): New
# Year off from Friday to Monday the 4th, one working Saturday.
CAL_2027 = """year = 2027
note = "test schedule"
holidays = ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04",
            "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09"]
workdays = [2027-01-09]
"""


def test_statutory_holidays_by_rule() -> None:
    days = statutory_holidays(2027)
    assert len(days) == 13
    assert days[date(2027, 2, 6)] == "春节" and days[date(2027, 2, 5)] == "春节"  # 除夕 and 初一
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节" and days[date(2027, 9, 15)] == "中秋节"
    assert {d for d, n in days.items() if n == "国庆节"} == {date(2027, 10, d) for d in (1, 2, 3)}
    # The rule agrees with the packaged official calendar of 2026 on every statutory day.
    official = packaged_years()[2026]
    assert set(statutory_holidays(2026)) <= official.holidays


def test_a_deadline_into_an_unconfirmed_year_is_provisional() -> None:
    cal = WorkCalendar(packaged_years())
    due = deadline(date(2026, 12, 30), 2, SH, cal)  # Thu 31st, then Mon 4th (1st is a holiday)
    assert due.at.date() == date(2027, 1, 4) and due.provisional
    assert not deadline(date(2026, 12, 28), 2, SH, cal).provisional  # all within 2026
    imported = {**packaged_years(), 2027: OfficialYear(
        2027, frozenset({date(2027, 1, d) for d in (1, 2, 3, 4)}), frozenset(), "imported")}
    due = deadline(date(2026, 12, 30), 2, SH, WorkCalendar(imported))
    assert due.at.date() == date(2027, 1, 5) and not due.provisional


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("db", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def test_deadlines_across_new_year_without_and_with_an_imported_calendar(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest,
        db: str) -> None:
    url = (f"sqlite:///{tmp_path / 'hall.db'}" if db == "sqlite"
           else request.getfixturevalue("pg_url"))
    # Wed 2026-12-30 10:00 in Shanghai; the test hall is closed on 2026-12-31.
    with live_hall(url, datetime(2026, 12, 30, 2, 0, tzinfo=UTC)) as hall:
        hall.login("W02", "s002")
        case = hall.issue("case")["id"]
        hall.act("W02", "call-next")
        hall.act("W02", "finish", {"outcome": "next"})
        ticket = hall.ticket(case)
        stage = ticket["journey"][-1]
        assert stage["zone"] == "approval" and stage["deadline_provisional"] is True
        assert ticket["deadline_provisional"] is True
        # Closed 31st, 1 Jan a statutory holiday, then Mon 4th and Tue 5th.
        assert stage["deadline"].startswith("2027-01-05T15:59:59")
        assert "暂定" in httpx.get(f"{hall.url}/t/{case}").text  # the citizen's tracking page
        code, out, err = _cli(capsys, "calendar", "show", "--year", "2027", "--db", url)
        assert code == 0 and "PROVISIONAL" in out and "WARNING" in err and "2027" in err
        (tmp_path / "2027.toml").write_text(CAL_2027, encoding="utf-8")
        code, out, err = _cli(capsys, "calendar", "import", str(tmp_path / "2027.toml"),
                              "--db", url)
        assert code == 0 and "1 provisional deadline(s) recomputed" in out, out + err
        assert "WARNING" not in err
        ticket = hall.ticket(case)
        stage = ticket["journey"][-1]
        assert stage["deadline"].startswith("2027-01-06T15:59:59")  # the 4th is off too now
        assert stage["deadline_provisional"] is False and ticket["deadline_provisional"] is False
        assert ticket["deadline"] == stage["deadline"]
        page = httpx.get(f"{hall.url}/t/{case}").text
        assert "2027年1月6日 23:59" in page and "暂定" not in page
        changed = [e for e in hall.events() if e["type"] == "ticket.deadline_changed"]
        assert [e["ticket"] for e in changed] == [case]
        code, out, _ = _cli(capsys, "calendar", "show", "--year", "2027", "--db", url, "--json")
        shown = __import__("json").loads(out)
        assert shown["status"] == "imported" and "2027-01-09" in shown["workdays"]
        assert "2027-01-04" in shown["days_off"]


@pytest.mark.parametrize(("text", "reason"), [
    ("year = 2027\nholidays = [\"2028-01-01\"]\n", "is not in 2027"),
    ("year = 2027\nholidays = [\"2027-01-01\"]\nworkdays = [\"2027-01-05\"]\n", "weekday"),
    ("year = 2027\nholidays = [\"2027-13-01\"]\n", "not a date"),
    ("year = \"x\"\n", "year: 应为整数,如 2027 / expected a whole number"),
    ("year = 2027\nholiday = []\n", "holiday: 未知的键(应为 year、holidays、workdays) / unknown key"),
    ("year = [", "not valid TOML"),
    ("year = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
])
def test_a_bad_calendar_file_is_refused_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    from tests.procs import load_test_hall

    load_test_hall(url)
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    code, _, err = _cli(capsys, "calendar", "import", str(tmp_path / "bad.toml"), "--db", url)
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1, err
