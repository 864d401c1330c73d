"""`server = "auto"`: the kiosk finds the server's zeroconf advertisement (on loopback only)."""

from __future__ import annotations

from kiosk.discovery import browse
from queue_server.api.discovery import advertise


def test_browse_finds_the_hall_and_filters_others() -> None:
    ad = advertise("kt-disc", 18750, host="127.0.0.1", tls_fingerprint="ab:cd")
    try:
        found = browse(8.0, "kt-disc", interfaces=["127.0.0.1"])
        assert [(f.url, f.hall, f.fingerprint) for f in found] == [
            ("https://127.0.0.1:18750", "kt-disc", "ab:cd")]
        assert browse(1.0, "another-hall", interfaces=["127.0.0.1"]) == []
    finally:
        ad.close()


def test_a_server_of_several_halls_is_found_by_each_and_by_their_outposts() -> None:
    """A city's database serving two halls and a bank outpost advertised the first hall
    only: the second hall's and the outpost's terminals found no server (an outside check)."""
    ad = advertise("kt-city", 18751, host="127.0.0.1",
                   halls=["kt-city", "kt-city-bank", "kt-town"])
    try:
        for hall in ("kt-city", "kt-city-bank", "kt-town"):
            found = browse(8.0, hall, interfaces=["127.0.0.1"])
            assert [(f.url, f.hall) for f in found] == [("http://127.0.0.1:18751", hall)], hall
        assert browse(1.0, "kt-elsewhere", interfaces=["127.0.0.1"]) == []
    finally:
        ad.close()
