"""The wire models of the citizen's journey beyond the counter (CONTRACT.md §6 and the
extensions of docs/api.md): booking slots and appointments, a number from the phone, the
public view of a ticket behind its QR code, delivery of a finished case (pickup or 证照寄送),
and the counter's confirmation of a declared priority. Kept beside `queue_server.wire` (same
rules: pydantic only, no FastAPI, no SQLAlchemy) so that neither grows past a readable size.
No answer here ever carries an ID number; an address and a phone only in `DeliveryDetail`,
for the pickup counter's staff."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from queue_server.wire import (
    EvaluationIn,
    ForwardedFrom,
    ForwardedTo,
    IdCardIn,
    Inbound,
    whole_number,
)

Phone = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{4,19}$")


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Strict(Inbound):
    """A request body of the journey: no unknown field, no text the database cannot hold."""

    model_config = ConfigDict(extra="forbid")


class SlotOut(Wire):
    start: datetime
    end: datetime
    capacity: int
    booked: int


class AppointmentIn(Strict):
    service: str = Field(max_length=40)
    start: datetime
    id_card: IdCardIn
    phone: str | None = Phone


class AppointmentOut(Wire):
    """A booking as its holder sees it; `code` is the only secret (no ID number, ever)."""

    code: str
    service: str
    start: datetime
    end: datetime
    service_name: str | None = None
    hall: str | None = None
    hall_name: str | None = None
    masked_name: str | None = None
    status: str = "booked"  # booked | cancelled | checked_in | late | missed
    checkin_from: datetime | None = None
    checkin_until: datetime | None = None
    track_url: str | None = None  # the ticket's, once checked in


class CancelIn(Strict):
    id_number: str = Field(min_length=6, max_length=32)


class PublicService(Wire):
    """A service as the phone page sees it."""

    code: str
    name: str
    prefix: str
    materials: list[str] = []
    booking: bool = False
    slot_minutes: int | None = None
    book_ahead_days: int = 0
    remote: bool = False
    remote_checkin: bool = False
    remote_open: bool = False  # a number can be taken from the phone right now
    waiting: int = 0
    estimated_wait_s: int = 0
    mail_delivery: bool = False
    name_en: str | None = None  # (v1.1) the English name, where the hall has one
    name_mn: str | None = None  # (v1.1) the traditional Mongolian name, where the hall has one


class HallPublic(Wire):
    id: str
    name: str
    timezone: str
    opening_hours: list[str] = []
    open_today: bool = True
    services: list[PublicService] = []
    # (v1.1) The hall's languages (its order) and its name in traditional Mongolian when it
    # lists mn: the phone page shows Mongolian beside Chinese only then
    languages: list[str] = ["zh"]
    name_mn: str | None = None
    # (v1.2) the hall's working days (YYYY-MM-DD, its time) from today to the furthest a
    # booking may be made: the phone's day picker says 休息日 on the others
    open_dates: list[str] = []


class RemoteTicketIn(Strict):
    service: str = Field(max_length=40)
    id_card: IdCardIn
    phone: str | None = Phone


class StageView(Wire):
    zone: str
    zone_name: str
    number: str | None = None
    called_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    counter_name: str | None = None
    deadline: datetime | None = None
    reason: str | None = None  # a rejection's reason, as the counter gave it
    papers: list[str] | None = None  # (v1.2) 补正: the papers asked for (outcome supplement)


class PaperView(Wire):
    """One paper to bring, in the hall's languages (from the service's `materials` lists;
    null where it has none of that name)."""

    name: str
    name_en: str | None = None
    name_mn: str | None = None


class SupplementView(Wire):
    """(v1.2) 补正: what a case sent back for papers waits for, told at once (一次性告知)."""

    papers: list[PaperView] = []
    note: str | None = None  # the approval post's own words beside them
    asked_at: datetime | None = None
    # (v1.3) 补正期限: bring them by then (the hall's `supplement_workdays`); null: no period;
    # `lapsed`: that passed without them (the post may now decide on what the case has)
    bring_by: datetime | None = None
    lapsed: bool = False
    zone: str = "intake"  # where to bring them (its counters take them in)
    zone_name: str = "受理"
    checked_in: bool = False  # its holder checked in with them: to hand in when called


class DeliveryOut(Wire):
    ticket: str
    number: str | None = None
    method: Literal["pickup", "mail"]
    carrier: str | None = None
    tracking: str | None = None
    handed_at: datetime | None = None
    ready: bool = False


class DeliveryDetail(DeliveryOut):
    """The pickup counter's view of a mail delivery: the address to write on the parcel
    (until it is handed to the post, when it is deleted)."""

    recipient: str | None = None
    phone: str | None = None
    address: str | None = None
    service: str | None = None  # (v1.2) the case's service code: which certificate to mail


class TicketView(Wire):
    """What the public status page and the phone page show of a ticket (no token: its id is
    the secret): no name, no ID number, no staff."""

    id: str
    number: str
    hall: str
    hall_name: str
    timezone: str
    service_name: str
    status: str
    zone: str
    zone_name: str
    ahead: int | None = None
    estimated_wait_s: int | None = None
    # (v1.2) a waiting ticket while the hall is closed: when it opens next and calling starts
    # (UTC); None while it is open
    calls_from: datetime | None = None
    # (v1.2) the promised date missed: "open" (still in approval past its `deadline`) or
    # "done" (approval decided after it); null otherwise
    late: Literal["open", "done"] | None = None
    # (v1.2) 补正: while the case waits for papers (status `supplement`), which and where
    supplement: SupplementView | None = None
    counter: str | None = None
    counter_name: str | None = None
    arrival_required: bool = False
    ready: bool = False
    deadline: datetime | None = None
    deadline_provisional: bool = False
    issued_at: datetime
    journey: list[StageView] = []
    delivery: DeliveryOut | None = None
    track_url: str
    # The hall's languages (its order) and the names in traditional Mongolian when it lists mn
    languages: list[str] = ["zh"]
    hall_name_mn: str | None = None
    service_name_mn: str | None = None
    counter_name_mn: str | None = None
    # English names where the hall has them (its `name_en`), for the English lines
    service_name_en: str | None = None
    counter_name_en: str | None = None
    # (v1.2) a bank branch's ticket forwarded to its parent hall: the hall's ticket
    forwarded_to: ForwardedTo | None = None
    # (v1.2) a bank branch's application forwarded here (转大厅): the branch and its number
    forwarded_from: ForwardedFrom | None = None
    # (v1.2) asked with the QR code's rating code (`?c=`): "open" (its latest stage called in
    # a zone the citizen attends, never approval, may be rated) or "rated"; None without the
    # code, with another ticket's, or before any such call
    rating_state: Literal["open", "rated"] | None = None
    # (v1.2) whether the holder is told (SMS/WeChat) when the case moves on: the hall has a
    # notification gateway and the ticket a phone number
    notified: bool = False
    # What the view reads now, in short: a page that rendered one version reloads on another
    # (the same for every asker: `rating_state` is left out of it)
    version: str = ""


class DeliveryIn(Strict):
    """At intake: how the finished case reaches its holder. `mail` needs the recipient and the
    address; a phone lets the hall say when it is ready."""

    method: Literal["pickup", "mail"]
    phone: str | None = Phone
    recipient: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, min_length=5, max_length=300)


class DispatchIn(Strict):
    carrier: str = Field(default="EMS", min_length=1, max_length=40)
    tracking: str = Field(pattern=r"^[A-Za-z0-9-]{6,40}$")


class ConfirmPriorityIn(Strict):
    confirmed: bool


class RatingIn(Strict):
    """(v1.2) A rating from the holder's phone (扫码评价): the `c` of the ticket's QR code is the
    proof that they hold it; the rest as `EvaluationIn`."""

    c: str = Field(min_length=1, max_length=64)
    level: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default=[], max_length=6)
    comment: str | None = Field(default=None, max_length=500)

    _a_number = field_validator("level", mode="before")(whole_number)

    def evaluation(self, ticket: str) -> EvaluationIn:
        return EvaluationIn(ticket=ticket, level=self.level, reasons=self.reasons,
                            comment=self.comment, rating_code=self.c)
