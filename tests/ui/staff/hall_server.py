"""The staff-side tests' hall (`server_process.halls.StaffHall`, shared with `bench/`): an SQLite
file built by `provisioning init`, staff PINs set with `provisioning`, terminals enrolled by the
test, and `python -m queue_server` on a free loopback port, killable and restartable on the same
port; and `clear`, which frees a counter for the next call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.client import QueueClient
from server_process.halls import STAFF_HALL_TOML as HALL_TOML
from server_process.halls import STAFF_PIN as PIN
from server_process.halls import StaffHall as HallServer

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from kiosk.counter import CounterModel
    from ui.staff.counter_pad import CounterWindow

__all__ = ["HALL_TOML", "PIN", "HallServer", "clear"]


def clear(staff: QueueClient, code: str) -> None:
    """Finish whatever ticket the counter holds, so the next call-next may go."""
    current = staff.counter(code).current
    if current is not None:
        if current.status == "called":
            staff.counter_action(code, "start")
        staff.counter_action(code, "finish", {"outcome": "done"})



def idle(qtbot: QtBot, model: CounterModel) -> None:
    """Wait until the pad's request is answered."""
    qtbot.waitUntil(lambda: not model.busy, timeout=5000)


def signed_in(qtbot: QtBot, model: CounterModel, staff: str = "s001", *,
              owned: bool = True) -> CounterWindow:
    """The pad's window for `model` at 1366x768, `staff` signed in with the hall's PIN and the
    counter left empty by an earlier test finished. `owned`: qtbot closes the window (else the
    test closes it, after stopping the model)."""
    from ui.staff.counter_pad import CounterWindow

    window = CounterWindow(model, "zh")
    if owned:
        qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.staff_id.setText(staff)
    window.pin.setText(PIN)
    window.login_btn.click()
    qtbot.waitUntil(lambda: model.state is not None and not model.busy, timeout=10000)
    empty(qtbot, model)
    return window


def empty(qtbot: QtBot, model: CounterModel) -> None:
    """Finish the ticket the pad's counter holds, if any (left by an earlier test)."""
    current = model.current
    if current is not None:
        if current.status == "called":
            model.start()
            idle(qtbot, model)
        model.finish("done")
        qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
