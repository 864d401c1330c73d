"""The headless demo: the example hall on an SQLite file in a work folder, the real server as a
child process, a simulated busy morning against it over HTTP (with the server restarted once),
every role's screens rendered meanwhile, then the report."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provisioning.demo import report, staffing
from provisioning.demo.api import Api, Faults
from provisioning.demo.lan import reach
from provisioning.demo.morning import Morning, Plan
from provisioning.demo.procs import ProcessGroup, free_port, python_cmd, wait_healthy
from provisioning.demo.setup import DemoHall, enrol_all, init_hall

ROLES = ("display", "counter", "pad", "devices", "kiosk", "bank")  # the quick ones first
SCREENS_DEADLINE_S = 80.0  # the whole headless demo stays well under two minutes


def _render_screens(group: ProcessGroup, out_dir: Path, counts: dict[str, int],
                    stop: threading.Event) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for role in ROLES:
        target = out_dir / role
        proc = group.start(f"screens-{role}", python_cmd("kiosk", "--role", role, "--screens",
                                                         str(target)), env=env)
        while proc.poll() is None and not stop.wait(0.2):
            pass
        counts[role] = len(list(target.glob("*.png")))
        if stop.is_set():
            group.stop(f"screens-{role}", timeout=2)
            return


def run(workdir: Path, plan: Plan, screens: bool, say: Callable[[str], None],
        public_url: str | None = None, local: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'hall.db'}"
    init = init_hall(url)
    port = free_port()
    base, public = f"http://127.0.0.1:{port}", reach(port, public_url, local)
    server_cmd = python_cmd("queue_server", "--db", url, "--port", str(port), "--no-zeroconf",
                            "--log-level", "warning", "--host", public.bind,
                            "--public-url", public.public_url)
    counts: dict[str, int] = {}
    stop_screens = threading.Event()
    with ProcessGroup(workdir / "logs") as group:
        server = group.start("server", server_cmd)  # it starts while the terminals enrol
        hall = DemoHall(url)
        enrol_all(hall, staffing.terminals(),
                  [staffing.staff_id_for(c) for c in staffing.STAFFED])
        say(f"大厅已建好 / hall ready: {init.get('hall', 'hjhq')} in {workdir / 'hall.db'} "
            f"({len(hall.tokens)} terminals, {len(staffing.STAFFED)} staff on duty)")
        wait_healthy(base, server)
        say(f"服务器已启动 / server up at {base} (logs in {workdir / 'logs'})")
        renderer = threading.Thread(target=_render_screens, daemon=True,
                                    args=(group, workdir / "screens", counts, stop_screens))
        if screens:
            renderer.start()

        def restart() -> float:
            t = time.monotonic()
            group.stop("server", timeout=5)
            wait_healthy(base, group.start("server", server_cmd))
            return time.monotonic() - t

        morning = Morning(base, hall.tokens, plan, restart, say)
        say(f"开门 / doors open: {plan.minutes:.0f} hall minutes at {plan.speed:.0f}x "
            f"(about {plan.real(plan.minutes):.0f} s)")
        try:
            t = time.monotonic()
            morning.run()
            phases = {"setup": t - started, "morning": time.monotonic() - t}
            t = time.monotonic()
            faults = Faults()
            kiosk = Api(base, hall.tokens["kiosk-1"], faults)
            bank = Api(base, hall.tokens["bank-1"], faults)
            summary = report.summarise(morning, kiosk, bank)
            kiosk.close()
            bank.close()
            phases["read back"] = time.monotonic() - t
            t = time.monotonic()
            if screens:
                renderer.join(max(1.0, SCREENS_DEADLINE_S - (time.monotonic() - started)))
            phases["screens wait"] = time.monotonic() - t
        finally:
            stop_screens.set()
    wall = time.monotonic() - started
    if screens:  # every role named, those not rendered (failed, or out of time) with 0
        counts = {role: counts.get(role, 0) for role in ROLES}
    say(report.render(morning, summary, wall, counts, str(workdir / "screens")))
    say("用时 / timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in
                                      (phases | morning.phases).items()))
    result = report.as_dict(morning, summary) | {"wall_s": wall, "screens": counts,
                                                 "workdir": str(workdir),
                                                 "public_url": public.public_url,
                                                 "listen": public.bind}
    (workdir / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result
