"""Where a staff terminal's server is: the configured URL, or the hall found by zeroconf."""

from __future__ import annotations

import importlib

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig


class NoServer(Exception):
    """No server URL configured and none found on the network."""


def server_url(config: TerminalConfig, timeout: float = 3.0) -> str:
    if config.server != "auto":
        return config.server
    try:  # the kiosk engineer's zeroconf browser; loaded only when asked for
        discovery = importlib.import_module("kiosk.discovery")
    except ImportError as exc:
        raise NoServer("server = \"auto\" needs kiosk.discovery (zeroconf)") from exc
    found = discovery.browse(timeout, config.hall or None)
    if not found:
        raise NoServer(f"no Kuaiban server found on the network within {timeout:.0f} s")
    return str(found[0].url)


def client_for(config: TerminalConfig) -> QueueClient:
    return QueueClient(server_url(config), config.token)
