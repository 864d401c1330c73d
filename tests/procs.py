"""The tests' server processes and halls, built on `server_process` (which `bench/` shares):
`python -m queue_server` on a free loopback port (`start_server`, and the `run_server` fixture
that stops what a test started), the test hall loaded by `provisioning init` (`load_test_hall`,
the `hall_db` fixture). `tests/conftest.py` makes the fixtures visible to every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from server_process import ServerProcess, free_port, start_server
from server_process.hall import init_hall

__all__ = ["ROOT", "TEST_HALL", "ServerProcess", "free_port", "hall_db", "load_test_hall",
           "run_server", "start_server"]

ROOT = Path(__file__).resolve().parents[1]
TEST_HALL = ROOT / "tests" / "queue_server" / "data" / "hall.toml"


def load_test_hall(db_url: str, config: Path = TEST_HALL, hall_id: str = "t1",
                   outpost_id: str = "bank1") -> None:
    """Migrate and load a hall configuration with `provisioning init` (in this process),
    optionally under other hall and outpost ids so many halls share one server."""
    text = config.read_text(encoding="utf-8")
    if (hall_id, outpost_id) != ("t1", "bank1"):
        text = text.replace('id = "t1"', f'id = "{hall_id}"').replace(
            'id = "bank1"', f'id = "{outpost_id}"')
    init_hall(db_url, text)


@pytest.fixture()
def run_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """`start(db_url, *args, port=None) -> ServerProcess` (ready); all stopped after the test."""
    started: list[ServerProcess] = []

    def start(db_url: str, *args: str, port: int | None = None) -> ServerProcess:
        server = start_server(db_url, tmp_path, *args, port=port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture()
def hall_db(tmp_path: Path) -> str:
    """An SQLite file built by the migrations, with the test hall loaded."""
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    return url
