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

from queue_server import wire
from queue_server.api.console_session import cookie_of, cookie_principal
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.ratelimit import throttle
from queue_server.db.busy import DbUnavailable
from queue_server.db.store import Store
from queue_server.domain.errors import Invalid, Unauthorized
from queue_server.domain.security import token_hash
from queue_server.usecases import lookups, ratings, terminals, tickets
from queue_server.usecases.auth import Principal, authenticate, principal_of

# Row ids in paths: bounded, so a huge number is a 422, not an integer overflow in the database.
RowId = Annotated[int, Path(ge=1, le=2**62)]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
# The busiest endpoints (a kiosk's issue here, the counters' actions and the event streams in
# routes_counters), on routers the app matches before all others: FastAPI tries routes one by
# one, some 3-6 µs each, so a request matched last paid ~100 µs before its handler ran.
busy = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
T = TypeVar("T")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


_BASES: dict[tuple[Any, ...], str] = {}  # what Starlette's base_url answers, by its inputs


def base_url(request: Request) -> str:
    """The configured public URL, or the one the request came to (Starlette's `base_url`,
    whose URL parsing and joining cost each busy request some 20 µs: kept by what it is made
    of, at most 256 of them, as a Host header is the client's to choose)."""
    public = request.app.state.settings.public_url
    if public:
        return str(public).rstrip("/")
    scope = request.scope
    key = (scope.get("scheme"), scope.get("server"), scope.get("root_path", ""),
           scope.get("app_root_path"), request.headers.get("host"))
    found = _BASES.get(key)
    if found is None:
        if len(_BASES) >= 256:
            _BASES.clear()
        found = _BASES[key] = str(request.base_url).rstrip("/")
    return found


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def who(request: Request) -> Principal:
    """A Bearer token (terminal, staff session, administrator), or else the console's cookie
    (a supervisor's browser; unsafe methods then need its CSRF token)."""
    store = store_of(request)
    token = bearer(request)
    if not token and cookie_of(request):
        return cookie_principal(store, request)
    return authenticate(store, token, store.clock())


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
    if _SEEN_VALID.get(digest, 0.0) < time.monotonic():
        store = store_of(request)
        await run_in_threadpool(authenticate, store, token, store.clock())
        seen_valid([digest])
    return token


Token = Annotated[str, Depends(token_of)]


def seen_valid(digests: list[str]) -> None:
    """Tokens of these digests count as seen valid now (`token_of`, after its look-up; a
    fresh server's warm-up, for the active terminals it read, so that their first requests
    skip the look-up's thread hop too). The unit still authenticates them. At most 10,000
    are kept: past that the map starts again."""
    if len(_SEEN_VALID) + len(digests) > 10_000:
        _SEEN_VALID.clear()
    until = time.monotonic() + SEEN_VALID_S
    for digest in digests[:10_000]:
        _SEEN_VALID[digest] = until


async def unit_for(request: Request, token: str, work: Callable[..., T], *args: Any) -> T:
    """`work(tx, principal, *args)` as one unit of work (`Store.run`: on SQLite the writer
    thread), the token checked inside it: one thread hop for the whole request."""
    store = store_of(request)
    return await store.run(lambda tx: work(tx, principal_of(tx.conn, token, tx.now), *args))


def hall_of(principal: Principal, request: Request) -> str:
    """The hall a request is about: the principal's, or `?hall=` for an administrator."""
    if principal.hall is not None:
        return principal.hall
    return asked_hall(request, request.query_params.get("hall"))


def asked_hall(request: Request, hall: str | None) -> str:
    """`hall` when one was asked for, else the server's one hall (`hall_needed` when several)."""
    if hall:
        return hall
    main = terminals.main_hall(store_of(request))
    if main is None:
        raise Invalid("hall_needed", "请用 ?hall= 指定大厅 / give ?hall=")
    return main


@router.api_route("/health", methods=["GET", "HEAD"], response_model=wire.Health)
async def health(request: Request) -> JSONResponse:
    """ok, or 503 degraded with the database's trouble (`db`: `storage_full` or
    `db_unavailable`, `reason` in words) while it lasts."""
    store = store_of(request)
    try:
        problem = await asyncio.wait_for(asyncio.to_thread(store.check), timeout=2.0)
    except TimeoutError:
        problem = DbUnavailable("no answer within 2 s")
        store.health.failed(problem)
    if problem is not None:
        return JSONResponse({"status": "degraded", "db": problem.code, "reason": problem.detail},
                            status_code=503, headers={"Retry-After": str(problem.retry_after)})
    return JSONResponse({"status": "ok", "db": "ok"})


@router.get("/hall", response_model=wire.HallOut)
def hall(request: Request, principal: Who) -> wire.HallOut:
    return terminals.hall_out(store_of(request), hall_of(principal, request))


@router.get("/terminals/me", response_model=wire.TerminalOut)
def me(request: Request, principal: Who) -> wire.TerminalOut:
    return terminals.me(store_of(request), principal)


@router.post("/terminals/heartbeat", status_code=204)
def heartbeat(request: Request, principal: Who, body: wire.HeartbeatIn) -> Response:
    terminals.heartbeat(store_of(request), principal, body)
    return Response(status_code=204)


@router.get("/terminals", response_model=list[wire.TerminalStatus])
def terminal_list(request: Request, principal: Who) -> list[wire.TerminalStatus]:
    """Supervisors and administrators: the hall's terminals (and its outposts') with health."""
    return terminals.terminal_list(store_of(request), principal, hall_of(principal, request))


@router.get("/services", response_model=list[wire.ServiceInfo])
def services(request: Request, principal: Who) -> list[wire.ServiceInfo]:
    return terminals.services(store_of(request), hall_of(principal, request))


@busy.post("/tickets", status_code=201, response_model=wire.TicketIssued)
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
    throttle(request, "lookup", principal.terminal_id)
    return lookups.lookup(store_of(request), principal, body.id_card, base_url(request))


@router.get("/tickets/{ticket_id}", response_model=wire.TicketOut)
def ticket(request: Request, principal: Who, ticket_id: str) -> wire.TicketOut:
    return lookups.get_ticket(store_of(request), principal, ticket_id, base_url(request))


@router.post("/evaluations", status_code=201, response_model=wire.EvaluationOut)
def evaluate(request: Request, principal: Who, body: wire.EvaluationIn) -> wire.EvaluationOut:
    return ratings.evaluate(store_of(request), principal, body)
