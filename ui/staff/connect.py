"""Where a staff terminal's server is: the configured URL, or the hall found by zeroconf; and
the start-up step every staff role shares (connect, or say why not and exit 2)."""

from __future__ import annotations

import importlib
import sys

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig


class NoServer(Exception):
    """No server URL configured and none found on the network."""


def server_url(config: TerminalConfig, timeout: float = 3.0) -> str:
    return _locate(config, timeout)[0]


def _locate(config: TerminalConfig, timeout: float) -> tuple[str, str]:
    """The server's URL and the CA fingerprint to pin (enrolment's, else zeroconf's)."""
    if config.server != "auto":
        return config.server, config.ca_fingerprint
    try:  # the kiosk engineer's zeroconf browser; loaded only when asked for
        discovery = importlib.import_module("kiosk.discovery")
    except ImportError as exc:
        raise NoServer("server = \"auto\" needs kiosk.discovery (zeroconf)") from exc
    found = discovery.browse(timeout, config.hall or None)
    if not found:
        raise NoServer(f"no Kuaiban server found on the network within {timeout:.0f} s")
    return str(found[0].url), config.ca_fingerprint or (found[0].fingerprint or "")


def client_for(config: TerminalConfig, timeout: float = 3.0) -> QueueClient:
    """A client of the hall server; HTTPS is trusted only through the pinned hall CA."""
    url, pin = _locate(config, timeout)
    if url.startswith("https:") and pin:
        from kiosk.pinning import pinned_context

        return QueueClient(url, config.token, verify=pinned_context(url, pin))
    return QueueClient(url, config.token)


def connect_role(config: TerminalConfig, counter_hint: str | None = None) -> QueueClient | None:
    """The role's client, or None after saying why on stderr (the caller exits 2).
    `counter_hint` names why a role needs `counter = "…"` in its configuration."""
    if counter_hint is not None and not config.counter:
        print(f"kiosk: the {config.role} role needs `counter = \"W01\"` ({counter_hint})",
              file=sys.stderr)
        return None
    try:
        return client_for(config)
    except NoServer as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return None
