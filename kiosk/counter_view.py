"""The counter pad's pure parts of its view-model (kiosk.counter): what a ticket, a deadline
alert, a refused login and a delivery look like to the pad, and which actions its
state allows. Pure functions of the wire models: no Qt, no requests."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from pydantic import ValidationError

from kiosk import counter_words as words
from kiosk.client import ApiError
from kiosk.staff_runner import describe
from queue_server import wire
from queue_server import wire_journey as wj

CASE_ALERTS = {"soon": ("即将到期", "due soon"), "due_today": ("今日到期", "due today"),
               "overdue": ("已超期", "overdue"),
               # a case sent back for papers whose holder did not bring them in the hall's period
               "papers_overdue": ("逾期未补正", "papers not brought")}


def case_alert_text(event: wire.Event, counter: str, services: Collection[str] = (),
                    tz: tzinfo | None = None) -> str | None:
    """The notice a `case.alert` event (限时办结) puts on the pad of the counter holding the
    case, or, while it waits in the approval queue (no counter), on the pads of the approval
    counters that may call it (`services`: an approval counter's, else empty): number, state
    and deadline (in the hall's time `tz`, as the panel shows it: a pad set to UTC said
    15:59 beside the panel's 23:59), Chinese then English; None for others."""
    if event.type != "case.alert":
        return None
    holder = event.field("counter")
    if holder != counter and (holder is not None or event.field("service") not in services):
        return None
    zh, en = CASE_ALERTS.get(str(event.field("kind")), ("提醒", "reminder"))
    try:
        due = datetime.fromisoformat(str(event.field("deadline"))).astimezone(tz)
        when = due.strftime("%m-%d %H:%M")
    except ValueError:
        when = "?"
    number = event.field("number", "")
    return f"限时办结：{number} {zh}（时限 {when}） / Deadline: {number} {en} (by {when})"


def allowed_actions(current: str | None, paused: bool) -> set[str]:
    """What a counter may do now, from its current ticket's status (None: no ticket)."""
    acts = {"resume"} if paused else {"pause"}
    if current == "called":
        acts |= {"recall", "no-show", "start", "transfer", "hold"}
    elif current == "serving":
        acts |= {"finish", "transfer", "hold"}
    elif not paused:
        acts |= {"call-next", "call"}
    return acts


def requeue_offer(t: wire.TicketOut, state: wire.CounterState | None) -> str:
    """What 过号重排 may do with ticket `t` at this counter: "here" when it was passed (called,
    then no-show) in the counter's zone and the counter serves its service (it may queue again
    or be called here), "not_served" when passed in this zone in a service the counter does
    not serve, else "" (not passed, or passed in another zone: said by `missed_call_text`)."""
    last = t.journey[-1] if t.journey else None
    if state is None or t.status != "no_show" or t.zone != state.zone or last is None \
            or last.outcome != "no_show" or last.called_at is None:
        return ""
    return "here" if not state.services or t.service in state.services else "not_served"


@dataclass(frozen=True)
class CaseAlert:
    """A deadline alert (限时办结) of a case in approval, as the last `case.alert` said."""

    ticket: str
    number: str
    service: str
    kind: str  # soon | due_today | overdue | papers_overdue (逾期未补正: deadline is the period's)
    deadline: datetime | None
    counter: str | None  # who holds it (None: it waits in the approval queue)
    workdays_left: int | None = None  # the server's count (GET /counters/{code}/deadlines)
    provisional: bool = False  # its deadline rests on a calendar year not yet imported
    day: date | None = None  # the business day its number was taken (numbers repeat by day)


def alert_of(event: wire.Event) -> CaseAlert | None:
    try:
        deadline = datetime.fromisoformat(str(event.field("deadline")))
    except ValueError:
        deadline = None
    try:
        day = date.fromisoformat(str(event.field("day")))
    except ValueError:
        day = None
    ticket = event.field("ticket")
    if not ticket or event.field("zone", "approval") != "approval":
        return None
    return CaseAlert(str(ticket), str(event.field("number", "")), str(event.field("service")),
                     str(event.field("kind")), deadline, event.field("counter"), day=day)


def alert_of_case(case: wire.CounterCase) -> CaseAlert:
    """A case the server lists as due at this counter, as the alert the pad keeps."""
    return CaseAlert(case.ticket, case.number, case.service, case.state, case.deadline,
                     case.counter, case.workdays_left, case.deadline_provisional, case.day)


@dataclass
class TicketView:
    """The current ticket as the pad shows it (no plaintext identity ever reaches here)."""

    id: str
    number: str
    status: str
    service: str
    service_name: str
    materials: list[str]
    priority: bool
    priority_reason: str | None
    masked_name: str | None
    masked_id: str | None
    waited_min: int
    documents: list[wire.DocumentOut] = field(default_factory=list)
    priority_declared: bool = False          # the citizen declared the reason at a kiosk
    priority_confirmed: bool | None = None   # this counter's judgement of it (None: not yet)
    zones_left: list[str] = field(default_factory=list)  # the zones its route still walks
    mail_offered: bool = False  # its service may mail the result (证照寄送)
    delivery: str | None = None  # what the holder chose: pickup | mail (None: not yet)
    origin: str | None = None  # "branch": a bank branch forwarded it; "remote": channel remote
    branch_pages: int = 0  # of its scanned pages, those scanned at the bank branch
    deadline: datetime | None = None  # 办结时限 (set when it entered approval)
    deadline_provisional: bool = False  # on a calendar year not yet imported
    workdays_left: int | None = None  # the server's working days to the deadline (< 0: past)
    recalls: int = 0  # times recalled at this call (the `ticket.recalled` events' count)
    # 补正: the papers an approval post asked for (its last such request) and its note; None
    # when the case was never sent back (a case is sent back once)
    asked: list[str] | None = None
    asked_note: str | None = None


def origin_of(t: wire.TicketOut) -> str | None:
    """Where an application came from, if not from this hall's floor: "branch" when a bank
    branch forwarded it (`forwarded_from`), "remote" for channel remote, else None."""
    if t.forwarded_from:
        return "branch"
    return "remote" if t.channel == "remote" else None


def ticket_view(t: wire.TicketOut, services: dict[str, wire.ServiceInfo],
                now: datetime, lang: str = "zh", mail_services: Collection[str] = ()
                ) -> TicketView:
    """The ticket as the pad shows it, with its service's names and papers in `lang`."""
    svc = services.get(t.service)
    sent = [s for s in t.journey if s.outcome == "supplement"]
    called = next((s.called_at for s in reversed(t.journey) if s.called_at), None)
    waited = ((called or now) - t.issued_at).total_seconds()
    name = words.service_name(svc, t.service_name or t.service, lang) if svc else (
        t.service_name or t.service)
    return TicketView(t.id, t.number, t.status, t.service, name, words.materials(svc, lang),
                      t.priority, t.priority_reason,
                      t.masked_name, t.masked_id, max(0, int(waited // 60)),
                      priority_declared=t.priority_declared,
                      priority_confirmed=t.priority_confirmed,
                      zones_left=words.zones_left(svc.route, t.zone) if svc else [],
                      mail_offered=t.service in mail_services, delivery=t.delivery,
                      origin=origin_of(t),
                      # the approval's time limit, while it runs: at pickup it is over, and a
                      # case approved in time read "已超期" there days later
                      deadline=t.deadline if t.zone != "pickup" else None,
                      deadline_provisional=t.deadline_provisional,
                      workdays_left=t.workdays_left,
                      asked=list(sent[-1].papers or []) if sent else None,
                      asked_note=sent[-1].reason if sent else None)


def locked_for(exc: BaseException) -> int | None:
    """Seconds a refused login must wait (429 staff_locked or rate_limited), else None."""
    if not isinstance(exc, ApiError) or exc.status != 429:
        return None
    if exc.retry_after is not None:
        return max(1, int(exc.retry_after + 0.999))
    found = re.search(r"(\d+)\s*(?:秒|s\b)", exc.message)
    return int(found.group(1)) if found else 5


def mail_services(services: Collection[wire.ServiceInfo]) -> set[str]:
    """The services whose result may be mailed (证照寄送)."""
    return {s.code for s in services if s.mail_delivery}


def delivery_body(method: str, recipient: str, address: str, phone: str,
                  ) -> tuple[dict[str, str], str]:
    """The body of POST /tickets/{id}/delivery, or the sentence that says what to fix (never
    quoting what was typed). Pickup sends no recipient or address: nothing more is sealed."""
    fields = {"method": method, "phone": phone.strip()}
    if method == "mail":
        fields |= {"recipient": recipient.strip(), "address": address.strip()}
        for name in ("recipient", "address"):
            if not fields[name]:
                return {}, words.delivery_problem(name)
    body = {k: v for k, v in fields.items() if v}
    try:
        wj.DeliveryIn.model_validate(body)
    except ValidationError as exc:
        where = exc.errors()[0].get("loc") or ("method",)
        return {}, words.delivery_problem(str(where[0]))
    return body, ""


def delivery_error(exc: BaseException) -> str:
    """A refused delivery as a sentence: the server's words, except for a schema violation,
    whose message names the field in English only: that field's sentence instead."""
    if isinstance(exc, ApiError) and exc.code == "invalid_request":
        field = next((f for f in words.DELIVERY_PROBLEMS if f in exc.message), "address")
        return words.delivery_problem(field)
    return describe(exc)
