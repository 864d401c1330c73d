"""Finds the hall's queue server on the LAN by zeroconf (`server = "auto"`): the server
advertises `_kuaiban._tcp.local.` with TXT `hall`, `api=v1`, `fp` and `tls=1` when it speaks
HTTPS, and `halls` when its database serves several (queue_server/api/discovery.py). Blocking; run it off the GUI thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from zeroconf import ServiceBrowser, ServiceListener, Zeroconf

SERVICE_TYPE = "_kuaiban._tcp.local."


@dataclass(frozen=True)
class Found:
    url: str
    hall: str
    fingerprint: str | None


def _text(props: dict[bytes, bytes | None], key: str) -> str:
    value = props.get(key.encode())
    return value.decode("utf-8", "replace") if value else ""


class _Collector(ServiceListener):
    def __init__(self, hall: str | None) -> None:
        self.hall = hall
        self.found: list[Found] = []
        self.event = threading.Event()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        info = zc.get_service_info(type_, name, timeout=1500)
        if info is None or not info.parsed_addresses() or info.port is None:
            return
        props = info.properties or {}
        hall = _text(props, "hall")
        # a server of several halls (and their bank outposts) names them all in `halls`
        served = [h for h in _text(props, "halls").split(",") if h] or [hall]
        if _text(props, "api") not in ("", "v1") or (self.hall and self.hall not in served):
            return
        hall = self.hall or hall
        scheme = "https" if _text(props, "tls") == "1" else "http"
        host = info.parsed_addresses()[0]
        host = f"[{host}]" if ":" in host else host
        self.found.append(Found(f"{scheme}://{host}:{info.port}", hall, _text(props, "fp") or None))
        self.event.set()

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass


def browse(timeout: float, hall: str | None = None,
           interfaces: list[str] | None = None) -> list[Found]:
    """Servers seen within `timeout` seconds (returns as soon as one answers), `hall` filtered;
    `interfaces` limits the search to those addresses (default: every interface)."""
    zc = Zeroconf(interfaces=interfaces) if interfaces else Zeroconf()
    collector = _Collector(hall or None)
    try:
        browser = ServiceBrowser(zc, SERVICE_TYPE, collector)
        deadline = time.monotonic() + timeout
        collector.event.wait(timeout)
        # a short grace period lets a second server (another hall) answer too
        time.sleep(min(0.3, max(0.0, deadline - time.monotonic())))
        browser.cancel()
    finally:
        zc.close()
    return list(collector.found)
