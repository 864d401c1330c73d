"""`bin/demo` on a desktop: a virtual X screen (Xvfb) with a window manager (openbox), as a new
user's machine would have. The demo's five windows are found (xdotool), placed where their
configuration says, each on the screen, none overlapping, none full screen or on top; the
kiosk closes with Alt-F4; the reader waits for a card; closing the windows (or the console, or
Ctrl-C) ends the demo and every process it started. A screenshot of the desktop is kept
(KUAIBAN_SHOTS=DIR keeps it there). Skipped, with the reason, without Xvfb or openbox."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.simctl import send
from kiosk.config import load_config
from provisioning.demo.desk import overlaps

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1920, 1080)
TOOLS = ("Xvfb", "openbox", "xdotool", "wmctrl", "xwininfo", "xprop")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@dataclass
class Desktop:
    display: str
    procs: list[subprocess.Popen[bytes]]

    def env(self) -> dict[str, str]:
        drop = ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "QT_SCALE_FACTOR")  # the test run's own
        return {k: v for k, v in os.environ.items() if k not in drop} | {"DISPLAY": self.display}

    def run(self, *cmd: str) -> str:
        return subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=20,
                              check=False).stdout


def _until(check: object, timeout: float, what: str, every: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()  # type: ignore[operator]
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    absent = [t for t in TOOLS if shutil.which(t) is None]
    if absent:
        pytest.skip(f"no {', '.join(absent)}: bin/bootstrap installs them as root")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                             f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    desk = Desktop(f":{number}", [xvfb])
    try:
        assert number.isdigit(), "Xvfb did not start"
        desk.procs.append(subprocess.Popen(["openbox"], env=desk.env(), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
        _until(lambda: "window id" in desk.run("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), 20,
               "openbox to manage the screen")
        yield desk
    finally:
        for proc in reversed(desk.procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@dataclass(frozen=True)
class Window:
    wid: str
    title: str
    frame: tuple[int, int, int, int]  # x, y, width, height with the window manager's frame
    state: str


def windows(desk: Desktop) -> list[Window]:
    out = []
    for wid in desk.run("xdotool", "search", "--onlyvisible", "--class", "Kuaiban").split():
        info = desk.run("xwininfo", "-id", wid)
        props = desk.run("xprop", "-id", wid, "_NET_FRAME_EXTENTS", "_NET_WM_STATE", "WM_NAME")
        nums = {k: int(v) for k, v in re.findall(r"(Absolute upper-left [XY]|Width|Height):\s+(-?\d+)",
                                                 info)}
        ext = re.search(r"_NET_FRAME_EXTENTS\(CARDINAL\) = (\d+), (\d+), (\d+), (\d+)", props)
        if len(nums) < 4 or ext is None:
            continue  # not framed yet
        left, right, top, bottom = (int(v) for v in ext.groups())
        x, y = nums["Absolute upper-left X"], nums["Absolute upper-left Y"]
        title = re.search(r'WM_NAME\(\w+\) = "(.*)"', props)
        state = props.split("_NET_WM_STATE(ATOM) =")[-1].split("\n")[0]
        out.append(Window(wid, title.group(1) if title else "", (x - left, y - top,
                          nums["Width"] + left + right, nums["Height"] + top + bottom), state))
    return out


def _demo(desk: Desktop, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "provisioning", "demo", "--local", "--dir",
                             str(folder)],
                            cwd=ROOT, env=desk.env(), text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _started(proc: subprocess.Popen[str]) -> str:
    seen = []
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if "Ctrl-C" in line:
            return "".join(seen)
    raise AssertionError("the demo ended before it started:\n" + "".join(seen))


def _placed(desk: Desktop, folder: Path) -> list[Window]:
    """The five windows, once each frame sits where its configuration put it."""
    wanted = {}
    for path in (folder / "terminals").glob("*.toml"):
        config = load_config(path)
        wanted[config.role] = config.window.position_px()

    def ready() -> list[Window] | None:
        found = windows(desk)
        if len(found) != len(wanted):
            return None
        places = {w.frame[:2] for w in found}
        return found if all(p in places for p in wanted.values()) else None

    try:
        return _until(ready, 120, f"{len(wanted)} windows at their places", every=0.5)  # type: ignore[return-value]
    except AssertionError as exc:  # say where they stood, for a run that cannot be repeated
        raise AssertionError(f"{exc}: wanted {sorted(wanted.values())}, found "
                             f"{[(w.title, w.frame) for w in windows(desk)]}") from None


def _socket(url: str) -> str:
    found = re.search(r"control=([^&]+)", url)
    assert found is not None, url
    return found.group(1)


def _answers(path: str) -> bool:
    try:
        return bool(send(path, "state", timeout=2)["ok"])
    except OSError:
        return False


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _alt_f4(desk: Desktop, wid: str, pid: int) -> None:
    """Alt-F4 on window `wid` until its process `pid` is gone: the key goes to the active
    window, so it is sent only once the window manager says `wid` is the one (on a busy
    machine activation can lag behind xdotool's --sync), and again if the first was lost."""
    for _ in range(3):
        def active() -> bool:
            desk.run("xdotool", "windowactivate", "--sync", wid)
            return desk.run("xdotool", "getactivewindow").strip() == wid
        _until(active, 20, f"window {wid} to be the active one", every=1.0)
        desk.run("xdotool", "key", "--clearmodifiers", "alt+F4")
        try:
            _until(lambda: _gone(pid), 15, "Alt-F4 to close the kiosk")
            return
        except AssertionError:
            if _gone(pid):
                return
    raise AssertionError(f"Alt-F4 did not close window {wid} (process {pid})")


def _screenshot(desk: Desktop, path: Path) -> None:
    """The whole X screen, grabbed by Qt on the xcb platform (no other tool needed)."""
    code = ("import sys\nfrom PySide6.QtGui import QGuiApplication\n"
            "app = QGuiApplication(['grab'])\n"
            "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n")
    subprocess.run([sys.executable, "-c", code, str(path)], env=desk.env() | {"QT_QPA_PLATFORM": "xcb"},
                   check=True, timeout=30, capture_output=True)


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KUAIBAN_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_demo_tiles_its_windows_on_a_desktop_and_ends_when_they_are_closed(
        desktop: Desktop, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    proc = _demo(desktop, folder)
    try:
        out = _started(proc)
        assert "管理密码 admin PIN 2468" in out
        found = _placed(desktop, folder)
        titles = sorted(w.title for w in found)
        assert len(titles) == 5 and any("自助取号机" in t for t in titles), titles
        for w in found:
            x, y, width, height = w.frame
            assert x >= 0 and y >= 0 and x + width <= SCREEN[0] and y + height <= SCREEN[1], w
            assert "FULLSCREEN" not in w.state and "ABOVE" not in w.state, w
        for a, b in ((a, b) for i, a in enumerate(found) for b in found[i + 1:]):
            assert not overlaps(a.frame, b.frame), (a, b)
        kiosk = next(w for w in found if "自助取号机" in w.title)
        assert abs(kiosk.frame[2] / kiosk.frame[3] - 16 / 9) < 0.15  # its form factor, framed
        # the console reaches the kiosk's and the pad's simulators through their sockets
        sockets = {kind: _socket(url) for kind, url in
                   load_config(folder / "terminals" / "devices.toml").devices.model_dump().items()}
        _until(lambda: all(_answers(path) for path in sockets.values()), 60,
               "the terminals to open their simulated devices")
        # the card reader waits for a card from the console: 请刷身份证 shows, nobody's card is read
        assert send(sockets["idcard"], "state")["result"] == {
            "mode": "hold", "card": None, "sam": "ok", "unplugged": False}
        time.sleep(1.5)  # the console asks every second: let it show them before the picture
        _screenshot(desktop, _shots(tmp_path) / "desktop-demo.png")
        pids = json.loads((folder / "logs" / "pids.json").read_text())
        assert set(pids) == {"server", "kiosk", "counter", "display", "pad", "devices"}
        _alt_f4(desktop, kiosk.wid, pids["kiosk"])
        assert proc.poll() is None  # the others stay up
        for w in found:
            if w.wid != kiosk.wid and "设备控制台" not in w.title:
                desktop.run("wmctrl", "-i", "-c", w.wid)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "every terminal window is closed" in rest
    assert all(_gone(pid) for pid in pids.values())
    assert json.loads((folder / "logs" / "pids.json").read_text()) == {}
    assert not Path(sockets["idcard"]).parent.exists()  # the sockets' folder is gone too


@pytest.mark.parametrize("how", ["close the console", "ctrl-c"])
def test_the_console_or_ctrl_c_ends_the_desktop_demo(desktop: Desktop, tmp_path: Path,
                                                     how: str) -> None:
    folder = tmp_path / "demo"
    proc = _demo(desktop, folder)
    try:
        _started(proc)
        found = _placed(desktop, folder)
        pids = json.loads((folder / "logs" / "pids.json").read_text())
        if how == "ctrl-c":
            proc.send_signal(signal.SIGINT)
        else:
            console = next(w for w in found if "设备控制台" in w.title)
            desktop.run("wmctrl", "-i", "-c", console.wid)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if how == "ctrl-c":
        assert proc.returncode == 130 and "已停止 / stopped" in rest
    else:
        assert proc.returncode == 0 and "the device console is closed" in rest
    assert all(_gone(pid) for pid in pids.values())
    _until(lambda: not windows(desktop), 10, "every window to go")
