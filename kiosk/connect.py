"""How a terminal of any role reaches its hall server: the configured URL, or the hall found by
zeroconf (`kiosk.discovery`); and a client that trusts HTTPS only through the pinned hall CA
(`kiosk.pinning`), whose fingerprint comes from enrolment, else from the zeroconf advertisement.

Blocking (a zeroconf browse, a TLS handshake): the kiosk's link (`kiosk.link`) runs it on a
worker and retries; the staff roles run it once at start (`connect_role`).
"""

from __future__ import annotations

import sys

from kiosk.client import ClientError, QueueClient
from kiosk.config import TerminalConfig
from kiosk.pinning import pinned_context

BROWSE_S = 3.0


class NoServer(ClientError):
    """No server URL configured and none found on the network."""


def discover(config: TerminalConfig, timeout: float = BROWSE_S) -> tuple[str, str]:
    """The URL of the hall's server found by zeroconf, and the CA fingerprint to pin."""
    # zeroconf adds ~45 ms to a terminal's start: imported only by those that look for a server
    from kiosk.discovery import browse

    found = browse(timeout, config.hall or None)
    if not found:
        raise NoServer(f"no Kuaiban server found on the network within {timeout:.0f} s")
    return str(found[0].url), config.ca_fingerprint or (found[0].fingerprint or "")


def locate(config: TerminalConfig, timeout: float = BROWSE_S) -> tuple[str, str]:
    """The server's URL and the CA fingerprint to pin: the configured ones, or zeroconf's."""
    if config.server != "auto":
        return config.server, config.ca_fingerprint
    return discover(config, timeout)


def make_client(url: str, token: str, pin: str, timeout: float = 5.0) -> QueueClient:
    """A client of the server at `url`; over HTTPS with a pin, it trusts only the hall CA."""
    if url.startswith("https:") and pin:
        return QueueClient(url, token, timeout=timeout, verify=pinned_context(url, pin))
    return QueueClient(url, token, timeout=timeout)


def client_for(config: TerminalConfig, timeout: float = BROWSE_S) -> QueueClient:
    """A staff role's client of the hall server (`timeout`: how long zeroconf may look)."""
    url, pin = locate(config, timeout)
    return make_client(url, config.token, pin)


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
