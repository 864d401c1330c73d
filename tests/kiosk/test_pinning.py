"""HTTPS to a real queue_server process with a hall CA made by `provisioning tls`: the kiosk
trusts it by the CA's fingerprint alone, and refuses a server whose chain does not match."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

import pytest

from kiosk.client import QueueClient, ServerUnreachable
from kiosk.config import TerminalConfig
from kiosk.connect import client_for
from kiosk.link import ServerLink
from kiosk.pinning import PinMismatch, pinned_context
from kiosk.tasks import TaskRunner
from server_process import start_server
from tests.kiosk.hall import Hall


@pytest.mark.slow
def test_pinned_ca_trusts_the_hall_server_and_nothing_else(tmp_path: Path, hall: Hall,
                                                           qapp: object) -> None:
    from provisioning import tls

    files = tls.issue(tmp_path / "tls", "kt", "测试政务服务中心", ["127.0.0.1"])
    ca_der = ssl.PEM_cert_to_DER_cert(files.ca_cert.read_text())
    pin = hashlib.sha256(ca_der).hexdigest()
    server = start_server(hall.db, tmp_path, "--tls-cert", str(files.cert), "--tls-key",
                          str(files.key), verify=ssl.create_default_context(
                              cafile=str(files.ca_cert)))
    url = server.url
    try:
        context = pinned_context(url, ":".join(pin[i:i + 2] for i in range(0, 64, 2)))
        client = QueueClient(url, hall.kiosk_token, verify=context)
        assert client.health().status == "ok"
        client.close()
        with pytest.raises(PinMismatch):
            pinned_context(url, "00" * 32)
        with pytest.raises(ServerUnreachable):  # the system's CAs do not know the hall CA
            QueueClient(url, hall.kiosk_token).health()
        link = ServerLink(TerminalConfig(server=url, token=hall.kiosk_token, ca_fingerprint=pin),
                          TaskRunner(), None)
        assert link._make_client(url).health().db == "ok"  # the kiosk's own link pins it too
        staff = client_for(TerminalConfig(role="counter", server=url, token=hall.kiosk_token,
                                          ca_fingerprint=pin))  # the staff roles pin it too
        assert staff.health().db == "ok"
        staff.close()
    finally:
        server.stop()
