"""What citizens see without a token: the hall and its services for the phone page (which take
bookings, which give a number from the phone and whether one can be taken right now), and a
ticket's public view behind its QR code: the journey, the promised deadline, when calling
starts if the hall is closed now, whether the case is ready, how it is delivered, where a bank branch's forwarded application came from, and for
the holder of the QR code's rating code whether its latest stage met in person may be rated; no name,
no ID number, no staff. Queries only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.db.models import Counter, Delivery, Service, Ticket
from queue_server.db.store import Store
from queue_server.domain import opening
from queue_server.domain.hall import HallInfo
from queue_server.domain.materials import translated
from queue_server.domain.sealing import SealBroken, unseal
from queue_server.domain.stages import ENDED, HELD, READY, SUPPLEMENT, missed, returned
from queue_server.usecases import ratings
from queue_server.usecases.appointments import hall_or_404, plan_of
from queue_server.usecases.estimate import estimate, waiting_ahead
from queue_server.usecases.halls import load_hall
from queue_server.usecases.views import forwarded_to, journey, service_infos
from queue_server.wire import ZONE_NAMES


def remote_of(svc: Any) -> dict[str, Any] | None:
    """A service's remote-number options (None: no numbers from the phone)."""
    spec = (svc.options or {}).get("remote")
    return dict(spec) if spec is not None else None


def remote_hours(spec: dict[str, Any]) -> tuple[tuple[int, int], ...] | None:
    from queue_server.config_journey import parse_range

    hours = spec.get("hours")
    return tuple(parse_range(r) for r in hours) if hours else None


def text_of(texts: dict[str, Any] | None, lang: str, key: str = "name") -> str | None:
    """A service's or counter's `key` in `lang` as configured (`name_en`), else None."""
    value = ((texts or {}).get(lang) or {}).get(key)
    return str(value) if value else None


def _ranges_text(hall: HallInfo) -> list[str]:
    return [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in hall.opening]


def hall_public(store: Store, hall_id: str) -> wj.HallPublic:
    with store.read() as s:
        hall = hall_or_404(s, hall_id)
        now = store.clock()
        infos = {i.code: i for i in service_infos(s, hall.id, opening.numbering_day(hall, now))}
        out = []
        for svc in s.scalars(select(Service).where(Service.hall == hall.id, Service.active)
                             .order_by(Service.position)):
            plan, remote = plan_of(svc), remote_of(svc)
            info = infos.get(svc.code)
            out.append(wj.PublicService(
                code=svc.code, name=svc.name, prefix=svc.prefix, materials=list(svc.materials),
                booking=plan is not None, slot_minutes=plan.slot_minutes if plan else None,
                book_ahead_days=hall.rules.book_ahead_days, remote=remote is not None,
                remote_checkin=bool(remote and remote.get("checkin", True)),
                remote_open=bool(remote) and bool(info and info.open)
                and opening.is_open(hall, now, remote_hours(remote or {})),
                waiting=info.waiting if info else 0,
                estimated_wait_s=info.estimated_wait_s if info else 0,
                mail_delivery=bool((svc.options or {}).get("mail_delivery")),
                name_en=text_of(svc.texts, "en"), name_mn=text_of(svc.texts, "mn")))
        local_day = now.astimezone(ZoneInfo(hall.timezone)).date()
        days = (local_day + timedelta(days=n) for n in range(hall.rules.book_ahead_days + 1))
        return wj.HallPublic(id=hall.id, name=hall.name, timezone=hall.timezone,
                             opening_hours=_ranges_text(hall),
                             open_today=opening.works_on(hall, local_day), services=out,
                             languages=list(hall.languages),
                             name_mn=hall.text("name", "mn") if "mn" in hall.languages
                             else None,
                             open_dates=[d.isoformat() for d in days
                                         if opening.works_on(hall, d)])


