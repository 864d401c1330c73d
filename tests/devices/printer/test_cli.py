"""`python -m devices print-sample URL` and `python -m devices sim printer --pty`, as commands."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devices.health import Health
from devices.printer import open_printer, ticket_bytes
from devices.printer.cli import print_sample, sample_ticket

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devices", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)


def test_print_sample_writes_raw_bytes_to_a_file(
    tmp_path: Path, npos_read: Callable[[bytes], dict[str, Any]],
) -> None:
    path = tmp_path / "sample.bin"
    done = run("print-sample", f"file://{path}")
    assert done.returncode == 0, done.stderr
    data = path.read_bytes()
    assert data == ticket_bytes(sample_ticket())
    read = npos_read(data)
    assert read["qr"] == [sample_ticket().track_url] and read["cuts"] == 1
    assert "杭锦后旗政务服务中心" in "".join(read["texts"]) and not read["replacement"]


def test_print_sample_reports_printer_faults_and_bad_urls(capsys: pytest.CaptureFixture[str]) -> None:
    assert print_sample("sim://printer") == 0
    assert print_sample("sim://printer?paper=out") == 1
    assert "out of paper" in capsys.readouterr().err
    assert print_sample("lpt://1") == 2
    err = capsys.readouterr().err
    assert "tcp://host:9100" in err and "Traceback" not in err and err.count("\n") == 1


def test_bad_url_exits_2_with_one_line() -> None:
    done = run("print-sample", "nonsense")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_sim_printer_pty_command(sim_process: Any) -> None:
    sim = sim_process("printer")
    printer = open_printer(sim.url)
    assert printer.status() is Health.ONLINE
    printer.print_ticket(sample_ticket(58))
    printer.close()
