"""Findings of the outside checks (issue 11) that are about input and abuse, each against the
real server process: text the database cannot store, an oversized chunked body, a trickled
body, PIN guessing (lockout per terminal and staff id, with growing delays) and the rate limits
of logins and lookups."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args, get_origin

import httpx
import pytest
from pydantic import BaseModel

from queue_server import wire, wire_console, wire_journey
from tests.queue_server.conftest import PIN, Hall

SURROGATE = "\ud800x"


def _inbound_models() -> list[type[wire.Inbound]]:
    """The request models of every wire module (the API's, the console's, the journey's)."""
    return [m for module in (wire, wire_console, wire_journey) for m in vars(module).values()
            if isinstance(m, type) and issubclass(m, wire.Inbound) and m is not wire.Inbound
            and m.__name__ != "Strict"]


def _string_paths(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Each place of a model where text goes, with a value holding a lone surrogate there."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        kinds = [field.annotation, *get_args(field.annotation)]
        for kind in kinds:
            if kind is str:
                yield path, SURROGATE
            elif get_origin(kind) is list:
                yield path, [SURROGATE]
            elif get_origin(kind) is dict:
                yield f"{path}(key)", {SURROGATE: "ok"}
                yield f"{path}(value)", {"k": SURROGATE}
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _string_paths(kind, f"{path}.")


def _minimal(model: type[BaseModel]) -> dict[str, Any]:
    """A body the model accepts, to put one bad string into."""
    examples: dict[str, Any] = {"level": 5, "outcome": "done", "number": "150102194001011234",
                                "note": "ok", "id_number": "150102194001011234",
                                "start": "2026-03-02T09:00:00+08:00", "tracking": "SF123456",
                                "confirmed": True, "valid": True, "upheld": False,
                                "reason": "ok", "method": "pickup"}
    ticket_numbers = {"CallNumberIn", "RequeueIn"}  # their `number` is a ticket's (A012)
    body: dict[str, Any] = {"service": "general"} if model is wire.TicketCreate else {}
    for name, field in model.model_fields.items():
        if field.is_required():
            body[name] = examples.get(name, "ok")
            if name == "number" and model.__name__ in ticket_numbers:
                body[name] = "A012"
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                body[name] = _minimal(field.annotation)
    return body


def _put(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    head = head.split("(")[0]
    if rest:
        inner = dict(body.get(head) or {"number": "150102194001011234"})
        body[head] = _put(inner, rest, value)
    else:
        body[head] = value
    return body


def test_every_text_of_every_request_model_refuses_a_lone_surrogate() -> None:
    models = _inbound_models()
    assert len(models) >= 12  # every request body of the API derives from wire.Inbound
    tried = 0
    for model in models:
        assert model.model_validate(_minimal(model))  # the base body itself is fine
        for path, value in _string_paths(model):
            body = _put(_minimal(model), path, value)
            with pytest.raises(ValueError, match="unpaired surrogate"):
                model.model_validate(body)
            tried += 1
    assert tried >= 20


def _raw_post(hall: Hall, token: str, path: str, body: bytes, headers: dict[str, str]
              ) -> httpx.Response:
    return httpx.post(hall.server.api(path), content=body, timeout=10,
                      headers={"Authorization": f"Bearer {token}",
                               "Content-Type": "application/json", **headers})


def test_a_lone_surrogate_is_a_422_on_every_endpoint_that_takes_text(hall: Hall) -> None:
    kiosk = hall.enrol("kiosk")
    counter = hall.enrol("counter", counter="W01")
    staff = hall.staff("W01")
    session = staff.headers["Authorization"].split()[1]
    cases = [
        (kiosk, "/tickets", '{"service": "general", "appointment": "\\ud800x"}'),
        (kiosk, "/tickets", '{"service": "gen\\udfffral"}'),
        (kiosk, "/tickets", '{"service": "general", "id_card": {"number": '
                            '"150102194001011234", "name": "\\ud800"}}'),
        (kiosk, "/tickets/lookup", '{"id_card": {"number": "1501021940\\ud80001011234"}}'),
        (counter, "/auth/login", '{"staff": "s\\ud800", "pin": "1234", "counter": "W01"}'),
        (kiosk, "/terminals/heartbeat", '{"devices": {"printer": "\\ud800"}}'),
        (session, "/counters/W01/pause", '{"reason": "\\udc00"}'),
        (kiosk, "/evaluations", '{"ticket": "x", "level": 5, "comment": "\\ud800"}'),
        (kiosk, "/tickets/x/print-failed", '{"reason": "\\ud800"}'),
    ]
    for token, path, body in cases:
        resp = _raw_post(hall, token, path, body.encode(), {})
        assert resp.status_code == 422, (path, resp.status_code, resp.text)
        assert resp.json()["error"]["code"] == "invalid_request"
        assert "surrogate" in resp.json()["error"]["message"]
    ok = _raw_post(hall, kiosk, "/tickets", b'{"service": "general"}', {})
    assert ok.status_code == 201, ok.text
    made_up = _raw_post(hall, kiosk, "/tickets", b'{"service": "general", "appointment": "A1"}',
                        {})  # a code nobody booked (issue 14): refused, not a 5xx
    assert made_up.status_code == 404, made_up.text


def _chunked(size: int) -> Iterator[bytes]:
    filler = (json.dumps({"service": "general"}) + " " * size).encode()  # valid JSON, padded
    for i in range(0, len(filler), 4096):
        yield filler[i:i + 4096]


def test_a_chunked_json_body_over_64_kib_is_413(hall: Hall) -> None:
    kiosk = hall.enrol("kiosk")
    resp = httpx.post(hall.server.api("/tickets"), content=_chunked(70 * 1024), timeout=10,
                      headers={"Authorization": f"Bearer {kiosk}",
                               "Content-Type": "application/json"})
    assert "content-length" not in resp.request.headers  # it really went chunked
    assert resp.status_code == 413, resp.text
    assert resp.json()["error"]["code"] == "body_too_large"
    small = httpx.post(hall.server.api("/tickets"), content=_chunked(10), timeout=10,
                       headers={"Authorization": f"Bearer {kiosk}",
                                "Content-Type": "application/json"})
    assert small.status_code == 201, small.text


def test_a_body_trickled_byte_by_byte_is_cut_off(hall: Hall, run_server: Any) -> None:
    server = run_server(hall.db_url, "--body-timeout", "1")
    kiosk = hall.enrol("kiosk")
    body = b'{"service": "general"}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall((f"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      f"{kiosk}\r\nContent-Type: application/json\r\nContent-Length: "
                      f"{len(body)}\r\n\r\n").encode())
        started = time.monotonic()
        answer = b""
        for byte in body:  # one byte every 0.3 s: the body would need 6.6 s
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            sock.settimeout(0.3)
            try:
                answer += sock.recv(4096)
            except TimeoutError:
                continue
            if answer:
                break
        elapsed = time.monotonic() - started
        sock.settimeout(5)
        while chunk := sock.recv(4096):  # the rest of the answer, then the server closes
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"body_timeout"' in answer
    assert elapsed < 3.0


def test_a_body_that_comes_after_its_head_or_with_it_is_read_whole(hall: Hall) -> None:
    """A body in the head's own packet needs no deadline (nothing to wait for); one sent a
    moment after the head, or in two pieces, is waited for. Each is the same ticket request."""
    kiosk = hall.enrol("kiosk")
    body = b'{"service": "general"}'
    head = (f"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kiosk}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode()
    for pieces in ([head + body], [head, body], [head, body[:7], body[7:]]):
        with socket.create_connection(("127.0.0.1", hall.server.port), timeout=10) as sock:
            for piece in pieces:
                sock.sendall(piece)
                time.sleep(0.05)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 201"), (len(pieces), answer[:300])
        assert b'"number"' in answer


def test_wrong_pins_at_one_terminal_lock_out_nobody_at_another(hall: Hall) -> None:
    """Finding 7: five wrong PINs from any counter terminal locked the staff member out
    everywhere. Now the pair (terminal, staff id) waits, and only that pair."""
    bad = hall.client(hall.enrol("counter", "pad-bad", counter="W01"))
    good = hall.client(hall.enrol("counter", "pad-good", counter="W01"))
    body = {"staff": "s002", "counter": "W01"}
    codes = [bad.post("/auth/login", json={**body, "pin": "0000"}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 401]
    locked = bad.post("/auth/login", json={**body, "pin": PIN})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "staff_locked"
    assert 1 <= int(locked.headers["Retry-After"]) <= 5
    for _ in range(2):  # more failures elsewhere change nothing for the good terminal
        bad.post("/auth/login", json={**body, "pin": "0000"})
    resp = good.post("/auth/login", json={**body, "pin": PIN})
    assert resp.status_code == 200, resp.text


def test_logins_are_rate_limited_per_terminal_even_for_unknown_staff(hall: Hall) -> None:
    guesser = hall.client(hall.enrol("counter", "pad-guess", counter="W02"))
    other = hall.client(hall.enrol("counter", "pad-other", counter="W02"))
    codes = [guesser.post("/auth/login", json={"staff": f"x{i}", "pin": "0000",
                                               "counter": "W02"}).status_code
             for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
    limited = guesser.post("/auth/login", json={"staff": "s001", "pin": PIN, "counter": "W02"})
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    ok = other.post("/auth/login", json={"staff": "s001", "pin": PIN, "counter": "W02"})
    assert ok.status_code == 200, ok.text


def test_lookups_are_rate_limited_per_terminal(hall: Hall) -> None:
    prying = hall.client(hall.enrol("kiosk", "kiosk-pry"))
    honest = hall.client(hall.enrol("kiosk", "kiosk-honest"))
    card = {"id_card": {"number": "150102194001011234"}}
    codes = [prying.post("/tickets/lookup", json=card).status_code for _ in range(25)]
    assert codes[:20] == [200] * 20 and 429 in codes[20:], codes
    assert prying.get("/tickets/nosuchticket").status_code == 404  # by id: not limited
    assert honest.post("/tickets/lookup", json=card).status_code == 200


def test_the_public_tracking_page_is_rate_limited_per_address(hall: Hall) -> None:
    codes = [httpx.get(f"{hall.server.url}/t/guess{i}", timeout=5).status_code
             for i in range(25)]
    assert codes[:20] == [404] * 20 and 429 in codes[20:], codes


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_delays_grow_per_pair_and_a_success_resets_them(tmp_path: Path) -> None:
    from queue_server.db.store import Store
    from queue_server.domain.errors import Locked, Unauthorized
    from queue_server.usecases.auth import authenticate, enrol_terminal, set_pin
    from queue_server.usecases.login import login
    from tests.procs import load_test_hall

    url = f"sqlite:///{tmp_path / 'h.db'}"
    load_test_hall(url)
    clock = _Clock()
    store = Store(url, clock=clock)
    set_pin(store, "s001", PIN, "t1")
    pad, other = (authenticate(store, enrol_terminal(store, "counter", name, "W01", "t1")[0],
                               clock.now) for name in ("pad-a", "pad-b"))

    def fail() -> None:
        with pytest.raises(Unauthorized):
            login(store, pad, "s001", "0000", "W01")

    def wait_now() -> int:
        with pytest.raises(Locked) as locked:
            login(store, pad, "s001", PIN, "W01")
        return locked.value.retry_after

    for _ in range(3):
        fail()  # the first three mistakes cost no wait
    waits = []
    for _ in range(3):
        fail()
        waits.append(wait_now())
        assert login(store, other, "s001", PIN, "W01")[1].id == "s001"  # elsewhere: fine
        clock.now += timedelta(seconds=waits[-1])
    assert waits == [5, 10, 20]
    assert login(store, pad, "s001", PIN, "W01")[1].id == "s001"  # after the wait: in
    fail()  # and the count starts again
    assert login(store, pad, "s001", PIN, "W01")[1].id == "s001"
    store.close()
