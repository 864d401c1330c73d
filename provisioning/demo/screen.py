"""The demo with a screen: the server on an SQLite file, four terminal windows (citizens' kiosk,
counter pad of window W05, call display, rating pad of W05) on simulated devices, and the device
console that drives those devices, so a newcomer can take a number, call it, hear it and rate it
within a minute.

The windows are ordinary windows on the user's desktop (`[window] mode = "window"`: never full
screen, on top or without a cursor; Alt-F4 closes them), tiled side by side at their form
factors, drawn small enough to fit the screen (`desk`). The card reader is held empty until the
console puts a card on it. Closing the console, or every terminal window, or Ctrl-C ends the
demo and everything it started.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from provisioning.demo.desk import DEFAULT_AREA, Area, Tile, arrange
from provisioning.demo.lan import reach
from provisioning.demo.procs import ProcessGroup, free_port, python_cmd, wait_healthy
from provisioning.demo.setup import (
    DEMO_PIN,
    DemoHall,
    admin_pin_hash,
    enrol_all,
    init_hall,
    write_terminal_config,
)
from provisioning.demo.staffing import staff_id_for

COUNTER = "W05"
TERMINALS = (("kiosk", "kiosk-1", None), ("counter", f"counter-{COUNTER}", COUNTER),
             ("display", "display-1", None), ("pad", f"pad-{COUNTER}", COUNTER))
CONSOLE = "devices"  # the device console's role, and its process's name


def _port() -> int:
    """The contract's default port when it is free, else any free one."""
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", 8750))
            return 8750
        except OSError:
            return free_port()


def screen_env(environ: dict[str, str]) -> dict[str, str]:
    """The terminals' environment: under X (or XWayland) Qt's xcb platform, where a window may
    be placed (a Wayland compositor places windows itself)."""
    env = dict(environ)
    if env.get("DISPLAY") and not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "xcb"
    return env


def probe_screen(env: dict[str, str]) -> dict[str, object]:
    """`provisioning.demo.xscreen` in a child process (Xlib may end the process it runs in)."""
    try:
        done = subprocess.run(python_cmd("provisioning.demo.xscreen"), env=env, timeout=20,
                              capture_output=True, text=True, check=False)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return {"platform": env.get("QT_QPA_PLATFORM", ""), "missing": [], "area": None}


def device_urls(folder: Path) -> dict[str, str]:
    """The in-process simulators of the demo's terminals, each with a control socket in
    `folder` for the device console; the reader holds no card until one is put down."""
    return {"idcard": f"sim://idcard?hold=1&control={folder / 'idcard.sock'}",
            "printer": f"sim://printer?control={folder / 'printer.sock'}",
            "camera": f"sim://camera?control={folder / 'camera.sock'}",
            "pad": f"sim://pad?every=0&control={folder / 'pad.sock'}"}


def run(workdir: Path, say: Callable[[str], None], public_url: str | None = None,
        local: bool = False) -> int:
    env = screen_env(dict(os.environ))
    screen = probe_screen(env)
    if screen.get("missing"):
        packages = " ".join(str(p) for p in screen["missing"])  # type: ignore[union-attr]
        say(f"屏幕缺少 Qt 需要的系统库 / Qt cannot draw on this screen without: {packages}\n"
            f"请以 root 运行 / as root run: bin/bootstrap  (or: apt-get install {packages})")
        return 1
    given = screen.get("area")
    area = Area(*given) if isinstance(given, list) else Area(*DEFAULT_AREA)
    tiles = arrange(area, [kind for kind, _name, _counter in TERMINALS])
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'hall.db'}"
    init_hall(url)
    hall = DemoHall(url)
    staff = staff_id_for(COUNTER)
    enrol_all(hall, [(name, kind, counter) for kind, name, counter in TERMINALS], [staff])
    port = _port()
    base, public = f"http://127.0.0.1:{port}", reach(port, public_url, local)
    sims = Path(tempfile.mkdtemp(prefix="kuaiban-sim-"))  # short: a socket path has 107 bytes
    try:
        _write_configs(hall, workdir / "terminals", base, public.public_url, tiles, sims)
        with ProcessGroup(workdir / "logs") as group:
            server = group.start("server", python_cmd(
                "queue_server", "--db", url, "--port", str(port), "--no-zeroconf",
                "--host", public.bind, "--public-url", public.public_url))
            wait_healthy(base, server)
            for kind, name, _counter in (*TERMINALS, (CONSOLE, CONSOLE, None)):
                group.start(kind, python_cmd("kiosk", "--role", kind, "--config",
                                             str(hall.configs[name])), env=env)
            say(_welcome(base, url, staff, public.public_url, public.lan, tiles, given, workdir))
            return _watch(group, say)
    finally:
        shutil.rmtree(sims, ignore_errors=True)


