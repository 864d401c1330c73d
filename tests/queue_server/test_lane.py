"""`api.lane`: the busy endpoints answer alike through their lane and through FastAPI. One
in-process server on a real loopback port; each request is sent with the lanes in place and
again with them taken out, and the two answers compared: status, body, the headers a client
reads. Valid requests, every kind of bad body, bad tokens, the counter's refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute

from queue_server.api.lane import Lane
from tests.procs import load_test_hall
from tests.queue_server.conftest import PIN, set_all_pins
from tests.queue_server.inproc import InProcServer, enrol

HEADERS = ("content-type", "retry-after", "idempotent-replayed", "content-length")


class Both:
    """The server, with its lanes switched on and off between requests."""

    def __init__(self, server: InProcServer) -> None:
        self.server = server
        routes = server.app.router.routes
        self.lanes: list[BaseRoute] = [r for r in routes if isinstance(getattr(r, "app", None),
                                                                        Lane)]
        assert len(self.lanes) == 7  # issue, five counter actions, the event stream

    def lanes_on(self, on: bool) -> None:
        routes = self.server.app.router.routes
        routes[:] = [r for r in routes if r not in self.lanes]
        if on:
            routes[0:0] = self.lanes

    def answer(self, client: httpx.Client, on: bool, method: str, path: str,
               **kw: Any) -> tuple[int, Any, dict[str, str]]:
        self.lanes_on(on)
        try:
            resp = client.request(method, path, **kw)
        finally:
            self.lanes_on(True)
        try:
            body: Any = resp.json()
        except ValueError:
            body = resp.text
        return resp.status_code, body, {h: resp.headers[h] for h in HEADERS
                                        if h in resp.headers}

    def same(self, client: httpx.Client, method: str, path: str, **kw: Any
             ) -> tuple[int, Any, dict[str, str]]:
        """An answer that does not change anything: equal both ways."""
        lane = self.answer(client, True, method, path, **kw)
        plain = self.answer(client, False, method, path, **kw)
        assert lane == plain, (method, path, kw)
        return lane


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lane') / 'lane.db'}"
    load_test_hall(url)
    server = InProcServer(url, lambda: datetime.now(UTC))
    try:
        yield Both(server)
    finally:
        server.stop()
        server.store.close()


def _kiosk(both: Both) -> httpx.Client:
    return both.server.client(enrol(both.server.store.url, "kiosk", "k-lane", hall="t1"))


def _staff(both: Both, counter: str) -> httpx.Client:
    set_all_pins(both.server.store.url)
    pad = both.server.client(enrol(both.server.store.url, "counter", f"pad-{counter}", counter,
                                   hall="t1"))
    resp = pad.post("/auth/login", json={"staff": "s001", "pin": PIN, "counter": counter})
    assert resp.status_code == 200, resp.text
    pad.headers["Authorization"] = f"Bearer {resp.json()['token']}"
    return pad


BAD_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("no content-type", {"content": b'{"service": "general"}'}),
    ("text/plain", {"content": b'{"service": "general"}',
                    "headers": {"Content-Type": "text/plain"}}),
    ("malformed", {"content": b'{"service": ', "headers": {"Content-Type": "application/json"}}),
    ("not utf-8", {"content": b'{"service": "\xff\xfe"}',
                   "headers": {"Content-Type": "application/json"}}),
    ("a list", {"json": []}),
    ("a number", {"json": 5}),
    ("a wrong type", {"json": {"service": 5}}),
    ("unknown field", {"json": {"service": "general", "colour": "red"}}),
    ("a bad id card", {"json": {"service": "general", "id_card": {"number": "1"}}}),
    ("empty", {"content": b"", "headers": {"Content-Type": "application/json"}}),
]


@pytest.mark.parametrize("case", BAD_BODIES, ids=[name for name, _ in BAD_BODIES])
def test_a_bad_issue_body_gets_fastapis_own_answer(both: Both, case: tuple[str, Any]) -> None:
    status, body, _ = both.same(_kiosk(both), "POST", "/tickets", **case[1])
    # (415 for a JSON body sent without its content type, since the 415 of c086b8b)
    assert status in ((415,) if case[0] in ("no content-type", "text/plain") else (400, 422))
    assert "error" in body


def test_issue_alike_valid_replayed_and_refused(both: Both) -> None:
    kiosk = _kiosk(both)
    made = [both.answer(kiosk, on, "POST", "/tickets", json={"service": "general"},
                        headers={"Idempotency-Key": f"k-{on}"}) for on in (True, False)]
    assert made[0][0] == made[1][0] == 201
    assert set(made[0][1]) == set(made[1][1])
    assert made[0][2]["content-type"] == made[1][2]["content-type"] == "application/json"
    assert made[0][1]["number"] != made[1][1]["number"]
    for key in ("k-True", "k-False"):  # a replay, through either way, is the same answer
        replayed = both.same(kiosk, "POST", "/tickets", json={"service": "general"},
                             headers={"Idempotency-Key": key})
        assert replayed[0] == 201 and replayed[2]["idempotent-replayed"] == "true"
    both.same(kiosk, "POST", "/tickets", json={"service": "general"},
              headers={"Idempotency-Key": "x" * 201})
    both.same(kiosk, "POST", "/tickets", json={"service": "no-such"})
    both.same(kiosk, "POST", "/tickets", json={})
    stranger = both.server.client("not-a-token")
    assert both.same(stranger, "POST", "/tickets", json={"service": "general"})[0] == 401
    # FastAPI reads the body before it checks the token: a bad body wins over a bad token
    assert both.same(stranger, "POST", "/tickets", content=b"{",
                     headers={"Content-Type": "application/json"})[0] == 400
    assert both.same(httpx.Client(base_url=both.server.url + "/api/v1"), "POST", "/tickets",
                     json={"service": "general"})[0] == 401


def test_counter_actions_alike(both: Both) -> None:
    kiosk, pad = _kiosk(both), _staff(both, "W01")
    base = "/counters/W01"
    for action in ("call-next", "recall", "no-show", "start"):  # a kiosk may not act
        assert both.same(kiosk, "POST", f"{base}/{action}")[0] == 403
    assert both.same(pad, "POST", "/counters/W02/call-next")[0] == 403  # not its counter
    assert both.same(pad, "POST", f"{base}/start")[0] == 409  # nothing called yet
    both.same(pad, "POST", f"{base}/finish", json={"outcome": "bogus"})
    both.same(pad, "POST", f"{base}/finish", content=b"[", headers={
        "Content-Type": "application/json"})
    both.same(pad, "POST", f"{base}/finish")
    def drain() -> None:  # call-next ends the current ticket as served, until none waits
        while both.answer(pad, True, "POST", f"{base}/call-next")[0] == 200:
            pass

    for on in (True, False):
        drain()
        issued = both.answer(kiosk, on, "POST", "/tickets", json={"service": "general"})
        called = both.answer(pad, on, "POST", f"{base}/call-next")
        assert called[0] == 200 and called[1]["number"] == issued[1]["number"]
        assert both.answer(pad, on, "POST", f"{base}/recall")[0] == 200
        assert both.answer(pad, on, "POST", f"{base}/start")[0] == 200
        done = both.answer(pad, on, "POST", f"{base}/finish", json={"outcome": "done"})
        assert done[0] == 200 and done[1]["status"] in ("done", "waiting")
    drain()
    assert both.same(pad, "POST", f"{base}/call-next")[:2] == (204, "")


def test_the_event_stream_refuses_alike(both: Both) -> None:
    anonymous = httpx.Client(base_url=both.server.url + "/api/v1")
    assert both.same(anonymous, "GET", "/events")[0] == 401
    assert both.same(anonymous, "HEAD", "/events")[0] == 405
    assert both.same(_kiosk(both), "GET", "/events", params={"after": "x"})[0] == 400


def test_a_lane_refuses_a_signature_it_does_not_know() -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/things/{n}")
    def thing(n: int, q: str | None = None) -> dict[str, int]:
        return {"n": n}

    with pytest.raises(TypeError, match="not supported"):
        Lane(router.routes[0])  # type: ignore[arg-type]


def test_the_openapi_document_still_describes_the_busy_endpoints(both: Both) -> None:
    document = httpx.get(both.server.url + "/openapi.json").json()
    issue = document["paths"]["/api/v1/tickets"]["post"]
    assert "requestBody" in issue and "201" in issue["responses"]
    assert "post" in document["paths"]["/api/v1/counters/{code}/finish"]
    assert json.dumps(document).count("/api/v1/counters/{code}/call-next") == 1
