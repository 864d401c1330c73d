"""The wire models of the HTTP API and the event stream (CONTRACT.md §3–4, plus the extensions
listed in docs/api.md). Shared by the server and the terminals' client; imports no FastAPI and
no SQLAlchemy.

Extensions beyond the contract (all additive):
- `GET /hall` the terminal's hall (and outposts); `GET /terminals/me`; `POST /terminals/heartbeat`.
- `GET /counters`, `GET /counters/{code}` counter states for pads and boards; (v1.2) for a
  counter's own staff session `GET /counters/{code}/deadlines` (its cases due, `CounterCase`)
  and `GET /counters/{code}/to-mail-count` (`MailCount`).
- `POST /tickets/lookup` find today's tickets and open cases by ID card (number in the body, never
  in a URL), `GET /tickets/{id}` also answers to the public tracking code in `track_url`.
- `POST /tickets/{id}/documents` one scanned page (body: image/jpeg or application/pdf),
  `GET /tickets/{id}/documents`, `GET /documents/{id}` its bytes.
- `POST /tickets/{id}/forward` a bank-branch ticket's papers become a remote application in the
  parent hall's intake queue.
- `POST /tickets/{id}/print-failed` the kiosk's printer could not print that ticket.
- `GET /followups`, `POST /followups/{id}/close` supervisors' follow-up of bad ratings, with
  its steps (核实 → 整改 → 回复); the console's models are in `queue_server.wire_console`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from queue_server.domain.security import mask_numbers_in

# Free text a person types (a reason, a note, a comment): kept, with any ID number in it masked.
Text = Annotated[str, AfterValidator(mask_numbers_in)]
LANGUAGES: tuple[str, ...] = ("zh", "mn", "en")  # Chinese, traditional Mongolian, English
Zone = Literal["consult", "intake", "approval", "pickup"]
ZONES: tuple[str, ...] = ("consult", "intake", "approval", "pickup")
ZONE_NAMES: dict[str, tuple[str, str]] = {
    "consult": ("综合咨询导办", "Consultation"),
    "intake": ("一窗受理", "One-window intake"),
    "approval": ("后台审批", "Back-office approval"),
    "pickup": ("出件", "Pickup"),
}
TerminalKind = Literal["kiosk", "counter", "display", "pad", "bank"]
Channel = Literal["kiosk", "bank", "counter", "remote", "web"]
# serviceman: 军人依法优先; green: 绿色通道. A kiosk declares only disabled, pregnant,
# serviceman or green (domain.priority); the counter confirms them.
PriorityReason = Literal["elderly", "disabled", "pregnant", "serviceman", "green", "appointment",
                         "staff"]
Outcome = Literal["done", "next", "rejected"]
# The official wording of the five levels of 好差评.
LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
# Reasons offered for the two lowest levels (a rating of 1 or 2 needs at least one).
BAD_REASONS: dict[str, tuple[str, str]] = {
    "slow": ("办理时间长", "Took too long"),
    "attitude": ("服务态度差", "Unfriendly service"),
    "unclear": ("告知不清楚", "Unclear information"),
    "repeat": ("多次跑腿", "Had to come back again"),
    "wait": ("排队时间长", "Long wait"),
    "other": ("其他", "Other"),
}
# Event types after which the waiting counts a terminal shows may differ: someone joins, leaves
# or changes a queue, the day rolls over, or a counter pauses or resumes (which changes who is
# served and the estimated waits). Kiosks, counter pads and boards reload their counts on these.
WAITING_EVENTS: frozenset[str] = frozenset({
    "ticket.issued", "ticket.called", "ticket.no_show", "ticket.finished", "ticket.transferred",
    "counter.paused", "counter.resumed", "day.rolled", "ticket.arrived", "ticket.held",
    "ticket.taken_back", "ticket.finish_undone", "ticket.requeued", "delivery.chosen"})


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


def unencodable(value: Any, path: str = "") -> str | None:
    """The path of the first text in `value` (strings, and the keys and items of dicts and
    lists) that UTF-8 cannot encode, i.e. holds a lone surrogate (JSON allows `"\\ud800"`);
    None when all of it can be stored."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(body)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = unencodable(key, where) or unencodable(item, where)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = unencodable(item, f"{path}[{i}]")
            if found:
                return found
    return None


