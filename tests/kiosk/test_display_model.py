"""The board's view-model (kiosk/display.py `BoardModel`) fed events directly: calls from before
the board started are shown but not spoken, later ones are spoken once, other zones are silent."""

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from kiosk.announce import Announcement
from kiosk.client import QueueClient
from kiosk.display import BoardModel
from queue_server import wire

START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def called(id_: int, number: str, at: datetime, zone: str = "intake",
           counter: str = "W01") -> wire.Event:
    return wire.Event.model_validate({"id": id_, "type": "ticket.called", "at": at.isoformat(),
                                      "hall": "h", "number": number, "counter": counter,
                                      "counter_name": f"{int(counter[1:])}号窗口", "zone": zone})


def test_history_is_shown_not_spoken_and_live_calls_are_spoken(qtbot: QtBot) -> None:
    now = [START]
    model = BoardModel(QueueClient("http://127.0.0.1:9"), ("intake",), clock=lambda: now[0])
    model.started_at = START
    heard: list[Announcement] = []
    model.announce.connect(heard.append)
    model._on_event(called(1, "A001", START - timedelta(minutes=1), counter="W02"))
    assert model.board.current is not None and heard == []
    now[0] = START + timedelta(seconds=5)
    model._on_event(called(2, "A002", START + timedelta(seconds=4)))
    model._on_event(called(3, "D001", START + timedelta(seconds=4), zone="pickup"))
    assert [a.text for a in heard] == ["请A零零二号到1号窗口办理"]
    assert model.board.current is not None and model.board.current.number == "A002"
    assert [c.number for c in model.board.history] == ["A001"]
    model.stop()
