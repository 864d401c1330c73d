"""The demo with a screen: the server on an SQLite file and four terminal windows (citizens'
kiosk, counter pad of window W05, call display, rating pad of W05) on simulated devices, so a
newcomer can take a number, call it, hear it and rate it within a minute."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

from provisioning.demo.lan import reach
from provisioning.demo.procs import ProcessGroup, free_port, python_cmd, wait_healthy
from provisioning.demo.setup import DEMO_PIN, DemoHall, enrol_all, init_hall, write_terminal_config
from provisioning.demo.staffing import staff_id_for

COUNTER = "W05"
TERMINALS = (("kiosk", "kiosk-1", None), ("counter", f"counter-{COUNTER}", COUNTER),
             ("display", "display-1", None), ("pad", f"pad-{COUNTER}", COUNTER))


def _port() -> int:
    """The contract's default port when it is free, else any free one."""
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", 8750))
            return 8750
        except OSError:
            return free_port()


def run(workdir: Path, say: Callable[[str], None], public_url: str | None = None) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'hall.db'}"
    init_hall(url)
    hall = DemoHall(url)
    staff = staff_id_for(COUNTER)
    enrol_all(hall, [(name, kind, counter) for kind, name, counter in TERMINALS], [staff])
    port = _port()
    base, public = f"http://127.0.0.1:{port}", reach(port, public_url)
    for kind, name, counter in TERMINALS:
        write_terminal_config(hall, name, kind, base, workdir / "terminals" / f"{name}.toml",
                              counter)
    with ProcessGroup(workdir / "logs") as group:
        server = group.start("server", python_cmd(
            "queue_server", "--db", url, "--port", str(port), "--no-zeroconf",
            "--host", public.bind, "--public-url", public.public_url))
        wait_healthy(base, server)
        for kind, name, _counter in TERMINALS:
            group.start(kind, python_cmd("kiosk", "--role", kind, "--config",
                                         str(hall.configs[name])))
        say(f"演示大厅已启动 / the demo hall is running: server {base}, database {url}\n"
            "  1. 自助取号机 kiosk: 选择事项取号 / choose a service, take a number\n"
            f"  2. 窗口终端 counter pad {COUNTER}: 工号 staff {staff}, 密码 PIN {DEMO_PIN} → "
            "叫号 call next\n"
            "  3. 叫号屏 call display: 显示并播报 / shows and announces the number\n"
            "  4. 评价器 rating pad: 办结后评价 / rate after the counter finishes\n"
            f"  手机 phone page: {public.public_url}/m/ (票上二维码 / the ticket's QR: "
            f"{public.public_url}/t/…)" + ("" if public.lan else
                                         "\n  (没有局域网地址,手机无法访问 / no LAN address: "
                                         "phones cannot reach these links)") + "\n"
            f"日志 logs: {workdir / 'logs'}    按 Ctrl-C 全部停止 / Ctrl-C stops everything")
        return _watch(group, say)


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
        if not [n for n in group.alive() if n != "server"]:
            say("所有终端已关闭 / every terminal window is closed: stopping the server")
            return 0