class Inbound(Wire):
    """Base of every request body: no text the database cannot store gets past the edge (a lone
    surrogate reached the insert as a 500). Checked here, once for every field present and
    future, instead of field by field."""

    @model_validator(mode="before")
    @classmethod
    def _encodable(cls, data: Any) -> Any:
        where = unencodable(data)
        if where is not None:
            raise PydanticCustomError(
                "unencodable_text", "{where}: 文本含无效字符 / text holds an unpaired surrogate",
                {"where": where.encode("utf-8", "backslashreplace").decode()})
        return data


class ErrorDetail(Wire):
    code: str
    message: str
    # (v1.2 ext) 409 appointment_used: the number the booking gave when it was checked in
    number: str | None = None


class ErrorBody(Wire):
    error: ErrorDetail


class Health(Wire):
    status: str  # ok | degraded
    db: str  # ok | storage_full | db_unavailable
    reason: str | None = None


class ServiceInfo(Wire):
    code: str
    name: str
    prefix: str
    route: list[str]
    materials: list[str] = []
    waiting: int = 0  # ahead of a new ticket: waiting in the first zone of its route
    # (v1.1) this service's tickets waiting in each zone (a kiosk's count of a zone, as the
    # board's, includes those gone on to a later zone)
    waiting_by_zone: dict[str, int] = {}
    estimated_wait_s: int = 0
    open: bool = True
    requires_id_card: bool = False
    time_limit_workdays: int | None = None
    daily_cap: int | None = None
    remaining_today: int | None = None
    category: str | None = None
    category_en: str | None = None
    category_mn: str | None = None
    name_en: str | None = None
    name_mn: str | None = None
    materials_en: list[str] | None = None
    materials_mn: list[str] | None = None
    # (v1.2) the licence can be mailed (证照寄送): the intake counter records the choice
    mail_delivery: bool = False
    # (v1.2) while the hall is closed (the 24-hour room at night, a closed day): when it opens
    # next, in UTC; a number taken now is that day's (`remaining_today` counts that day's
    # numbers) and calling starts then, as the issue's `calls_from`. Null while it is open
    calls_from: datetime | None = None


class IdCardIn(Inbound):
    """What a terminal sends of an ID card: the server keeps only a keyed hash and masked forms."""

    number: str = Field(min_length=6, max_length=32)
    name: str = Field(default="", max_length=64)


class TicketCreate(Inbound):
    """`service` may be left out for a check-in (with `appointment`, or an `id_card` that
    holds one of today's bookings): the booking's service is taken."""

    # The schema says what the check below says, so a client generated from the OpenAPI
    # document knows a body needs a service, an appointment or an ID card.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": [key], "properties": {key: {"type": kind}}}
        for key, kind in (("service", "string"), ("appointment", "string"),
                          ("id_card", "object"))]})
    service: str | None = Field(default=None, min_length=1, max_length=40)
    channel: Channel = "kiosk"
    priority: Literal["normal", "priority"] = "normal"
    priority_reason: PriorityReason | None = None
    id_card: IdCardIn | None = None
    appointment: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _service_or_checkin(self) -> TicketCreate:
        if self.service is None and self.appointment is None and self.id_card is None:
            raise ValueError("service: field required (or an appointment to check in)")
        return self


class ForwardedTo(Wire):
    """(v1.2) Where a bank branch's ticket went (转大厅): the parent hall's ticket, the case's own
    from then on."""

    ticket: str
    number: str
    hall: str
    hall_name: str | None = None
    track_url: str
    # the hall's name in the languages it gives (None where it gives none)
    hall_name_en: str | None = None
    hall_name_mn: str | None = None


