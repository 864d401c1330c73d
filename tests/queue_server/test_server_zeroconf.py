"""`python -m queue_server` advertises itself: the real server started inside a private network
namespace is found from a second namespace by a zeroconf browser, with its hall, port and API
version, and is gone from the LAN once the server stops. (The namespaces and the browser come
from test_discovery.py; nothing touches the host's own interfaces.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, load_test_hall
from tests.queue_server.test_discovery import BROWSER, _in_ns, netns_pair  # noqa: F401


@pytest.mark.netns
def test_the_server_is_found_on_the_lan_and_leaves_it(
        netns_pair: tuple[str, str, str, str], tmp_path: Path) -> None:  # noqa: F811
    ns_a, ip_a, ns_b, ip_b = netns_pair
    db = f"sqlite:///{tmp_path / 'zc.db'}"
    load_test_hall(db)
    port = free_port()
    server = subprocess.Popen(
        ["ip", "netns", "exec", ns_a, sys.executable, "-m", "queue_server", "--db", db,
         "--host", ip_a, "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    browser = None
    try:
        browser = _in_ns(ns_b, BROWSER, ip_b)
        assert browser.stdout is not None
        found = json.loads(browser.stdout.readline() or "{}")
        assert found.get("found"), found
        assert found["port"] == port and found["addresses"] == [ip_a]
        assert found["props"]["hall"] == "t1" and found["props"]["api"] == "v1"
        server.terminate()
        server.wait(15)
        assert browser.stdout.readline().strip() == "removed"
    finally:
        for proc in (server, browser):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=10)
