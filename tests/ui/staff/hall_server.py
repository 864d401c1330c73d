"""The staff-side tests' hall (`server_process.halls.StaffHall`, shared with `bench/`): an SQLite
file built by `provisioning init`, staff PINs set with `provisioning`, terminals enrolled by the
test, and `python -m queue_server` on a free loopback port, killable and restartable on the same
port; and `clear`, which frees a counter for the next call."""

from __future__ import annotations

from kiosk.client import QueueClient
from server_process.halls import STAFF_HALL_TOML as HALL_TOML
from server_process.halls import STAFF_PIN as PIN
from server_process.halls import StaffHall as HallServer

__all__ = ["HALL_TOML", "PIN", "HallServer", "clear"]


def clear(staff: QueueClient, code: str) -> None:
    """Finish whatever ticket the counter holds, so the next call-next may go."""
    current = staff.counter(code).current
    if current is not None:
        if current.status == "called":
            staff.counter_action(code, "start")
        staff.counter_action(code, "finish", {"outcome": "done"})