class ForwardedFrom(Wire):
    """(v1.2) In the public view of a bank branch's application forwarded to the parent hall
    (转大厅): where it came from, the branch and the number the branch gave (never the
    branch's ticket id: the view of one ticket is no key to another's)."""

    number: str
    hall: str
    hall_name: str | None = None
    # the branch's name in the languages it gives (None where it gives none)
    hall_name_en: str | None = None
    hall_name_mn: str | None = None


class TicketIssued(Wire):
    id: str
    number: str
    service: str
    zone: str
    ahead: int
    estimated_wait_s: int
    issued_at: datetime
    track_url: str
    hall: str | None = None
    hall_name: str | None = None
    service_name: str | None = None
    priority: bool = False
    priority_reason: str | None = None
    masked_name: str | None = None
    masked_id: str | None = None
    appointment_late: bool = False
    # The number waits for its holder's arrival at a kiosk before a counter can call it.
    arrival_required: bool = False
    # (v1.2) Issued while the hall is closed (a number taken at night): when calling starts.
    calls_from: datetime | None = None
    # (v1.2) In the answer to a forward (a bank branch's application, POST
    # /tickets/{id}/forward): the hall's name in its other languages, for the branch's screen
    # and paper. None in an issue's answer (the terminal knows its own hall).
    hall_name_en: str | None = None
    hall_name_mn: str | None = None


class StageOut(Wire):
    zone: str
    service: str | None = None
    counter: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    deadline: datetime | None = None
    # The deadline rests on a calendar year neither packaged nor imported (CONTRACT §5).
    deadline_provisional: bool = False
    rated: bool = False
    number: str | None = None  # the number this stage was called by, when not the first
    reason: str | None = None  # a rejection's reason, as the counter gave it (ID numbers masked)
    # (v1.2) 补正: the papers an approval post asked for (outcome `supplement`; its note is
    # `reason`); null on every other stage
    papers: list[str] | None = None
    # (v1.3) 补正期限: with `papers`, the end of the hall's period for bringing them
    # (`supplement_workdays` working days after the business day it was sent back), fixed
    # then; null where the hall set none
    papers_by: datetime | None = None
    # (v1.2) when it queued: the ticket's issue (its place), or its holder's arrival for a
    # stage that waited for them (a pickup on a later day, a case back from 补正)
    queued_at: datetime | None = None


class TicketOut(Wire):
    id: str
    number: str
    service: str
    service_name: str | None = None
    status: str
    zone: str
    counter: str | None = None
    issued_at: datetime
    priority: bool = False
    priority_reason: str | None = None
    masked_name: str | None = None
    masked_id: str | None = None
    deadline: datetime | None = None
    deadline_provisional: bool = False
    # (v1.2) Working days (the hall's calendar) from today to `deadline`'s date: 2 = two working
    # days after today, 0 = due today, -3 = overdue by three working days (at least -1 once
    # past it). Given in a counter's state (`GET /counters`, `GET /counters/{code}`, pause and
    # resume), as of the answer; null elsewhere and without a deadline.
    workdays_left: int | None = None
    journey: list[StageOut] = []
    documents: int = 0
    ahead: int | None = None
    estimated_wait_s: int | None = None
    track_url: str | None = None
    hall: str | None = None
    priority_declared: bool = False          # a reason the citizen declared: to confirm
    priority_confirmed: bool | None = None   # the counter's judgement of it
    arrival_required: bool = False
    appointment_late: bool = False
    delivery: str | None = None              # pickup | mail (证照寄送), when chosen
    # (v1.2) how it was taken (kiosk, bank, remote, web …); a branch's application forwarded to
    # this hall names the branch's ticket; a forwarded ticket names the hall's (status forwarded)
    channel: str | None = None
    forwarded_from: str | None = None
    forwarded_to: ForwardedTo | None = None
    # Only in the answer to a card lookup (its holder proved it): what a kiosk sends to rate.
    rating_code: str | None = None


