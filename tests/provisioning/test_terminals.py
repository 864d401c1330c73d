"""`provisioning terminal-config`, `list`, `revoke` on a real database: a machine enrolled twice
is one terminal with a new token; the file is what the kiosk loads; the QR code decodes to it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import load_config as load_terminal_config
from provisioning.__main__ import main
from tests.provisioning.conftest import BACKENDS, load_hall

MID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(params=BACKENDS)
def hall_url(request: pytest.FixtureRequest, db_factory) -> str:  # type: ignore[no-untyped-def]
    url = db_factory(request.param)
    load_hall(url)
    return url


def _enrol(url: str, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
           ) -> dict[str, object]:
    assert main(["terminal-config", "--db", url, "--out", str(out), "--machine-id", MID,
                 "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out.splitlines()[0])


def _listed(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, object]]:
    assert main(["list", "--db", url, "--json", *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_enrolling_a_machine_twice_updates_one_terminal(hall_url: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "counter.toml"
    first = _enrol(hall_url, out, capsys, "--kind", "counter", "--counter", "W05",
                   "--server", "http://127.0.0.1:8750", "--printer", "sim://printer")
    second = _enrol(hall_url, out, capsys, "--kind", "counter", "--counter", "W06")
    assert (first["updated"], second["updated"]) == (False, True)
    assert first["token"] != second["token"] and first["terminal"] == second["terminal"]
    rows = _listed(hall_url, capsys, "--all")
    assert [(r["name"], r["counter"], r["active"]) for r in rows] == [
        ("counter-01234567", "W06", True)]
    config = load_terminal_config(out)  # the kiosk's own loader accepts the file
    assert (config.role, config.counter, config.token) == ("counter", "W06", second["token"])
    assert config.machine_id == MID and config.hall == "hjhq"
    assert config.devices.printer == "sim://printer"  # kept from the first run
    assert config.server == "http://127.0.0.1:8750"  # and its server (a re-run made it "auto")
    assert out.stat().st_mode & 0o777 == 0o600


def test_bank_terminal_goes_to_the_outpost(hall_url: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = _enrol(hall_url, tmp_path / "bank.toml", capsys, "--kind", "bank")
    assert out["hall"] == "abc-hjhq"
    assert load_terminal_config(tmp_path / "bank.toml").role == "bank"


def _decode_ascii_qr(text: str) -> str:
    """Turn the half-block drawing back into pixels (invert=True: a block is a light module)."""
    top = {"█": 1, "▀": 1, "▄": 0, " ": 0, "\xa0": 0}
    bottom = {"█": 1, "▀": 0, "▄": 1, " ": 0, "\xa0": 0}
    rows: list[list[int]] = []
    for line in text.splitlines():
        rows.append([top[c] for c in line])
        rows.append([bottom[c] for c in line])
    if rows and not any(rows[-1]):  # qrcode pads an odd height with a dark half row
        rows.pop()
    light = np.array(rows, dtype=np.uint8) * 255
    for scale in (6, 8, 10, 4):  # OpenCV's detector is scale-sensitive on synthetic images
        image = cv2.resize(np.pad(light, 8, constant_values=255), None, fx=scale, fy=scale,
                           interpolation=cv2.INTER_NEAREST)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            data, _points, _ = detector.detectAndDecode(image)
            if data:
                return str(data)
    raise AssertionError("the printed QR code does not decode")


def test_qr_code_decodes_to_the_settings(hall_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terminal-config", "--db", hall_url, "--out", str(tmp_path / "k.toml"),
                 "--kind", "kiosk", "--machine-id", MID, "--server", "https://hall.local:8750",
                 "--ca-fingerprint", "ab" * 32, "--qr"]) == 0
    lines = capsys.readouterr().out.splitlines()
    payload = json.loads(_decode_ascii_qr("\n".join(lines[1:])))
    config = load_terminal_config(tmp_path / "k.toml")
    assert payload["token"] == config.token and payload["server"] == "https://hall.local:8750"
    assert payload["ca_fingerprint"] == "ab" * 32 and payload["role"] == "kiosk"


def test_revoke_hides_the_terminal_and_refuses_unknown(hall_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _enrol(hall_url, tmp_path / "d.toml", capsys, "--kind", "display")
    assert main(["revoke", "--db", hall_url, "--name", "display-01234567"]) == 0
    assert "display-01234567" in capsys.readouterr().out
    assert _listed(hall_url, capsys) == []
    assert [r["active"] for r in _listed(hall_url, capsys, "--all")] == [False]
    assert main(["revoke", "--db", hall_url, "--name", "display-01234567"]) == 2
    assert "no active terminal" in capsys.readouterr().err
    # enrolling the machine again brings the same terminal back with a new token
    again = _enrol(hall_url, tmp_path / "d.toml", capsys, "--kind", "display")
    assert again["updated"] is True and len(_listed(hall_url, capsys)) == 1


def test_bad_input_exits_2_and_writes_nothing(hall_url: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.toml"
    cases = [
        (["--kind", "counter"], "--counter"),
        (["--kind", "counter", "--counter", "X99"], "X99"),
        (["--kind", "kiosk", "--server", "ftp://x"], "--server"),
        (["--kind", "kiosk", "--hall", "nowhere"], "nowhere"),
        (["--kind", "kiosk", "--ca-fingerprint", "zz"], "--ca-fingerprint"),  # never connects
    ]
    for argv, word in cases:
        assert main(["terminal-config", "--db", hall_url, "--out", str(out), *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and word in err, err
    assert not out.exists()
    out.write_text("role = \n")
    assert main(["terminal-config", "--db", hall_url, "--out", str(out), "--kind", "kiosk"]) == 2
    assert "不是有效的 TOML / not valid TOML" in capsys.readouterr().err
    assert _listed(hall_url, capsys, "--all") == []
    for argv in (["list", "--db", f"sqlite:///{tmp_path}/none.db"], ["list", "--db", "nonsense"]):
        assert main(argv) == 2
        assert "--db" in capsys.readouterr().err
