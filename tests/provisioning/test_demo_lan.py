"""The demo's public address: given, the machine's LAN address, or loopback as the last
resort (and then the demo says phones cannot follow its links)."""

from __future__ import annotations

import pytest

from provisioning.demo import lan


def test_given_address_wins_and_the_server_listens_everywhere() -> None:
    got = lan.reach(8750, "http://hall.example.lan:8750/")
    assert got == lan.Reach("http://hall.example.lan:8750", "0.0.0.0", True)


def test_the_lan_address_is_used_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lan, "lan_address", lambda: "192.168.1.10")
    assert lan.reach(8750) == lan.Reach("http://192.168.1.10:8750", "0.0.0.0", True)
    monkeypatch.setattr(lan, "lan_address", lambda: None)
    assert lan.reach(8750) == lan.Reach("http://127.0.0.1:8750", "127.0.0.1", False)


def test_the_lan_address_is_read_from_this_machine() -> None:
    found = lan.lan_address()
    assert found is None or (found.count(".") == 3 and not found.startswith("127."))


def test_local_keeps_the_demo_on_loopback_even_with_a_lan(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lan, "lan_address", lambda: "192.168.1.10")
    assert lan.reach(8750, local=True) == lan.Reach("http://127.0.0.1:8750", "127.0.0.1", False)


def test_local_and_a_public_address_are_refused_together(
        capsys: pytest.CaptureFixture[str]) -> None:
    from provisioning.__main__ import main

    assert main(["demo", "--local", "--public-url", "http://hall.example.lan:8750"]) == 2
    assert "--public-url and --local" in capsys.readouterr().err