def delivery_out(row: Delivery, ticket: Any) -> wj.DeliveryOut:
    return wj.DeliveryOut(ticket=ticket.id, number=ticket.number,
                          method=row.method,  # type: ignore[arg-type]
                          carrier=row.carrier, tracking=row.tracking, handed_at=row.handed_at,
                          ready=ticket.status == READY or ticket.zone == "pickup")


def _stage_views(s: Session, ticket: Ticket, names: dict[str, str]) -> list[wj.StageView]:
    return [wj.StageView(zone=st.zone, zone_name=ZONE_NAMES.get(st.zone, (st.zone,))[0],
                         number=st.number, called_at=st.called_at, ended_at=st.ended_at,
                         outcome=st.outcome, counter_name=names.get(st.counter or ""),
                         deadline=st.deadline, reason=st.reason, papers=st.papers)
            for st in journey(s, ticket.id)]


def supplement_view(svc: Service | None, ticket: Ticket, walk: list[Any], current: Any,
                    now: datetime) -> wj.SupplementView | None:
    """补正: the papers the case waits for, each in the hall's languages where the service's
    lists have it, while its status is `supplement` and, once its holder checked in with
    them, until intake takes them (`checked_in`)."""
    asked = [st for st in walk if st.outcome == SUPPLEMENT]
    at_intake = current is not None and current.status != ENDED and returned(current)
    if not asked or not (ticket.status == SUPPLEMENT or at_intake):
        return None
    last = asked[-1]
    by = last.papers_by
    papers = list(last.papers or [])
    names = list(svc.materials) if svc is not None else []
    en, mn = (translated(papers, names, ((svc.texts or {}).get(lang) or {}).get("materials")
                         or [] if svc is not None else []) for lang in ("en", "mn"))
    return wj.SupplementView(papers=[wj.PaperView(name=p, name_en=e, name_mn=m)
                                     for p, e, m in zip(papers, en, mn, strict=True)],
                             note=last.reason,
                             asked_at=last.ended_at, bring_by=by,
                             lapsed=ticket.status == SUPPLEMENT and by is not None and now > by,
                             zone=ticket.zone,
                             checked_in=ticket.status != SUPPLEMENT,
                             zone_name=ZONE_NAMES.get(ticket.zone, (ticket.zone,))[0])


def ticket_hall(store: Store, ticket_id: str) -> str | None:
    """The hall of a ticket (its id is the secret); None when there is none: what a stream
    of its view needs before it reads the view."""
    if not ticket_id or len(ticket_id) > 32:
        return None
    with store.read() as s:
        return s.scalar(select(Ticket.hall).where(Ticket.id == ticket_id))


def forwarded_from(s: Session, ticket: Ticket) -> wire.ForwardedFrom | None:
    """Where a forwarded application came from: the bank branch and the number it gave."""
    source = s.get(Ticket, ticket.forwarded_from) if ticket.forwarded_from else None
    if source is None:
        return None
    outpost = load_hall(s, source.hall)
    names = outpost.other_names() if outpost is not None else {}
    return wire.ForwardedFrom(number=source.number, hall=source.hall,
                              hall_name=outpost.name if outpost is not None else None, **names)


