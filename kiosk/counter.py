"""The counter pad's view-model: a member of staff logs in on an enrolled counter and calls,
recalls, marks no-show, starts, finishes, transfers, pauses and resumes, calls a chosen number,
puts a passed number back in the queue or calls it (过号重排), holds a ticket and takes it back, and undoes its last finish for a few seconds. It keeps the counter's
state (zone, waiting per service, current ticket with its scanned papers) fresh from the server
and the event stream, runs every request off the GUI thread (one at a time, with a busy flag),
reports every error in words (in the pad's one language), says where each ticket went, and can
call the next ticket by itself a set time after a finish. It owns the status line's life: a
notice about a ticket goes when the counter's current ticket changes or after NOTICE_SHOW_S, an
error when an action succeeds, and a connection error as soon as the server answers again.
It also records how a finished case reaches its holder (证照寄送, at an intake counter), marks a
ticket a bank branch forwarded, and sends the terminal's heartbeat as the kiosk does. At an
approval counter it keeps the deadline alerts (限时办结) of the cases it may call until they
leave approval: asked of the server at login and on reconnecting (so the cases that became due
before the pad started are there) and again on the events that change them, each with the
working days left by the hall's calendar; it counts the current ticket's recalls; at a pickup
counter it knows how many cases wait to be mailed (a count: no address is unsealed for it);
and it lists the staff member's own cases (全程盯办) and ratings, with the appeal (申诉)
against one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk import counter_words as words
from kiosk.client import ApiError, EventFollower, QueueClient, ServerUnreachable
from kiosk.counter_threads import HEARTBEAT_S, Heartbeat, LinkProbe
from kiosk.counter_view import (
    CaseAlert,
    TicketView,
    alert_of,
    alert_of_case,
    allowed_actions,
    case_alert_text,
    delivery_body,
    delivery_error,
    locked_for,
    mail_services,
    requeue_offer,
    ticket_view,
)
from kiosk.staff_runner import Runner, describe, guarded
from queue_server import wire, wire_console
from queue_server import wire_journey as wj
from queue_server.domain.clock import business_day
from queue_server.domain.stages import met_in_person, transfer_zones

log = logging.getLogger(__name__)

ACTIONS = ("call-next", "recall", "no-show", "start", "finish", "transfer", "pause", "resume",
           "confirm-priority", "call", "hold", "take-back", "undo-finish", "requeue")
UNDO_SHOW_S = 10  # how long the pad offers to undo a finish (the server allows 15 s)
# a request that reached the server but got no answer (a refused or unmade connection did not)
SENT_NO_ANSWER = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError)
NOTICE_SHOW_S = 10  # how long a notice about a ticket ("A012 已转至 后台审批") stays at most
ALERT_SHOW_S = 60  # a deadline alert or a search answer, not tied to the current ticket
REJECT_REASON_MAX = 200  # wire.FinishIn.reason's limit
TRACKING = re.compile(r"[A-Z0-9-]{6,40}")  # wire_journey.DispatchIn.tracking's (upper-cased)
NEED_REASON = "请填写不予受理的原因 / Enter the reason for the rejection"
ZONE_NAMES = wire.ZONE_NAMES
# The wire shapes the pad's screens read, named here so `ui` never imports the server package.
CounterState, DocumentOut, TicketOut = wire.CounterState, wire.DocumentOut, wire.TicketOut
ServiceInfo, CounterInfo = wire.ServiceInfo, wire.CounterInfo
MyCaseRow, RatingRow = wire_console.MyCaseRow, wire_console.RatingRow
APPEAL_MIN, APPEAL_MAX = 2, 1000  # wire_console.AppealIn.reason's limits
# events after which the count of cases to mail at a pickup counter may differ
MAIL_EVENTS = frozenset({"case.ready", "delivery.chosen", "delivery.dispatched", "day.rolled"})
# events by which a case leaves the approval stage an alert was about
LEFT_STAGE = frozenset({"ticket.finished", "ticket.no_show", "ticket.transferred",
                        "ticket.forwarded"})
# events after which an approval counter asks again for its cases due (the day's dates moved on,
# or one of its alerts changed holder, deadline or stage: the server's list then says it all)
DEADLINE_EVENTS = frozenset({"case.alert", "day.rolled", "ticket.deadline_changed",
                             "ticket.called", "ticket.held", "ticket.taken_back",
                             "ticket.arrived"}) | LEFT_STAGE  # arrived: papers brought at last


_Login = tuple[wire.LoginOut, list[wire.ServiceInfo], wire.HallOut, set[str]]


class CounterModel(QObject):
    changed = Signal()
    busyChanged = Signal(bool)
    error = Signal(str)
    notice = Signal(str)
    autoCallTick = Signal(int)
    undoTick = Signal(int)  # seconds left to undo the last finish (0: no longer offered)
    lineCleared = Signal()  # the status line's notice or error is no longer true: blank it
    deliveryChosen = Signal(str)  # the holder's choice was recorded (pickup | mail)
    deliveryFailed = Signal(str)  # it was not: why, in words, for the dialog to show
    mailListed = Signal(object)  # the cases to mail (list[DeliveryDetail]), for the pickup counter
    mailFailed = Signal(str)  # listing or dispatching failed: why, in words
    mailDispatched = Signal(str)  # a case was handed to the post: the sentence that says so
    casesListed = Signal(object)  # 我的办件: list[MyCaseRow]
    ratingsListed = Signal(object)  # 我的评价: list[RatingRow]
    mineFailed = Signal(str)  # listing them or appealing failed: why, in words
    appealFiled = Signal(str)  # an appeal was filed: the sentence that says so
    transferTargets = Signal()  # the counters' states are fresh (or unknown): open the dialog
    arriveOffered = Signal(str, str)  # (ticket id, the question): a passed case to check in
    # (number, the question, whether it may be called here now): a number passed in this zone
    requeueOffered = Signal(str, str, bool)
    _incoming = Signal(object)
    _link = Signal(bool)
    _back = Signal()  # the link probe heard the server again

    def __init__(self, client: QueueClient, counter: str, *, auto_call_s: int = 0,
                 clock: Callable[[], datetime] | None = None, lang: str = "zh",
                 heartbeat_s: float = HEARTBEAT_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client, self.code, self.lang = client, counter, lang
        self.heartbeat = Heartbeat(lambda: client.heartbeat({}, {}), heartbeat_s)
        self.mail_services: set[str] = set()  # services whose result may be mailed
        self.clock = clock or (lambda: datetime.now(UTC))
        self.staff_name = ""
        self.state: wire.CounterState | None = None
        self.current: TicketView | None = None
        self.services: dict[str, wire.ServiceInfo] = {}
        self.counters: list[wire.CounterInfo] = []
        self.hall: wire.HallOut | None = None
        self.thumbnails: dict[int, bytes] = {}
        self.alerts: dict[str, CaseAlert] = {}  # ticket id -> its last deadline alert
        self._recalls: dict[str, int] = {}  # ticket id -> recalls at its present call
        self.to_mail: int | None = None  # cases to mail (pickup counter; None: not known)
        self.case_services: dict[str, str] = {}  # a case to mail's ticket id -> its service
        self._deadlines_stale = True  # an approval counter asks for its cases due (login, link)
        self._docs: list[wire.DocumentOut] = []
        self.last_error = ""
        self.notice_show_s = NOTICE_SHOW_S
        self.line_kind = ""  # what the status line shows: "notice", "error" or nothing
        self._line_ticket: str | None = None  # the current ticket a notice was about
        self._line_bound = False  # the notice goes when the current ticket changes
        self._link_error = False  # the error shown is "cannot reach the server"
        self._unsure = False  # ... or that the last action may still take effect
        self._line_timer = QTimer(self, singleShot=True)
        self._line_timer.timeout.connect(lambda: self._clear_line("notice"))
        self.auto_call_s = auto_call_s
        self.auto_remaining = 0
        self.undo_show_s = UNDO_SHOW_S
        self.undo_number, self.undo_remaining, self.undo_outcome = "", 0, ""
        self._undo = QTimer(self, interval=1000)
        self._undo.timeout.connect(self._undo_tick)
        # the other counters as GET /counters last said (None: not asked, or it failed)
        self.counter_states: dict[str, wire.CounterState] | None = None
        self.lock_code, self.lock_remaining = "", 0  # a login refused for some seconds (429)
        self._lock = QTimer(self, interval=1000)
        self._lock.timeout.connect(self._lock_tick)
        self._stopped = False
        back = guarded(lambda _v: self._back.emit(), lambda: not self._stopped)
        self.probe = LinkProbe(client.health, lambda: back(None))
        self._back.connect(self._on_back, Qt.ConnectionType.QueuedConnection)
        self.online = True
        self._runner = Runner(self)
        self._runner.busyChanged.connect(self.busyChanged)
        self._follower: EventFollower | None = None
        self._auto = QTimer(self, interval=1000)
        self._auto.timeout.connect(self._auto_tick)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.refresh)
        self._mail_debounce = QTimer(self, singleShot=True, interval=300)
        self._mail_debounce.timeout.connect(self.count_to_mail)
        self._deadline_debounce = QTimer(self, singleShot=True, interval=300)
        self._deadline_debounce.timeout.connect(self.list_deadlines)
        self._incoming.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._link.connect(self._on_link, Qt.ConnectionType.QueuedConnection)

    # -- state ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._runner.busy

    @property
    def logged_in(self) -> bool:
        return bool(self.client.staff_token)

    @property
    def paused(self) -> bool:
        return bool(self.state and self.state.paused)

    def allowed(self) -> set[str]:
        if not self.logged_in or self.busy:
            return set()
        acts = allowed_actions(self.current.status if self.current else None, self.paused)
        if self.current is not None and self.state is not None and not met_in_person(
                self.current.origin == "branch", self.state.zone,
                self.current.asked is not None):  # back from 补正: its holder is here
            # nobody to recall or pass (the server refuses 409 not_in_person): a back-office
            # post calls a case, not a person, and a bank branch's application is taken up
            # from the papers the branch sent, its holder not in the hall until pickup
            acts -= {"recall", "no-show"}
        if self.current is None and self.held():
            acts.add("take-back")
        if self.current is None and self.undo_remaining > 0:
            acts.add("undo-finish")
        t = self.current
        if t and t.priority_declared and t.priority_confirmed is None and t.status in (
                "called", "serving"):
            acts.add("confirm-priority")  # a green-channel reason the citizen declared
        if self._delivery_open():
            acts.add("delivery")
        # 不予受理 decides an application: not at pickup, where it was approved already;
        # 转下一环节 only where the route goes on (at its last zone it meant 办结)
        if t is not None and self.state is not None and self.state.zone == "approval" and (
                t.status in ("called", "serving") and t.asked is None):
            acts.add("supplement")  # 补正: once a case (told at once: 一次性告知)
        if "finish" in acts and t is not None and self.state is not None and (
                self.state.zone != "pickup"):
            acts.add("reject")
            if t.zones_left:
                acts.add("finish-next")
            if t.asked is not None and t.zones_left and self.state.zone != "approval":
                acts -= {"finish", "reject"}  # back from 补正: approval decides it, not here
        return acts

    def _delivery_open(self) -> bool:
        """证照寄送 is recorded at intake, for a ticket being served whose service mails."""
        t = self.current
        return bool(self.logged_in and t and t.mail_offered and t.status == "serving"
                    and self.state is not None and self.state.zone == "intake")

    def waiting(self) -> list[tuple[str, int]]:
        if self.state is None:
            return []
        return [(words.service_name(self.services.get(c), c, self.lang), n)
                for c, n in self.state.waiting.items()]

    def hall_tz(self) -> tzinfo:
        """The hall's time zone (its dates are the ones a deadline is counted in)."""
        try:
            return ZoneInfo(self.hall.timezone if self.hall else "Asia/Shanghai")
        except (KeyError, ValueError):
            return ZoneInfo("Asia/Shanghai")

    def deadline_words(self, deadline: datetime, provisional: bool = False,
                       workdays_left: int | None = None) -> tuple[str, str]:
        """A deadline in the hall's time and where it stands now: ("12-04 17:30 · 剩 1 个工作日",
        "left" | "due_today" | "overdue"), in the server's working days when it gave them."""
        return words.deadline_text(deadline, provisional, self.clock(), self.hall_tz(),
                                   self.lang, workdays_left)

    def deadline_short(self, alert: CaseAlert) -> str:
        """A line of the approval counter's list: "已超期 3 个工作日 · 12-04" (the server's
        working days), or, for an alert only an event brought (no count yet), the server's
        word and the deadline's date; without the date where the line gives the day the
        number was taken (the line had no room for both at 1366x768)."""
        if alert.deadline is None:
            return words.pick(words.CASE_STATE_WORDS.get(alert.kind, (alert.kind,) * 2),
                              self.lang)
        dated = self.case_number(alert) == alert.number
        if alert.workdays_left is None or alert.kind == "papers_overdue":  # the period's date
            return words.case_state_text(alert.deadline, alert.kind, self.hall_tz(), self.lang,
                                         short=True, dated=dated)
        return words.deadline_short(alert.deadline, alert.provisional, self.clock(),
                                    self.hall_tz(), self.lang, alert.workdays_left, dated)[0]

    def deadline_alerts(self) -> list[CaseAlert]:
        """限时办结 at an approval counter: the cases overdue or due today that it may call
        (waiting in its services) or holds, overdue first, soonest deadline first, then those of
        its services whose papers did not come in the hall's period (逾期未补正: it calls one
        back by its number). Kept until the case leaves approval (or its holder brings the
        papers), not just for the notice's minute."""
        st = self.state
        if not self._approval() or st is None:
            return []
        rank = {"overdue": 0, "due_today": 1, "papers_overdue": 2}
        shown = [a for a in self.alerts.values() if a.kind in rank
                 and a.service in st.services and a.counter in (None, self.code)]
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(shown, key=lambda a: (rank[a.kind], a.deadline or far))

    def _approval(self) -> bool:
        return bool(self.logged_in and self.state is not None and self.state.zone == "approval")

    def list_deadlines(self) -> None:
        """限时办结: the server's list of this approval counter's cases due today or overdue
        (its queue's and its holds, with their working days left) replaces the alerts kept; a
        pad that starts, or comes back online, so knows the cases whose alert it never saw.
        Quiet: a server without the list (before v1.2) leaves the alerts of the events."""
        if not self._approval():
            return
        code = self.code

        def work() -> list[wire.CounterCase]:
            resp = self.client.request("GET", f"/counters/{code}/deadlines", staff=True)
            return [wire.CounterCase.model_validate(c) for c in resp.json()]

        def done(rows: list[wire.CounterCase]) -> None:
            if self._approval():
                self.alerts = {r.ticket: alert_of_case(r) for r in rows}
                self.changed.emit()

        self._submit(work, done, quiet=True)

    def _deadlines_touched(self, event: wire.Event) -> bool:
        """Whether `event` may change this approval counter's cases due: a new alert of its
        services, a new day or deadline, a case handed on into approval, or a change to a case
        it lists (called, held, finished elsewhere...)."""
        st = self.state
        if not self._approval() or st is None:
            return False
        if event.type == "case.alert":
            return event.field("service") in st.services
        if event.type in ("day.rolled", "ticket.deadline_changed"):
            return True
        if event.type == "ticket.transferred" and event.field("to_zone") == "approval":
            return True
        return event.type in DEADLINE_EVENTS and str(event.field("ticket", "")) in self.alerts

    def held(self) -> list[tuple[str, str]]:
        """(ticket id, number) of the tickets this counter put on hold."""
        return [(h.id, h.number) for h in self.state.held] if self.state else []

    def service_names(self) -> list[tuple[str, str]]:
        return [(c, words.service_name(s, c, self.lang)) for c, s in self.services.items()]

    def counter_names(self) -> list[tuple[str, str]]:
        """The counters the current ticket can be handed to: a counter of its zone or of the
        next one of its route (never over a zone, nor into pickup), that serves its service
        (the server refuses any other: counter_does_not_serve, transfer_skips_zone); every
        other counter while none is current."""
        t = self.state.current if self.state is not None else None
        svc = self.services.get(t.service) if t is not None else None
        zones = transfer_zones(svc.route, t.zone) if t is not None and svc is not None else ()
        return [(c.code, words.counter_name(c, self.lang)) for c in self.counters
                if (svc is None or (
                    c.zone in zones and (not c.services or svc.code in c.services)))]

    def load_transfer_targets(self) -> None:
        """Before the transfer dialog: the other counters' states (GET /counters: who is
        signed in, who paused), then `transferTargets`; unknown (None) if that failed, and the
        dialog opens all the same."""
        def done(rows: list[wire.CounterState]) -> None:
            self.counter_states = {c.code: c for c in rows}
            self.transferTargets.emit()

        def failed(_exc: BaseException) -> None:
            self.counter_states = None
            self.transferTargets.emit()

        self._runner.submit(self.client.counters, done, failed)

    def counter_state_of(self, code: str) -> str | None:
        """"staffed", "unstaffed" (nobody signed in: a ticket sent there waits until someone
        is), "paused", "closed" (not among the active counters), or None (not known)."""
        if self.counter_states is None:
            return None
        st = self.counter_states.get(code)
        if st is None:
            return "closed"
        if st.paused:
            return "paused"
        return "staffed" if st.staff else "unstaffed"

    def hall_title(self) -> str:
        """The hall's name in the pad's language (its Chinese name where no other is set)."""
        if self.hall is None:
            return ""
        return (self.hall.name_en or self.hall.name) if self.lang == "en" else self.hall.name

    def set_language(self, lang: str) -> None:
        """Show names, papers and messages in `lang` from now on."""
        self.lang = lang
        if self.state is not None and self.state.current is not None and self.current:
            old = self.current
            self.current = self._view(self.state.current)
            self._keep_documents(old)

    def _view(self, t: wire.TicketOut) -> TicketView:
        view = ticket_view(t, self.services, self.clock(), self.lang, self.mail_services)
        view.recalls = self._recalls.get(t.id, 0) if t.status == "called" else 0
        return view

    def _keep_documents(self, old: TicketView | None) -> None:
        """The current ticket's pages (and what they tell of its origin) carried over from the
        view before, when it is the same ticket."""
        if self.current is not None and old is not None and old.id == self.current.id:
            self.current.documents = old.documents
            self.current.branch_pages = old.branch_pages

    def prepare(self) -> None:
        """Before anyone logs in: the hall (its name on the login page); the heartbeat starts."""
        self.heartbeat.start()
        def done(hall: wire.HallOut) -> None:
            self.hall = hall
            self.changed.emit()

        self._submit(self.client.hall, done, quiet=True)

    def counter_title(self) -> str:
        return words.counter_name(self.state, self.lang) if self.state else self.code

    # -- login ------------------------------------------------------------------------------
    def login(self, staff: str, pin: str) -> None:
        self.heartbeat.start()  # a pad that logs in is in use, prepared or not

        def work() -> _Login:
            out = self.client.login(staff.strip(), pin, self.code)
            services, hall = self.client.services(), self.client.hall()
            return out, services, hall, mail_services(services)

        def done(result: _Login) -> None:
            out, services, hall, mail = result
            self.staff_name = out.staff_name or out.staff or staff
            self.services = {s.code: s for s in services}
            self.mail_services = mail
            self.counters = [c for c in hall.counters if c.code != self.code]
            self.hall = hall
            self._clear_line("error")
            self._follow()
            self.refresh()

        def failed(exc: BaseException) -> None:
            wait = locked_for(exc)
            if wait is None:
                self._fail(self._failure_words(exc), link=isinstance(exc, ServerUnreachable))
                return
            assert isinstance(exc, ApiError)
            self.lock_code, self.lock_remaining = exc.code, wait
            self._lock.start()
            self._fail(words.locked_text(exc.code, wait, self.lang))

        if self.lock_remaining <= 0:
            self._runner.submit(work, done, failed)

    def _lock_tick(self) -> None:
        """The login refused for some seconds counts down on the login page; at 0 the line
        goes and the login button is offered again."""
        self.lock_remaining -= 1
        if self.lock_remaining > 0:
            self._fail(words.locked_text(self.lock_code, self.lock_remaining, self.lang))
            return
        self._lock.stop()
        self.lock_remaining = 0
        self._clear_line("error")
        self.changed.emit()

    @Slot()
    def _on_back(self) -> None:
        """The link probe heard the server again: "cannot reach the server" is no longer
        true (and a pad that started while it was away learns the hall's name)."""
        if self._link_error:
            self._clear_line("error")
        if self.hall is None:
            self.prepare()

    def logout(self) -> None:
        self._stop_auto()
        self._stop_undo()
        self._clear_line("error", "notice")  # nothing stale greets the next member of staff
        if self._follower is not None:
            self._follower.stop(0.2)
            self._follower = None
        self.client.logout()
        self.staff_name, self.state, self.current, self.thumbnails = "", None, None, {}
        self.alerts, self._recalls, self.to_mail = {}, {}, None
        self._deadlines_stale = True
        self.changed.emit()

    def stop(self) -> None:
        self._debounce.stop()
        self._mail_debounce.stop()
        self._deadline_debounce.stop()
        self.heartbeat.stop()  # the console sees the pad go after its offline time
        self._stopped = True
        self.probe.stop()
        self._lock.stop()
        self.logout()
        self._runner.shutdown()

    def _follow(self) -> None:
        if self._follower is None:
            alive = lambda: self._follower is not None  # noqa: E731
            self._follower = EventFollower(self.client, guarded(self._incoming.emit, alive),
                                           guarded(self._link.emit, alive))
            self._follower.start()

    # -- actions ----------------------------------------------------------------------------
    def call_next(self) -> None:
        self._act("call-next")

    def recall(self) -> None:
        self._act("recall")

    def no_show(self) -> None:
        self._act("no-show")

    def start(self) -> None:
        self._act("start")

    def finish(self, outcome: str, reason: str | None = None) -> None:
        """办结, 转下一环节 or 不予受理; a rejection needs its reason, which the server gets."""
        reason = (reason or "").strip()[:REJECT_REASON_MAX] or None
        if outcome == "rejected" and words.reason_unfinished(reason or ""):
            self._fail(NEED_REASON if reason is None else words.pick(words.REASON_UNFINISHED,
                                                                     self.lang))
            return
        body = wire.FinishIn.model_validate({"outcome": outcome, "reason": reason})
        self._act("finish", body.model_dump(exclude_none=True))

    def transfer(self, service: str | None = None, counter: str | None = None) -> None:
        if not service and not counter:
            self._fail(words.in_language("请选择转到的事项或窗口 / Choose a service or a counter",
                                         self.lang))
            return
        body = wire.TransferIn(service=service or None, counter=counter or None)
        self._act("transfer", body.model_dump(exclude_none=True))

    def pause(self, reason: str) -> None:
        self._act("pause", wire.PauseIn(reason=reason or None).model_dump(exclude_none=True))

    def resume(self) -> None:
        self._act("resume")

    def call_number(self, number: str) -> None:
        """叫指定号: call today's ticket `number` here (if it waits in this zone). One that
        does not is looked up and said plainly: "C001 已过号"; a passed or ready case held at
        pickup is offered to check in (到号) and call (`arriveOffered`), a number passed in this
        zone to call here or put back in the queue (过号重排: `requeueOffered`)."""
        number = number.strip().upper()
        if number:
            self._act("call", wire.CallNumberIn(number=number).model_dump(),
                      lambda exc: self._missed_call(exc, number))

    def call_case(self, alert: CaseAlert) -> None:
        """叫指定号 from the 限时办结 list: that very case (`ticket`), not the first of its
        number (an A001 of Monday sent back and Thursday's A001 due today read alike)."""
        body = wire.CallNumberIn(number=alert.number, ticket=alert.ticket)
        self._act("call", body.model_dump())

    def case_number(self, alert: CaseAlert) -> str:
        """A case's number on the list, with the day it was taken when not today's:
        "A001 (12-03)"."""
        if alert.day is None or alert.day == self.business_day():
            return alert.number
        return f"{alert.number} ({alert.day:%m-%d})"

    def business_day(self) -> date:
        """The hall's business day now: numbers restart at its `day_starts`, so a 24-hour hall
        whose day starts at 04:00 still numbers 02:30 with yesterday's day."""
        hall = self.hall
        try:
            starts = time.fromisoformat(hall.day_starts) if hall else time(0)
        except ValueError:
            starts = time(0)
        return business_day(self.clock(), str(self.hall_tz()), starts)

    def _missed_call(self, exc: BaseException, number: str) -> bool:
        if not (isinstance(exc, ApiError) and exc.code == "not_waiting_here"):
            return False
        said = words.in_language(exc.message, self.lang)

        def told(found: list[wire.TicketOut]) -> None:
            if not found:
                self._fail(said)
                return
            if self._offer_requeue(found[0], failed=True):
                return
            text, arrive = words.missed_call_text(found[0], self.lang)
            self._fail(text)
            if arrive and "call" in self.allowed():
                self.arriveOffered.emit(found[0].id, words.pick(words.ARRIVE_ASK, self.lang)
                                        .format(said=text))

        self._runner.submit(lambda: self.client.find_tickets(number), told,
                            lambda _e: self._fail(said))
        return True

    def _offer_requeue(self, ticket: wire.TicketOut, failed: bool = False) -> bool:
        """过号重排 of a number passed in this zone (answers whether it was): "B012 已过号" on the
        line (an error when a call of it was refused) and the question, by `requeueOffered`,
        whether to call it here now (only while the counter is free) or put it back in the
        queue. One of a service this counter does not serve is said as such."""
        offer = requeue_offer(ticket, self.state)
        if not offer:
            return False
        if offer == "not_served":
            svc = words.service_name(self.services.get(ticket.service), ticket.service, self.lang)
            self._fail(words.pick(words.PASSED_NOT_SERVED, self.lang).format(
                number=ticket.number, service=svc))
            return True
        text = words.pick(words.PASSED, self.lang).format(number=ticket.number)
        if failed:
            self._fail(text)
        else:
            self._say(text, ALERT_SHOW_S, bound=False)
        can_call = "call" in self.allowed()
        self.requeueOffered.emit(ticket.number, words.requeue_question(
            ticket, can_call, self.lang, self.hall_tz()), can_call)
        return True

    def requeue(self, number: str, call: bool = False) -> None:
        """过号重排: today's `number`, passed in this zone, queues again in its place by issue
        time (ahead of those who came after), or with `call` is called here at once. The
        counter's undo offer and auto-call go only when it is called (the counter is then
        busy); queued again, the last finish may still be undone."""
        number = number.strip().upper()
        if number and (not call or "call" in self.allowed()):
            self._act("requeue", wire.RequeueIn(number=number, call=call).model_dump())

    def arrive_and_call(self, ticket_id: str) -> None:
        """到号 then 叫号: the holder of a case held at pickup (passed, or ready on an earlier
        day) is at this counter: checked in (POST /tickets/{id}/arrive, which queues it again,
        under today's number) and called here at once."""
        if "call" not in self.allowed():
            return
        self._stop_auto()
        self._stop_undo()
        code = self.code

        def work() -> tuple[wire.TicketOut | None, wire.CounterState]:
            issued = self.client.arrive(ticket_id)
            body = wire.CallNumberIn(number=issued.number).model_dump()
            return self.client.counter_action(code, "call", body), self.client.counter(code)

        self._submit(work, lambda result: self._acted("call", None, *result), write=True)

    def hold(self) -> None:
        self._act("hold")

    def supplement(self, papers: list[str], note: str = "") -> None:
        """补正: the current case goes back for `papers` (the service's names) and a note."""
        body = wire.SupplementIn(papers=papers, note=note.strip() or None)
        if not body.papers and body.note is None:
            self._fail(words.in_language("请选择或写明需补正的材料 / Name the papers missing",
                                         self.lang))
            return
        self._act("supplement", body.model_dump(exclude_none=True))

    def take_back(self, ticket_id: str) -> None:
        self._act("take-back", {"ticket": ticket_id})

    def undo_finish(self) -> None:
        self._act("undo-finish")

    def find(self, number: str) -> None:
        """Look today's ticket `number` up; the answer is a notice line, or for a number passed
        in this zone the offer to put it back (过号重排: `requeueOffered`)."""
        number = number.strip().upper()
        if not number:
            return

        def done(found: list[wire.TicketOut]) -> None:
            if found and requeue_offer(found[0], self.state) == "here":
                self._offer_requeue(found[0])  # a number passed in this zone: 过号重排?
            else:
                self._say(words.found_line(found, number, self.lang, self.services),
                          ALERT_SHOW_S, bound=False)

        self._submit(lambda: self.client.find_tickets(number), done)

    def confirm_priority(self, confirmed: bool) -> None:
        self._act("confirm-priority", {"confirmed": confirmed})

    def choose_delivery(self, method: str, recipient: str = "", address: str = "",
                        phone: str = "") -> None:
        """证照寄送: record how the current ticket's result reaches its holder (at the hall, or
        mailed to recipient and address). The answer comes as `deliveryChosen` or, with what
        to fix, `deliveryFailed`. What was typed is sent once and never kept or logged."""
        t, lang = self.current, self.lang
        if t is None or not self._delivery_open():
            self.deliveryFailed.emit(words.in_language(words.DELIVERY_NOT_NOW, lang))
            return
        body, problem = delivery_body(method, recipient, address, phone)
        if problem:
            self.deliveryFailed.emit(words.in_language(problem, lang))
            return
        ticket, number, code = t.id, t.number, self.code

        def work() -> wire.CounterState:
            self.client.request("POST", f"/tickets/{ticket}/delivery", json_body=body,
                                staff=True)
            return self.client.counter(code)

        def done(state: wire.CounterState) -> None:
            self._clear_line("error")
            self._apply_state(state)
            self.deliveryChosen.emit(method)
            self._say(words.delivery_recorded(number, method, lang))

        def failed(exc: BaseException) -> None:
            said = delivery_error(exc)
            if isinstance(exc, ApiError) and exc.status == 401:
                said = self._failure_words(exc)
            self.deliveryFailed.emit(words.in_language(said, lang))

        self._runner.submit(work, done, failed)

    # -- 证照寄送 at the pickup counter: the cases to mail, and handing one to the post ---------
    def mail_open(self) -> bool:
        """A pickup counter of a hall that mails some results keeps the list of cases to mail."""
        return bool(self.logged_in and self.mail_services and self.state is not None
                    and self.state.zone == "pickup")

    def list_to_mail(self) -> None:
        """The hall's approved cases waiting to be mailed, with their addresses, as
        `mailListed` (or `mailFailed`). The addresses are shown, never kept or logged."""
        if not self.mail_open():
            self.mailFailed.emit(words.in_language(words.MAIL_WORDS["not_pickup"], self.lang))
            return

        self._runner.submit(self._to_mail, self._mail_listed, self._mail_failed)

    def _mail_listed(self, rows: list[wj.DeliveryDetail]) -> None:
        self.to_mail = len(rows)
        self.mailListed.emit(rows)
        self.changed.emit()

    def count_to_mail(self) -> None:
        """How many cases wait to be mailed, for the pickup counter's button: asked once the
        counter is known and on the events that change it, as a count (the server unseals no
        address for it); the list itself only when the staff open it."""
        if self.mail_open():
            code = self.code

            def work() -> int:
                resp = self.client.request("GET", f"/counters/{code}/to-mail-count", staff=True)
                return wire.MailCount.model_validate(resp.json()).count

            def done(count: int) -> None:
                self.to_mail = count
                self.changed.emit()

            self._submit(work, done, quiet=True)

    def _to_mail(self) -> list[wj.DeliveryDetail]:
        resp = self.client.request("GET", "/deliveries/to-mail", staff=True)
        rows = [wj.DeliveryDetail.model_validate(d) for d in resp.json()]
        self.case_services.update({d.ticket: d.service for d in rows if d.service})
        return rows

    def case_service(self, ticket_id: str) -> str:
        """The service's name of a case to mail ("" when not known: an older server does not
        say it)."""
        code = self.case_services.get(ticket_id)
        return words.service_name(self.services.get(code), code, self.lang) if code else ""

    def dispatch(self, ticket_id: str, number: str, carrier: str, tracking: str) -> None:
        """Hand a case to the post (寄出): its tracking number is recorded and its address
        deleted; then `mailDispatched` and the list again."""
        carrier, tracking = carrier.strip(), tracking.strip().upper()
        problem = ("carrier" if not carrier else
                   "tracking" if not TRACKING.fullmatch(tracking) else "")
        if problem or not self.mail_open():
            self.mailFailed.emit(words.in_language(
                words.MAIL_WORDS[problem or "not_pickup"], self.lang))
            return

        def work() -> list[wj.DeliveryDetail]:
            self.client.request("POST", f"/tickets/{ticket_id}/dispatch", staff=True,
                                json_body={"carrier": carrier, "tracking": tracking})
            return self._to_mail()

        def done(left: list[wj.DeliveryDetail]) -> None:
            self._clear_line("error")
            said = words.mail_dispatched(number, carrier, tracking, self.lang)
            self._say(said)
            self._mail_listed(left)
            self.mailDispatched.emit(said)

        self._runner.submit(work, done, self._mail_failed)

    def _mail_failed(self, exc: BaseException) -> None:
        said = self._failure_words(exc)
        if isinstance(exc.__cause__, SENT_NO_ANSWER):
            said = words.in_language(words.UNKNOWN_OUTCOME, self.lang)
        if isinstance(exc, ApiError) and exc.code == "invalid_request":
            said = words.MAIL_WORDS["tracking"]
        self.mailFailed.emit(words.in_language(said, self.lang))

    # -- the staff member's own cases (全程盯办) and ratings, with the appeal (申诉) ------------
    def list_my_cases(self) -> None:
        """我的办件: the cases this member of staff took in, and where each is now, as
        `casesListed` (or `mineFailed`)."""
        self._mine(self.client.my_cases, self.casesListed.emit)

    def list_my_ratings(self) -> None:
        """我的评价: this member of staff's ratings of the last 90 days, as `ratingsListed`."""
        self._mine(self.client.my_ratings, self.ratingsListed.emit)

    def appeal(self, evaluation_id: int, number: str, reason: str) -> None:
        """申诉 against one of one's own ratings; then `appealFiled` and the ratings again."""
        reason = reason.strip()
        if len(reason) < APPEAL_MIN:
            self.mineFailed.emit(words.in_language(words.APPEAL_PROBLEMS["short"], self.lang))
            return

        def work() -> list[wire_console.RatingRow]:
            self.client.appeal(evaluation_id, reason[:APPEAL_MAX])
            return self.client.my_ratings()

        def done(rows: list[wire_console.RatingRow]) -> None:
            self.ratingsListed.emit(rows)
            self.appealFiled.emit(words.appeal_filed(number, self.lang))

        self._mine(work, done)

    def _mine(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        if not self.logged_in:
            self.mineFailed.emit(words.in_language(words.SESSION_EXPIRED, self.lang))
            return
        self._runner.submit(work, done, lambda exc: self.mineFailed.emit(
            words.in_language(self._failure_words(exc), self.lang)))

    def _failure_words(self, exc: BaseException) -> str:
        """A failed request in words; a staff session the server no longer knows (401) is
        logged out here and said as such, not as the server's "令牌无效或已过期"."""
        if isinstance(exc, ApiError) and exc.status == 401 and self.logged_in:
            self.client.logout()
            self.changed.emit()
            return words.SESSION_EXPIRED
        return describe(exc)

    def set_auto_call(self, seconds: int) -> None:
        self.auto_call_s = max(0, seconds)
        if not self.auto_call_s:
            self._stop_auto()

    def _act(self, action: str, body: dict[str, Any] | None = None,
             failed: Callable[[BaseException], bool] | None = None) -> None:
        """Run a counter action; `failed` may take an error in hand (answers True) before the
        usual words."""
        # 过号重排 without a call leaves the counter as it is: its last finish may still be
        # undone, and its auto-call goes on
        requeued_only = action == "requeue" and not (body or {}).get("call")
        if not requeued_only:
            self._stop_auto()
        if action not in ("pause", "resume") and not requeued_only:
            self._stop_undo()
        code = self.code
        # call-next names the ticket the pad shows: a call repeated after a timeout (the
        # server may still run the first) is refused rather than ending what the first called
        params = {"current": self.current.id if self.current else ""} if (
            action == "call-next") else None

        def work() -> tuple[wire.TicketOut | None, wire.CounterState]:
            answer = self.client.counter_action(code, action, body, params)
            return answer, self.client.counter(code)

        def done(result: tuple[wire.TicketOut | None, wire.CounterState]) -> None:
            self._acted(action, body, *result)

        self._submit(work, done, write=True, handled=failed)

    def _acted(self, action: str, body: dict[str, Any] | None, answer: wire.TicketOut | None,
               state: wire.CounterState) -> None:
        self._clear_line("error")  # it worked: an earlier error is no longer true
        self._apply_state(state)
        if action == "call-next" and answer is None:
            self._say(words.in_language("暂无等候的群众 / Nobody is waiting", self.lang))
        went = words.where_went(action, answer, self.lang, self.counters, self.services,
                                self.undo_outcome)
        if went:
            self._say(went)
        if action in ("finish", "supplement") and answer is not None:  # 补正 too: a mistake
            self.undo_outcome = str((body or {}).get("outcome", action))
            self.undo_number, self.undo_remaining = answer.number, self.undo_show_s
            self._undo.start()
            self.undoTick.emit(self.undo_remaining)
        if action in ("finish", "supplement") and self.auto_call_s and not self.paused:
            # never before the undo offer ends: a call then took the undo away (and called the
            # next citizen while the last one could still be taken back, or was still rating)
            self.auto_remaining = max(self.auto_call_s, self.undo_remaining)
            self._auto.start()
            self.autoCallTick.emit(self.auto_remaining)

    # -- refresh ----------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        if self.logged_in:
            self._submit(lambda: self.client.counter(self.code), self._apply_state)

    def _apply_state(self, state: wire.CounterState) -> None:
        previous = self.current.id if self.current else None
        self.state = state
        old = self.current
        self.current = self._view(state.current) if state.current else None
        if self.current and self.current.id == previous:
            self._keep_documents(old)
        elif self.current:
            self._docs, self.thumbnails = [], {}
            self._load_documents(self.current.id)
        now = self.current.id if self.current else None
        if self._line_bound and now != self._line_ticket:
            self._clear_line("notice")  # the notice was about the ticket before this one
        if self._link_error:
            self._clear_line("error")  # the server answered: it is reachable again
        if self.to_mail is None and self.mail_open():
            self.count_to_mail()  # the first state of a pickup counter: how many to mail
        if self._deadlines_stale and self._approval():
            self._deadlines_stale = False  # its first state (or the first since the link
            self.list_deadlines()  # came back): the cases due, alerted before or not
        self.changed.emit()

    def _load_documents(self, ticket_id: str) -> None:
        def work() -> tuple[list[wire.DocumentOut], dict[int, bytes]]:
            docs = self.client.documents(ticket_id)
            return docs, {d.id: self.client.document_bytes(d.id) for d in docs[:12]}

        def done(result: tuple[list[wire.DocumentOut], dict[int, bytes]]) -> None:
            if self.current and self.current.id == ticket_id:
                self._docs, self.thumbnails = result
                self.current.documents = self._docs
                # pages of another ticket are the bank branch's, listed with its forward
                self.current.branch_pages = sum(d.ticket != ticket_id for d in self._docs)
                self.changed.emit()

        self._submit(work, done, quiet=True)

    @Slot(object)
    def _on_event(self, event: wire.Event) -> None:
        if event.type in ("ticket.called", "ticket.recalled"):
            self._count_recall(event)
        if self._deadlines_touched(event):  # (before the alerts follow it: a case left)
            self._deadline_debounce.start()
        if self._follow_alerts(event):
            self.changed.emit()
        if not self.logged_in:
            return
        if event.type in wire.WAITING_EVENTS:
            self._debounce.start()
        if event.type in MAIL_EVENTS and self.mail_open():
            self._mail_debounce.start()
        st = self.state
        approval = st.services if st is not None and st.zone == "approval" else ()
        alert = case_alert_text(event, self.code, approval, self.hall_tz())
        fresh = (self.clock() - event.at).total_seconds() < ALERT_SHOW_S
        if alert and fresh:  # one replayed from earlier today is on the list, not the line
            self._say(words.in_language(alert, self.lang), ALERT_SHOW_S, bound=False)

    def _count_recall(self, event: wire.Event) -> None:
        """The current ticket's recalls, from the events (TicketOut does not carry them; the
        follower replays today's events at login, so the count survives a new login): a call
        starts at 0, each `ticket.recalled` says how many so far."""
        ticket = str(event.field("ticket", ""))
        recalls = int(event.field("recalls", 0) or 0) if event.type == "ticket.recalled" else 0
        self._recalls[ticket] = recalls
        if self.current is not None and self.current.id == ticket:
            self.current.recalls = recalls
            self.changed.emit()

    def _follow_alerts(self, event: wire.Event) -> bool:
        """Keep each case's last deadline alert until it leaves approval; answers whether the
        list changed. Kept for every approval case: the counter's services may be known only
        after the events of today replayed at login."""
        ticket = str(event.field("ticket", ""))
        if event.type == "case.alert":
            alert = alert_of(event)
            if alert is not None:
                self.alerts[alert.ticket] = alert
            return alert is not None
        if event.type in LEFT_STAGE and ticket in self.alerts and (
                event.field("zone") in (None, "approval")):
            del self.alerts[ticket]
            return True
        old = self.alerts.get(ticket)
        if old is not None and event.type == "ticket.called":  # its holder now
            self.alerts[ticket] = replace(old, counter=event.field("counter"))
            return True
        if old is not None and event.type == "ticket.deadline_changed":
            try:
                due = datetime.fromisoformat(str(event.field("deadline")))
            except ValueError:
                return False
            self.alerts[ticket] = replace(old, deadline=due)
            return True
        return False

    @Slot(bool)
    def _on_link(self, up: bool) -> None:
        """The event stream's link: offline is shown; back online, the state is fetched again."""
        was, self.online = self.online, up
        if up and not was:
            if self._link_error:
                self._clear_line("error")
            self._deadlines_stale = True  # what became due while away is listed again
            self.refresh()
        self.changed.emit()

    def _auto_tick(self) -> None:
        self.auto_remaining -= 1
        if self.auto_remaining <= 0 and self.undo_remaining > 0:
            self.auto_remaining = 1  # the undo offer's last second (its tick comes after)
        self.autoCallTick.emit(self.auto_remaining)
        if self.auto_remaining <= 0:
            self._stop_auto()
            if "call-next" in self.allowed():
                self.call_next()

    def _undo_tick(self) -> None:
        if self.undo_remaining <= 1:
            self._stop_undo()  # (it says so: the button went only with the next change)
        else:
            self.undo_remaining -= 1
            self.undoTick.emit(self.undo_remaining)

    def _stop_undo(self) -> None:
        self._undo.stop()
        if self.undo_remaining:
            self.undo_remaining = 0
            self.undoTick.emit(0)
            self.changed.emit()

    def _stop_auto(self) -> None:
        self._auto.stop()
        if self.auto_remaining:
            self.auto_remaining = 0
            self.autoCallTick.emit(0)

    # -- errors -----------------------------------------------------------------------------
    def _submit(self, work: Callable[[], Any], done: Callable[[Any], None],
                quiet: bool = False, write: bool = False,
                handled: Callable[[BaseException], bool] | None = None) -> None:
        """Run `work` off the GUI thread, then `done`; a failure is said in words (unless
        `quiet`). `write`: a change at the server, whose request may have reached it though
        no answer came back: that is said as an outcome not known yet, never as "cannot reach
        the server" (the call was then announced, unexpectedly, once the server caught up)."""
        def failed(exc: BaseException) -> None:
            if handled is not None and handled(exc):
                return
            said = self._failure_words(exc)
            link = isinstance(exc, ServerUnreachable)
            unsure = write and isinstance(exc.__cause__, SENT_NO_ANSWER)
            if unsure:
                said = words.in_language(words.UNKNOWN_OUTCOME, self.lang)
            # a refresh that fails as well does not hide that the last action may still run
            kept = link and not unsure and self._unsure and self.line_kind == "error"
            if not quiet and not kept:
                self._fail(said, link=link, unsure=unsure)
            if isinstance(exc, ApiError) and exc.status == 409 and self.logged_in:
                self._runner.submit(lambda: self.client.counter(self.code), self._apply_state,
                                    lambda _e: None)  # the counter changed: show it as it is

        self._runner.submit(work, done, failed)

    def _fail(self, message: str, link: bool = False, unsure: bool = False) -> None:
        message = words.in_language(message, self.lang)
        self._line_timer.stop()
        self.line_kind, self.last_error, self._link_error = "error", message, link
        self._unsure = unsure
        self._line_bound = False
        self.error.emit(message)
        self.changed.emit()
        if link and not self.logged_in:
            self.probe.start()  # the login page hears no event: it asks until the server is back

    # -- the status line --------------------------------------------------------------------
    def _say(self, text: str, seconds: int | None = None, bound: bool = True) -> None:
        """A notice on the status line for `seconds`; `bound`: it is about the counter's
        tickets, so it also goes when the current ticket changes."""
        self.line_kind, self.last_error, self._link_error = "notice", "", False
        self._unsure = False
        self._line_ticket = self.current.id if self.current else None
        self._line_bound = bound
        self._line_timer.start(int((seconds or self.notice_show_s) * 1000))
        self.notice.emit(text)

    def _clear_line(self, *kinds: str) -> None:
        """Blank the status line if it shows one of `kinds` ("notice", "error")."""
        if self.line_kind not in kinds:
            return
        if self.line_kind == "notice":
            self._line_timer.stop()
        self.line_kind, self.last_error, self._link_error = "", "", False
        self._unsure = False
        self._line_bound = False
        self.lineCleared.emit()
