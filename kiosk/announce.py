"""Call announcements: what the hall says when a number is called, and the queue that says it.

Owns the wording (the hall's `announce` template, ticket numbers read the way people say them),
the choice of which events are announced, and `AnnouncementQueue`, one worker thread that renders
and plays announcements strictly one after another (a chime first, the text repeated), so two
never overlap. The speech engine and the player are Protocols: `ui.voice` provides espeak-ng and
the system players; tests plug in their own.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from queue_server import wire

log = logging.getLogger(__name__)

DIGITS = "零一二三四五六七八九"
DEFAULT_TEMPLATE = "请{number}号到{counter}办理"
ANNOUNCED_TYPES = ("ticket.called", "ticket.recalled")


def spoken_number(number: str) -> str:
    """'A012' -> 'A零一二': letters stay letters, each digit is read on its own, as halls do."""
    return "".join(DIGITS[int(ch)] if ch.isascii() and ch.isdigit() else ch for ch in number)


def announcement_text(template: str, number: str, counter_name: str) -> str:
    """Fill the hall's template; a template with unknown placeholders falls back to the default
    (a typo in the hall file must not silence the hall)."""
    values = {"number": spoken_number(number), "counter": counter_name}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_TEMPLATE.format(**values)


@dataclass(frozen=True)
class Announcement:
    event_id: int
    number: str
    counter: str
    counter_name: str
    text: str
    recall: bool = False


def from_event(event: wire.Event, template: str, *, now: datetime | None = None,
               stale_after_s: float = 120.0) -> Announcement | None:
    """The announcement an event asks for, or None. Calls older than `stale_after_s` (replayed
    after a long outage or at start) are shown on the board but not spoken."""
    if event.type not in ANNOUNCED_TYPES:
        return None
    number = str(event.field("number") or "")
    if not number:
        return None
    now = now or datetime.now(UTC)
    if (now - event.at).total_seconds() > stale_after_s:
        return None
    counter = str(event.field("counter") or "")
    counter_name = str(event.field("counter_name") or counter)
    return Announcement(event.id, number, counter, counter_name,
                        announcement_text(template, number, counter_name),
                        recall=event.type == "ticket.recalled")


def wav_seconds(path: Path) -> float:
    """Length of a PCM WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


class CallEngine(Protocol):
    """An engine that says a whole call from its parts (voice packs: clips in the hall's
    languages), instead of reading one sentence."""

    def render_call(self, item: Announcement, out: Path) -> None: ...


class SpeechEngine(Protocol):
    def render(self, text: str, out: Path) -> None:
        """Write `text` spoken as a WAV file at `out`."""


class Player(Protocol):
    def play(self, wav: Path) -> None:
        """Play a WAV file and return when it has finished."""


@dataclass
class Played:
    """One sound the queue played, with when it started and ended (monotonic seconds)."""

    event_id: int
    kind: str  # "chime" | "speech"
    path: Path
    start: float
    end: float


@dataclass
class _Work:
    item: Announcement | None
    stop: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class AnnouncementQueue:
    """Plays announcements one at a time in arrival order: chime, then the text `repeat` times.
    A recall is a new announcement (it is said again); an event id already said is skipped.
    While other calls wait, a call is said once: at a busy moment each call repeated took
    13 s and the voice fell ever further behind the board. `is_due` (the board's word) says
    whether a call is still to be said when its turn comes: one whose ticket meanwhile left
    its counter (served, passed, put aside, or the counter called another) is skipped; in a
    burst of ten calls the voice was a minute behind, calling numbers already gone."""

    def __init__(self, engine: SpeechEngine, player: Player, cache_dir: Path, *,
                 chime: Path | None = None, repeat: int = 2, gap_s: float = 0.3,
                 on_spoken: Callable[[Announcement], None] | None = None,
                 is_due: Callable[[Announcement], bool] | None = None) -> None:
        self.is_due = is_due or (lambda _a: True)
        self.skipped: list[Announcement] = []
        self.engine, self.player = engine, player
        self.cache_dir = cache_dir
        self.chime, self.repeat, self.gap_s = chime, repeat, gap_s
        self.on_spoken = on_spoken or (lambda _a: None)
        self.played: list[Played] = []
        self._seen: set[int] = set()
        self._rendered: dict[str, Path] = {}  # insertion order = least recently used first
        self._made = 0
        self.keep_rendered = 16
        self._queue: queue.Queue[_Work] = queue.Queue()
        self._waiting = 0  # announcements queued and not yet begun
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._started = False

    def start(self) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if not self._started:
            self._started = True
            self._thread.start()

    def put(self, item: Announcement) -> bool:
        """Queue an announcement; False when that event was already announced."""
        if item.event_id in self._seen:
            return False
        self._seen.add(item.event_id)
        self._waiting += 1
        self._queue.put(_Work(item))
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Block until everything queued so far has been played."""
        marker = _Work(None)
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        if self._started and self._thread.is_alive():
            self._queue.put(_Work(None, stop=True))
            self._thread.join(timeout)

    def render(self, text: str, item: Announcement | None = None) -> Path:
        """The WAV of `text` (of `item`, by an engine that says calls from their parts). The
        last few are kept for recalls; older files are deleted, since every number is a new
        phrase and a busy day would otherwise fill the disk."""
        whole: CallEngine | None = getattr(self.engine, "render_call", None) and \
            self.engine  # type: ignore[assignment]
        if whole is not None and item is not None:
            text = f"{item.number}|{item.counter}|{item.counter_name}|{item.recall}"
        path = self._rendered.pop(text, None)
        if path is None or not path.exists():
            self._made += 1
            path = self.cache_dir / f"say-{self._made:06d}.wav"
            if whole is not None and item is not None:
                whole.render_call(item, path)
            else:
                self.engine.render(text, path)
        self._rendered[text] = path  # most recent last
        while len(self._rendered) > self.keep_rendered:
            old = self._rendered.pop(next(iter(self._rendered)))
            old.unlink(missing_ok=True)
        return path

    def _play(self, event_id: int, kind: str, path: Path) -> None:
        start = time.monotonic()
        self.player.play(path)
        self.played.append(Played(event_id, kind, path, start, time.monotonic()))

    def _run(self) -> None:
        while True:
            work = self._queue.get()
            if work.item is None:
                work.done.set()
                if work.stop:
                    return
                continue
            self._waiting -= 1
            if not self.is_due(work.item):  # its ticket left the counter while it waited
                self.skipped.append(work.item)
                work.done.set()
                continue
            try:
                self._say(work.item)
            except Exception:  # a broken engine must not kill the board's voice for the day
                log.exception("announcement %s failed", work.item.number)
            work.done.set()

    def _say(self, item: Announcement) -> None:
        speech = self.render(item.text, item)
        if self.chime is not None:
            self._play(item.event_id, "chime", self.chime)
        for i in range(self.repeat):
            if i:
                if self._waiting > 0 or not self.is_due(item):  # said; the next is due
                    break
                time.sleep(self.gap_s)
            self._play(item.event_id, "speech", speech)
        self.on_spoken(item)
