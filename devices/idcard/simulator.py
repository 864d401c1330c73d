"""An ID card reader simulated from the reader's side: it parses host frames and answers with
the bytes a SAM_V reader sends (a spoilt frame gets SW3 10 or 11, an unknown command 21, the
frame-size command 61 FF 90). Cards from a JSON file are presented in turn (each `dwell` seconds
on the antenna, then `gap` seconds of none), or held: nothing is on the antenna until `present`
puts a card there and `remove` takes it away. Fault knobs: garbled frame, split frames, slow
answer, unplug, SAM fault. The fingerprint command is refused like an unknown command.
`controls()` offers the same methods to a control socket (`devices.simctl`)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from devices.errors import BadAddress
from devices.idcard.card import LONG_TERM, IdCard, encode_text
from devices.idcard.protocol import (
    Answer,
    FrameParser,
    ReadPayload,
    Status,
    encode_answer,
    encode_sam_id,
    join_read,
    parse_request,
)
from devices.simctl import ControlError, Controls, Handler, number, words
from devices.simlink import Emission

SAM_ID = "05.01-20101129-0001228293-0296863149"
SIM_FORM = ("sim://idcard?cards=FILE&dwell=3&gap=1&card=N&hold=1&slow=S&garble=P&split=1&sam=fault"
            "&control=SOCKET")


@dataclass(frozen=True)
class SimCard:
    card: IdCard
    appended_address: str | None = None


def load_cards(path: str | Path | None = None) -> list[SimCard]:
    """Cards from a JSON file (`{"cards": [...]}`), or the sample file shipped with us."""
    try:
        if path is None:
            text = resources.files("devices.idcard").joinpath("sample_cards.json").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        items = json.loads(text)["cards"]
        return [_sim_card(item) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadAddress(f"cannot load cards from {path}: {exc}; expected a JSON file "
                         '{"cards": [{"type", "name", "sex", ...}]}') from exc


def _sim_card(item: dict[str, object]) -> SimCard:
    def day(key: str) -> date:
        return date.fromisoformat(str(item[key]))

    card = IdCard(
        type=str(item["type"]), name=str(item["name"]), sex=str(item["sex"]),
        ethnicity=str(item.get("ethnicity", "")), birth_date=day("birth_date"),
        address=str(item.get("address", "")), number=str(item["number"]),
        authority=str(item.get("authority", "")), valid_from=day("valid_from"),
        valid_to=None if item["valid_to"] == LONG_TERM else day("valid_to"),
        extra={str(k): str(v) for k, v in dict(item.get("extra") or {}).items()},  # type: ignore[call-overload]
    )
    encode_text(card)  # refuse a card that does not fit its text block now, not at read time
    appended = item.get("appended_address")
    return SimCard(card, str(appended) if appended else None)


def fake_photo(card: IdCard) -> bytes:
    """1024 bytes standing in for the WLT photo (not an image: only vendor code decodes WLT)."""
    seed = hashlib.sha256(card.number.encode()).digest()
    return (b"WLTSIM" + seed * 33)[:1024]


@dataclass
class IdCardSimulator:
    """The reader's side. `exchange` answers host bytes; time decides which card is present."""

    cards: list[SimCard]
    dwell: float = 3.0
    gap: float = 1.0
    slow: float = 0.0
    garble: float = 0.0
    split: bool = False
    sam_fault: bool = False
    unplugged: bool = False
    start: float | None = None
    manual: SimCard | None = None
    seed: int = 1
    _parser: FrameParser = field(default_factory=FrameParser)
    _selected: object = None
    _rng: random.Random = field(default_factory=random.Random)
    requests: deque[tuple[int, int]] = field(default_factory=lambda: deque(maxlen=1000))

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    # -- who is on the antenna (the control interface) -------------------------------------
    def present(self, card: SimCard | int | str | None) -> None:
        """Put a card (a SimCard, its index, or a part of its name) on the antenna until
        `remove()`; turns the time schedule off."""
        self.dwell = 0.0
        self.manual = self.cards[self.card_index(card)] if isinstance(card, int | str) else card
        self._selected = None

    def remove(self) -> None:
        """Take the card away; nothing is on the antenna until the next `present` or `cycle`."""
        self.present(None)

    def cycle(self, dwell: float = 3.0, gap: float = 1.0) -> None:
        """Present the cards in turn again: each `dwell` s on the antenna, then `gap` s of none."""
        if dwell <= 0 or gap < 0:
            raise ControlError("cycle needs dwell > 0 and gap >= 0 seconds")
        self.manual, self.dwell, self.gap, self.start, self._selected = None, dwell, gap, None, None

    def card_index(self, card: int | str) -> int:
        """The index of a card given by index (`2`) or by a part of its name (`阿依古丽`)."""
        text = str(card).strip()
        if text.lstrip("-").isdigit():
            index = int(text)
            if not 0 <= index < len(self.cards):
                raise ControlError(f"no card {index}: the reader has cards 0..{len(self.cards) - 1}")
            return index
        found = [i for i, sim in enumerate(self.cards) if text and text in sim.card.name]
        if len(found) != 1:
            raise ControlError(f"{len(found)} cards match {text!r}; give an index 0..{len(self.cards) - 1}")
        return found[0]

    def state(self, now: float | None = None) -> dict[str, object]:
        """What a console shows: the mode, the card on the antenna (index), faults."""
        on = self.current(time.monotonic() if now is None else now)
        index = next((i for i, c in enumerate(self.cards) if on and c is on[1]), None)
        return {"mode": "cycle" if self.manual is None and self.dwell > 0 else "hold",
                "card": index, "sam": "fault" if self.sam_fault else "ok", "unplugged": self.unplugged}

    def card_list(self) -> list[dict[str, object]]:
        """The cards this reader can present (sample people: masked numbers all the same)."""
        return [{"index": i, "type": sim.card.type, "name": sim.card.name,
                 "number": sim.card.masked_number()} for i, sim in enumerate(self.cards)]

    def controls(self) -> Controls:
        """The methods above as control-socket commands (`devices.simctl`)."""
        def present(rest: str) -> object:
            if not rest:
                raise ControlError("expected present N|NAME (see cards)")
            self.present(rest)
            return self.state()

        def remove(rest: str) -> object:
            self.remove()
            return self.state()

        def cycle(rest: str) -> object:
            args = words(rest, 0, 2, "cycle [DWELL [GAP]] (seconds)")
            self.cycle(*(number(a, "cycle [DWELL [GAP]]") for a in args))
            return self.state()

        def switch(name: str, off: str, on: str) -> Handler:
            def set_switch(rest: str) -> object:
                (value,) = words(rest, 1, 1, f"{off}|{on}")
                if value not in (off, on):
                    raise ControlError(f"expected {off} or {on}")
                setattr(self, name, value == on)
                return self.state()
            return set_switch

        return {
            "present": (present, "N|NAME: put card N (see cards) on the reader until remove"),
            "remove": (remove, "take the card away; nothing on the reader until present or cycle"),
            "cycle": (cycle, "[DWELL [GAP]]: present the cards in turn again (default 3 s, 1 s)"),
            "cards": (lambda rest: self.card_list(), "the cards this reader can present"),
            "state": (lambda rest: self.state(), "mode (cycle|hold), the card on the reader, faults"),
            "sam": (switch("sam_fault", "ok", "fault"), "ok|fault: the SAM fails its self-test"),
            "plug": (switch("unplugged", "in", "out"), "in|out: the reader answers nothing while out"),
        }

    def current(self, now: float) -> tuple[object, SimCard] | None:
        """(presence token, card) on the antenna now; the token changes when a card is replaced."""
        if self.manual is not None:
            return (id(self.manual), self.manual)
        if self.dwell <= 0 or not self.cards:
            return None
        if self.start is None:
            self.start = now
        period = self.dwell + self.gap
        turn, into = divmod(now - self.start, period)
        if into >= self.dwell:
            return None
        return (int(turn), self.cards[int(turn) % len(self.cards)])

    # -- bytes ----------------------------------------------------------------------------
    def exchange(self, data: bytes, now: float) -> list[Emission]:
        out: list[Emission] = []
        for event in self._parser.events(data):
            if isinstance(event, str):  # our frame was spoilt on the way: the reader says so
                answer = Answer(0, 0, Status.BAD_LENGTH if event == "length" else Status.BAD_CHECKSUM, b"")
            elif len(event) < 2:
                answer = Answer(0, 0, Status.BAD_LENGTH, b"")
            else:
                request = parse_request(event)
                self.requests.append((request.cmd, request.para))
                answer = self.answer(request.cmd, request.para, now, request.data)
            frame = encode_answer(answer)
            if self.garble and self._rng.random() < self.garble:
                frame = self._garbled(frame)
            out.append((now + self.slow, frame))
        return out

    def tick(self, now: float) -> list[Emission]:
        return []

    def _garbled(self, frame: bytes) -> bytes:
        spoiled = bytearray(frame)
        spoiled[self._rng.randrange(7, len(spoiled))] ^= 0x5A
        return bytes(spoiled)

    def answer(self, cmd: int, para: int, now: float, data: bytes = b"") -> Answer:
        """The reader's answer to one command."""
        if cmd in (0x10, 0x11, 0x12) and para == 0xFF:
            if self.sam_fault:
                return Answer(0, 0, Status.SAM_SELF_TEST_FAILED, b"")
            sam_id = encode_sam_id(SAM_ID) if cmd == 0x12 else b""
            return Answer(0, 0, Status.SUCCESS, sam_id)
        if cmd == 0x60 and para <= 4:
            return Answer(0, 0, Status.SUCCESS, b"")
        if (cmd, para) == (0x61, 0xFF) and len(data) == 1 and data[0]:  # frame size, e.g. 50
            return Answer(0, 0, Status.SUCCESS, b"")
        if cmd not in (0x20, 0x30) or (cmd, para) not in ((0x20, 1), (0x20, 2), (0x30, 1), (0x30, 3)):
            return Answer(0, 0, Status.BAD_COMMAND, b"")  # includes 30 10: no fingerprints here
        if self.sam_fault:
            return Answer(0, 0, Status.SAM_SELF_TEST_FAILED, b"")
        on = self.current(now)
        if on is None:
            self._selected = None
            return Answer(0, 0, {1: Status.NO_CARD, 2: Status.SELECT_FAILED}.get(para, Status.READ_FAILED), b"")
        token, sim = on
        if (cmd, para) == (0x20, 1):
            return Answer(0, 0, Status.CARD_FOUND, bytes(4))
        if (cmd, para) == (0x20, 2):
            self._selected = token
            return Answer(0, 0, Status.SUCCESS, bytes(8))
        if self._selected != token:
            return Answer(0, 0, Status.READ_FAILED, b"")
        if para == 1:
            return Answer(0, 0, Status.SUCCESS, join_read(ReadPayload(encode_text(sim.card), fake_photo(sim.card))))
        if sim.appended_address is None:
            return Answer(0, 0, Status.NO_ITEM, b"")
        return Answer(0, 0, Status.SUCCESS, sim.appended_address.encode("utf-16-le"))


