"""The public endpoints of `/api/v1` (no token): what the hall's phone page and the status page
behind a ticket's QR code use. Booking, cancelling and viewing an appointment (CONTRACT.md §6),
the slots of a service, the hall and its services, a number from the phone, and a ticket's
public view, once or live (Server-Sent Events). Every request counts against its client's rate
limit, and an ID number in a body against that number's (api/limits.py): over it, 429
`rate_limited` with `Retry-After`. A server holding several main halls needs `?hall=`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.limits import PublicLimits
from queue_server.api.routes import asked_hall, base_url, json_answer, store_of
from queue_server.api.stream import SSE_HEADERS, Dropped
from queue_server.domain.errors import NotFound
from queue_server.domain.stages import FINAL
from queue_server.usecases import appointments, public, ratings, remote
from queue_server.usecases.auth import Principal

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
HallParam = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
CodeParam = Annotated[str, Query(max_length=40)]
# The `c` of a ticket's QR code (its rating code): the view then says whether the holder may rate
RatingCode = Annotated[str | None, Query(max_length=64)]
# Events after which a ticket's public view may read differently.
CHANGES = frozenset({"ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
                     "ticket.no_show", "ticket.transferred", "ticket.forwarded", "ticket.arrived",
                     "ticket.requeued",
                     "case.ready", "case.supplement", "delivery.chosen", "delivery.dispatched", "counter.paused",
                     "counter.resumed", "staff.login", "hall.configured",
                     "evaluation.created"})  # (the QR page's rating form: rated)


def _limit(request: Request, write: bool = False, number: str | None = None) -> None:
    limits: PublicLimits = request.app.state.limits
    limits.client(request.client.host if request.client else "-", write)
    if number is not None:
        limits.id_number(number)


@router.get("/public/hall", response_model=wj.HallPublic)
def public_hall(request: Request, hall: HallParam = None) -> wj.HallPublic:
    _limit(request)
    return public.hall_public(store_of(request), asked_hall(request, hall))


@router.get("/slots", response_model=list[wj.SlotOut])
def slots(request: Request, service: Annotated[str, Query(max_length=40)],
          date: date, hall: HallParam = None) -> list[wj.SlotOut]:
    _limit(request)
    return appointments.list_slots(store_of(request), asked_hall(request, hall), service, date)


@router.post("/appointments", status_code=201, response_model=wj.AppointmentOut)
def book(request: Request, body: wj.AppointmentIn, hall: HallParam = None) -> Response:
    _limit(request, True, body.id_card.number)
    out = appointments.book(store_of(request), asked_hall(request, hall), body, base_url(request))
    return json_answer(out, 201)


@router.get("/appointments/{code}", response_model=wj.AppointmentOut)
def appointment(request: Request, code: str, hall: HallParam = None) -> wj.AppointmentOut:
    _limit(request)
    if len(code) > 40:
        raise NotFound(*appointments.UNKNOWN)
    return appointments.view(store_of(request), asked_hall(request, hall), code, base_url(request))


@router.post("/appointments/{code}/cancel", response_model=wj.AppointmentOut)
def cancel(request: Request, code: str, body: wj.CancelIn, hall: HallParam = None
           ) -> wj.AppointmentOut:
    _limit(request, True, body.id_number)
    if len(code) > 40:
        raise NotFound(*appointments.UNKNOWN)
    return appointments.cancel(store_of(request), asked_hall(request, hall), code, body.id_number,
                               base_url(request))


@router.post("/remote-tickets", status_code=201, response_model=wire.TicketIssued,
             responses={200: {"description": "the holder's number of today, again"}})
def remote_ticket(request: Request, body: wj.RemoteTicketIn, hall: HallParam = None
                  ) -> Response:
    _limit(request, True, body.id_card.number)
    out, created = remote.take(store_of(request), asked_hall(request, hall), body, base_url(request))
    return json_answer(out, 201 if created else 200)


@router.get("/track/{ticket_id}", response_model=wj.TicketView)
def track(request: Request, ticket_id: str, c: RatingCode = None) -> wj.TicketView:
    _limit(request)
    view = public.ticket_view(store_of(request), ticket_id, base_url(request), c)
    if view is None:
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")
    return view


@router.post("/track/{ticket_id}/evaluation", status_code=201,
             response_model=wire.EvaluationOut)
def rate_by_code(request: Request, ticket_id: str, body: wj.RatingIn) -> wire.EvaluationOut:
    """(v1.2) The holder rates from their phone with the ticket's QR code (扫码评价)."""
    _limit(request, True)
    if len(ticket_id) > 32:
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")
    return ratings.evaluate(store_of(request), Principal("web", None),
                            body.evaluation(ticket_id))


@router.get("/track/{ticket_id}/events", responses={200: {"content": {"text/event-stream": {}}}})
async def track_events(request: Request, ticket_id: str, c: RatingCode = None
                       ) -> StreamingResponse:
    """The ticket's public view now, then again whenever it reads differently, until it ends
    (with `c`, its QR code's rating code, the view's `rating_state` too)."""
    _limit(request)
    store, base = store_of(request), base_url(request)
    hall = await run_in_threadpool(public.ticket_hall, store, ticket_id)
    hub = request.app.state.hub
    # The view read after the hub's mark: a change committed after the mark comes as an
    # event, one before it is in this view (nothing falls between the view and the watch).
    mark = await hub.mark(hall) if hall is not None else 0
    view = await run_in_threadpool(public.ticket_view, store, ticket_id, base, c)
    if hall is None or view is None:
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")

    async def body() -> AsyncIterator[str]:
        last = view.model_dump_json()
        yield f"retry: 3000\ndata: {last}\n\n"
        if view.status in FINAL:
            return
        with contextlib.suppress(Dropped):
            async with contextlib.aclosing(hub.watch(view.hall, after=mark)) as batches:
                async for batch in batches:
                    if not batch:
                        yield ": ping\n\n"
                        continue
                    if not any(event.get("type") in CHANGES for event in batch):
                        continue
                    fresh = await run_in_threadpool(public.ticket_view, store, ticket_id,
                                                    base, c)
                    text = fresh.model_dump_json() if fresh is not None else last
                    if text != last:
                        last = text
                        yield f"data: {text}\n\n"
                    if fresh is None or fresh.status in FINAL:
                        return

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)
