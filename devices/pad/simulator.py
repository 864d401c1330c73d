"""An evaluation pad simulated from the pad's side: a rating every `every` seconds (levels in
turn, reasons with the low ones), a heartbeat every second, ACKs for the host's commands, and
retransmission of a rating until the host ACKs it; or held (`every=0`): a rating only when a
key is pressed (`press`). Knobs: slow, garble, split, unplug. `controls()` offers the same
methods to a control socket (`devices.simctl`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from devices.pad.protocol import (
    REASON_CODES,
    AckResult,
    FrameType,
    PadFrame,
    PadParser,
    PadProtocolError,
    Rating,
    ack_frame,
    heartbeat_frame,
    parse_show,
    rating_frame,
)
from devices.simctl import ControlError, Controls, number, words
from devices.simlink import Emission

PAD_FORM = "sim://pad?every=3&levels=5,4,3,2,1&slow=S&garble=P&split=1&control=SOCKET"
LOW_REASONS = {1: ("attitude", "slow"), 2: ("wait",)}
RETRY_AFTER = 0.5
RETRIES = 3


@dataclass
class PadSimulator:
    every: float = 3.0
    levels: tuple[int, ...] = (5, 4, 5, 3, 2, 5, 1)
    heartbeat: float = 1.0
    slow: float = 0.0
    garble: float = 0.0
    split: bool = False
    unplugged: bool = False
    ignore_acks: int = 0  # knob: lose this many of the host's ACKs (the pad retransmits)
    shown: list[str] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    _parser: PadParser = field(default_factory=PadParser)
    _queue: list[Rating] = field(default_factory=list)
    _pending: tuple[int, bytes, float, int] | None = None  # seq, frame, sent at, tries
    _start: float | None = None
    _turn: int = 0
    _seq: int = 0
    _next_beat: float = 0.0
    _rng: random.Random = field(default_factory=lambda: random.Random(3))

    def press(self, level: int, reasons: tuple[str, ...] = ()) -> None:
        """A citizen presses a key: this rating goes out at the next tick."""
        if not 1 <= level <= 5 or not set(reasons) <= set(REASON_CODES):
            raise ControlError(f"a rating is a level 1..5 and reasons among {', '.join(REASON_CODES)}")
        self._queue.append(Rating(level, reasons))

    def auto(self, every: float) -> None:
        """A rating every `every` s from now (levels in turn); 0: only when a key is pressed."""
        self.every, self._start, self._turn = every, None, 0

    def state(self) -> dict[str, object]:
        return {"every": self.every, "shown": self.shown[-1] if self.shown else None,
                "waiting": len(self._queue) + (self._pending is not None), "unplugged": self.unplugged}

    def controls(self) -> Controls:
        """The methods above as control-socket commands (`devices.simctl`)."""
        def press(rest: str) -> object:
            args = words(rest, 1, 7, "press LEVEL [REASON...]")
            level = int(number(args[0], "press LEVEL (1..5)", 1, 5))
            self.press(level, tuple(args[1:]) or LOW_REASONS.get(level, ()))  # 1-2 need a reason
            return self.state()

        def auto(rest: str) -> object:
            (every,) = words(rest, 1, 1, "auto SECONDS (0: off)")
            self.auto(number(every, "auto SECONDS (0: off)", 0, 3600))
            return self.state()

        def plug(rest: str) -> object:
            (value,) = words(rest, 1, 1, "plug in|out")
            if value not in ("in", "out"):
                raise ControlError("expected in or out")
            self.unplugged = value == "out"
            return self.state()

        return {
            "press": (press, f"LEVEL [REASON...]: a citizen presses 1..5 (reasons: {' '.join(REASON_CODES)})"),
            "auto": (auto, "SECONDS: a rating every SECONDS, levels in turn; 0: only on press"),
            "state": (lambda rest: self.state(), "the rating page shown, ratings not yet acknowledged"),
            "plug": (plug, "in|out: the pad sends and answers nothing while out"),
        }

    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) % 256
        return self._seq

    def _out(self, frame: bytes, now: float) -> Emission:
        if self.garble and self._rng.random() < self.garble:
            spoiled = bytearray(frame)
            spoiled[self._rng.randrange(2, len(spoiled))] ^= 0x3C
            frame = bytes(spoiled)
        return (now + self.slow, frame)

    def exchange(self, data: bytes, now: float) -> list[Emission]:
        out: list[Emission] = []
        for frame in self._parser.feed(data):
            if frame.type == FrameType.ACK:
                if self.ignore_acks > 0:
                    self.ignore_acks -= 1
                    continue
                if self._pending and frame.seq == self._pending[0] and frame.payload[:1] == bytes([FrameType.RATING]):
                    self.acked.append(frame.seq)
                    self._pending = None
                continue
            out.append(self._out(ack_frame(frame, self._answer(frame)), now))
        return out

    def _answer(self, frame: PadFrame) -> AckResult:
        if frame.type == FrameType.PING:
            return AckResult.OK
        if frame.type != FrameType.SHOW_RATING:
            return AckResult.UNKNOWN_TYPE
        try:
            self.shown.append(parse_show(frame.payload))
        except PadProtocolError:
            return AckResult.BAD_PAYLOAD
        return AckResult.OK

    def tick(self, now: float) -> list[Emission]:
        if self._start is None:
            self._start, self._next_beat = now, now
        out: list[Emission] = []
        if now >= self._next_beat:
            out.append(self._out(heartbeat_frame(self._next_seq(), 1 if self.shown else 0), now))
            self._next_beat = now + self.heartbeat
        if self.every > 0 and now >= self._start + self.every * (self._turn + 1):
            level = self.levels[self._turn % len(self.levels)]
            self._turn += 1
            self.press(level, LOW_REASONS.get(level, ()))
        if self._pending is None and self._queue:
            seq = self._next_seq()
            self._pending = (seq, rating_frame(self._queue.pop(0), seq), now, 1)
            out.append(self._out(self._pending[1], now))
        elif self._pending is not None and now - self._pending[2] >= RETRY_AFTER:
            seq, frame, _, tries = self._pending
            self._pending = (seq, frame, now, tries + 1) if tries < RETRIES else None
            if tries < RETRIES:
                out.append(self._out(frame, now))
        return out


def pad_simulator_from_options(options: dict[str, str], raw: str = "sim://pad") -> PadSimulator:
    from devices.errors import BadAddress
    from devices.transport import DeviceUrl, check_options, number_option

    url = DeviceUrl(raw, "sim", "pad", "", options)
    check_options(url, {"every": "seconds between ratings (0 = none)", "levels": "e.g. 5,4,1",
                        "slow": "answer delay in seconds", "garble": "share of garbled frames 0..1",
                        "split": "1 = frames in small pieces", "control": "control socket path"},
                  PAD_FORM)
    try:
        levels = tuple(int(x) for x in options.get("levels", "5,4,5,3,2,5,1").split(","))
    except ValueError as exc:
        raise BadAddress(f"levels must be numbers 1..5 in {raw!r}; expected {PAD_FORM}") from exc
    if not levels or not all(1 <= x <= 5 for x in levels) or options.get("split", "0") not in ("0", "1"):
        raise BadAddress(f"levels must be 1..5 and split 0 or 1 in {raw!r}; expected {PAD_FORM}")
    return PadSimulator(every=number_option(url, "every", 3.0, PAD_FORM), levels=levels,
                        slow=number_option(url, "slow", 0.0, PAD_FORM, 0, 60),
                        garble=number_option(url, "garble", 0.0, PAD_FORM, 0, 1),
                        split=options.get("split") == "1")
