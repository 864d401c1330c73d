"""Zeroconf (mDNS/DNS-SD) advertisement of the queue server, so terminals configured with
`server = "auto"` find it on the hall's LAN.

Service type `_kuaiban._tcp.local.`, one instance per server process, named after the hall and
the host. TXT record: `hall` (the hall id), `api=v1`, and when TLS is on `tls=1` and `fp` (the
pinned certificate fingerprint the terminal checks), and `halls` (every hall of the
database, its outposts too, comma-separated) when it serves more than one. The terminals' side is
`kiosk/discovery.py`.

Registration probes the network for name conflicts, which takes a second or two, so it runs in
its own thread: `advertise()` returns at once and never blocks the server's event loop.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading

import ifaddr
from zeroconf import IPVersion, ServiceInfo, Zeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_kuaiban._tcp.local."
API_VERSION = "v1"


TXT_VALUE_MAX = 240  # a TXT string holds 255 bytes, "halls=" and its value together


def service_properties(hall_id: str, tls_fingerprint: str | None,
                       halls: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The TXT record of a server of `hall_id`; `halls`: every hall its database serves (the
    halls and their bank outposts), when there are more than that one: a terminal of the
    second hall or of an outpost found no server (an outside check of a city's database)."""
    props = {"hall": hall_id, "api": API_VERSION}
    others = [h for h in halls if h != hall_id]
    if others:
        listed = hall_id
        for hall in others:
            if len(f"{listed},{hall}".encode()) > TXT_VALUE_MAX:
                log.warning("zeroconf: too many halls for one TXT record; %s and the halls "
                            "after it are not advertised (give their terminals --server)", hall)
                break
            listed += f",{hall}"
        props["halls"] = listed
    if tls_fingerprint:
        props["tls"] = "1"
        props["fp"] = tls_fingerprint
    return props


def advertised_addresses(host: str) -> list[str]:
    """The IPv4 addresses to announce for a server bound to `host`: that address, or for a
    wildcard bind every non-loopback IPv4 address of the machine."""
    address = ipaddress.ip_address(_resolve(host))
    if not address.is_unspecified:
        return [str(address)]
    found = [ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips
             if isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback]
    return sorted(set(found))


def _resolve(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return socket.gethostbyname(host)  # a host name such as "localhost"


def instance_name(hall_id: str) -> str:
    """`<hall>-<host>`: unique per machine, readable in a browser of the LAN."""
    node = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname().split(".")[0])[:40] or "server"
    return f"{hall_id}-{node}"


class Advertisement:
    """A running advertisement; `close()` withdraws it (sends the mDNS goodbye)."""

    def __init__(self, info: ServiceInfo, interfaces: list[str] | None) -> None:
        self.info = info
        self._interfaces = interfaces
        self._zeroconf: Zeroconf | None = None
        self._registered = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._register, name="zeroconf-advertise",
                                        daemon=True)
        self._thread.start()

    @property
    def name(self) -> str:
        return self.info.name

    def _register(self) -> None:
        try:
            with self._lock:
                if self._closed:
                    return
                interfaces = self._interfaces or []
                self._zeroconf = (Zeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
                                  if interfaces else Zeroconf(ip_version=IPVersion.V4Only))
            self._zeroconf.register_service(self.info, allow_name_change=True)
            log.info("zeroconf: advertising %s on %s port %d", self.info.name,
                     ", ".join(self.info.parsed_addresses()), self.info.port)
        except Exception as exc:  # the server runs without zeroconf rather than not at all
            self.error = exc
            log.warning("zeroconf: advertisement failed: %s", exc)
        finally:
            self._registered.set()

    def wait_registered(self, timeout: float = 10.0) -> bool:
        """True once the service is announced (False on timeout or failure)."""
        return self._registered.wait(timeout) and self.error is None

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._thread.join(15)
        zc, self._zeroconf = self._zeroconf, None
        if zc is None:
            return
        try:
            if self.error is None:
                zc.unregister_service(self.info)
        except Exception as exc:
            log.warning("zeroconf: withdrawing %s failed: %s", self.info.name, exc)
        finally:
            zc.close()


def advertise(hall_id: str, port: int, *, host: str,
              tls_fingerprint: str | None = None,
              halls: list[str] | tuple[str, ...] = ()) -> Advertisement:
    """Announce the server of `hall_id` (and of `halls`) listening on `host:port` on the
    LAN."""
    addresses = advertised_addresses(host)
    if not addresses:
        raise ValueError(f"no IPv4 address to advertise for host {host!r}")
    name = instance_name(hall_id)
    info = ServiceInfo(
        SERVICE_TYPE,
        f"{name}.{SERVICE_TYPE}",
        addresses=[socket.inet_aton(a) for a in addresses],
        port=port,
        properties=service_properties(hall_id, tls_fingerprint, halls),
        server=f"{name}.local.",
    )
    specific = not ipaddress.ip_address(_resolve(host)).is_unspecified
    return Advertisement(info, addresses if specific else None)
