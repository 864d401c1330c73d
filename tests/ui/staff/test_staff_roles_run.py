"""`run(app, config)` of the staff roles against the real server: each starts its window, follows
the server and ends cleanly when the event loop ends; a missing counter is refused with exit 2."""

from __future__ import annotations

import importlib

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.config import TerminalConfig
from tests.ui.staff.hall_server import HallServer

pytestmark = pytest.mark.timeout(60)
TOKENS = {"counter": "c-W01", "display": "d1", "pad": "pad-W01"}


class TimedApp:
    """Stands in for the QApplication in `run(app, config)`: its exec() runs a local event loop
    for a while. (Calling the real app.exec() and quit() inside pytest leaves the application
    quitting, and every later test's event loop returns at once.)"""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def exec(self) -> int:
        loop = QEventLoop()
        QTimer.singleShot(self.ms, loop.quit)
        loop.exec()
        return 0


@pytest.mark.parametrize("role", sorted(TOKENS))
def test_role_runs_and_quits(qapp: QApplication, hall: HallServer, role: str) -> None:
    config = TerminalConfig(role=role, server=hall.url, token=hall.tokens[TOKENS[role]],
                            counter="W01", display={"voice": "none"})
    assert importlib.import_module(f"ui.roles.{role}").run(TimedApp(1500), config) == 0
    for w in qapp.topLevelWidgets():
        w.close()
        w.deleteLater()


@pytest.mark.parametrize("role", ["counter", "pad"])
def test_counter_and_pad_need_their_counter(qapp: QApplication, role: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = TerminalConfig(role=role, server="http://127.0.0.1:9", token="x")
    assert importlib.import_module(f"ui.roles.{role}").run(qapp, config) == 2
    assert "counter" in capsys.readouterr().err
