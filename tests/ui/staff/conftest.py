"""Fixtures of the staff-side tests: one real hall server process for the session (tests leave
their counters empty; the outage test restarts it on the same port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.qt_models import models_stop_with_their_test  # noqa: F401 - autouse fixture
from tests.ui.staff.hall_server import HallServer


@pytest.fixture(scope="session")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallServer]:
    server = HallServer(tmp_path_factory.mktemp("hall"))
    for kind, name, counter in (("kiosk", "k1", None), ("counter", "c-W01", "W01"),
                                ("counter", "c-W02", "W02"), ("display", "d1", None),
                                ("pad", "pad-W01", "W01"), ("counter", "c-P01", "P01"),
                                ("counter", "c-W01-safe", "W01")):
        server.enrol(kind, name, counter)
    server.start()
    yield server
    server.stop()
