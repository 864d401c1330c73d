"""A rating shows the number its stage was served under: a case taken in as B001 on the 9th,
rated 差评 there, approved on the 10th and collected that day as B002 (today's number for it at
the kiosk) kept B001 in the journey but showed B002 in the 好差评 ledger, its follow-up (差评回访),
its appeal and the exports. The exports say where it was given in Chinese (手机/网页, not
`web`), and a terminal's kind (窗口终端, not `counter`)."""

from __future__ import annotations

import csv
import io

from queue_server.usecases.auth import make_admin_token
from tests.queue_server.inproc import staff_client
from tests.queue_server.test_journey_cases import P1, Journey, _called_at_intake, ok


def test_a_renumbered_case_keeps_the_rated_stages_number(journey: Journey) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    kiosk = walk["kiosk"]
    first = walk["ticket"]
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    code = first["track_url"].split("?c=")[1]
    rated = ok(server.client().post(f"/track/{first['id']}/evaluation",
                                    json={"c": code, "level": 1, "reasons": ["wait"]}), 201)
    clock.set(2026, 3, 10, 10, 0)
    approval = staff_client(server, "W03")
    ok(approval.post("/counters/W03/call-next"))
    ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    ok(kiosk.post("/tickets", json={"service": "case"}), 201)  # B001 of the 10th
    assert ok(kiosk.post(f"/tickets/{first['id']}/arrive"))["number"] == "B002"
    appeal = ok(staff_client(server, "W01").post(f"/evaluations/{rated['id']}/appeal",
                                    json={"reason": "当时排队人多"}), 201)
    admin = server.client(make_admin_token(server.store))
    days = {"hall": "j1", "from": "2026-03-09", "to": "2026-03-10"}
    ledger = ok(admin.get("/ratings", params=days))
    assert [(r["ticket"], r["number"]) for r in ledger] == [(first["id"], "B001")]
    assert [f["number"] for f in ok(admin.get("/followups", params={"hall": "j1"}))] == ["B001"]
    assert [a["number"] for a in ok(admin.get("/appeals", params={"hall": "j1"}))] == ["B001"]
    assert appeal["number"] == "B001"
    for table in ("ratings", "followups"):
        got = admin.get(f"/export/{table}", params={**days, "format": "csv"})
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        column = next(i for i, h in enumerate(rows[0]) if h.endswith("/ Number"))
        assert [r[column] for r in rows[1:]] == ["B001"], table
        if table == "ratings":  # and Chinese labels, not codes: rated on the holder's phone
            assert [r[rows[0].index("渠道 / Channel")] for r in rows[1:]] == ["手机/网页"]
    got = admin.get("/export/terminals", params={"hall": "j1", "format": "csv"})
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    kinds = {r[rows[0].index("类型 / Kind")] for r in rows[1:]}
    assert "窗口终端" in kinds and "counter" not in kinds, kinds
