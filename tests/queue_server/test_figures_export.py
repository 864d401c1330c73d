"""数据指标's export (`GET /export/figures`) over real HTTP on loopback, on the hand-worked day
of test_figures.py: the period's figures and the breakdown the page shows, as CSV and XLSX,
equal to /reports/kpi and /reports/series; the same filters; bad input a 4xx with a code."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.queue_server.live_hall import live_hall
from tests.queue_server.test_figures import DAY, T0, seeded_day


def test_the_figures_export_as_the_page_shows_them(tmp_path: Path) -> None:
    with live_hall(f"sqlite:///{tmp_path / 'h.db'}", T0) as hall:
        seeded_day(hall)
        day = {"from": DAY, "to": DAY}
        kpi = hall.kpi(**day)
        with hall.client(hall.admin) as c:
            series = c.get("/reports/series", params=day).json()
            got = c.get("/export/figures", params={**day, "format": "csv"})
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith("text/csv")
            assert 'filename="figures-' in got.headers["content-disposition"]
            rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
            header, total, *by = rows
            cell = dict(zip(header, total, strict=True))
            assert cell["分组 / Group"] == "全部 / All"
            assert (int(cell["取号 / Tickets"]), int(cell["办结 / Done"])) == (
                kpi["tickets"], kpi["done"])
            assert float(cell["办结率(%) / Completion (%)"]) == round(
                100 * kpi["completion_rate"], 1)
            assert int(cell["等候P90(秒) / Wait p90 (s)"]) == kpi["wait_s"]["p90"]
            # by counter, the page's default grouping: one row per counter of the series
            counters = series["by"]["counter"]
            assert [r[0] for r in by] == [r["key"] for r in counters]
            for row, want in zip(by, counters, strict=True):
                cell = dict(zip(header, row, strict=True))
                assert int(cell["取号 / Tickets"]) == want["tickets"]
                assert cell["本窗口/本人评价 / Own ratings"] == str(want["own_ratings"])

            narrowed = c.get("/export/figures", params={**day, "counter": "W01",
                                                        "by": "zone", "format": "xlsx"})
            assert narrowed.status_code == 200, narrowed.text
            (tmp_path / "f.xlsx").write_bytes(narrowed.content)
            sheet = load_workbook(tmp_path / "f.xlsx")["数据指标"]
            table = list(sheet.iter_rows(values_only=True))
            first = dict(zip(table[0], table[1], strict=True))
            assert first["取号 / Tickets"] == hall.kpi(**day, counter="W01")["tickets"]
            assert {r[0] for r in table[2:]} <= {"consult", "intake", "approval", "pickup"}

            for query, code in (({**day, "by": "colour"}, "bad_filter"),
                                ({"from": DAY}, "bad_period"),
                                ({**day, "counter": "X99"}, "unknown_counter")):
                resp = c.get("/export/figures", params={**query, "format": "csv"})
                assert resp.status_code == 400, query
                assert resp.json()["error"]["code"] == code, query
        hall.login("W01", "s001")
        staff = hall.staff["W01"].get("/export/figures", params={**day, "format": "csv"})
        assert staff.status_code == 403
