"""HTTP endpoints of `/api/v1` for terminals, tickets and ratings (CONTRACT.md §3 and the
extensions of docs/api.md). Thin: authenticate, call one use case, shape the answer. The busy
writes (issue, the counter actions) are async and run authentication and use case as one unit
of work (`unit_for`, `Store.run`); the other endpoints that touch the database are sync
(FastAPI runs them in its thread pool); health and the event stream are async so they never
queue behind the write lock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select, text

from queue_server import ratings, tickets, wire
from queue_server.auth import Principal, authenticate, principal_of
from queue_server.errors import Forbidden, Invalid, NotFound, Unauthorized
from queue_server.halls import load_hall
from queue_server.models import Counter, Terminal
from queue_server.security import token_hash
from queue_server.store import Store
from queue_server.views import service_infos

# Row ids in paths: bounded, so a huge number is a 422, not an integer overflow in the database.
RowId = Annotated[int, Path(ge=1, le=2**62)]

router = APIRouter(prefix="/api/v1")
T = TypeVar("T")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def base_url(request: Request) -> str:
    public = request.app.state.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def who(request: Request) -> Principal:
    store = store_of(request)
    return authenticate(store, bearer(request), store.clock())


Who = Annotated[Principal, Depends(who)]


_SEEN_VALID: dict[str, float] = {}  # token digest -> until when it counts as recently seen
SEEN_VALID_S = 60.0


async def token_of(request: Request) -> str:
    """For endpoints that authenticate inside their unit of work (`unit_for`, authoritative:
    a revoked token is refused at once). This check only keeps the answer to a bad token a
    401 before the body is even read, as with `Who`: a token not seen valid in the last
    minute is looked up first (one extra thread hop, once a minute per terminal)."""
    token = bearer(request)
    if not token:
        raise Unauthorized("unauthorized", "需要令牌 / a bearer token is required")
    digest = token_hash(token)
    now = time.monotonic()
    if _SEEN_VALID.get(digest, 0.0) < now:
        store = store_of(request)
        await run_in_threadpool(authenticate, store, token, store.clock())
        if len(_SEEN_VALID) > 10_000:
            _SEEN_VALID.clear()
        _SEEN_VALID[digest] = now + SEEN_VALID_S
    return token


Token = Annotated[str, Depends(token_of)]


async def unit_for(request: Request, token: str, work: Callable[..., T], *args: Any) -> T:
    """`work(tx, principal, *args)` as one unit of work (`Store.run`: on SQLite the writer
    thread), the token checked inside it: one thread hop for the whole request."""
    store = store_of(request)
    return await store.run(lambda tx: work(tx, principal_of(tx.conn, token, tx.now), *args))


def hall_of(principal: Principal, request: Request) -> str:
    """The hall a request is about: the principal's, or `?hall=` for an administrator."""
    if principal.hall is not None:
        return principal.hall
    hall = request.query_params.get("hall")
    if hall:
        return hall
    with store_of(request).read() as s:
        from queue_server.models import Hall

        tops = list(s.scalars(select(Hall.id).where(Hall.parent.is_(None), Hall.active)))
    if len(tops) != 1:
        raise Invalid("hall_needed", "请用 ?hall= 指定大厅 / give ?hall=")
    return tops[0]


@router.get("/health", response_model=wire.Health)
async def health(request: Request) -> JSONResponse:
    store = store_of(request)

    def ping() -> None:
        with store.reader.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), timeout=2.0)
    except Exception:  # noqa: BLE001 - any database trouble is "not ok"
        return JSONResponse({"status": "degraded", "db": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "db": "ok"})


@router.get("/hall", response_model=wire.HallOut)
def hall(request: Request, principal: Who) -> wire.HallOut:
    hall_id = hall_of(principal, request)
    with store_of(request).read() as s:
        info = load_hall(s, hall_id)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall_id} / no hall {hall_id}")
        counters = s.scalars(select(Counter).where(Counter.hall == hall_id, Counter.active)
                             .order_by(Counter.position))
        return wire.HallOut(id=info.id, name=info.name, timezone=info.timezone,
                            announce=info.announce, day_starts=info.day_starts.strftime("%H:%M"),
                            parent=info.parent,
                            counters=[wire.CounterInfo(code=c.code, name=c.name, zone=c.zone,
                                                       services=list(c.services))
                                      for c in counters])


