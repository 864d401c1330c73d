"""Schemathesis against the server's own OpenAPI document, with every one of its checks, as a
kiosk, as a staff session and as an administrator, on a real server process with a short
budget (`KUAIBAN_SCHEMATHESIS_EXAMPLES`, default 5 per operation and role)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.procs import ServerProcess, load_test_hall, start_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
EXAMPLES = int(os.environ.get("KUAIBAN_SCHEMATHESIS_EXAMPLES", "5"))
ROLES = ("kiosk", "staff", "admin")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess,
                                                                             dict[str, str]]]:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal, make_admin_token, set_pin

    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{tmp / 'hall.db'}"
    load_test_hall(url)
    store = Store(url)
    try:
        kiosk, _ = enrol_terminal(store, "kiosk", "st-kiosk", hall="t1")
        counter, _ = enrol_terminal(store, "counter", "st-counter", "W01", "t1")
        set_pin(store, "s001", "1234", "t1")
        admin = make_admin_token(store)
    finally:
        store.close()
    # Generous rates: the fuzzer is one terminal sending thousands of requests.
    server = start_server(url, tmp, "--lookup-rate", "100000", "--login-rate", "100000")
    staff = httpx.post(server.api("/auth/login"), timeout=10,
                       json={"staff": "s001", "pin": "1234", "counter": "W01"},
                       headers={"Authorization": f"Bearer {counter}"}).json()["token"]
    yield server, {"kiosk": kiosk, "staff": staff, "admin": admin}
    server.stop()


def _document() -> dict[str, Any]:
    """The OpenAPI document the server serves at /openapi.json (the same app, built here
    without a database: the server under test is started by a fixture, after collection)."""
    import tempfile

    from queue_server.api.app import create_app
    from queue_server.api.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(db_url=f"sqlite:///{folder}/none.db"))
        document: dict[str, Any] = app.openapi()
        app.state.store.close()
    return document


# Every check runs, with our contract's statuses: a well-formed request that names something
# the hall does not have or breaks a rule of the queue is 400 (`unknown_service`,
# `reason_required`, docs/api.md), so 400 is an accepted answer to schema-valid data too.
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]}}})
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@pytest.mark.timeout(300)  # the event stream's operation reads each stream for 3 s
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_document(
        case: Any, api_server: tuple[ServerProcess, dict[str, str]]) -> None:
    for role in ROLES:  # each generated request as each of them
        # An event stream never ends: schemathesis reads it until a read waits `timeout`
        # (the stream pings every 10 s; its own default waited out each ping, 90 s in all).
        case.call_and_validate(base_url=api_server[0].url, timeout=3,
                               headers={"Authorization": f"Bearer {api_server[1][role]}"})
