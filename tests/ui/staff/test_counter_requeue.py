"""过号重排 at the counter pad, against a real server process (the staff hall: intake counters
W01 and W02, two recalls before a no-show): a number passed at intake, asked for by number, is
offered back; "重新排队" queues it again and keeps the undo offer of the last finish (the counter
is unchanged), "在本窗口叫号" calls it here and ends that offer (the counter is busy). Before
this the pad said "已过号，请群众重新取号" and nothing could be done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from tests.ui.staff.hall_server import HallServer, idle, signed_in
from ui.staff.counter_pad import CounterWindow

pytestmark = pytest.mark.timeout(90)
TERMINAL = "c-W01-requeue"  # a pad of its own: logins are rate-limited per terminal


class Answers:
    """Answers the pad's questions instead of a person; keeps each question and its buttons."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, _parent: Any, _lang: str, text: str, yes: str,
                 alternative: str | None = None) -> str:
        self.asked.append((text, (yes, alternative) if alternative else (yes,)))
        return self.answer


@pytest.fixture
def pad(qtbot: QtBot, hall: HallServer) -> Iterator[tuple[CounterModel, CounterWindow]]:
    token = hall.tokens.get(TERMINAL) or hall.enrol("counter", TERMINAL, "W01")
    model = CounterModel(QueueClient(hall.url, token), "W01", heartbeat_s=0)
    window = signed_in(qtbot, model)
    yield model, window
    model.stop()


def call(qtbot: QtBot, model: CounterModel, number: str) -> None:
    model.call_number(number)
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == number


def pass_number(qtbot: QtBot, model: CounterModel, number: str) -> None:
    """Call `number` here, recall it twice (the hall's rule) and mark it no-show."""
    call(qtbot, model, number)
    for _ in range(2):
        model.recall()
        idle(qtbot, model)
    model.no_show()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


def status_of(model: CounterModel, number: str) -> str:
    [ticket] = model.client.find_tickets(number)
    return ticket.status


def test_a_passed_number_is_put_back_in_the_queue_or_called_here(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    first, second, third = (str(hall.issue("estate", hall.tokens["k1"])["number"])
                            for _ in range(3))
    pass_number(qtbot, model, first)
    pass_number(qtbot, model, third)

    # a citizen at the counter: a passed number found by 查询 may only queue again (顺延)
    call(qtbot, model, second)
    window.ask = busy = Answers("yes")
    model.find(first)
    qtbot.waitUntil(lambda: model.current is not None and status_of(model, first) == "waiting"
                    and not model.busy, timeout=5000)
    [(question, buttons)] = busy.asked
    assert question.startswith(f"{first} 已过号（") and "W01" in question
    assert buttons == ("重新排队",)
    assert window.message.text() == f"{first} 已重新排队，排在后来的号前面"
    assert model.current is not None and model.current.number == second  # still served

    # the counter free, its last finish still undoable: 重新排队 leaves both as they are
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and model.undo_remaining > 0
                    and not model.busy, timeout=5000)
    window.ask = back = Answers("alternative")
    model.find(third)
    qtbot.waitUntil(lambda: bool(back.asked) and not model.busy
                    and "重新排队" in window.message.text(), timeout=5000)
    assert back.asked[0][1] == ("在本窗口叫号", "重新排队")
    assert status_of(model, third) == "waiting" and model.current is None
    assert model.undo_remaining > 0 and window.undo_btn.isVisible()
    window.undo_btn.click()  # the server agrees: nothing at the counter changed
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.number == second
    assert model.current.status == "serving"
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)

    # 叫指定号 of a number passed again: asked, and "cancel" changes nothing
    pass_number(qtbot, model, first)
    window.ask = no = Answers("cancel")
    model.call_number(first)
    qtbot.waitUntil(lambda: bool(no.asked) and not model.busy, timeout=5000)
    assert window.message.text() == f"{first} 已过号"
    assert no.asked[0][1] == ("在本窗口叫号", "重新排队")
    assert status_of(model, first) == "no_show" and model.current is None

    # ... "在本窗口叫号": called here at once, and no undo is offered for the counter is busy
    window.ask = yes = Answers("yes")
    model.call_number(first)
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert yes.asked and model.current is not None and model.current.number == first
    assert model.current.status == "called"
    assert window.message.text() == f"{first} 过号重排，已在本窗口叫号"
    assert model.undo_remaining == 0 and not window.undo_btn.isVisible()
    assert "recall" in model.allowed() and "no-show" in model.allowed()
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    call(qtbot, model, third)  # (the hall left as found: the re-queued number served)
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
