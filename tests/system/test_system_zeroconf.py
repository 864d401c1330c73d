"""The real server advertises itself: `python -m queue_server` (zeroconf on) runs in one
network namespace the test makes, and a terminal-side browser in another namespace, joined by a
veth pair, finds `_kuaiban._tcp` with the hall's TXT record and reaches `/api/v1/health` at the
advertised address. The host's own interfaces are never touched."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.procs import ROOT, free_port
from tests.system.conftest import SystemHall
from tests.system.netns import BROWSER, private_network

pytestmark = [pytest.mark.netns, pytest.mark.slow, pytest.mark.timeout(60)]


@pytest.fixture
def netns_pair() -> Iterator[tuple[str, str, str, str]]:
    with private_network() as net:
        yield net

HEALTH = """
import sys, httpx
print(httpx.get(sys.argv[1], timeout=5).json())
"""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_terminal_in_another_namespace_finds_and_reaches_the_server(
        system_hall: Callable[..., SystemHall], netns_pair: tuple[str, str, str, str],
        tmp_path: Path) -> None:
    ns_a, ip_a, ns_b, ip_b = netns_pair
    hall = system_hall(counters=1)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(["ip", "netns", "exec", ns_a, sys.executable, "-m", "queue_server",
                               "--db", hall.db_url, "--host", ip_a, "--port", str(port)],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    browser = None
    try:
        browser = subprocess.Popen(["ip", "netns", "exec", ns_b, sys.executable, "-c", BROWSER,
                                    ip_b], cwd=ROOT, text=True, stdout=subprocess.PIPE)
        assert browser.stdout is not None
        line = browser.stdout.readline()
        found = json.loads(line or "{}")
        assert found.get("found"), (tmp_path / "server.log").read_text()[-2000:]
        assert found["props"] == {"hall": "sys1", "api": "v1"}
        assert found["addresses"] == [ip_a] and found["port"] == port
        url = f"http://{found['addresses'][0]}:{found['port']}/api/v1/health"
        health = subprocess.run(["ip", "netns", "exec", ns_b, sys.executable, "-c", HEALTH, url],
                                capture_output=True, text=True, timeout=30)
        assert health.stdout.strip() == "{'status': 'ok', 'db': 'ok'}", health.stderr
        server.terminate()  # a clean stop withdraws the advertisement
        assert server.wait(15) is not None
        assert browser.stdout.readline().strip() == "removed"
    finally:
        for proc in (server, browser):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(5)
        log.close()
