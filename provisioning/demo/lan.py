"""Where phones reach the demo hall: the links citizens get (the QR code on a ticket, the phone
page) must use an address of this machine on its network, not 127.0.0.1, which on a phone is
the phone itself. The address is read from the machine's own interfaces (`ip -j -4 addr`, or
the host name's addresses), nothing is sent anywhere; the server then listens on every
interface and is told its public address (`--public-url`)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Reach:
    public_url: str   # what links carry
    bind: str         # what the server listens on
    lan: bool         # phones on the network can use it


def lan_address() -> str | None:
    """The first global IPv4 address of an interface that is up, or None."""
    ip = shutil.which("ip")
    if ip is not None:
        try:
            out = subprocess.run([ip, "-j", "-4", "addr", "show", "scope", "global", "up"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout
            for link in json.loads(out or "[]"):
                for addr in link.get("addr_info", []):
                    if addr.get("family") == "inet" and addr.get("local"):
                        return str(addr["local"])
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    return next((str(i[4][0]) for i in infos if not str(i[4][0]).startswith("127.")), None)


def reach(port: int, given: str | None = None, local: bool = False) -> Reach:
    """The demo server's public address: `given`, else this machine's LAN address, else
    loopback (then phones cannot follow the links, and the demo says so). `local`: loopback
    only, asked for (`demo --local`: nothing on the network reaches the demo)."""
    if given:
        return Reach(given.rstrip("/"), "0.0.0.0", True)
    address = None if local else lan_address()
    if address is None:
        return Reach(f"http://127.0.0.1:{port}", "127.0.0.1", False)
    return Reach(f"http://{address}:{port}", "0.0.0.0", True)
