"""Secrets: terminal and admin tokens (random, stored as sha256), staff PINs (scrypt, compared
in constant time), a ticket's rating code (the proof that whoever rates holds the ticket), and
the privacy forms of an ID card: a keyed hash, masked number and name, and the age taken from
the number's birth date (the number itself is then dropped)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import date

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_hex(32)


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str | None) -> bool:
    """Constant-time check; an unset PIN still costs one scrypt so timing tells nothing."""
    try:
        _, salt_hex, digest_hex = (stored or "scrypt$00$00").split("$")
        salt, want = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        salt, want = b"\0" * 16, b""
    got = hashlib.scrypt(pin.encode(), salt=salt, **SCRYPT)
    return stored is not None and hmac.compare_digest(got, want)


def rating_code(secret_hex: str, ticket_id: str) -> str:
    """The ticket's rating code: printed in its QR code's tracking link and answered to a card
    lookup by its holder, never in an event or a view of the ticket; derived (HMAC with the
    hall's secret), so nothing is stored. 96 bits: not guessable."""
    digest = hmac.new(bytes.fromhex(secret_hex), b"rate:" + ticket_id.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def rating_code_ok(secret_hex: str, ticket_id: str, code: str) -> bool:
    return hmac.compare_digest(rating_code(secret_hex, ticket_id).encode(),
                               code.encode("utf-8", "replace"))


def normalise_id(number: str) -> str:
    """The number as a card holds it: full-width digits and letters (a phone's Chinese input)
    made plain, spaces and dashes dropped, upper case; so the same number typed either way has
    the same keyed hash."""
    return "".join(unicodedata.normalize("NFKC", number).replace("-", " ").split()).upper()


def id_hash(secret_hex: str, number: str) -> str:
    return hmac.new(bytes.fromhex(secret_hex), normalise_id(number).encode(),
                    hashlib.sha256).hexdigest()


def mask_id(number: str, keep_last: int = 4) -> str:
    """`150***********1234`: of a resident number (15 or 18 characters) the region's first
    three digits and the last four; of a shorter one (a passport, an entry permit: 8 or 9
    characters) the first and the last two, so that most of it stays hidden."""
    n = normalise_id(number)
    first, last = (3, keep_last) if len(n) >= 15 else (1, 2)
    if len(n) <= first + last + 2:
        return "*" * max(len(n) - 2, 0) + n[-2:]
    return n[:first] + "*" * (len(n) - first - last) + n[-last:]


# What an ID number or a bank card number looks like in typed text (digits plain or full-width,
# an X may end it): a run of 15 to 19 digits; or grouped by spaces or dashes as people write
# them: an ID number 6-8-4 (150826 19770707 1235), a card number in fours (6222 0202 0000 1234
# 567). Dates and phone numbers (2026-12-06, 138 0013 8000) are neither.
_D, _X, _S = "[0-9０-９]", "[0-9０-９XxＸｘ]", "[ \\-－\u3000]"
_LONG_NUMBER = re.compile(
    f"(?<![0-9０-９])(?:{_D}{{14,18}}{_X}"
    f"|{_D}{{6}}{_S}{_D}{{8}}{_S}{_D}{{3}}{_X}"
    f"|{_D}{{4}}(?:{_S}{_D}{{4}}){{3}}(?:{_S}{_D}{{1,3}})?)(?![0-9０-９XxＸｘ])")


def mask_numbers_in(text: str) -> str:
    """`text` (a reason, a note, a comment typed by staff or a citizen) with every ID-number-like
    run of digits masked as `mask_id` does: free text is stored and shown, and nothing stored
    may hold a plaintext ID number."""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group(0)), text)


def mask_name(name: str) -> str | None:
    name = name.strip()
    if not name:
        return None
    return name[0] + "*" * min(max(len(name) - 1, 1), 3)


def birth_date(number: str) -> date | None:
    """The birth date of an 18-digit resident number or permit number (digits 7–14), or of an
    old 15-digit number (digits 7–12, 19xx)."""
    n = normalise_id(number)
    try:
        if len(n) == 18 and n[:17].isdigit():
            return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        if len(n) == 15 and n.isdigit():
            return date(1900 + int(n[6:8]), int(n[8:10]), int(n[10:12]))
    except ValueError:
        return None
    return None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def plausible_id(number: str) -> bool:
    """An 18-character number with a right GB 11643 check character (resident cards, the
    permits of Hong Kong, Macao and Taiwan residents, the 2023 permanent residence card), or
    the 2017 permanent residence form (three letters, twelve digits). For numbers typed on a
    phone: a typo would make a booking no card can ever match."""
    n = normalise_id(number)
    if len(n) == 15 and n[:3].isalpha() and n[3:].isdigit():
        return True
    if len(n) != 18 or not n[:17].isdigit():
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(n, _WEIGHTS, strict=False)) % 11] == n[17]
