"""What the console's browser tests share: a server on a seeded copy of the test hall (each
module its own, through `served`), one Chromium per module and a folder for screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, need_browser, shots_folder
from tests.procs import ServerProcess, load_test_hall, start_server
from tests.queue_server.conftest import set_all_pins


def served(tmp: Path, seed: Callable[[str], dict], config: Path | None = None
           ) -> Iterator[tuple[ServerProcess, dict]]:
    """A module's `hall` fixture: the test hall (or `config`) in an SQLite file under `tmp`,
    every PIN set, `seed(url)`'s activity in it, a server on it; (server, what seed answered)."""
    need_browser()
    url = f"sqlite:///{tmp / 'hall.db'}"
    if config is None:
        load_test_hall(url)
    else:
        load_test_hall(url, config)
    set_all_pins(url)
    seeded = seed(url)
    server = start_server(url, tmp)
    yield server, seeded
    server.stop()


@pytest.fixture(scope="module")
def browser(hall: tuple[ServerProcess, dict]) -> Iterator[Any]:
    """Chromium, once the module's hall is up (its fixture skips where there is no browser)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shots_folder(tmp_path_factory.mktemp("shots"))