class TicketLookup(Inbound):
    model_config = ConfigDict(extra="forbid")
    id_card: IdCardIn


class LoginIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    staff: str = Field(max_length=32)
    pin: str = Field(max_length=64)
    counter: str = Field(max_length=16)


class LoginOut(Wire):
    token: str
    staff: str | None = None
    staff_name: str | None = None
    counter: str | None = None
    expires_at: datetime | None = None


class FinishIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    reason: Text | None = Field(default=None, max_length=200)


# A paper's name (blank ones are dropped by the use case, which answers papers_needed when
# nothing is left)
Paper = Annotated[str, StringConstraints(max_length=100), AfterValidator(mask_numbers_in)]


class SupplementIn(Inbound):
    """补正 (v1.2): the papers an approval post finds missing, told to the holder at once
    (一次性告知): names from the service's `materials` (or others), and a note."""
    model_config = ConfigDict(extra="forbid")
    papers: list[Paper] = Field(default=[], max_length=30)
    note: Text | None = Field(default=None, max_length=200)


class TransferIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    service: str | None = None
    counter: str | None = None


class PauseIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: Text | None = Field(default=None, max_length=100)


class CallNumberIn(Inbound):
    """叫指定号: today's number to call at this counter; (v1.4) with `ticket` (an id from the
    approval post's 限时办结 list or a `case.alert`), that very case: a number repeats across
    days, and an approval post works cases of earlier days."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=2, max_length=8)
    ticket: str | None = Field(default=None, min_length=1, max_length=32)


class RequeueIn(Inbound):
    """(v1.2) 过号重排: today's number passed (no-show) in this counter's zone; back in its
    queue, in its place by issue time (`call`: called at this counter at once instead)."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=2, max_length=8)
    call: bool = False


class TakeBackIn(Inbound):
    """A ticket this counter put on hold (挂起), to serve again."""

    model_config = ConfigDict(extra="forbid")
    ticket: str = Field(min_length=1, max_length=32)


class HeldTicket(Wire):
    id: str
    number: str
    service: str


class CounterState(Wire):
    code: str
    name: str
    zone: str
    services: list[str]
    paused: bool = False
    pause_reason: str | None = None
    staff: str | None = None
    staff_name: str | None = None
    current: TicketOut | None = None
    waiting: dict[str, int] = {}
    name_en: str | None = None
    name_mn: str | None = None
    held: list[HeldTicket] = []  # (v1.1) tickets this counter put on hold (GET /counters/{code})
    # (v1.2) of `waiting`, the applications a bank branch forwarded whose holders are not in
    # the hall (taken up from the papers before pickup): boards leave them out of 等候人数
    waiting_away: dict[str, int] = {}


class CounterCase(Wire):
    """(v1.2) `GET /counters/{code}/deadlines`: a case of that approval counter's queue (waiting
    in its services, sent to it, or held by it) whose deadline (限时办结) is today or past;
    (v1.3) and a case of its services sent back for papers whose holder did not bring them
    by the hall's period (`papers_overdue`, 逾期未补正: `deadline` is the end of that period,
    `status` supplement; the post calls it back by its number)."""

    ticket: str
    number: str
    day: date | None = None  # (v1.4) the business day the number was taken (numbers repeat)
    service: str
    state: Literal["overdue", "due_today", "papers_overdue"]
    deadline: datetime
    deadline_provisional: bool = False
    workdays_left: int  # as in TicketOut: 0 due today, below 0 working days overdue
    status: str  # the approval stage's: waiting | called | serving | on_hold; or supplement
    counter: str | None = None  # this counter when it holds the case; null while it waits


class MailCount(Wire):
    """(v1.2) `GET /counters/{code}/to-mail-count`: how many of the hall's ready cases wait to
    be mailed (证照寄送), counted without reading a holder's sealed address."""

    count: int


