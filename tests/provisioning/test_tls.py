"""`provisioning tls`: a hall CA and a server certificate that a real TLS handshake accepts."""

from __future__ import annotations

import hashlib
import http.server
import json
import ssl
import threading
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from provisioning.__main__ import main


def _issue(out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, str]:
    assert main(["tls", "--out", str(out), "--hall", "hjhq", "--host", "localhost",
                 "--host", "127.0.0.1", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_fingerprint_is_sha256_of_ca_der_and_keys_are_private(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    out = _issue(tmp_path / "tls", capsys)
    ca = x509.load_pem_x509_certificate(Path(out["ca"]).read_bytes())
    der = ca.public_bytes(serialization.Encoding.DER)
    assert out["fingerprint"] == hashlib.sha256(der).hexdigest()
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key in ("ca.key", "server.key"):
        assert (tmp_path / "tls" / key).stat().st_mode & 0o777 == 0o600


def test_reissue_keeps_the_ca_so_pins_stay_valid(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    first = _issue(tmp_path / "tls", capsys)
    cert1 = Path(first["cert"]).read_bytes()
    second = _issue(tmp_path / "tls", capsys)
    assert second["fingerprint"] == first["fingerprint"]
    assert Path(second["cert"]).read_bytes() != cert1


def test_a_renewal_says_what_it_drops(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    """Renewed with fewer --host values, the certificate silently lost the others (terminals
    reaching the server by them were then refused); another --hall silently kept the CA."""
    out = tmp_path / "tls"
    assert main(["tls", "--out", str(out), "--hall", "hjhq", "--host", "hall-server",
                 "--host", "192.168.1.10", "--json"]) == 0
    capsys.readouterr()
    assert main(["tls", "--out", str(out), "--hall", "other", "--host", "hall-server",
                 "--json"]) == 0
    said = capsys.readouterr()
    assert json.loads(said.out)["hosts"] == ["hall-server", "localhost", "127.0.0.1"]
    lines = said.err.strip().splitlines()
    assert len(lines) == 2 and "不再包含 192.168.1.10" in lines[0], lines
    assert "为大厅 hjhq 建的" in lines[1] and "--hall other" in lines[1], lines
    assert main(["tls", "--out", str(out), "--hall", "hjhq", "--host", "hall-server",
                 "--json"]) == 0
    assert capsys.readouterr().err == ""  # the same names again: nothing to say


def test_https_handshake_with_the_pinned_ca(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = _issue(tmp_path / "tls", capsys)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(out["cert"], out["key"])

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for host in ("localhost", "127.0.0.1"):
            resp = httpx.get(f"https://{host}:{port}/health", verify=ssl.create_default_context(
                cafile=out["ca"]), timeout=5)
            assert resp.json() == {"status": "ok"}
        with pytest.raises(httpx.ConnectError):  # a client without the hall CA refuses it
            httpx.get(f"https://127.0.0.1:{port}/health", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_bad_host_and_bad_out_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tls", "--out", str(tmp_path / "t"), "--host", "bad host!"]) == 2
    assert "--host" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["tls", "--out", str(tmp_path / "file"), "--host", "localhost"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a folder" in err


def test_the_machine_itself_is_always_in_the_certificate(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """docs/admin.md's own command names the hall's hosts; the service's watchdog checks
    https://127.0.0.1/... with the hall CA, so 127.0.0.1 and localhost are always in it."""
    assert main(["tls", "--out", str(tmp_path / "tls"), "--host", "hall-server",
                 "--host", "192.168.1.10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    cert = x509.load_pem_x509_certificate(Path(out["cert"]).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) >= {"hall-server", "localhost"}
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {
        "192.168.1.10", "127.0.0.1"}
