"""`python -m provisioning.watchdog [--health URL] -- PROGRAM ARGS...`: run one program under
systemd's notify protocol.

It starts the program, says READY=1 once it is up (its health URL answers 200, or at once when
there is none), then sends WATCHDOG=1 every half watchdog period only while the program is
healthy. A hung server therefore stops the pings and systemd restarts it; a crashed one ends this
process with the program's exit code, and `Restart=on-failure` brings it back. SIGTERM and SIGINT
are passed on to the program.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

from queue_server.cli_parser import OneLineParser


def notify(message: str) -> bool:
    """Send one sd_notify datagram; False when not run by systemd (no NOTIFY_SOCKET)."""
    path = os.environ.get("NOTIFY_SOCKET", "")
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(message.encode(), address)
        except OSError:
            return False
    return True


def healthy(url: str, cafile: str | None, timeout: float = 5.0) -> bool:
    context = ssl.create_default_context(cafile=cafile) if url.startswith("https") else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as resp:
            return bool(resp.status == 200)
    except (OSError, ValueError):
        return False


def ping_interval() -> float:
    usec = os.environ.get("WATCHDOG_USEC", "")
    return max(0.5, int(usec) / 2e6) if usec.isdigit() else 10.0


def supervise(cmd: list[str], health: str | None, cafile: str | None) -> int:
    child = subprocess.Popen(cmd)
    stopping = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        notify("STOPPING=1")
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    interval, ready, was_ok = ping_interval(), False, True
    while True:
        try:
            code = child.wait(timeout=0.5 if not ready else interval)
            return code if code >= 0 else 128 - code
        except subprocess.TimeoutExpired:
            pass
        if stopping:
            continue
        ok = health is None or healthy(health, cafile)
        if ok and not ready:
            notify(f"READY=1\nMAINPID={os.getpid()}")
            ready = True
        if ok and ready:
            notify("WATCHDOG=1")
        if ok != was_ok:
            state = "healthy again" if ok else f"not healthy ({health}): watchdog pings stop"
            print(f"watchdog: {cmd[0]} {state}", file=sys.stderr, flush=True)
            was_ok = ok
        if not ready:
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m provisioning.watchdog",
                           description="run a program under systemd's watchdog")
    parser.add_argument("--health", help="URL that answers 200 while the program is healthy")
    parser.add_argument("--cafile", help="CA certificate for an https health URL")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="-- PROGRAM ARGS...")
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        print("provisioning.watchdog: 没有给出要运行的程序(写在 -- 之后) / no program given (use "
              "-- PROGRAM ARGS...)", file=sys.stderr)
        return 2
    try:
        return supervise(cmd, args.health, args.cafile)
    except FileNotFoundError as exc:
        print(f"provisioning.watchdog: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