def simulator_from_options(options: dict[str, str], form: str = SIM_FORM) -> IdCardSimulator:
    """Build a simulator from URL/command-line options (all strings)."""
    from devices.transport import DeviceUrl, check_options, number_option

    url = DeviceUrl("sim://idcard?" + "&".join(f"{k}={v}" for k, v in options.items()),
                    "sim", "idcard", "", options)
    check_options(url, {"cards": "JSON file", "dwell": "seconds on the antenna",
                        "gap": "seconds between cards", "card": "present only card N (0-based)",
                        "slow": "answer delay in seconds", "garble": "share of garbled answers 0..1",
                        "split": "1 = answers in small pieces", "sam": "ok or fault",
                        "hold": "1 = no card until told (present/remove)",
                        "control": "control socket path"}, form)
    cards = load_cards(options.get("cards"))
    if "card" in options:
        index = int(number_option(url, "card", 0, form, 0, len(cards) - 1))
        cards = [cards[index]]
    if (options.get("split", "0") not in ("0", "1") or options.get("hold", "0") not in ("0", "1")
            or options.get("sam", "ok") not in ("ok", "fault")):
        raise BadAddress(f"split and hold must be 0 or 1, sam ok or fault in {url.raw!r}; expected {form}")
    return IdCardSimulator(
        cards=cards, dwell=0.0 if options.get("hold") == "1" else number_option(url, "dwell", 3.0, form),
        gap=number_option(url, "gap", 1.0, form), slow=number_option(url, "slow", 0.0, form, 0, 60),
        garble=number_option(url, "garble", 0.0, form, 0, 1), split=options.get("split") == "1",
        sam_fault=options.get("sam") == "fault",
    )
