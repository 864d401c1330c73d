"""An autouse fixture for the Qt tests that make counter pads', rating pads' and call boards'
models (tests/kiosk, tests/ui/staff): each model a test makes is stopped when the test ends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def models_stop_with_their_test(qtbot: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every counter pad's and call board's model a test makes is stopped when the test ends
    (before its windows close: this fixture needs qtbot's). A model left running kept its
    heartbeat and event stream threads; once its window went and the model with it, the stream
    emitted into a deleted QObject, and a later test died with SIGSEGV in Qt's event processing
    (the final full run of session 22, and once in tests/kiosk + tests/ui; a rating pad's model
    left by a failed assertion, in the first full run of session 24)."""
    from kiosk.counter import CounterModel
    from kiosk.display import BoardModel
    from kiosk.pad import RatingModel

    made: list[object] = []
    for cls in (CounterModel, BoardModel, RatingModel):
        real = cls.__init__

        def init(self: object, *args: object, _real: object = real, **kwargs: object) -> None:
            _real(self, *args, **kwargs)  # type: ignore[operator]
            made.append(self)

        monkeypatch.setattr(cls, "__init__", init)
    yield
    for model in made:
        with contextlib.suppress(RuntimeError):  # its Qt object already gone with its window
            model.stop()  # type: ignore[attr-defined]
