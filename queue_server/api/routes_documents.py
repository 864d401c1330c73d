"""HTTP endpoints of scanned papers, forwarding and print failures (extensions, docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from queue_server import wire
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.routes import RowId, Who, base_url, store_of
from queue_server.usecases import documents, outposts

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.post("/tickets/{ticket_id}/documents", status_code=201, response_model=wire.DocumentOut,
             openapi_extra={"requestBody": {"content": {
                 "image/jpeg": {}, "image/png": {}, "application/pdf": {}}}})
async def upload(request: Request, principal: Who, ticket_id: str) -> wire.DocumentOut:
    from fastapi.concurrency import run_in_threadpool

    data = await request.body()
    return await run_in_threadpool(documents.upload, store_of(request), principal, ticket_id,
                                   data)


@router.get("/tickets/{ticket_id}/documents", response_model=list[wire.DocumentOut])
def listing(request: Request, principal: Who, ticket_id: str) -> list[wire.DocumentOut]:
    return documents.listing(store_of(request), principal, ticket_id)


@router.get("/documents/{doc_id}", responses={200: {"content": {"image/jpeg": {}}}})
def content(request: Request, principal: Who, doc_id: RowId) -> Response:
    data, kind = documents.content(store_of(request), principal, doc_id)
    return Response(data, media_type=kind, headers={"Cache-Control": "no-store"})


@router.post("/tickets/{ticket_id}/forward", status_code=201, response_model=wire.TicketIssued)
def forward(request: Request, response: Response, principal: Who, ticket_id: str,
            body: wire.ForwardIn | None = None) -> wire.TicketIssued:
    out, created = outposts.forward(store_of(request), principal, ticket_id,
                                    body or wire.ForwardIn(), base_url(request))
    if not created:
        response.status_code = 200
    return out


@router.post("/tickets/{ticket_id}/print-failed", status_code=204)
def print_failed(request: Request, principal: Who, ticket_id: str,
                 body: wire.PrintFailedIn | None = None) -> Response:
    outposts.print_failed(store_of(request), principal, ticket_id,
                          body.reason if body is not None else "")
    return Response(status_code=204)
