"""Fixtures of the kiosk tests: a real hall server process per module, and kiosk flows built
from a terminal configuration pointing at it, with the device simulators (or a file printer)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import DeviceUrls, TerminalConfig
from kiosk.flow import KioskFlow
from kiosk.runtime import build_kiosk, start_kiosk, stop_kiosk
from tests.kiosk.hall import Hall
from tests.qt_models import models_stop_with_their_test  # noqa: F401 - autouse fixture


@pytest.fixture(scope="session")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    server = Hall(tmp_path_factory.mktemp("hall"))
    server.start()
    yield server
    server.stop()


MakeFlow = Callable[..., KioskFlow]


@pytest.fixture
def make_flow(hall: Hall, tmp_path: Path, qtbot: Any) -> Iterator[MakeFlow]:
    """`make_flow(role="kiosk", printer=..., camera=..., idcard=...)`: a started kiosk flow,
    online with its services loaded."""
    flows: list[KioskFlow] = []

    def make(role: str = "kiosk", *, printer: str | None = None, camera: str = "sim://camera",
             idcard: str = "sim://idcard?dwell=0", url: str | None = None, **kw: Any) -> KioskFlow:
        printer = printer or f"file://{tmp_path / f'printer-{len(flows)}.bin'}"
        token = hall.bank_token if role == "bank" else hall.kiosk_token
        config = TerminalConfig(role=role, server=url or hall.url, token=token,  # type: ignore[arg-type]
                                devices=DeviceUrls(idcard=idcard, printer=printer, camera=camera),
                                **kw)
        flow = build_kiosk(config, cache_path=tmp_path / f"cache-{len(flows)}.json")
        flows.append(flow)
        start_kiosk(flow, heartbeat_s=0.5)
        if url is None:
            qtbot.waitUntil(lambda: flow.online and bool(flow.link.catalog.services), timeout=20000)
        return flow

    yield make
    for flow in flows:
        stop_kiosk(flow)
    # Let every worker end and collect the flows now, while nothing runs: a flow collected by
    # a later test's garbage collection, with a worker still in flight, crashed Qt once.
    for flow in flows:
        flow.runner.wait(10000)
    flows.clear()
    gc.collect()


def printed(flow: KioskFlow) -> bytes:
    """The raw ESC/POS bytes a `file://` printer received."""
    path = Path(flow.devices.urls["printer"][len("file://"):])
    return path.read_bytes() if path.exists() else b""


def present_card(flow: KioskFlow, index: int) -> None:
    """Put sample card `index` of the ID card simulator on the reader (1 = a 1948-born man)."""
    with flow.devices._locks["idcard"]:
        reader = flow.devices._get("idcard")
    reader.simulator.present(index)
