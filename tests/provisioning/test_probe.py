"""`provisioning probe`: the real device simulators on pseudo-terminals are found by their
answers and written into the terminal's configuration file, which the kiosk then loads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load_config as load_terminal_config
from provisioning.__main__ import main


@pytest.fixture()
def sim_ports() -> Iterator[dict[str, str]]:
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for kind in ("printer", "idcard"):
            procs[kind] = subprocess.Popen(
                [sys.executable, "-m", "devices", "sim", kind, "--pty"],
                stdout=subprocess.PIPE, text=True)
        yield {kind: f"serial://{p.stdout.readline().strip()}"  # type: ignore[union-attr]
               for kind, p in procs.items()}
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(10)


def test_probe_finds_printer_and_reader_and_keeps_enrolment(sim_ports: dict[str, str],
                                                            tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    out = tmp_path / "kiosk.toml"
    out.write_text('role = "kiosk"\nserver = "http://10.0.0.2:8750"\ntoken = "kbt_x"\n\n'
                   '[devices]\npad = "sim://pad"\ncamera = "images:///srv/photos"\n')
    (tmp_path / "dev").mkdir()
    argv = ["probe", "--out", str(out), "--only", "--port", sim_ports["printer"], "--port",
            sim_ports["idcard"], "--port", "serial:///dev/nonexistent-kb", "--timeout", "0.5",
            "--video", str(tmp_path / "dev"), "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    kinds = {r["port"]: r["kind"] for r in report["ports"]}
    assert kinds == {sim_ports["printer"]: "printer", sim_ports["idcard"]: "idcard",
                     "serial:///dev/nonexistent-kb": None}
    config = load_terminal_config(out)
    assert config.devices.printer == sim_ports["printer"]
    assert config.devices.idcard == sim_ports["idcard"]
    assert config.devices.pad == ""  # a simulator is not kept where real hardware was sought
    assert config.devices.camera == "images:///srv/photos"  # typed by hand: kept
    assert (config.server, config.token) == ("http://10.0.0.2:8750", "kbt_x")


def test_probe_finds_a_video_device_and_refuses_bad_input(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev/video2").touch()
    (tmp_path / "dev/video10").touch()
    out = tmp_path / "k.toml"
    assert main(["probe", "--out", str(out), "--only", "--video", str(tmp_path / "dev")]) == 0
    capsys.readouterr()
    assert load_terminal_config(out).devices.camera == "camera://2"
    assert main(["probe", "--out", str(out), "--timeout", "99"]) == 2
    out.write_text("[devices\n")
    assert main(["probe", "--out", str(out), "--only"]) == 2
    assert capsys.readouterr().err.count("\n") == 2


SIM_DESK = "sim://camera?width=1296&height=972&distance=540&tilt=35&roll=10"


def test_probe_calibrates_the_camera_from_its_reference_sheet(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    from devices.camera import open_camera
    from devices.camera.document import scan
    from devices.camera.synth import desk_photo
    from devices.camera.view import View

    out = tmp_path / "kiosk.toml"
    out.write_text('[devices]\ncamera = "sim://camera?mm_per_px=9"\n')  # an old, wrong scale
    argv = ["probe", "--out", str(out), "--only", "--calibrate", "--camera",
            SIM_DESK + "&scene=sheet", "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    camera = load_terminal_config(out).devices.camera
    assert camera == report["calibration"]["camera"] and "desk=1296x972:" in camera
    assert "mm_per_px" not in camera and report["calibration"]["fit_mm"] < 0.5
    assert report["calibration"]["mm_per_px"] == pytest.approx(0.5, abs=0.1)
    # the camera as configured now measures a page in millimetres: an A4 page at a fifth of the
    # frame, stretched by the perspective to a card's proportions, is an A4 page
    still = desk_photo(38, 1296, 972, view=View(540, 35, 10), paper_mm=(210, 297)).image
    configured = open_camera(camera)
    result = scan(still, calibration=configured.calibration)
    configured.close()
    assert result.judgement is not None and result.judgement.paper == "A4"
    assert result.width / result.height == pytest.approx(2 ** -0.5, rel=0.005) or \
        result.width / result.height == pytest.approx(2 ** 0.5, rel=0.005)
    halved = ["probe", "--out", str(out), "--only", "--calibrate", "--camera", camera, "--bar-mm", "50"]
    assert main(halved) == 0  # printed at half size: its marks are half as far apart
    assert "mm a pixel" in capsys.readouterr().out
    assert open_camera(load_terminal_config(out).devices.camera).calibration.mm_per_px(  # type: ignore[union-attr]
        (648, 486)) == pytest.approx(report["calibration"]["mm_per_px"] / 2, rel=0.05)


def test_probe_calibration_needs_the_sheet_and_a_camera(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kiosk.toml"
    (tmp_path / "dev").mkdir()
    assert main(["probe", "--out", str(out), "--only", "--calibrate", "--video",
                 str(tmp_path / "dev")]) == 2
    assert "no camera found" in capsys.readouterr().err
    assert main(["probe", "--out", str(out), "--only", "--calibrate", "--camera",
                 SIM_DESK + "&scene=page"]) == 2
    assert "calibration sheet was not found" in capsys.readouterr().err
    assert not out.exists()  # nothing written when the calibration failed
