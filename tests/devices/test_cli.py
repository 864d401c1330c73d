"""`python -m devices` as a subprocess, as an administrator or a kiosk engineer runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.devices.conftest import ROOT


def devices(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devices", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_read_idcard_from_the_pty_simulator_masked_and_revealed(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--card", "1", "--dwell", "30")
    masked = devices("read", "idcard", sim.url, "--json", "--timeout", "15")
    assert masked.returncode == 0, masked.stderr
    card = json.loads(masked.stdout)
    assert card["name"] == "张**" and card["number"] == "150***********0019"
    assert card["valid_to"] == "长期" and card["ethnicity"] == "蒙古" and card["sex"] == "男"
    assert "150826194811050019" not in masked.stdout + masked.stderr
    revealed = json.loads(devices("read", "idcard", sim.url, "--json", "--reveal").stdout)
    assert revealed["number"] == "150826194811050019" and revealed["name"] == "张宝山"
    assert revealed["birth_date"] == "1948-11-05"


def test_read_idcard_timeout_exits_1_with_a_reason(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--dwell", "0")
    done = devices("read", "idcard", sim.url, "--json", "--timeout", "0.5")
    assert done.returncode == 1
    assert "no card" in json.loads(done.stdout)["error"] and "Traceback" not in done.stderr


def test_read_idcard_from_a_missing_port_exits_1() -> None:
    done = devices("read", "idcard", "serial:///dev/ttyUSB97", "--timeout", "0.3")
    assert done.returncode == 1 and "DeviceUnavailable" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [
    [], ["sim", "scanner", "--pty"], ["sim", "idcard"], ["read", "idcard"],
    ["read", "idcard", "bogus://x"], ["read", "idcard", "sim://idcard?x=1"],
    ["read", "idcard", "sim://idcard", "--timeout", "soon"], ["read", "pad", "sim://pad", "--timeout", "-1"],
    ["probe", "--nonsense"], ["sim", "idcard", "--pty", "--every", "2"],
    # not a number a wait can end on, or a count below one: refused, never waited on or served
    ["read", "idcard", "sim://idcard", "--timeout", "nan"], ["read", "pad", "sim://pad", "--timeout", "inf"],
    ["probe", "--timeout", "nan"], ["sim", "printer", "--pty", "--paper-lines", "-5"],
    ["sim", "pad", "--pty", "--unplug-after", "-1"],
    # file://host/... would drop the host and print somewhere else
    ["print-sample", "file://tmp/ticket.bin"], ["print-sample", "file://somehost/tmp/ticket.bin"],
])
def test_bad_usage_exits_2_with_one_line(args: list[str]) -> None:
    done = devices(*args)
    assert done.returncode == 2, done
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_probe_names_the_reader_and_an_empty_port(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--dwell", "0")
    done = devices("probe", "--no-system", "--port", sim.url, "--port", "loop://", "--json")
    assert done.returncode == 0, done.stderr
    found = {r["port"]: r for r in json.loads(done.stdout)}
    assert found[sim.url]["kind"] == "idcard" and "SAM status OK" in found[sim.url]["detail"]
    assert found["loop://"]["kind"] is None and len(found) == 2


def test_read_pad_from_the_pty_simulator(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("pad", "--every", "0.3")
    done = devices("read", "pad", sim.url, "--json", "--timeout", "15")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"level": 5}


def test_probe_names_a_pad(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("pad", "--every", "0")
    done = devices("probe", "--no-system", "--port", sim.url, "--json")
    found = {r["port"]: r for r in json.loads(done.stdout)}
    assert found[sim.url]["kind"] == "pad"


def test_sim_idcard_prints_the_pty_path_first_and_serves_until_killed(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard")
    assert sim.path.startswith("/dev/pts/") and sim.proc.poll() is None
    sim.stop()
    assert sim.proc.returncode == 0


def test_probe_names_a_printer(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("printer")
    done = devices("probe", "--no-system", "--port", sim.url, "--json")
    found = {r["port"]: r for r in json.loads(done.stdout)}
    assert found[sim.url]["kind"] == "printer", done


def test_print_sample_and_scan_are_routed_to_their_packages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ticket.bin"
    done = devices("print-sample", f"file://{out}")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\x1b@")  # ESC @: the printer was initialised
    missing = devices("scan", str(tmp_path / "none.jpg"), "--out", str(tmp_path / "x.jpg"), "--json")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_scan_refuses_an_id_card_unless_the_step_allows_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source, out = "sim://camera?scene=idcard&seed=3", tmp_path / "card.jpg"
    refused = devices("scan", source, "--out", str(out), "--json")
    assert refused.returncode == 1 and json.loads(refused.stdout)["kind"] == "IdCardRefused"
    assert not out.exists()
    allowed = devices("scan", source, "--out", str(out), "--json", "--allow-id-card")
    assert allowed.returncode == 0, allowed.stderr
    assert len(json.loads(allowed.stdout)["corners"]) == 4 and out.stat().st_size > 0


def test_each_simulator_has_its_own_help() -> None:
    helps = {kind: devices("sim", kind, "--help") for kind in ("idcard", "printer", "pad")}
    assert all(done.returncode == 0 for done in helps.values())
    texts = {kind: done.stdout for kind, done in helps.items()}
    assert len(set(texts.values())) == 3
    assert "--hold" in texts["idcard"] and "present N|NAME" in texts["idcard"]
    assert "--cards" not in texts["printer"] and "paper ok|low|out" in texts["printer"]
    assert "--paper" in texts["printer"] and "--every" in texts["pad"] and "press LEVEL" in texts["pad"]
    for text in texts.values():
        assert "control socket" in text and "second" in text and "devices ctl SOCKET help" in text
    assert "KIND --help" in devices("sim", "--help").stdout


@pytest.mark.parametrize("args", [
    ["sim", "printer", "--pty", "--card", "1"], ["sim", "pad", "--pty", "--dwell", "2"],
    ["sim", "idcard", "--pty", "--paper", "out"], ["sim", "pad", "--pty", "--hold", "--every", "2"],
])
def test_options_of_another_simulator_are_refused(args: list[str]) -> None:
    done = devices(*args)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done


def test_ctl_drives_a_simulator_and_says_when_it_refuses(sim_process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--hold", "--control", str(tmp_path / "reader.sock"))
    assert sim.control == str(tmp_path / "reader.sock")
    done = devices("ctl", sim.control, "present", "1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"]["card"] == 1
    refused = devices("ctl", sim.control, "present", "99")
    assert refused.returncode == 1 and "no card 99" in refused.stderr
    listed = json.loads(devices("ctl", sim.control, "help").stdout)["result"]
    assert {"present", "remove", "cycle", "cards", "state"} <= set(listed)
    nobody = devices("ctl", str(tmp_path / "none.sock"), "state")
    assert nobody.returncode == 1 and "no simulator answers" in nobody.stderr
    sim.stop()
    assert not (tmp_path / "reader.sock").exists()  # removed when the simulator stops


@pytest.mark.parametrize("kind", ["idcard", "printer", "pad"])
def test_a_simulator_never_replaces_what_is_not_its_own_link(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """--link replaces only a symlink (its own, from a run before): a file, a folder or a device
    node at that path is left alone, and a missing folder or a --control that is not a socket
    is refused, each with one line and exit 2."""
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    folder = tmp_path / "folder"
    folder.mkdir()
    for args in (["--link", str(precious)], ["--link", str(folder)],
                 ["--link", str(tmp_path / "none" / "tty")],
                 ["--control", str(precious)], ["--control", str(tmp_path / "none" / "sock")]):
        done = devices("sim", kind, "--pty", *args, timeout=10)
        assert done.returncode == 2, (args, done)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert precious.read_text() == "keep me" and folder.is_dir()


def test_print_sample_to_a_missing_folder_says_why_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = devices("print-sample", f"file://{tmp_path}/none/ticket.bin")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()  # no driver warning, no retry note
    assert "cannot open" in line and "next try" not in line
    assert devices("print-sample", f"file://localhost{tmp_path}/t.bin").returncode == 0
