"""Zeroconf advertisement (queue_server/discovery.py), checked on a private network: the test
makes two network namespaces joined by a veth pair, advertises in one and browses with
python-zeroconf from the other. The host's own interfaces are never touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.discovery import advertised_addresses, instance_name, service_properties

ROOT = Path(__file__).resolve().parents[2]

ADVERTISER = """
import sys
from queue_server.discovery import advertise
host, fp = sys.argv[1], (sys.argv[2] or None)
ad = advertise("hjhq", 8750, host=host, tls_fingerprint=fp)
print("registered" if ad.wait_registered(10) else f"failed {ad.error}", flush=True)
sys.stdin.readline()
ad.close()
print("closed", flush=True)
"""

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


@pytest.fixture
def netns_pair() -> Iterator[tuple[str, str, str, str]]:
    """Two fresh network namespaces joined by a veth pair: (ns_a, ip_a, ns_b, ip_b)."""
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


def _in_ns(ns: str, script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", script, *args],
                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _advertise_and_browse(netns: tuple[str, str, str, str], bind: str,
                          fp: str) -> tuple[dict[str, object], str]:
    ns_a, ip_a, ns_b, ip_b = netns
    advertiser = _in_ns(ns_a, ADVERTISER, bind, fp)
    browser = None
    try:
        assert advertiser.stdout is not None and advertiser.stdin is not None
        assert advertiser.stdout.readline().strip() == "registered"
        browser = _in_ns(ns_b, BROWSER, ip_b)
        assert browser.stdout is not None
        found = json.loads(browser.stdout.readline() or "{}")
        advertiser.stdin.write("\n")
        advertiser.stdin.flush()
        assert advertiser.stdout.readline().strip() == "closed"
        after_close = browser.stdout.readline().strip()
        return found, after_close
    finally:
        for proc in (advertiser, browser):
            if proc is not None:
                proc.kill()
                proc.communicate(timeout=10)


@pytest.mark.netns
def test_browser_in_another_namespace_finds_the_hall_with_fingerprint(
        netns_pair: tuple[str, str, str, str]) -> None:
    fp = "sha256:" + "ab" * 32
    found, after_close = _advertise_and_browse(netns_pair, netns_pair[1], fp)
    assert found["found"] == f"{instance_name('hjhq')}._kuaiban._tcp.local."
    assert found["port"] == 8750
    assert found["addresses"] == [netns_pair[1]]
    assert found["props"] == {"hall": "hjhq", "api": "v1", "tls": "1", "fp": fp}
    assert after_close == "removed"  # close() sent the goodbye


@pytest.mark.netns
def test_wildcard_bind_advertises_the_namespace_address_without_tls(
        netns_pair: tuple[str, str, str, str]) -> None:
    found, _ = _advertise_and_browse(netns_pair, "0.0.0.0", "")
    assert found["addresses"] == [netns_pair[1]]  # not 127.0.0.1: loopback is never announced
    assert found["props"] == {"hall": "hjhq", "api": "v1"}


def test_txt_record_and_addresses() -> None:
    assert service_properties("hjhq", None) == {"hall": "hjhq", "api": "v1"}
    assert service_properties("hjhq", "sha256:00")["fp"] == "sha256:00"
    assert advertised_addresses("192.0.2.7") == ["192.0.2.7"]
    assert advertised_addresses("localhost") == ["127.0.0.1"]
    assert "127.0.0.1" not in advertised_addresses("0.0.0.0")
    assert instance_name("hjhq").startswith("hjhq-")
