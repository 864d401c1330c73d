"""Everything the kiosk knows about the citizen in front of it, in one object, so forgetting
them is one assignment (`CitizenData()`), and a test can search it for anything left behind."""

from __future__ import annotations

from dataclasses import dataclass, field

from queue_server import wire


@dataclass(frozen=True)
class CardView:
    """What may be shown of an ID card: masked forms only, plus the age for the priority hint."""

    masked_name: str
    masked_number: str
    age: int
    priority: bool


@dataclass(frozen=True)
class Page:
    """One corrected page from the document camera, as the JPEG that goes to the server."""

    jpeg: bytes
    width: int
    height: int


@dataclass
class CitizenData:
    service: str | None = None
    category: str | None = None
    query: str = ""
    keyboard: bool = False                     # the on-screen search keyboard is open
    card: CardView | None = None
    id_card: dict[str, str] | None = None      # {"number", "name"}: sent once, then forgotten
    card_purpose: str = "ticket"               # ticket | ask | rate | checkin
    pages: list[Page] = field(default_factory=list)
    pending: Page | None = None                # the page being reviewed (keep / retake)
    scanning: bool = False                     # the citizen chose to scan papers before issue
    idempotency_key: str | None = None
    ticket: wire.TicketIssued | None = None
    print_state: str = ""                      # printing | printed | failed
    upload_state: str = ""                     # sending | sent | forwarded | failed
    forwarded: wire.TicketIssued | None = None  # a bank's application: the hall's ticket
    results: list[wire.TicketOut] = field(default_factory=list)
    rate_ticket: wire.TicketOut | None = None
    level: int | None = None
    reasons: list[str] = field(default_factory=list)
    priority_reason: str | None = None         # a green-channel reason the citizen declares
    code: str = ""                             # a booking code being typed
    checkin: str = ""                          # what a check-in gave: appointment | late | ...
    answer: tuple[str, str] | None = None      # a refused check-in: (code, the server's words)
    answer_number: str = ""                    # a booking used before: the number it gave
