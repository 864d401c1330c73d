"""Privacy: an ID card number and a full name sent to the server (issue, look-up, forward,
ratings) appear nowhere afterwards: not in the database file (nor its WAL), not in an event,
not in the server's log (at debug level), not in any answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx

from queue_server.db.store import Store
from tests.conftest import ServerProcess, load_test_hall
from tests.queue_server.conftest import PIN, set_all_pins

NUMBER = "15010219450315781X"
NAME = "王秀英"
CARD = {"number": NUMBER, "name": NAME}
NEEDLES = [NUMBER, NUMBER.lower(), NUMBER[:17], NUMBER[6:14] + NUMBER[14:17], NAME, "秀英"]


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_no_plaintext_id_number_or_name_anywhere(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    from queue_server.usecases.auth import enrol_terminal

    db = f"sqlite:///{tmp_path / 'private.db'}"
    load_test_hall(db)
    set_all_pins(db)
    server = run_server(db, "--log-level", "debug")
    store = Store(db)
    tok = {k: enrol_terminal(store, k, k, c, h)[0] for k, c, h in
           (("kiosk", None, "t1"), ("bank", None, "bank1"), ("counter", "W02", "t1"),
            ("pad", "W02", "t1"))}
    api = server.api("")
    answers: list[str] = []
    kiosk, bank = _client(api, tok["kiosk"]), _client(api, tok["bank"])
    pad, counter = _client(api, tok["pad"]), _client(api, tok["counter"])

    def keep(resp: httpx.Response) -> dict:
        assert resp.status_code < 400, resp.text
        answers.append(resp.text)
        return resp.json() if resp.content else {}

    t = keep(kiosk.post("/tickets", json={"service": "case", "id_card": CARD},
                        headers={"Idempotency-Key": "privacy-1"}))
    assert t["priority_reason"] == "elderly" and t["masked_name"] == "王**"
    keep(kiosk.post("/tickets", json={"service": "case", "id_card": CARD},
                    headers={"Idempotency-Key": "privacy-1"}))
    keep(kiosk.post("/tickets/lookup", json={"id_card": CARD}))
    b = keep(bank.post("/tickets", json={"service": "case", "channel": "bank", "id_card": CARD}))
    keep(bank.post(f"/tickets/{b['id']}/forward", json={}))
    session = keep(counter.post("/auth/login", json={"staff": "s001", "pin": PIN,
                                                     "counter": "W02"}))
    counter.headers["Authorization"] = f"Bearer {session['token']}"
    keep(counter.post("/counters/W02/call-next"))
    keep(counter.post("/counters/W02/finish", json={"outcome": "next"}))
    keep(pad.post("/evaluations", json={"ticket": t["id"], "level": 2, "reasons": ["slow"]}))
    keep(kiosk.get(f"/tickets/{t['id']}"))
    keep(kiosk.get("/counters"))
    answers.append(httpx.get(t["track_url"]).text)
    events = json.dumps(store.fetch_events(None, 0, 10_000), ensure_ascii=False)
    store.close()
    server.stop()

    assert '"ticket.called"' in events and len(answers) > 10
    files = [p for p in tmp_path.iterdir() if p.name.startswith("private.db")]
    blobs = {p.name: p.read_bytes() for p in files}
    blobs["events"] = events.encode()
    blobs["log"] = server.log.read_bytes()
    blobs["answers"] = "\n".join(answers).encode()
    assert len(blobs["private.db"]) > 0 and b"issued t1 B001" in blobs["log"]
    for where, blob in blobs.items():
        for needle in NEEDLES:
            assert needle.encode() not in blob, f"{needle!r} found in {where}"
