"""Assembles a citizen kiosk (roles `kiosk` and `bank`) from its configuration: the task runner,
the server link, the device manager and the flow, and starts their background work."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig
from kiosk.devices_manager import DeviceManager
from kiosk.flow import KioskFlow
from kiosk.link import ServerLink
from kiosk.tasks import TaskRunner

HEARTBEAT_S = 30.0


def default_cache_path(config: TerminalConfig) -> Path:
    """Where the services list is kept for offline use (papers lists stay readable)."""
    name = f"services-{config.hall or 'hall'}-{config.role}.json"
    return Path(platformdirs.user_cache_dir("kuaiban")) / name


def build_kiosk(config: TerminalConfig, *, cache_path: Path | None = None,
                openers: dict[str, Callable[[str], Any]] | None = None,
                client_factory: Callable[[str], QueueClient] | None = None,
                parent: QObject | None = None) -> KioskFlow:
    runner = TaskRunner(parent=parent)
    link = ServerLink(config, runner, cache_path or default_cache_path(config),
                      client_factory=client_factory, parent=parent)
    devices = DeviceManager(config.devices.model_dump(), openers=openers)
    flow = KioskFlow(config, link, devices, runner, parent=parent)
    return flow


def start_kiosk(flow: KioskFlow, heartbeat_s: float = HEARTBEAT_S) -> None:
    """Connect to the server and start the heartbeat (which also reopens lost devices)."""
    link = flow.link

    def beat(health: dict[str, str], errors: dict[str, str]) -> None:
        if link.client is not None:
            link.client.heartbeat(health, {k: v[:200] for k, v in errors.items()})

    flow.link.connect_server()
    flow.devices.start_heartbeat(beat, heartbeat_s)
    flow.runner.submit(warm_up, keep=True)
    flow.go(flow.state)


def warm_up() -> None:
    """Load, on a worker at start, the modules the first citizen's ticket and scan need (the
    ESC/POS layout, QR codes, OpenCV), so the first touch does not pay for them."""
    for name in ("devices.printer.layout", "devices.printer", "devices.camera.document"):
        with contextlib.suppress(ImportError):  # a terminal without that device family
            importlib.import_module(name)


def stop_kiosk(flow: KioskFlow) -> None:
    flow.reset()
    flow.link.stop()
    flow.runner.invalidate()
    flow.runner.wait(3000)
    flow.devices.close()
