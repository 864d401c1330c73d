"""HTTP endpoints of counters (staff login, the counter actions, and what a counter's own staff
session reads of its queue: the deadlines due, the count of cases to mail) and of the event
stream (SSE and WebSocket, served by the event hub after authentication)."""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import APIRouter, Request, Response, WebSocket
from fastapi.concurrency import run_in_threadpool

from queue_server import wire
from queue_server.api.http_errors import ERROR_RESPONSES, domain_answer
from queue_server.api.ratelimit import throttle
from queue_server.api.routes import (
    Token,
    Who,
    base_url,
    bearer,
    hall_of,
    json_answer,
    store_of,
    unit_for,
    who,
)
from queue_server.db.busy import first_line
from queue_server.db.store import Store
from queue_server.domain.errors import DomainError, Invalid, NoTicketWaiting
from queue_server.usecases import cases, counter_desk, counters, delivery, supplement, terminals
from queue_server.usecases.auth import Principal, authenticate
from queue_server.usecases.login import login, logout

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
busy = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)  # matched first (routes.busy)


@router.post("/auth/login", response_model=wire.LoginOut)
def auth_login(request: Request, principal: Who, body: wire.LoginIn) -> wire.LoginOut:
    throttle(request, "login", principal.terminal_id)
    token, staff, expires = login(store_of(request), principal, body.staff, body.pin,
                                  body.counter)
    if principal.hall is not None:  # its first call finds its call order built
        try:
            counters.prepare_call_orders(store_of(request), principal.hall, body.counter)
        except Exception as exc:  # noqa: BLE001 - the login is done: the first call builds it
            log.warning("preparing counter %s's call order failed (%s)", body.counter,
                        first_line(exc))
    return wire.LoginOut(token=token, staff=staff.id, staff_name=staff.name,
                         counter=body.counter, expires_at=expires)


@router.post("/auth/logout", status_code=204)
def auth_logout(request: Request, principal: Who) -> Response:
    """(v1.2) Ends the staff session of the bearer token (the pad's 退出)."""
    logout(store_of(request), principal, bearer(request))
    return Response(status_code=204)


@router.get("/counters", response_model=list[wire.CounterState])
def list_counters(request: Request, principal: Who) -> list[wire.CounterState]:
    return counters.list_counters(store_of(request), _with_hall(principal, request),
                                  base_url(request))


@router.get("/counters/{code}", response_model=wire.CounterState)
def get_counter(request: Request, principal: Who, code: str) -> wire.CounterState:
    return counters.get_counter(store_of(request), _with_hall(principal, request), code,
                                base_url(request))


@router.get("/counters/{code}/deadlines", response_model=list[wire.CounterCase])
def counter_deadlines(request: Request, principal: Who, code: str) -> list[wire.CounterCase]:
    """(v1.2) 限时办结 for the staff session of that counter: its queue's cases due today or
    overdue (an approval counter's; none elsewhere), with their working days left."""
    return cases.counter_cases(store_of(request), principal, code)


@router.get("/counters/{code}/to-mail-count", response_model=wire.MailCount)
def to_mail_count(request: Request, principal: Who, code: str) -> wire.MailCount:
    """(v1.2) 待寄出 (N) for the staff session of that counter: no address is unsealed."""
    return wire.MailCount(count=delivery.to_mail_count(store_of(request), principal, code))


def _with_hall(principal: Principal, request: Request) -> Principal:
    return principal if principal.hall else replace(principal, hall=hall_of(principal, request))


def _query(name: str, description: str, **schema: object) -> dict[str, object]:
    """A query parameter the route reads itself (the hot paths read no parameters through
    FastAPI), for the OpenAPI document."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}


@busy.post("/counters/{code}/call-next", response_model=wire.TicketOut,
           responses={204: {"description": "nobody waits"}},
           openapi_extra={"parameters": [_query(
               "current", "(v1.2) the ticket the pad shows at the counter (empty: none); "
               "another one there is 409 counter_changed")]})
async def call_next(request: Request, token: Token, code: str) -> Response:
    # (v1.2) `?current=ID` (or empty: none): what the pad believes is at the counter
    expect = request.query_params.get("current")
    try:
        return json_answer(await unit_for(request, token, counters.call_next_in, code,
                                          base_url(request), expect))
    except NoTicketWaiting:
        return Response(status_code=204)


async def _act(request: Request, token: str, code: str, action: str,
               body: wire.FinishIn | wire.TransferIn | None = None) -> Response:
    return json_answer(await unit_for(request, token, counters.act_in, code, base_url(request),
                                      action, body))


@busy.post("/counters/{code}/recall", response_model=wire.TicketOut)
async def recall(request: Request, token: Token, code: str) -> Response:
    return await _act(request, token, code, "recall")


@busy.post("/counters/{code}/no-show", response_model=wire.TicketOut)
async def no_show(request: Request, token: Token, code: str) -> Response:
    return await _act(request, token, code, "no-show")


@busy.post("/counters/{code}/start", response_model=wire.TicketOut)
async def start(request: Request, token: Token, code: str) -> Response:
    return await _act(request, token, code, "start")


@busy.post("/counters/{code}/finish", response_model=wire.TicketOut)
async def finish(request: Request, token: Token, code: str, body: wire.FinishIn) -> Response:
    return await _act(request, token, code, "finish", body)


@router.post("/counters/{code}/transfer", response_model=wire.TicketOut)
async def transfer(request: Request, token: Token, code: str, body: wire.TransferIn
                   ) -> Response:
    return await _act(request, token, code, "transfer", body)


@router.post("/counters/{code}/supplement", response_model=wire.TicketOut)
async def request_papers(request: Request, token: Token, code: str, body: wire.SupplementIn
                         ) -> Response:
    """(v1.2) 补正: the approval post sends its current case back for the papers missing, all
    told at once (一次性告知); the case waits in intake for its holder, its time limit stopped."""
    return json_answer(await unit_for(request, token, supplement.request_in, code,
                                      base_url(request), body))


@router.post("/counters/{code}/call", response_model=wire.TicketOut)
async def call_number(request: Request, token: Token, code: str, body: wire.CallNumberIn
                      ) -> Response:
    """叫指定号: call today's ticket `number` if it waits in this counter's zone."""
    return json_answer(await unit_for(request, token, counter_desk.call_number_in, code,
                                      base_url(request), body))


@router.post("/counters/{code}/requeue", response_model=wire.TicketOut)
async def requeue(request: Request, token: Token, code: str, body: wire.RequeueIn
                  ) -> Response:
    """(v1.2) 过号重排: today's number passed in this counter's zone queues again, in its place
    by issue time; with `"call": true` it is called at this counter at once."""
    return json_answer(await unit_for(request, token, counter_desk.requeue_in, code,
                                      base_url(request), body))


@router.post("/counters/{code}/hold", response_model=wire.TicketOut)
async def hold(request: Request, token: Token, code: str) -> Response:
    """挂起: the current ticket leaves the counter and the queue until taken back."""
    return json_answer(await unit_for(request, token, counter_desk.hold_in, code,
                                      base_url(request)))


@router.post("/counters/{code}/take-back", response_model=wire.TicketOut)
async def take_back(request: Request, token: Token, code: str, body: wire.TakeBackIn
                    ) -> Response:
    return json_answer(await unit_for(request, token, counter_desk.take_back_in, code,
                                      base_url(request), body))


@router.post("/counters/{code}/undo-finish", response_model=wire.TicketOut)
async def undo_finish(request: Request, token: Token, code: str) -> Response:
    """Take back this counter's last finish within 15 s, while nobody touched the ticket."""
    return json_answer(await unit_for(request, token, counter_desk.undo_finish_in, code,
                                      base_url(request)))


