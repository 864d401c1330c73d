"""Fixtures of the provisioning tests: real databases (an SQLite file; with KUAIBAN_TEST_PG a
PostgreSQL database of their own, created and dropped here, so restores never touch the
databases other tests use) and the example hall loaded into them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from server_process.hall import init_hall
from tests.conftest import fresh_pg_database

ROOT = Path(__file__).resolve().parents[2]
HJHQ = ROOT / "examples" / "hjhq.toml"
MINIMAL = ROOT / "examples" / "minimal.toml"
PG = os.environ.get("KUAIBAN_TEST_PG", "")

BACKENDS = ["sqlite", pytest.param("pg", marks=[
    pytest.mark.pg, pytest.mark.skipif(not PG, reason="KUAIBAN_TEST_PG not set")])]


def _fresh_pg() -> Iterator[str]:
    return fresh_pg_database(PG)


@pytest.fixture()
def db_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`make(kind) -> URL` of an empty database of that kind, cleaned up after the test."""
    cleanups: list[Iterator[str]] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'hall-{uuid.uuid4().hex[:6]}.db'}"
        gen = _fresh_pg()
        cleanups.append(gen)
        return next(gen)

    yield make
    for gen in cleanups:
        for _ in gen:
            pass


def load_hall(url: str, config: Path = HJHQ) -> None:
    """Build the schema by the migrations and load a hall: `provisioning init`, in process."""
    init_hall(url, config)
