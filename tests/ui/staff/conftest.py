"""Fixtures of the staff-side tests: one real hall server process for the session (tests leave
their counters empty; the outage test restarts it on the same port)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

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


@pytest.fixture(autouse=True)
def _pads_stop_with_their_test(qtbot: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every counter pad's and call board's model a test makes is stopped when the test ends
    (before its windows close: this fixture needs qtbot's). A model left running kept its
    heartbeat and event stream threads; once its window went and the model with it, the stream
    emitted into a deleted QObject, and a later test died with SIGSEGV in Qt's event processing
    (the final full run of session 22, and once in tests/kiosk + tests/ui)."""
    from kiosk.counter import CounterModel
    from kiosk.display import BoardModel

    made: list[object] = []
    for cls in (CounterModel, BoardModel):
        real = cls.__init__

        def init(self: object, *args: object, _real: object = real, **kwargs: object) -> None:
            _real(self, *args, **kwargs)  # type: ignore[operator]
            made.append(self)

        monkeypatch.setattr(cls, "__init__", init)
    yield
    for model in made:
        with contextlib.suppress(RuntimeError):  # its Qt object already gone with its window
            model.stop()  # type: ignore[attr-defined]