def whole_number(value: Any) -> Any:
    """A rating's level as a JSON number: "5" (or true) is refused, not read as 5; 5.0 is the
    integer 5 to JSON Schema, as to the OpenAPI document."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


class EvaluationIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    ticket: str
    level: int = Field(ge=1, le=5)
    reasons: list[str] = []
    comment: Text | None = Field(default=None, max_length=500)
    # A kiosk's proof that the citizen holds the ticket (a pad at its counter needs none): the
    # `c` of the ticket's QR tracking link or a lookup's `rating_code`, or the ID card.
    rating_code: str | None = Field(default=None, max_length=64)
    id_card: IdCardIn | None = None

    _a_number = field_validator("level", mode="before")(whole_number)


class EvaluationOut(Wire):
    id: int
    ticket: str
    level: int
    zone: str | None = None
    counter: str | None = None
    followup: int | None = None
    # (v1.2) with a follow-up: the working days within which the hall verifies it
    followup_days: int | None = None


class DocumentOut(Wire):
    id: int
    ticket: str
    page: int
    content_type: str
    size: int
    created_at: datetime


class ForwardIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    service: str | None = None


class HeartbeatIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    devices: dict[str, str] = {}
    detail: dict[str, str] = {}
    version: str | None = None


class TerminalOut(Wire):
    name: str
    kind: str
    hall: str
    hall_name: str | None = None
    counter: str | None = None


class CounterInfo(Wire):
    code: str
    name: str
    zone: str
    services: list[str] = []
    name_en: str | None = None
    name_mn: str | None = None


class HallOut(Wire):
    id: str
    name: str
    timezone: str
    announce: str
    day_starts: str
    parent: str | None = None
    counters: list[CounterInfo] = []
    languages: list[str] = ["zh"]
    name_en: str | None = None
    name_mn: str | None = None
    announce_en: str | None = None
    announce_mn: str | None = None
    notice: str = ""
    notice_en: str = ""
    notice_mn: str = ""
    # (v1.2) the age from which an ID card gives priority (the kiosk's hint says it)
    priority_age: int = 70


class FollowupStepOut(Wire):
    """One step of a follow-up: `verify` (核实), `rectify` (整改) or `reply` (回复)."""

    step: Literal["verify", "rectify", "reply"]
    due_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    valid: bool | None = None  # verify only: was the complaint founded
    note: str | None = None
    late: bool = False  # done after its deadline, or still open past it


class FollowupOut(Wire):
    """A bad rating's follow-up. `due_at` is the deadline of the current step (of the last
    one once closed); `step` is the current step or `closed`."""

    id: int
    evaluation: int
    ticket: str
    number: str
    level: int
    reasons: list[str] = []
    counter: str | None = None
    staff: str | None = None
    due_at: datetime
    closed_at: datetime | None = None
    note: str | None = None
    step: str = "verify"
    steps: list[FollowupStepOut] = []
    late: bool = False  # a step is late
    rated_at: datetime | None = None
    service: str | None = None
    zone: str | None = None
    comment: str | None = None


class PrintFailedIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(default="", max_length=200)


class FollowupClose(Inbound):
    model_config = ConfigDict(extra="forbid")
    note: Text = Field(min_length=1, max_length=1000)


class Event(Wire):
    """One event of the stream. Extra keys depend on `type` (e.g. `ticket.called` carries
    `number`, `counter`, `counter_name`, `zone`)."""

    model_config = ConfigDict(extra="allow")
    id: int
    type: str
    at: datetime
    hall: str

    def field(self, name: str, default: Any = None) -> Any:
        return (self.model_extra or {}).get(name, default)


class TerminalStatus(TerminalOut):
    """`GET /terminals` (supervisors and administrators): each terminal's last heartbeat and
    device states, so "kiosk 3: paper out" is seen before a citizen meets it."""

    id: int
    devices: dict[str, str] = {}
    last_seen: datetime | None = None
