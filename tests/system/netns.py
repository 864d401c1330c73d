"""A private network for zeroconf tests: two network namespaces made for the test and joined
by a veth pair (the pair is created inside the first namespace, so nothing appears on the
host), and a python-zeroconf browser script to run in one of them."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BROWSER = """
import json, sys, threading, time
from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf
kind = "_kuaiban._tcp.local."
zc = Zeroconf(interfaces=[sys.argv[1]])
added, removed = threading.Event(), threading.Event()
names = []
def changed(zeroconf, service_type, name, state_change):
    if state_change is ServiceStateChange.Added:
        names.append(name); added.set()
    elif state_change is ServiceStateChange.Removed:
        removed.set()
ServiceBrowser(zc, kind, handlers=[changed])
if not added.wait(10):
    print(json.dumps({"found": None}), flush=True); sys.exit(1)
info = zc.get_service_info(kind, names[0], timeout=5000)
props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
print(json.dumps({"found": names[0], "port": info.port, "props": props,
                  "addresses": info.parsed_addresses()}), flush=True)
print("removed" if removed.wait(10) else "still there", flush=True)
zc.close()
"""


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


@contextlib.contextmanager
def private_network() -> Iterator[tuple[str, str, str, str]]:
    """Two fresh network namespaces joined by a veth pair: (ns_a, ip_a, ns_b, ip_b); skips the
    test with the reason when this machine cannot make them (not root, no `ip`)."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    if not shutil.which("ip"):
        pytest.skip("iproute2 `ip` is not installed")
    tag = uuid.uuid4().hex[:6]
    ns_a, ns_b = f"kbA{tag}", f"kbB{tag}"
    octet = int(tag[:2], 16) % 250 + 1
    ip_a, ip_b = f"10.231.{octet}.1", f"10.231.{octet}.2"
    try:
        _run("ip", "netns", "add", ns_a)
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.skip(f"cannot create a network namespace here: {exc}")
    try:
        _run("ip", "netns", "add", ns_b)
        # The veth pair is made inside ns_a and one end moved to ns_b: nothing on the host.
        _run("ip", "-n", ns_a, "link", "add", "va", "type", "veth", "peer", "name", "vb")
        _run("ip", "-n", ns_a, "link", "set", "vb", "netns", ns_b)
        for ns, dev, ip in ((ns_a, "va", ip_a), (ns_b, "vb", ip_b)):
            _run("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            _run("ip", "-n", ns, "link", "set", dev, "up", "multicast", "on")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        yield ns_a, ip_a, ns_b, ip_b
    finally:
        for ns in (ns_a, ns_b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)


def in_ns(ns: str, script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", script, *args],
                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


