"""The demo's parts that need no server: the morning's visitors (valid-form ID numbers, the
arrival curve), a staffing that can serve every route it is sent, and a process group that
leaves nothing running."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from devices.idcard.idnumber import problems
from provisioning.demo import people, staffing
from provisioning.demo.procs import ProcessGroup
from queue_server.config import load_config
from tests.provisioning.conftest import HJHQ


def test_visitors_have_valid_form_ids_and_a_morning_peak() -> None:
    today = date(2026, 11, 25)
    visitors = people.schedule(random.Random(1), 180, today)
    assert 150 < len(visitors) < 330
    for v in visitors:
        assert problems(v.id_number, today=today) == [], v.id_number
    first, peak = (sum(1 for v in visitors if a <= v.at_min < a + 30) for a in (0, 60))
    assert peak > first
    assert people.schedule(random.Random(1), 180, today) == visitors  # seeded: reproducible


def test_staffing_serves_every_zone_of_every_route_sent_there() -> None:
    cfg = load_config(HJHQ)
    counters = {c.code: c for c in cfg.counters} | {
        c.code: c for o in cfg.outposts for c in o.counters}
    staffed = [counters[code] for code in staffing.STAFFED]
    for code, _share in people.HALL_MIX:
        for zone in cfg.service(code).route:
            assert any(c.zone == zone and code in c.services for c in staffed), (code, zone)
    bank_intake = [c for c in staffed if c.code.startswith("N")]
    for code, _share in people.BANK_MIX:
        assert any(code in c.services for c in bank_intake), code
    assert set(staffing.PADS) <= set(staffing.STAFFED)
    staff = {s.id for s in cfg.staff}
    assert all(staffing.staff_id_for(c) in staff for c in staffing.STAFFED)


def test_process_group_stops_children_and_grandchildren(tmp_path: Path) -> None:
    script = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(60)\n")
    with ProcessGroup(tmp_path) as group:
        proc = group.start("parent", [sys.executable, "-c", script])
        pids = json.loads((tmp_path / "pids.json").read_text())
        assert pids == {"parent": proc.pid}
        deadline = time.monotonic() + 10
        while not (tmp_path / "parent.log").read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        grandchild = int((tmp_path / "parent.log").read_text().split()[0])
    assert proc.poll() is not None
    assert json.loads((tmp_path / "pids.json").read_text()) == {}
    for _ in range(50):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the grandchild is still running")


def test_sigterm_unwinds_like_ctrl_c(tmp_path: Path) -> None:
    code = ("import sys, time\n"
            "from pathlib import Path\n"
            "from provisioning.demo.procs import ProcessGroup\n"
            f"with ProcessGroup(Path({str(tmp_path)!r})) as g:\n"
            "    g.start('sleeper', [sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "    print('ready', flush=True)\n"
            "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    sleeper = json.loads((tmp_path / "pids.json").read_text())["sleeper"]
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    time.sleep(0.2)
    try:
        os.kill(sleeper, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
