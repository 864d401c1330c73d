"""Use cases of scanned papers: one page per upload (JPEG, PNG or PDF recognised by their magic
bytes, at most `MAX_PAGE` bytes, `MAX_PAGES` a ticket), listed and read by staff. A forwarded
ticket also shows the pages scanned at the bank branch."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from queue_server import wire
from queue_server.db.models import Document, Ticket
from queue_server.db.store import Store
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall

MAX_PAGE = 8 * 1024 * 1024
MAX_PAGES = 20
UPLOADERS = ("kiosk", "bank", "counter", "staff", "admin")
READERS = ("counter", "staff", "admin")
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
         (b"%PDF-", "application/pdf"))


def sniff(data: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC if data.startswith(magic)), None)


def _ticket(s: object, who: Principal, ticket_id: str) -> Ticket:
    ticket = s.get(Ticket, ticket_id) if len(ticket_id) <= 32 else None  # type: ignore[attr-defined]
    hall = load_hall(s, ticket.hall) if ticket is not None else None  # type: ignore[arg-type]
    if ticket is None or hall is None or not (
            who.kind == "admin" or who.hall in (ticket.hall, hall.parent)):
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")
    return ticket


def _out(row: Document) -> wire.DocumentOut:
    return wire.DocumentOut(id=row.id, ticket=row.ticket_id, page=row.page,
                            content_type=row.content_type, size=row.size,
                            created_at=row.created_at)


def upload(store: Store, who: Principal, ticket_id: str, data: bytes) -> wire.DocumentOut:
    if who.kind not in UPLOADERS:
        raise Forbidden("forbidden", "此终端不能上传材料 / this terminal cannot upload papers")
    kind = sniff(data)
    if kind is None:
        raise Invalid("unsupported_document", "只接受 JPEG、PNG 或 PDF / only JPEG, PNG or PDF")
    if len(data) > MAX_PAGE:
        raise Invalid("document_too_large", f"单页不超过 {MAX_PAGE // 2**20} MiB / page too large")
    with store.write() as tx:
        s = tx.session
        ticket = _ticket(s, who, ticket_id)
        pages = int(s.scalar(select(func.count()).select_from(Document)
                             .where(Document.ticket_id == ticket.id)) or 0)
        if pages >= MAX_PAGES:
            raise Conflict("too_many_pages", f"每号最多 {MAX_PAGES} 页 / at most {MAX_PAGES} pages")
        row = Document(hall=ticket.hall, ticket_id=ticket.id, page=pages + 1, content_type=kind,
                       size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                       created_at=tx.now)
        s.add(row)
        s.flush()
        tx.emit(ticket.hall, "document.added", ticket=ticket.id, number=ticket.number,
                page=row.page)
        return _out(row)


def _ids(ticket: Ticket) -> list[str]:
    return [ticket.id] + ([ticket.forwarded_from] if ticket.forwarded_from else [])


def listing(store: Store, who: Principal, ticket_id: str) -> list[wire.DocumentOut]:
    if who.kind in ("display", "pad"):
        raise Forbidden("forbidden", "此终端不能查看材料 / this terminal cannot see papers")
    with store.read() as s:
        ticket = _ticket(s, who, ticket_id)
        rows = s.scalars(select(Document).where(Document.ticket_id.in_(_ids(ticket)))
                         .order_by(Document.created_at, Document.id))
        return [_out(r) for r in rows]


def content(store: Store, who: Principal, doc_id: int) -> tuple[bytes, str]:
    if who.kind not in READERS:
        raise Forbidden("forbidden", "只有窗口人员可以查看材料 / only counter staff see papers")
    with store.read() as s:
        row = s.get(Document, doc_id)
        if row is None:
            raise NotFound("unknown_document", "没有此材料 / no such document")
        ticket = s.get(Ticket, row.ticket_id)
        visible = ticket is not None and (who.kind == "admin" or who.hall == ticket.hall or any(
            t.forwarded_from == ticket.id for t in s.scalars(
                select(Ticket).where(Ticket.hall == who.hall,
                                     Ticket.forwarded_from == ticket.id))))
        if not visible:
            raise NotFound("unknown_document", "没有此材料 / no such document")
        return row.data, row.content_type
