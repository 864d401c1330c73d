"""The wording of announcements and which events are spoken (kiosk/announce.py)."""

from datetime import UTC, datetime, timedelta

from kiosk.announce import announcement_text, from_event, spoken_number
from queue_server import wire

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def event(type_: str, at: datetime = NOW, **payload: object) -> wire.Event:
    return wire.Event.model_validate({"id": 7, "type": type_, "at": at.isoformat(),
                                      "hall": "hjhq", **payload})


def test_numbers_are_read_digit_by_digit() -> None:
    assert spoken_number("A012") == "A零一二"
    assert spoken_number("AB100") == "AB一零零"
    assert spoken_number("") == ""


def test_template_fills_number_and_counter_name() -> None:
    text = announcement_text("请{number}号到{counter}办理", "A012", "1号窗口")
    assert text == "请A零一二号到1号窗口办理"


def test_broken_template_falls_back_to_the_default() -> None:
    assert announcement_text("请{numbr}号", "B003", "2号窗口") == "请B零零三号到2号窗口办理"


def test_called_event_is_announced_with_the_counter_name() -> None:
    ev = event("ticket.called", number="A012", counter="W01", counter_name="1号窗口", zone="intake")
    a = from_event(ev, "请{number}号到{counter}办理", now=NOW)
    assert a is not None and a.text == "请A零一二号到1号窗口办理"
    assert (a.event_id, a.counter, a.recall) == (7, "W01", False)


def test_recall_is_announced_again_and_marked() -> None:
    ev = event("ticket.recalled", number="A012", counter="W01", counter_name="1号窗口")
    a = from_event(ev, "请{number}号到{counter}办理", now=NOW)
    assert a is not None and a.recall


def test_other_events_and_stale_calls_are_silent() -> None:
    assert from_event(event("ticket.issued", number="A013"), "{number}", now=NOW) is None
    old = event("ticket.called", at=NOW - timedelta(minutes=10), number="A001", counter="W01")
    assert from_event(old, "{number}", now=NOW) is None
    assert from_event(event("ticket.called", counter="W01"), "{number}", now=NOW) is None


def test_counter_code_stands_in_when_the_name_is_missing() -> None:
    a = from_event(event("ticket.called", number="C001", counter="W09"), "{number}到{counter}",
                   now=NOW)
    assert a is not None and a.text == "C零零一到W09"