@router.get("/tickets", response_model=list[wire.TicketOut])
def find_tickets(request: Request, principal: Who, number: str) -> list[wire.TicketOut]:
    """Staff: today's ticket with this number (an empty list when there is none)."""
    return counter_desk.find(store_of(request), principal, number, base_url(request))


@router.post("/counters/{code}/pause", response_model=wire.CounterState)
async def pause(request: Request, token: Token, code: str, body: wire.PauseIn | None = None
                ) -> Response:
    reason = body.reason if body is not None else None
    return json_answer(await unit_for(request, token, counters.set_paused_in, code, True,
                                      reason, base_url(request)))


@router.post("/counters/{code}/resume", response_model=wire.CounterState)
async def resume(request: Request, token: Token, code: str) -> Response:
    return json_answer(await unit_for(request, token, counters.set_paused_in, code, False,
                                      None, base_url(request)))


def _after(value: str | None) -> int:
    try:
        after = int(value or 0)
    except ValueError:
        after = -1
    if not 0 <= after <= 2**62:  # bounded: a huge id would overflow the database's integers
        raise Invalid("bad_after", "after 必须是非负整数 / after must be a whole number ≥ 0")
    return after


async def _stream_of(store: Store, principal: Principal, after: str | None,
                     since: str | None, hall_param: str | None) -> tuple[str, int]:
    """Which hall a subscriber follows (its own; an administrator's `?hall=`, by default the
    only main hall) and after which of that hall's event ids it starts: `after`, or with
    `since=today` the first event of the hall's current business day (a display that starts
    does not replay the hall's whole history), or else from its first event."""
    hall = principal.hall or hall_param
    if hall is None:
        hall = await run_in_threadpool(terminals.main_hall, store)
    if hall is None:
        raise Invalid("hall_needed", "请用 ?hall= 指定大厅 / give ?hall=")
    if after is not None or since is None:
        return hall, _after(after)
    if since != "today":
        raise Invalid("bad_since", "since 只能是 today / since must be today")
    return hall, int(await run_in_threadpool(terminals.today_starts, store, hall))


@busy.get("/events", responses={200: {"content": {"text/event-stream": {}}}},
          openapi_extra={"parameters": [
              # (described, not constrained: an empty value is taken as none)
              _query("after", "the last event id seen (or the header Last-Event-ID); "
                     "400 bad_after when it is no event id"),
              _query("since", "`today`: from the first event of the business day; 400 "
                     "bad_since for another word"),
              _query("hall", "the hall, for an administrator's token of several halls")]})
async def events(request: Request) -> Response:
    store = store_of(request)
    principal = await run_in_threadpool(who, request)  # a Bearer token or the console cookie
    params = request.query_params
    hall, after = await _stream_of(store, principal,
                                   params.get("after") or request.headers.get("last-event-id"),
                                   params.get("since"), params.get("hall"))
    return await request.app.state.hub.sse_response(hall, after, principal.terminal_id)


@busy.websocket("/events/ws")
async def events_ws(websocket: WebSocket) -> None:
    store = websocket.app.state.store
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    token = token or websocket.query_params.get("token", "")
    try:
        principal = await run_in_threadpool(authenticate, store, token, store.clock())
        params = websocket.query_params
        hall, after = await _stream_of(store, principal, params.get("after"),
                                       params.get("since"), params.get("hall"))
    except DomainError as exc:
        if "websocket.http.response" in websocket.scope.get("extensions", {}):
            # refused as any other request (401 unauthorized, 400 bad_after...), not with the
            # bare 403 that a close before the handshake becomes
            await websocket.send_denial_response(domain_answer(exc))
        else:
            await websocket.close(code=4401 if not token else 4403)
        return
    await websocket.app.state.hub.serve_websocket(websocket, hall, after, principal.terminal_id)
