"""The hall's TLS material: a hall CA (kept on the server machine) and a server certificate it
signs. Terminals pin the CA by the sha256 fingerprint of its DER form, which zeroconf also
advertises, so a tablet needs no public CA and no manual trust store.

Reissuing keeps an existing CA (and so every terminal's pin) and only renews the server key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 825  # the longest lifetime common TLS clients accept for a leaf certificate


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path
    fingerprint: str  # sha256 of the CA certificate (DER), lowercase hex without separators


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def pem_fingerprint(path: Path) -> str:
    return fingerprint(x509.load_pem_x509_certificate(path.read_bytes()))


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by its owner only, created so from the start (no window at 0644)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make_ca(hall_id: str, hall_name: str, now: dt.datetime
             ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, hall_name or hall_id),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Kuaiban hall CA {hall_id}"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _san(hosts: list[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def hosts_of(path: Path) -> list[str]:
    """The names and addresses a server certificate at `path` holds ([] when there is none, or
    it cannot be read)."""
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return []
    return [str(n.value) for n in san]


def ca_hall(path: Path) -> str | None:
    """The hall id the CA at `path` was made for (its common name), or None."""
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common = str(names[0].value) if names else ""
    return common.removeprefix("Kuaiban hall CA ") if common.startswith("Kuaiban hall CA ") \
        else None


def _make_server(ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hosts: list[str],
                 now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def issue(out_dir: Path, hall_id: str, hall_name: str, hosts: list[str],
          now: dt.datetime | None = None) -> TlsFiles:
    """Create (or keep) the hall CA in `out_dir` and issue a fresh server certificate for `hosts`."""
    now = now or dt.datetime.now(dt.UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(out_dir / "ca.pem", out_dir / "ca.key", out_dir / "server.pem",
                     out_dir / "server.key", "")
    if files.ca_cert.exists() and files.ca_key.exists():
        ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        loaded = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{files.ca_key}: not an EC private key")
        ca_key = loaded
    else:
        ca, ca_key = _make_ca(hall_id, hall_name, now)
        _write_private(files.ca_key, _key_pem(ca_key))
        files.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert, key = _make_server(ca, ca_key, hosts, now)
    _write_private(files.key, _key_pem(key))
    # The chain (leaf then CA) so a client that pins the CA can build the path from the handshake.
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                           + ca.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(files.ca_cert, files.ca_key, files.cert, files.key, fingerprint(ca))
