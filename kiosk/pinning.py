"""Trust in the hall server over HTTPS without a public CA: the terminal knows the sha256
fingerprint of the hall CA (from enrolment, `ca_fingerprint`, or the zeroconf TXT `fp`). It reads
the certificate chain the server presents (the server sends leaf then CA), takes the certificate
whose fingerprint matches, and from then on verifies every connection against that CA alone.
Blocking (one handshake); call it off the GUI thread."""

from __future__ import annotations

import hashlib
import socket
import ssl
from urllib.parse import urlsplit


class PinMismatch(ssl.SSLError):
    """No certificate the server presented has the pinned fingerprint."""


def normalise(fingerprint: str) -> str:
    return fingerprint.replace(":", "").strip().lower()


def presented_chain(host: str, port: int, timeout: float = 5.0) -> list[bytes]:
    """The DER certificates the server sends in its handshake, unverified (checked by pin)."""
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            probe.wrap_socket(raw, server_hostname=host) as tls:
        chain = tls._sslobj.get_unverified_chain() or []  # type: ignore[attr-defined]
        return [c.public_bytes(ssl._ssl.ENCODING_DER) for c in chain]  # type: ignore[attr-defined]


def pinned_context(url: str, fingerprint: str, timeout: float = 5.0) -> ssl.SSLContext:
    """An SSL context that trusts only the certificate of `url`'s chain matching `fingerprint`.
    The pin is the trust anchor, so the host name need not be in the certificate (terminals
    reach the server by the address zeroconf gave)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    want = normalise(fingerprint)
    for der in presented_chain(host, port, timeout):
        if hashlib.sha256(der).hexdigest() == want:
            context = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
            context.check_hostname = False
            return context
    raise PinMismatch(f"{host}:{port} presented no certificate with fingerprint {want[:16]}…")
