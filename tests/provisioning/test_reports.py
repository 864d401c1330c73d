"""The monthly bulletin (`provisioning report`, `GET /reports/bulletin`) and the ratings export
(`provisioning export-ratings`) on the seeded day of tests/queue_server/test_figures.py: the
files carry the same figures as the KPI endpoint, the export exactly the contract's fields."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from provisioning.__main__ import main
from queue_server.usecases.bulletin import candidates
from tests.queue_server.live_hall import LiveHall, live_hall
from tests.queue_server.test_figures import T0, seeded_day

FIELDS = ["hall", "service", "ticket", "channel", "zone", "counter", "staff", "level",
          "reasons", "comment", "rated_at"]


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveHall]:
    url = (f"sqlite:///{tmp_path / 'hall.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    with live_hall(url, T0) as h:
        h.ids = seeded_day(h)  # type: ignore[attr-defined]
        yield h


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    got = capsys.readouterr()
    return code, got.out, got.err


def test_the_bulletin_as_xlsx_csv_and_pdf(hall: LiveHall, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url = hall.store.url
    kpi = hall.kpi(**{"from": "2026-03-01", "to": "2026-03-31"})
    w01 = hall.kpi(**{"from": "2026-03-01", "to": "2026-03-31", "counter": "W01"})
    for suffix in (".xlsx", ".csv", ".pdf"):
        code, out, err = _run(capsys, "report", "--db", url, "--month", "2026-03",
                              "--out", str(tmp_path / f"b{suffix}"))
        assert code == 0, err
    sheet = load_workbook(tmp_path / "b.xlsx")["月通报"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    hall_row = dict(zip(header, rows[2], strict=True))
    assert hall_row["取号"] == kpi["tickets"] == 7 and hall_row["办结"] == kpi["done"]
    assert hall_row["好评率"] == round(kpi["satisfaction_rate"], 4)
    assert hall_row["等候P90(秒)"] == kpi["wait_s"]["p90"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[3:] if r[0]}
    assert by_name["1号窗口"]["取号"] == w01["tickets"] == 3
    assert by_name["1号窗口"]["办理P90(秒)"] == w01["service_s"]["p90"]
    assert {"一窗受理 / One-window intake", "企业开办", "王丽"} <= set(by_name)
    text = (tmp_path / "b.csv").read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[2][2] == "7" and "月通报" in table[0][0]
    pdf = (tmp_path / "b.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"NotoSansCJK" in pdf
    if shutil.which("pdftotext"):
        shown = subprocess.run(["pdftotext", "-layout", str(tmp_path / "b.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert "月通报" in shown and "1号窗口" in shown and "红星岗" in shown


def test_the_bulletin_over_http(hall: LiveHall) -> None:
    with hall.client(hall.admin) as c:
        data = c.get("/reports/bulletin", params={"month": "2026-03"}).json()
        assert data["overall"]["tickets"] == 7 and data["rule"].startswith("候选条件")
        resp = c.get("/reports/bulletin", params={"month": "2026-03", "format": "xlsx"})
        assert resp.status_code == 200 and resp.content[:2] == b"PK"
        assert "attachment" in resp.headers["content-disposition"]
        bad = c.get("/reports/bulletin", params={"month": "2026-13"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_month"
    with hall.client(hall.kiosk) as c:
        denied = c.get("/reports/bulletin", params={"month": "2026-03"})
        assert denied.status_code == 403


def test_export_ratings_has_exactly_the_contract_fields(
        hall: LiveHall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.jsonl"
    code, said, err = _run(capsys, "export-ratings", "--db", hall.store.url, "--from",
                           "2026-03-02", "--to", "2026-03-02", "--out", str(out))
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [list(r) for r in records] == [FIELDS] * 4
    by_ticket = {r["ticket"]: r for r in records}
    a = by_ticket[hall.ids["A"]]  # type: ignore[attr-defined]
    assert (a["level"], a["channel"], a["zone"], a["counter"], a["staff"], a["service"]) == (
        5, "pad", "intake", "W01", "s001", "general")
    assert a["rated_at"].startswith("2026-03-02T01:02:35") and a["hall"] == "t1"
    e = by_ticket[hall.ids["E"]]  # type: ignore[attr-defined]
    assert e["level"] == 2 and e["reasons"] == ["slow"]
    code, _, _ = _run(capsys, "export-ratings", "--db", hall.store.url, "--from", "2026-03-03",
                      "--to", "2026-03-31", "--out", str(out))
    assert code == 0 and out.read_text() == ""
    province = tmp_path / "r.csv"
    code, _, _ = _run(capsys, "export-ratings", "--db", hall.store.url, "--from",
                      "2026-03-02", "--to", "2026-03-02", "--out", str(province))
    rows = list(csv.reader(io.StringIO(province.read_bytes().decode("utf-8-sig"))))
    assert code == 0 and rows[0][7] == "评价等级" and len(rows) == 5
    assert {r[8] for r in rows[1:]} == {"非常满意", "不满意", "基本满意", "满意"}


@pytest.mark.parametrize("argv", [
    ["report", "--month", "2026-3x", "--out", "b.xlsx"],
    ["report", "--month", "2026-03", "--out", "b.docx"],
    ["report", "--month", "2026-3", "--out", "b.csv"],  # YYYY-MM, not a month of its own making
    ["export-ratings", "--from", "2026-03-05", "--to", "2026-03-01", "--out", "r.jsonl"],
    ["export-ratings", "--from", "2026-03-01", "--to", "2026-03-05", "--out", "r.txt"],
])
def test_bad_input_is_one_line_and_exit_2(hall: LiveHall, tmp_path: Path, argv: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a if not a.startswith(("b.", "r.")) else str(tmp_path / a) for a in argv]
    code, _, err = _run(capsys, argv[0], "--db", hall.store.url, *argv[1:])
    assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_the_recognition_rule() -> None:
    def work(key: str, served: int, levels: list[int]) -> dict[str, object]:
        good = sum(1 for lv in levels if lv >= 3)
        return {"key": key, "served": served, "ratings": len(levels),
                "satisfaction_rate": good / len(levels) if levels else None,
                "very_satisfied_rate": levels.count(5) / len(levels) if levels else None,
                "bad": len(levels) - good}

    found = candidates([
        work("W01", 300, [5] * 18 + [4] * 2),  # 90 % very satisfied
        work("W02", 400, [5] * 18 + [4] * 2),  # the same share, more served: first
        work("W03", 250, [5] * 10 + [1] * 2),  # satisfaction 83 % < 92 %: out
        work("W04", 40, [5] * 20),  # fewer than half the median served: out
        work("W05", 300, [5] * 9),  # fewer than 10 ratings: out
        work("W06", 280, [5] * 10 + [3] * 10),  # 50 % very satisfied: third
    ], {"W02": "2号窗口"})
    assert [c["key"] for c in found] == ["W02", "W01", "W06"]
    assert found[0]["name"] == "2号窗口"
