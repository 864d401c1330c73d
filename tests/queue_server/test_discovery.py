"""Zeroconf advertisement (queue_server/discovery.py), checked on a private network: the test
makes two network namespaces joined by a veth pair, advertises in one and browses with
python-zeroconf from the other. The host's own interfaces are never touched."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from queue_server.api.discovery import advertised_addresses, instance_name, service_properties
from tests.system.netns import BROWSER, in_ns, private_network

ADVERTISER = """
import sys
from queue_server.api.discovery import advertise
host, fp = sys.argv[1], (sys.argv[2] or None)
ad = advertise("hjhq", 8750, host=host, tls_fingerprint=fp)
print("registered" if ad.wait_registered(10) else f"failed {ad.error}", flush=True)
sys.stdin.readline()
ad.close()
print("closed", flush=True)
"""


@pytest.fixture
def netns_pair() -> Iterator[tuple[str, str, str, str]]:
    with private_network() as net:
        yield net


def _advertise_and_browse(netns: tuple[str, str, str, str], bind: str,
                          fp: str) -> tuple[dict[str, object], str]:
    ns_a, ip_a, ns_b, ip_b = netns
    advertiser = in_ns(ns_a, ADVERTISER, bind, fp)
    browser = None
    try:
        assert advertiser.stdout is not None and advertiser.stdin is not None
        assert advertiser.stdout.readline().strip() == "registered"
        browser = in_ns(ns_b, BROWSER, ip_b)
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
    assert service_properties("hjhq", None, ["hjhq"]) == {"hall": "hjhq", "api": "v1"}
    assert service_properties("hjhq", None, ["hjhq", "abc-hjhq", "wlqq"])["halls"] == (
        "hjhq,abc-hjhq,wlqq")
    many = service_properties("hjhq", None, ["hjhq", *(f"hall-{i:02d}" for i in range(40))])
    assert len(f"halls={many['halls']}".encode()) <= 255  # one TXT string
    assert advertised_addresses("192.0.2.7") == ["192.0.2.7"]
    assert advertised_addresses("localhost") == ["127.0.0.1"]
    assert "127.0.0.1" not in advertised_addresses("0.0.0.0")
    assert instance_name("hjhq").startswith("hjhq-")


def test_the_advertisement_names_every_hall_of_the_database(hall_db: str) -> None:
    """The halls a server advertises: each main hall followed by its bank outposts."""
    from queue_server.db.store import Store
    from queue_server.usecases import terminals

    store = Store(hall_db)
    try:
        assert terminals.served_halls(store) == ["t1", "bank1"]
    finally:
        store.close()
