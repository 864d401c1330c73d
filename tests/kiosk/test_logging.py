"""The terminal app logs to stderr (which systemd appends to /var/log/kuaiban/ROLE.log): set up
once by `python -m kiosk` for a real run, INFO by default, `--log-level` to change it; and what
the kiosk logs never carries a citizen's ID number or name."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk import states as st
from tests.kiosk.conftest import MakeFlow, present_card

ROOT = Path(__file__).resolve().parents[2]
OLD_MAN = ("150826194811050019", "张宝山", "头道桥镇")  # sample card 1: number, name, address
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\S+) (INFO|WARNING|ERROR|DEBUG) .+")


def run_kiosk(tmp_path: Path, *args: str, until: str, timeout: float = 60.0) -> str:
    """Start the real kiosk (offscreen, as a window) against a server that is not there and the
    simulators, wait until `until` appears on its stderr (or the time is up), stop it with
    SIGTERM as systemd does; its stderr."""
    config = tmp_path / "terminal.toml"
    config.write_text('server = "http://127.0.0.1:9"\n\n[devices]\n'
                      'idcard = "sim://idcard"\nprinter = "sim://printer?paper=out"\n'
                      'camera = ""\n', encoding="utf-8")
    err = tmp_path / "stderr.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(tmp_path / "cache"))
    with err.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--role", "kiosk", "--config",
                                 str(config), "--window", *args], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=sink)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if until in err.read_text(encoding="utf-8", errors="replace"):
                    break
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
    return err.read_text(encoding="utf-8", errors="replace")


def test_the_real_run_logs_info_lines_with_time_name_and_level(tmp_path: Path) -> None:
    out = run_kiosk(tmp_path, until="paper_out")
    lines = [m for m in map(LINE.match, out.splitlines()) if m]
    assert any(m.group(1) == "kiosk.link" and "server not reachable" in m.group(0)
               for m in lines), out
    assert any(m.group(1) == "devices.health" and "printer" in m.group(0) and
               "-> paper_out" in m.group(0) for m in lines), out


def test_log_level_warning_drops_the_info_lines(tmp_path: Path) -> None:
    out = run_kiosk(tmp_path, "--log-level", "warning", until="never", timeout=6.0)
    assert "server not reachable" not in out and " INFO " not in out


def test_a_citizens_card_never_reaches_the_log(make_flow: MakeFlow, qtbot: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    flow = make_flow(printer="sim://printer?paper=out")
    present_card(flow, 1)
    flow.start()
    flow.choose_service("company-setup")  # needs the ID card
    flow.take_number(with_card=True)
    qtbot.waitUntil(lambda: flow.data.print_state == "failed", timeout=20000)
    assert flow.state == st.TICKET
    flow.take_number()  # a refused second touch on a ticket screen logs nothing either
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records  # the paper out at least was logged
    number, name, address = OLD_MAN
    assert number not in text and number[-8:] not in text
    assert name not in text and address not in text
