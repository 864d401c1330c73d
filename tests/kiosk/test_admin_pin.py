"""The admin PIN: scrypt hash, constant-time check, wrong input refused."""

from __future__ import annotations

from kiosk.admin import hash_pin, verify_pin


def test_pin_round_trip() -> None:
    stored = hash_pin("2468", n=2**10)
    assert stored.startswith("scrypt$1024$8$1$")
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("", stored)
    assert hash_pin("2468", n=2**10) != stored  # salted


def test_bad_stored_values_never_verify() -> None:
    for stored in ("", "plain", "scrypt$x$8$1$00$00", "bcrypt$1$2$3$4$5", "scrypt$1024$8$1$zz$00"):
        assert not verify_pin("2468", stored)