def _write_configs(hall: DemoHall, folder: Path, base: str, public: str,
                   tiles: dict[str, Tile], sims: Path) -> None:
    urls = device_urls(sims)
    kiosk_devices = {**urls, "pad": ""}
    for kind, name, counter in TERMINALS:
        devices = kiosk_devices if kind == "kiosk" else {"pad": urls["pad"]} if kind == "pad" else None
        extra = {"admin_pin_hash": admin_pin_hash(DEMO_PIN)} if kind == "kiosk" else None
        write_terminal_config(hall, name, kind, base, folder / f"{name}.toml", counter,
                              devices=devices, window=tiles[kind].window(), extra=extra)
    write_terminal_config(hall, CONSOLE, CONSOLE, public, folder / "devices.toml", devices=urls,
                          window=tiles[CONSOLE].window())


def _welcome(base: str, url: str, staff: str, public: str, lan: bool, tiles: dict[str, Tile],
             measured: object, workdir: Path) -> str:
    scales = sorted(t.scale for k, t in tiles.items() if k != CONSOLE)
    where = ("" if isinstance(measured, list) else
             " (屏幕大小未知,按 1920x1080 排列 / screen size unknown: arranged for 1920x1080)")
    return (
        f"演示大厅已启动 / the demo hall is running: server {base}, database {url}\n"
        "  1. 自助取号机 kiosk: 选择事项取号 / choose a service, take a number\n"
        f"     管理密码 admin PIN {DEMO_PIN} (长按左上角 / long-press the top-left corner)\n"
        f"  2. 窗口终端 counter pad {COUNTER}: 工号 staff {staff}, 密码 PIN {DEMO_PIN} → "
        "叫号 call next\n"
        "  3. 叫号屏 call display: 显示并播报 / shows and announces the number\n"
        "  4. 评价器 rating pad: 办结后评价 / rate after the counter finishes\n"
        "  5. 设备控制台 device console: 放上身份证(读卡器先空着)、向高拍仪出示二维码、缺纸、"
        "按评价键、看打印的票 / put a card on the reader (empty until you do), show a QR code "
        "to the camera, paper out, press a pad key, see each printed ticket\n"
        f"  手机 phone page: {public}/m/ (票上二维码 / the ticket's QR: {public}/t/…)"
        + ("" if lan else "\n  (只在本机:没有局域网地址或用了 --local,手机无法访问 / this "
                          "machine only (no LAN address, or --local): phones cannot reach "
                          "these links)") + "\n"
        f"窗口已在屏幕上排好,按 {scales[0]:.0%}–{scales[-1]:.0%} 缩放 / windows tiled on the "
        f"screen, drawn at {scales[0]:.0%}–{scales[-1]:.0%}{where}\n"
        f"日志 logs: {workdir / 'logs'}\n"
        "关闭设备控制台或所有窗口、或按 Ctrl-C 结束演示 / close the device console or every "
        "window, or press Ctrl-C, to stop everything")


def _watch(group: ProcessGroup, say: Callable[[str], None]) -> int:
    reported: set[str] = set()
    while True:
        time.sleep(0.5)
        for name, proc in list(group.procs.items()):
            if proc.poll() is None or name in reported:
                continue
            reported.add(name)
            say(f"{name} 已退出 / exited with code {proc.returncode} "
                f"(log: {group.log_dir / (name + '.log')})")
            if name == "server":
                return 1
            if name == CONSOLE:
                say("设备控制台已关闭,结束演示 / the device console is closed: stopping the demo")
                return 0
        if not [n for n in group.alive() if n not in ("server", CONSOLE)]:
            say("所有终端已关闭,结束演示 / every terminal window is closed: stopping the demo")
            return 0