@router.get("/terminals/me", response_model=wire.TerminalOut)
def me(request: Request, principal: Who) -> wire.TerminalOut:
    if principal.terminal_id is None:
        raise NotFound("not_a_terminal", "此令牌不属于终端 / this token is not a terminal's")
    with store_of(request).read() as s:
        term = s.get(Terminal, principal.terminal_id)
        info = load_hall(s, term.hall) if term else None
        assert term is not None and info is not None
        return wire.TerminalOut(name=term.name, kind=term.kind, hall=term.hall,
                                hall_name=info.name, counter=principal.counter or term.counter)


@router.post("/terminals/heartbeat", status_code=204)
def heartbeat(request: Request, principal: Who, body: wire.HeartbeatIn) -> Response:
    if principal.terminal_id is None:
        raise Forbidden("forbidden", "只有终端可以报告心跳 / only terminals send heartbeats")
    with store_of(request).write() as tx:
        term = tx.session.get(Terminal, principal.terminal_id)
        assert term is not None
        devices = {k[:40]: v[:40] for k, v in list(body.devices.items())[:20]}
        if devices != (term.devices or {}):
            tx.emit(term.hall, "terminal.health", terminal=term.name, kind=term.kind,
                    devices=devices, previous=term.devices or {})
            term.devices = devices
        term.last_seen = tx.now
    return Response(status_code=204)


@router.get("/terminals", response_model=list[wire.TerminalStatus])
def terminals(request: Request, principal: Who) -> list[wire.TerminalStatus]:
    """Supervisors and administrators: the hall's terminals (and its outposts') with health."""
    if not (principal.kind == "admin" or principal.staff_role in ("supervisor", "admin")):
        raise Forbidden("supervisor_required", "需要值班长或管理员 / a supervisor or an "
                        "administrator is required")
    hall_id = hall_of(principal, request)
    with store_of(request).read() as s:
        from queue_server.models import Hall

        halls = {h.id: h.name for h in s.scalars(select(Hall).where(
            (Hall.id == hall_id) | (Hall.parent == hall_id)))}
        rows = s.scalars(select(Terminal).where(Terminal.hall.in_(halls), Terminal.active)
                         .order_by(Terminal.hall, Terminal.name))
        return [wire.TerminalStatus(id=t.id, name=t.name, kind=t.kind, hall=t.hall,
                                    hall_name=halls[t.hall], counter=t.counter,
                                    devices=dict(t.devices or {}), last_seen=t.last_seen)
                for t in rows]


@router.get("/services", response_model=list[wire.ServiceInfo])
def services(request: Request, principal: Who) -> list[wire.ServiceInfo]:
    hall_id = hall_of(principal, request)
    store = store_of(request)
    with store.read() as s:
        info = load_hall(s, hall_id)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall_id} / no hall {hall_id}")
        return service_infos(s, hall_id, info.day_of(store.clock()))


@router.post("/tickets", status_code=201, response_model=wire.TicketIssued)
async def issue(request: Request, token: Token, body: wire.TicketCreate,
                idempotency_key: Annotated[str | None, Header()] = None) -> Response:
    out, created = await tickets.issue_for(store_of(request), token, body, idempotency_key,
                                           base_url(request))
    return json_answer(out, 201, None if created else {"Idempotent-Replayed": "true"})


def json_answer(out: wire.Wire, status: int = 200, headers: dict[str, str] | None = None
                ) -> Response:
    """The model already is the answer: serialise it once instead of letting FastAPI validate
    it again against `response_model` (which stays for the OpenAPI schema)."""
    return Response(out.model_dump_json(), status_code=status, headers=headers,
                    media_type="application/json")


@router.post("/tickets/lookup", response_model=list[wire.TicketOut])
def lookup(request: Request, principal: Who, body: wire.TicketLookup) -> list[wire.TicketOut]:
    return tickets.lookup(store_of(request), principal, body.id_card, base_url(request))


@router.get("/tickets/{ticket_id}", response_model=wire.TicketOut)
def ticket(request: Request, principal: Who, ticket_id: str) -> wire.TicketOut:
    return tickets.get_ticket(store_of(request), principal, ticket_id, base_url(request))


@router.post("/evaluations", status_code=201, response_model=wire.EvaluationOut)
def evaluate(request: Request, principal: Who, body: wire.EvaluationIn) -> wire.EvaluationOut:
    return ratings.evaluate(store_of(request), principal, body)


@router.get("/followups", response_model=list[wire.FollowupOut])
def followups(request: Request, principal: Who, open: bool = True) -> list[wire.FollowupOut]:
    return ratings.followups(store_of(request), principal, open)


@router.post("/followups/{item_id}/close", response_model=wire.FollowupOut)
def close_followup(request: Request, principal: Who, item_id: RowId, body: wire.FollowupClose
                   ) -> wire.FollowupOut:
    return ratings.close_followup(store_of(request), principal, item_id, body.note)
