"""systemd notification (sd_notify) over the NOTIFY_SOCKET datagram socket, without libsystemd:
`READY=1` once the first screen shows, `WATCHDOG=1` from the GUI thread's timer, so a frozen
event loop makes systemd restart the kiosk."""

from __future__ import annotations

import os
import socket


def notify(state: str, environ: dict[str, str] | None = None) -> bool:
    """Send `state` to systemd; False when not run by systemd (no NOTIFY_SOCKET) or on error."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address or address[0] not in ("/", "@"):
        return False
    target = "\0" + address[1:] if address[0] == "@" else address  # '@' = abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode(), target)
    except OSError:
        return False
    return True


def interval_ms(environ: dict[str, str] | None = None) -> int | None:
    """Half the watchdog period systemd asked for (WATCHDOG_USEC), or None when off."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return max(100, usec // 2000)
