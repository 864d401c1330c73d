"""(v1.2) A window's or person's own ratings beside §5's: the seeded day of test_figures.py,
where C's rating (level 4) is of its approval stage at C01 (s002) though its intake was at W02
(s002 too), and A's and E's are of their stages at W01. §5's `ratings` of W02 counts C's
rating (the ticket had a stage there); `own_ratings` of W02 does not, as the 好差评 ledger
filtered by counter W02 does not list it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.queue_server.live_hall import live_hall
from tests.queue_server.test_figures import DAY, T0, seeded_day


def test_counters_and_staff_carry_the_ratings_of_their_own_stages(tmp_path: Path) -> None:
    with live_hall(f"sqlite:///{tmp_path / 'own.db'}", T0) as hall:
        seeded_day(hall)
        with hall.client(hall.admin) as c:
            series = c.get("/reports/series", params={"from": DAY, "to": DAY}).json()
            ledger = {key: c.get("/ratings", params={"from": DAY, "to": DAY, dim: key}).json()
                      for dim, key in (("counter", "W02"), ("counter", "C01"),
                                       ("counter", "W01"), ("staff", "s002"))}
            month = c.get("/reports/bulletin", params={"month": "2026-03"})
            text = c.get("/reports/bulletin", params={"month": "2026-03", "format": "csv"})
        by = {dim: {r["key"]: r for r in series["by"][dim]} for dim in ("counter", "staff")}
        w02, c01, w01 = by["counter"]["W02"], by["counter"]["C01"], by["counter"]["W01"]
        assert w02["ratings"] == 1  # CONTRACT §5 unchanged: C had a stage at W02
        assert (w02["own_ratings"], w02["own_satisfaction_rate"]) == (0, None)
        assert w02["own_levels"] == {str(n): 0 for n in range(1, 6)}
        assert (c01["own_ratings"], c01["own_satisfaction_rate"]) == (1, 1.0)
        assert (w01["own_ratings"], w01["own_satisfaction_rate"]) == (2, 0.5)
        for key, row in (*[(k, by["counter"][k]) for k in ("W02", "C01", "W01")],
                         ("s002", by["staff"]["s002"])):
            listed = [r["level"] for r in ledger[key]]  # the ledger filtered by it: the oracle
            assert row["own_levels"] == {str(n): listed.count(n) for n in range(1, 6)}, key
        assert "own_ratings" not in series["by"]["zone"][0]
        sections = month.json()["sections"]
        assert {r["key"]: r["own_ratings"] for r in sections["counter"]}["W02"] == 0
        rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
        header = rows[1]
        w02_row = next(r for r in rows
                       if r[:2] == ["窗口 / Counter", names(series, "W02")])
        assert w02_row[header.index("评价数")] == "0"
        assert w02_row[header.index("好评率")] == ""


def names(series: dict, key: str) -> str:
    return next(r["name"] for r in series["by"]["counter"] if r["key"] == key)
