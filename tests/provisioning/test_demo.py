"""The demo end to end, as `bin/demo` runs it: headless, a busy morning against the real server
process (under two minutes, every fault recovered, nothing left running); with a screen (Qt's
offscreen platform), the server, four terminal processes and the device console, all stopped by
Ctrl-C (on a real X screen with a window manager: test_demo_desktop.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _demo(tmp_path: Path, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # --local: the demo's server listens on loopback only, as every test's does
    return subprocess.Popen([sys.executable, "-m", "provisioning", "demo", "--local", "--dir",
                             str(tmp_path / "demo"), *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=base | (env or {}))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not seen; output so far:\n{''.join(seen)}")


@pytest.mark.slow
def test_headless_demo_runs_a_busy_morning_in_under_two_minutes(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = _demo(tmp_path)  # no DISPLAY: it must choose the headless morning by itself
    out, _ = proc.communicate(timeout=150)
    wall = time.monotonic() - started
    assert proc.returncode == 0, out
    assert "No screen" in out and "没有屏幕" in out
    report = json.loads((tmp_path / "demo" / "report.json").read_text())
    assert wall < 120, f"took {wall:.0f} s"
    assert report["issued"] > 100 and report["journeys"] == report["issued"]
    assert report["status"].get("done", 0) > 50 and report["calls"] > report["issued"]
    assert report["ratings"] > 20 and report["transfers"] + report["no_shows"] > 0
    assert report["printed"] > 0 and report["print_failed"] > 0  # paper ran out, then refilled
    assert report["event_types"]["ticket.print_failed"] == report["print_failed"]
    assert report["downtime_s"] > 0 and report["recovered"] > 0  # the restart was ridden out
    assert report["server_errors"] == 0 and report["errors"] == []
    assert report["events_ordered"] and report["event_types"]["ticket.called"] > 50
    assert json.loads((tmp_path / "demo/logs/pids.json").read_text()) == {}
    # every link on a ticket uses the demo's public address: with --local, loopback, where
    # the server alone listens (the LAN address without it: test_demo_lan.py)
    assert report["track_urls"] == [report["public_url"]]
    assert report["public_url"].startswith("http://127.0.0.1:")
    assert report["listen"] == "127.0.0.1"
    for line in ("取号 tickets issued", "好差评 ratings", "服务器重启 server restart"):
        assert line in out
    # every role's screenshots, the device console's too; one not rendered is said, not hidden
    from provisioning.demo.headless import ROLES

    assert set(report["screens"]) == set(ROLES)
    for role, count in report["screens"].items():
        assert count == len(list((tmp_path / "demo" / "screens" / role).glob("*.png")))
    missing = [role for role, count in report["screens"].items() if not count]
    assert (f"未生成 none of: {', '.join(missing)}" in out) == bool(missing), out


@pytest.mark.slow
def test_screen_demo_starts_server_four_terminals_and_console_and_ctrl_c_stops_all(
        tmp_path: Path) -> None:
    proc = _demo(tmp_path, "--screen", env={"QT_QPA_PLATFORM": "offscreen"})
    try:
        lines = _wait_for_line(proc, "Ctrl-C", 90)
        pids = json.loads((tmp_path / "demo/logs/pids.json").read_text())
        assert set(pids) == {"server", "kiosk", "counter", "display", "pad", "devices"}
        server = next(w for line in lines for w in line.split() if w.startswith("http://"))
        assert server.startswith("http://127.0.0.1:")
        assert any("phones cannot reach these links" in line for line in lines)  # --local
        assert httpx.get(f"{server.rstrip(',')}/api/v1/health", timeout=5).status_code == 200
        time.sleep(3)  # the windows are up and stay up
        assert all(not _gone(pid) for pid in pids.values()), pids
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "已停止 / stopped" in out
    time.sleep(0.3)
    assert all(_gone(pid) for pid in pids.values())


@pytest.mark.slow
def test_ctrl_c_during_the_headless_morning_leaves_nothing_running(tmp_path: Path) -> None:
    proc = _demo(tmp_path, "--headless", "--no-screens")
    try:
        _wait_for_line(proc, "doors open", 60)
        pids = json.loads((tmp_path / "demo/logs/pids.json").read_text())
        assert "server" in pids
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out
    assert all(_gone(pid) for pid in pids.values())
    assert json.loads((tmp_path / "demo/logs/pids.json").read_text()) == {}
