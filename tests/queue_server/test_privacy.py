"""Privacy: an ID card number and a full name sent to the server (issue, look-up, forward,
ratings) appear nowhere afterwards: not in the database file (nor its WAL), not in an event,
not in the server's log (at debug level), not in any answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from queue_server.db.store import Store
from tests.procs import ServerProcess, load_test_hall
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
    # Free text typed with the number in it: a rejection's reason, a rating's comment.
    remote = keep(counter.post("/counters/W02/call-next"))  # the bank's application
    assert remote["id"] not in (t["id"], b["id"]) and remote["zone"] == "intake"
    keep(counter.post("/counters/W02/finish", json={
        "outcome": "rejected", "reason": f"身份证{NUMBER}已过期"}))
    keep(pad.post("/evaluations", json={"ticket": t["id"], "level": 2, "reasons": ["slow"],
                                        "comment": f"我的身份证号是 {NUMBER.lower()},跑了三次"}))
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


def test_the_journey_keeps_no_id_number_address_or_phone_in_plain(tmp_path: Path) -> None:
    """A day of the journey (booking with a phone, cancelling, checking in by card, a number
    from the phone, mail delivery with an address, dispatch, the notification logged): after
    it, the database file, the log at debug level and the events hold none of them."""
    import logging
    from datetime import datetime

    from queue_server.usecases import notify
    from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, journey_db, staff_client
    from tests.queue_server.inproc import enrol as enrol_in
    from tests.queue_server.test_appointment_day import person

    holder, other = person(41), person(42, born="19400101")
    address, phone = "内蒙古巴彦淖尔市杭锦后旗陕坝镇解放街88号", "13612345678"
    log_file = tmp_path / "server.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    clock = Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ))
    db = journey_db(tmp_path, name="private.db")
    server = InProcServer(db, clock, public_writes_per_min=1000, public_per_id_per_hour=1000)
    answers: list[str] = []
    try:
        api = server.client()

        def keep(resp: httpx.Response, status: int = 200) -> Any:
            assert resp.status_code == status, resp.text
            answers.append(resp.text)
            return resp.json()

        first = keep(api.post("/appointments", json={
            "service": "case", "start": "2026-03-09T09:00:00+08:00", "id_card": holder,
            "phone": phone}), 201)
        second = keep(api.post("/appointments", json={
            "service": "case", "start": "2026-03-09T10:00:00+08:00", "id_card": other}), 201)
        keep(api.post(f"/appointments/{second['code']}/cancel",
                      json={"id_number": other["number"]}))
        clock.set(2026, 3, 9, 8, 45)
        kiosk = server.client(enrol_in(db, "kiosk", "k1"))
        ticket = keep(kiosk.post("/tickets", json={"id_card": holder}), 201)
        remote = keep(api.post("/remote-tickets", json={"service": "general", "id_card": other,
                                                        "phone": phone}), 201)
        keep(kiosk.post("/tickets/lookup", json={"id_card": holder}))
        intake = staff_client(server, "W01")
        keep(intake.post("/counters/W01/call-next"))
        keep(intake.post(f"/tickets/{ticket['id']}/delivery", json={
            "method": "mail", "recipient": holder["name"], "address": address,
            "phone": phone}))
        keep(intake.post("/counters/W01/finish", json={"outcome": "next"}))
        approval = staff_client(server, "W03")
        keep(approval.post("/counters/W03/call-next"))
        keep(approval.post("/counters/W03/finish", json={"outcome": "next"}))
        pickup = staff_client(server, "W04")
        listed = pickup.get("/deliveries/to-mail").json()  # staff see it, only here
        assert listed[0]["address"] == address
        keep(pickup.post(f"/tickets/{ticket['id']}/dispatch", json={"tracking": "EA0001CN"}))
        keep(api.get(f"/track/{ticket['id']}"))
        keep(api.get(f"/track/{remote['id']}"))
        answers.append(httpx.get(f"{server.url}/t/{ticket['id']}").text)
        keep(api.get(f"/appointments/{first['code']}"))
        assert notify.deliver_due(server.store, lambda out: None) >= 0
        events = json.dumps(server.store.fetch_events(None, 0, 10_000), ensure_ascii=False)
    finally:
        server.stop()
        server.store.close()
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    assert '"case.ready"' in events and '"delivery.dispatched"' in events
    blobs = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("private.db")}
    blobs |= {"events": events.encode(), "log": log_file.read_bytes(),
              "answers": "\n".join(answers).encode()}
    assert len(blobs["log"]) > 0 and len(blobs["private.db"]) > 0
    needles = [n for who in (holder, other) for n in (
        who["number"], who["number"].lower(), who["number"][:17], who["number"][6:14] +
        who["number"][14:17], who["name"])] + [address, address[6:14], phone]
    for where, blob in blobs.items():
        for needle in needles:
            assert needle.encode() not in blob, f"{needle!r} found in {where}"


def test_typed_numbers_are_masked_however_they_are_written() -> None:
    """An ID number typed into free text with spaces, dashes or full-width digits was kept as
    typed (and reached the public view and the event stream through a reason); a passport or
    entry-permit number was masked to 7 of its 8 characters. Dates and phone numbers stay."""
    from queue_server.domain.security import id_hash, mask_id, mask_numbers_in

    masked = "150***********1235"
    for typed in ("150826197707071235", "150826 19770707 1235", "150826-19770707-1235",
                  "１５０８２６１９７７０７０７１２３５", "150826　19770707　1235"):
        assert mask_numbers_in(f"证件{typed}已过期") == f"证件{masked}已过期", typed
    assert mask_numbers_in("卡号 6222 0202 0000 1234 567 退款") == "卡号 622************4567 退款"
    for kept in ("2026-12-06 2026-12-07 两天", "电话 138 0013 8000", "订单 12345678901234 号"):
        assert mask_numbers_in(kept) == kept
    assert (mask_id("H1234567"), mask_id("E12345678")) == ("H*****67", "E******78")
    assert mask_id("15010219450315781x") == "150***********781X"
    secret = "00" * 32
    assert id_hash(secret, "１５０１０２１９４５０３１５７８１Ｘ") == id_hash(secret, NUMBER)
