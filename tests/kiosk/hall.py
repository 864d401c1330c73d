"""The kiosk tests' hall (`server_process.halls.KioskHall`, shared with `bench/`): an SQLite file
built by `provisioning init` with a bank-branch outpost, a kiosk, a bank terminal and a counter
terminal enrolled, and `python -m queue_server` on a free loopback port, killable and
restartable on the same port for the offline path."""

from server_process.halls import KIOSK_HALL_TOML as HALL_TOML
from server_process.halls import KIOSK_PIN as PIN
from server_process.halls import KioskHall as Hall

__all__ = ["HALL_TOML", "PIN", "Hall"]
