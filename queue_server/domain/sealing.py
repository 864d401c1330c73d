"""What the hall keeps of a citizen beyond the ID-number HMAC, sealed: a mailing address and a
phone number are stored only as AES-GCM ciphertext under a per-hall key, and notifications to
the SMS/WeChat gateway are signed with a per-hall HMAC-SHA256 secret. Both keys are derived
(HKDF-SHA256) from the hall's secret and its id, so a backup carries them with the database
and no other hall's key opens them. Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12


class SealBroken(Exception):
    """A sealed value that this hall's key does not open (tampered, or another hall's)."""


def _derive(secret_hex: str, hall: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"kuaiban:{purpose}:{hall}".encode()).derive(bytes.fromhex(secret_hex))


def seal(secret_hex: str, hall: str, data: dict[str, Any]) -> bytes:
    """`data` as JSON, encrypted: a random nonce followed by the ciphertext and its tag. The
    hall id is bound in as associated data."""
    nonce = os.urandom(NONCE)
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return nonce + AESGCM(_derive(secret_hex, hall, "seal")).encrypt(nonce, plain, hall.encode())


def unseal(secret_hex: str, hall: str, blob: bytes) -> dict[str, Any]:
    try:
        plain = AESGCM(_derive(secret_hex, hall, "seal")).decrypt(
            blob[:NONCE], blob[NONCE:], hall.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealBroken(f"a sealed value of hall {hall} does not open") from exc
    value = json.loads(plain)
    return dict(value) if isinstance(value, dict) else {}


def webhook_secret(secret_hex: str, hall: str) -> str:
    """The hall's webhook signing secret (hex), shown to the gateway's operator by
    `provisioning notify-secret`."""
    return _derive(secret_hex, hall, "webhook").hex()


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the webhook secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
