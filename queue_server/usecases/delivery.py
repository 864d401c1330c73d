"""How a finished case reaches its holder (证照寄送): at intake the counter records the holder's
choice (collect it at the hall, or have it mailed: recipient and address) and a phone for the
ready-for-pickup message, all sealed with the hall's key; the pickup counter lists the cases to
mail with their addresses, and records the postal tracking number when it hands one to the
post, which deletes the address (and the phone) for good. The status page shows the tracking
number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from queue_server import wire_journey as wj
from queue_server.db.models import Delivery, Service, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain import stages
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.domain.sealing import SealBroken, seal, unseal
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall
from queue_server.usecases.pickup import handed_over
from queue_server.usecases.public import delivery_out
from queue_server.usecases.walk import end_current

STAFF = ("staff", "admin")


def _staff(who: Principal) -> None:
    if who.kind not in STAFF:
        raise Forbidden("staff_session_required", "请先登录 / a staff session is required")


def _ticket(s: Any, who: Principal, ticket_id: str, lock: bool = False) -> Ticket:
    ticket = s.get(Ticket, ticket_id, with_for_update=lock) if len(ticket_id) <= 32 else None
    if ticket is None or (who.kind != "admin" and who.hall != ticket.hall):
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")
    return ticket


def choose(store: Store, who: Principal, ticket_id: str, body: wj.DeliveryIn) -> wj.DeliveryOut:
    _staff(who)
    if body.method == "mail" and (not body.address or not body.recipient):
        raise Invalid("address_required", "邮寄须填写收件人和地址 / mail delivery needs the "
                      "recipient and the address")
    with store.write() as tx:
        s = tx.session
        ticket = _ticket(s, who, ticket_id, lock=True)
        hall = load_hall(s, ticket.hall)
        svc = s.get(Service, (ticket.hall, ticket.service))
        assert hall is not None and svc is not None
        if ticket.status in stages.FINAL:
            raise Conflict("ticket_closed", "此件已办结 / this case is closed")
        if body.method == "mail" and not (svc.options or {}).get("mail_delivery"):
            raise Conflict("mail_not_offered", "此事项不提供证照寄送 / this service offers no "
                           "mail delivery")
        row = s.get(Delivery, ticket.id) or Delivery(ticket_id=ticket.id, hall=ticket.hall,
                                                     created_at=tx.now)
        if row.handed_at is not None:
            raise Conflict("already_handed", "证照已交付 / already handed over")
        contact = {k: v for k, v in (("phone", body.phone), ("recipient", body.recipient),
                                     ("address", body.address)) if v}
        row.method = body.method
        row.contact = seal(hall.secret, hall.id, contact) if contact else None
        s.add(row)
        held = body.method == "mail" and _hold_for_mail(s, ticket)
        tx.emit(ticket.hall, "delivery.chosen", ticket=ticket.id, number=ticket.number,
                method=body.method, held=held)
        s.flush()
        return delivery_out(row, ticket)


def _hold_for_mail(s: Any, ticket: Ticket) -> bool:
    """A case already waiting in the pickup queue when mail is chosen leaves it: no counter
    calls a holder who need not come (it waits, held and `ready`, on the list to mail, as a
    case to be mailed does when it reaches pickup). Answers whether it was taken out."""
    stage = s.get(Stage, ticket.stage) if ticket.stage else None
    if stage is None or stage.zone != "pickup" or stage.status != stages.WAITING:
        return False
    stage.status, stage.target_counter = stages.HELD, None
    ticket.status = stages.held_status("pickup")
    return True


def _detail(hall: Any, row: Delivery, ticket: Ticket) -> wj.DeliveryDetail:
    contact: dict[str, Any] = {}
    if row.contact is not None:
        try:
            contact = unseal(hall.secret, hall.id, row.contact)
        except SealBroken:
            contact = {}
    return wj.DeliveryDetail(**delivery_out(row, ticket).model_dump(),
                             recipient=contact.get("recipient"), phone=contact.get("phone"),
                             address=contact.get("address"), service=ticket.service)


def _waiting_mail(hall: str | None) -> tuple[ColumnElement[bool], ...]:
    """What makes a delivery one to mail now: the hall's, mail, not handed over, its case
    ready in pickup (the rows joined with their tickets)."""
    return (Delivery.hall == hall, Delivery.method == "mail", Delivery.handed_at.is_(None),
            Ticket.zone == "pickup", Ticket.status == stages.READY)


def to_mail(store: Store, who: Principal) -> list[wj.DeliveryDetail]:
    """Cases ready and waiting to be mailed in the staff member's hall, with the address."""
    _staff(who)
    with store.read() as s:
        hall = load_hall(s, str(who.hall))
        rows = s.execute(select(Delivery, Ticket).join(Ticket, Ticket.id == Delivery.ticket_id)
                         .where(*_waiting_mail(who.hall))
                         .order_by(Ticket.issued_at)).all()
        return [_detail(hall, d, t) for d, t in rows]


def to_mail_count(store: Store, who: Principal, code: str) -> int:
    """How many cases wait to be mailed in the hall, for the staff session of counter `code`
    (the pickup counter's 待寄出 (N)): counted in the database, no sealed contact read."""
    if who.kind != "staff" or who.hall is None:
        raise Forbidden("staff_session_required", "请先登录 / a staff session is required")
    if who.counter != code:
        raise Forbidden("not_your_counter", f"只能查看本窗口 {who.counter} / you may look only "
                        f"at counter {who.counter}")
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(Delivery)
                             .join(Ticket, Ticket.id == Delivery.ticket_id)
                             .where(*_waiting_mail(who.hall))).scalar_one())


def dispatch(store: Store, who: Principal, ticket_id: str, body: wj.DispatchIn
             ) -> wj.DeliveryOut:
    """The pickup counter hands a case to the post: its tracking number is recorded, the
    pickup stage ends as done, and the address is deleted."""
    _staff(who)
    with store.write() as tx:
        s = tx.session
        ticket = _ticket(s, who, ticket_id, lock=True)
        row = s.get(Delivery, ticket.id)
        stage = s.get(Stage, ticket.stage) if ticket.stage else None
        if row is None or row.method != "mail":
            raise Conflict("not_for_mail", "此件不是寄送件 / this case is not to be mailed")
        if row.handed_at is not None:
            raise Conflict("already_handed", "此件已寄出 / already mailed")
        if stage is None or stage.zone != "pickup" or stage.status == stages.ENDED:
            raise Conflict("not_ready", "此件尚未办结 / this case is not ready yet")
        s.flush()
        end_current(tx, ticket, "done")
        handed_over(tx, ticket.id, carrier=body.carrier, tracking=body.tracking)
        tx.emit(ticket.hall, "delivery.dispatched", ticket=ticket.id, number=ticket.number,
                carrier=body.carrier, tracking=body.tracking)
        s.expire(row)
        s.flush()
        return delivery_out(s.get(Delivery, ticket.id) or row, ticket)
