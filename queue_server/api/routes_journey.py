"""Endpoints of `/api/v1` for the journey around the counter, for terminals and staff: a
holder's arrival at a kiosk (a number from the phone that asks for check-in, a case ready for
pickup), how a finished case is delivered (pickup or 证照寄送: chosen at intake, mailed by the
pickup counter with its tracking number), and the counter's confirmation of a priority reason
the citizen declared."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.routes import Token, Who, base_url, json_answer, store_of, unit_for
from queue_server.usecases import arrival, counters, delivery

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.post("/tickets/{ticket_id}/arrive", response_model=wire.TicketIssued)
async def arrive(request: Request, token: Token, ticket_id: str) -> Response:
    """The holder checked in at this kiosk: the ticket to print (today's number)."""
    out, _released = await unit_for(request, token, arrival.arrive_in, ticket_id,
                                     base_url(request))
    return json_answer(out)


@router.post("/tickets/{ticket_id}/delivery", response_model=wj.DeliveryOut)
def choose_delivery(request: Request, principal: Who, ticket_id: str, body: wj.DeliveryIn
                    ) -> wj.DeliveryOut:
    return delivery.choose(store_of(request), principal, ticket_id, body)


@router.get("/deliveries/to-mail", response_model=list[wj.DeliveryDetail])
def to_mail(request: Request, principal: Who) -> list[wj.DeliveryDetail]:
    return delivery.to_mail(store_of(request), principal)


@router.post("/tickets/{ticket_id}/dispatch", response_model=wj.DeliveryOut)
def dispatch(request: Request, principal: Who, ticket_id: str, body: wj.DispatchIn
             ) -> wj.DeliveryOut:
    return delivery.dispatch(store_of(request), principal, ticket_id, body)


@router.post("/counters/{code}/confirm-priority", response_model=wire.TicketOut)
async def confirm_priority(request: Request, token: Token, code: str,
                           body: wj.ConfirmPriorityIn) -> Response:
    return json_answer(await unit_for(request, token, counters.act_in, code, base_url(request),
                                      "confirm-priority", body))