def ticket_view(store: Store, ticket_id: str, base: str, code: str | None = None
                ) -> wj.TicketView | None:
    """The public view of a ticket (its id is the secret); None when there is none. `code`:
    the `c` of its QR code, which only this ticket's own proves (its `rating_state`)."""
    if not ticket_id or len(ticket_id) > 32:
        return None
    with store.read() as s:
        ticket = s.get(Ticket, ticket_id)
        hall = load_hall(s, ticket.hall) if ticket is not None else None
        if ticket is None or hall is None:
            return None
        counters = list(s.scalars(select(Counter).where(Counter.hall == ticket.hall)))
        names = {c.code: c.name for c in counters}
        names_mn = {c.code: text_of(c.texts, "mn") for c in counters}
        names_en = {c.code: text_of(c.texts, "en") for c in counters}
        stages = _stage_views(s, ticket, names)
        walk = journey(s, ticket.id)
        current = next((st for st in walk if st.id == ticket.stage), None)
        held = current is not None and current.status == HELD
        ahead = wait = None
        if ticket.status == "waiting" and current is not None:
            ahead = waiting_ahead(s, ticket.hall, current.zone, current.service, current.sort_at)
            wait = estimate(s, ticket.hall, current.zone, current.service, ahead)
        at_counter = ticket.status in ("called", "serving") and current is not None
        calls_from = None
        if ticket.status == "waiting" and ticket.zone != "approval":
            opens = opening.next_opening(hall, store.clock())
            calls_from = opens.astimezone(UTC) if opens is not None else None
        svc = s.get(Service, (ticket.hall, ticket.service))
        delivery = s.get(Delivery, ticket.id)
        view = wj.TicketView(
            id=ticket.id, number=ticket.number, hall=hall.id, hall_name=hall.name,
            timezone=hall.timezone,
            service_name=svc.name if svc else ticket.service, status=ticket.status,
            zone=ticket.zone, zone_name=ZONE_NAMES.get(ticket.zone, (ticket.zone,))[0],
            ahead=ahead, estimated_wait_s=wait, calls_from=calls_from,
            counter=current.counter if at_counter and current else None,
            counter_name=names.get(current.counter or "") if at_counter and current else None,
            arrival_required=held and ticket.zone != "pickup",
            ready=ticket.status == READY or (ticket.zone == "pickup"
                                             and ticket.status in ("waiting", "called")),
            deadline=ticket.deadline,
            deadline_provisional=bool(ticket.deadline_provisional),
            late=missed(ticket.deadline, walk, store.clock()),
            supplement=supplement_view(svc, ticket, walk, current, store.clock()),
            issued_at=ticket.issued_at, journey=stages,
            delivery=delivery_out(delivery, ticket) if delivery is not None else None,
            track_url=f"{base}/t/{ticket.id}", languages=list(hall.languages),
            hall_name_mn=hall.text("name", "mn") if "mn" in hall.languages else None,
            service_name_mn=((svc.texts or {}).get("mn") or {}).get("name") if svc else None,
            counter_name_mn=names_mn.get(current.counter or "") if at_counter and current
            else None,
            service_name_en=text_of(svc.texts, "en") if svc else None,
            counter_name_en=names_en.get(current.counter or "") if at_counter and current
            else None, forwarded_to=forwarded_to(s, ticket, base),
            forwarded_from=forwarded_from(s, ticket),
            rating_state=_rating_state(s, ticket, hall, code),
            notified=_notified(hall, delivery))
    return versioned(view)


def _notified(hall: HallInfo, delivery: Delivery | None) -> bool:
    """Will the holder be told (SMS or WeChat) when the case moves on: the hall has a gateway
    and the ticket a phone number (sealed in its delivery row)?"""
    if hall.webhook is None or delivery is None or delivery.contact is None:
        return False
    try:
        return bool(unseal(hall.secret, hall.id, delivery.contact).get("phone"))
    except SealBroken:
        return False


def _rating_state(s: Session, ticket: Ticket, hall: HallInfo, code: str | None
                  ) -> Literal["open", "rated"] | None:
    """The view's `rating_state`: what `code` (checked with the ticket's own hall's secret
    against this ticket's id alone) lets its holder rate."""
    state = ratings.rating_state(s, ticket, hall, code[:64] if code else None)
    return "open" if state == "open" else "rated" if state == "rated" else None


def versioned(view: wj.TicketView) -> wj.TicketView:
    """The view with its `version`: a digest of everything else it says but the asker's
    `rating_state`, so that a page can tell whether what it shows is still what the ticket
    reads, whoever asks (the status page's own stream asks without the code)."""
    text = view.model_dump_json(exclude={"version", "rating_state"})
    return view.model_copy(update={"version": hashlib.sha256(text.encode()).hexdigest()[:16]})
