"""The server certificate's fingerprint (sha256 of its DER form), advertised over zeroconf so
terminals can pin it."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path


def fingerprint(cert_path: str | None, ca_path: str | None = None) -> str | None:
    """The pinned fingerprint: of the hall CA (given, or `ca.pem` beside the server
    certificate, as `provisioning tls` lays them out), else of the server certificate."""
    if not cert_path:
        return None
    beside = Path(cert_path).with_name("ca.pem")
    path = Path(ca_path) if ca_path else (beside if beside.exists() else Path(cert_path))
    pem = path.read_text(encoding="ascii")
    der = ssl.PEM_cert_to_DER_cert(pem)
    return hashlib.sha256(der).hexdigest()
