"""The call display's view-model: what the board shows (the number being called and its counter,
the last few calls, waiting counts, online or not) and which calls it announces.

`Board` is the pure state, fed one event at a time. `BoardModel` follows the event stream with
`EventFollower` (resuming from the last id, so nothing is missed or said twice), keeps the waiting
counts fresh after events that change them, and emits `announce` for the voice.

Languages are the hall's (`languages`, in its order): a call keeps its sentence in each of them
(`texts`, from the event's `text`/`text_en`/`text_mn`), and the counters' other-language names
come from GET /hall, so a board shows the Mongolian call beside the Chinese one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.announce import DEFAULT_TEMPLATE, Announcement, from_event
from kiosk.client import EventFollower, QueueClient
from kiosk.counter_threads import HEARTBEAT_S, Heartbeat
from kiosk.staff_runner import Runner, guarded
from queue_server import wire

ZONE_NAMES = wire.ZONE_NAMES
# A call's ticket left its counter: the board no longer shows it as being called (a number
# missed or handed out minutes ago stood large on the board as "now calling", and citizens
# walked up to it)
TRANSFERRED = "_transferred"  # CounterState.waiting's count of tickets sent to that counter
TRANSFERRED_LABEL = "转窗口办理"  # a zone board's chip of them
ENDED = frozenset({"ticket.no_show", "ticket.finished", "ticket.transferred",
                   "ticket.forwarded", "ticket.held"})


@dataclass(frozen=True)
class Call:
    number: str
    counter: str
    counter_name: str
    zone: str
    at: datetime
    recall: bool = False
    masked_name: str | None = None
    texts: dict[str, str] = field(default_factory=dict)  # the call sentence per language


@dataclass
class Board:
    """A board for some zones (empty: the whole hall). `apply` answers whether the event
    changed what the board shows."""

    zones: tuple[str, ...] = ()
    keep: int = 6
    current: Call | None = None
    history: list[Call] = field(default_factory=list)
    waiting: list[tuple[str, int]] = field(default_factory=list)
    last_id: int = 0
    # the number each counter has called and not yet let go, of the calls this board shows
    calling: dict[str, str] = field(default_factory=dict)

    def still_called(self, number: str, counter: str) -> bool:
        """Whether `counter` still has `number` called (not served, passed, sent on or
        superseded): a call the voice has not said yet is said only then."""
        return self.calling.get(counter) == number

    def covers(self, zone: str) -> bool:
        return not self.zones or zone in self.zones

    def shows_call(self, zone: str) -> bool:
        """后台审批 is the back office: its staff take up cases without the citizen (前台综合受理、
        后台分类审批, 办事群众与审批部门不见面), so the hall's board neither shows nor says its calls
        ("请A001号到市监局审批岗1办理" sent citizens looking for a post they never meet); a board
        set up for the approval zone (the back office's own screen) does."""
        return zone in self.zones if self.zones else zone != "approval"

    def apply(self, event: wire.Event) -> bool:
        self.last_id = max(self.last_id, event.id)
        if event.type == "day.rolled":
            self.current, self.history = None, []
            self.calling.clear()
            return True
        if event.type in ENDED:
            counter = str(event.field("counter") or "")
            if self.calling.get(counter) == str(event.field("number") or ""):
                del self.calling[counter]
            return self._ended(event)
        if event.type not in ("ticket.called", "ticket.recalled"):
            return False
        zone = str(event.field("zone") or "")
        if zone and not self.shows_call(zone):
            return False
        if event.field("in_person") is False:  # a bank branch's application: nobody to call
            return False
        counter = str(event.field("counter") or "")
        self.calling[counter] = str(event.field("number") or "")
        call = Call(str(event.field("number") or ""), counter,
                    str(event.field("counter_name") or counter), zone, event.at,
                    recall=event.type == "ticket.recalled",
                    masked_name=event.field("masked_name"), texts=_texts(event))
        if self.current is not None and not (call.recall and call.number == self.current.number):
            # a line a counter: its latest call (one busy counter filled the six lines, and the
            # other counters' numbers left the board while their holders were on the way)
            self.history = [c for c in [self.current, *self.history]
                            if c.number != call.number and c.counter != call.counter][: self.keep]
        else:
            self.history = [c for c in self.history if c.counter != call.counter]
        self.current = call
        return True

    def _ended(self, event: wire.Event) -> bool:
        """The current call's ticket left its counter: into the recent calls."""
        now = self.current
        if now is None or str(event.field("number") or "") != now.number or str(
                event.field("counter") or now.counter) != now.counter:
            return False
        self.history = [now, *[c for c in self.history if c.number != now.number]][: self.keep]
        self.current = None
        return True

    def set_waiting(self, counters: Iterable[wire.CounterState],
                    service_names: dict[str, str]) -> None:
        """Whole hall: people waiting per zone (not the back office's approval queue: nobody
        waits for it in the hall). One or more zones: per service in those zones. Counters of
        one zone serving one service see the same people, so take the largest; the tickets
        sent to one counter (the server's `_transferred`) are that counter's own, so add them
        (a zone board showed the key itself, "_transferred 1 人"). A bank branch's
        applications taken up from the papers (`waiting_away`) are nobody waiting here."""
        per: dict[tuple[str, str], int] = {}
        for c in counters:
            if not self.shows_call(c.zone):
                continue
            for svc, n in c.waiting.items():
                n -= c.waiting_away.get(svc, 0)  # a bank branch's application: nobody here
                if svc == TRANSFERRED:
                    per[(c.zone, svc)] = per.get((c.zone, svc), 0) + n
                else:
                    per[(c.zone, svc)] = max(per.get((c.zone, svc), 0), n)
        # in the configured order (zones along the route, services as the hall lists them),
        # never by count: a chip that jumps whenever someone takes a number cannot be read
        zones, services = list(ZONE_NAMES), list(service_names)
        rows: dict[str, int] = {}
        for (zone, svc), n in sorted(per.items(), key=lambda kv: (
                _index(zones, kv[0][0]), _index(services, kv[0][1]), kv[0])):
            label = ZONE_NAMES.get(zone, (zone, zone))[0] if not self.zones else \
                TRANSFERRED_LABEL if svc == TRANSFERRED else service_names.get(svc, svc)
            rows[label] = rows.get(label, 0) + n
        self.waiting = list(rows.items())


def _index(order: list[str], key: str) -> int:
    return order.index(key) if key in order else len(order)


def _texts(event: wire.Event) -> dict[str, str]:
    out = {}
    for lang in wire.LANGUAGES:
        text = event.field("text" if lang == "zh" else f"text_{lang}")
        if text:
            out[lang] = str(text)
    return out


class BoardModel(QObject):
    """Binds a `Board` to a server. Signals are delivered on the GUI thread."""

    changed = Signal()
    onlineChanged = Signal(bool)
    announce = Signal(object)  # Announcement
    _incoming = Signal(object)
    _link = Signal(bool)
    _refused = Signal(bool)

    def __init__(self, client: QueueClient, zones: Iterable[str] = (), *, keep: int = 6,
                 stale_after_s: float = 120.0, history_grace_s: float = 3.0,
                 clock: Callable[[], datetime] | None = None,
                 heartbeat_s: float = HEARTBEAT_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        # The board's heartbeat, as a kiosk's and a counter pad's: the console sees when it was
        # last heard, and a board silent while the hall is open is recorded offline (its
        # event stream alone tells the server nothing of it)
        self.heartbeat = Heartbeat(lambda: client.heartbeat({}, {}), heartbeat_s,
                                   "display-heartbeat")
        self.board = Board(tuple(zones), keep)
        self.template = DEFAULT_TEMPLATE
        self.hall_name = ""
        self.hall: wire.HallOut | None = None
        self.languages: list[str] = ["zh"]  # the hall's, in its order
        self.timezone = "Asia/Shanghai"
        self.online = False
        self.refused = False  # the server refuses this board's token (revoked): not the network
        self.stale_after_s = stale_after_s
        self.history_grace_s = history_grace_s
        self.started_at: datetime | None = None
        self.clock = clock or (lambda: datetime.now(UTC))
        self._names: dict[str, str] = {}
        self._runner = Runner(self)
        self._follower: EventFollower | None = None
        self._closed = False
        self._refresh = QTimer(self, singleShot=True, interval=250)
        self._refresh.timeout.connect(self.refresh_waiting)
        self._incoming.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._link.connect(self._on_link, Qt.ConnectionType.QueuedConnection)
        self._refused.connect(self._on_refused, Qt.ConnectionType.QueuedConnection)

    def start(self, after: int | None = None) -> None:
        """Follow from event `after`. Calls made before the board started are shown but not
        spoken (a restarted board must not repeat what the hall already heard)."""
        self.started_at = self.clock()
        self._load_hall()
        self._follower = EventFollower(self.client, guarded(self._incoming.emit, self._alive),
                                       guarded(self._link.emit, self._alive),
                                       after=after, retry_s=1.0,
                                       on_refused=guarded(self._refused.emit, self._alive))
        self._follower.start()
        self.heartbeat.start()

    def _alive(self) -> bool:
        return not self._closed

    def stop(self) -> None:
        self._closed = True
        self._refresh.stop()
        self.heartbeat.stop()
        if self._follower is not None:
            self._follower.stop(0.2)
        self._runner.shutdown()

    def _counter(self, code: str) -> wire.CounterInfo | None:
        """The hall's counter `code` (None when the hall is not known or has none)."""
        return next((c for c in (self.hall.counters if self.hall else []) if c.code == code),
                    None)

    def counter_name(self, code: str, lang: str) -> str:
        """A counter's name in `lang` (its Chinese name when the hall gives none)."""
        c = self._counter(code)
        if c is None:
            return code
        return (c.name_mn if lang == "mn" else c.name_en if lang == "en" else None) or c.name

    def mongolian_counter_name(self, code: str) -> str:
        """A counter's Mongolian name from the hall (`name_mn`), "" where it gives none."""
        c = self._counter(code)
        return (c.name_mn or "") if c is not None else ""

    @property
    def last_id(self) -> int:
        return self._follower.last_id if self._follower else self.board.last_id

    def _load_hall(self) -> None:
        def fetch() -> tuple[wire.HallOut, dict[str, str]]:
            hall = self.client.hall()
            return hall, {s.code: s.name for s in self.client.services()}

        def done(result: tuple[wire.HallOut, dict[str, str]]) -> None:
            hall, self._names = result
            self.template, self.hall_name, self.timezone = hall.announce, hall.name, hall.timezone
            self.hall, self.languages = hall, list(hall.languages)
            self.refresh_waiting()
            self.changed.emit()

        self._runner.submit(fetch, done, lambda _exc: None)

    @Slot()
    def refresh_waiting(self) -> None:
        def done(counters: list[wire.CounterState]) -> None:
            self.board.set_waiting(counters, self._names)
            self.changed.emit()

        self._runner.submit(self.client.counters, done, lambda _exc: None)

    @Slot(object)
    def _on_event(self, event: wire.Event) -> None:
        if self.board.apply(event):
            self.changed.emit()
            zone = str(event.field("zone") or "")
            item: Announcement | None = None
            if self._live(event) and (not zone or self.board.shows_call(zone)):
                item = from_event(event, self.template, now=self.clock(),
                                  stale_after_s=self.stale_after_s)
            if item is not None:
                self.announce.emit(item)
        if event.type in wire.WAITING_EVENTS:
            self._refresh.start()

    def _live(self, event: wire.Event) -> bool:
        if self.started_at is None:
            return True
        return (self.started_at - event.at).total_seconds() <= self.history_grace_s

    @Slot(bool)
    def _on_refused(self, refused: bool) -> None:
        self.refused = refused
        self.changed.emit()

    @Slot(bool)
    def _on_link(self, up: bool) -> None:
        self.online = up
        if up:
            if not self.hall_name:
                self._load_hall()
            self._refresh.start()
        self.onlineChanged.emit(up)
        self.changed.emit()
