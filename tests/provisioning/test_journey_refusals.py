"""`provisioning init` of a hall whose journey sections (opening hours, bookings, numbers from
the phone, notifications) are wrong: the real command refuses with the file's line, the block
by number and code and the reason Chinese first, exits 2 and creates no database."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.procs import ROOT

JOURNEY = (ROOT / "tests" / "queue_server" / "data" / "journey.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "key", "said"), [
    ("slot_minutes = 30", 'slot_minutes = "30"', "services #1 (case).booking.slot_minutes",
     '应为整数(不加引号),写的是 "30"'),
    ('zone = "approval"', 'zone = "backoffice"', "counters #2 (W03).zone",
     "未知的功能区 'backoffice'"),
    ("checkin = false", 'checkin = false\nhours = ["08:00-09:00", "08:30-10:00"]',
     "services #2 (general).remote.hours", "时间段 '08:00-09:00' 与 '08:30-10:00' 重叠"),
    ('open_days = "workdays"', 'open_days = "workdays"\n\n[hall.notify]\nwebhook = "ftp://x"',
     "hall.notify.webhook", "网址 'ftp://x' 不对"),
    ('hours = ["09:00-12:00", "14:30-16:30"]', 'hours = ["09:00-12:00", "14:30-24:30"]',
     "services #1 (case).booking.hours", "时间段 '14:30-24:30' 的结束最晚为 24:00"),
])
def test_init_refuses_a_journey_mistake_in_words(old: str, new: str, key: str, said: str,
                                                  tmp_path: Path) -> None:
    assert old in JOURNEY
    text = JOURNEY.replace(old, new, 1)
    config = tmp_path / "hall.toml"
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "hall.db"
    result = subprocess.run([sys.executable, "-m", "provisioning", "init", "--config",
                             str(config), "--db", f"sqlite:///{db}"], cwd=ROOT, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 2 and not result.stdout and not db.exists(), result.stderr
    line = JOURNEY[:JOURNEY.index(old)].count("\n") + 1 + new.count("\n")  # the changed line
    prefix = f"provisioning init: {config}:{line}: {key}: "
    err = result.stderr
    assert err.count("\n") == 1 and "Traceback" not in err and err.startswith(prefix), err
    reason = err.strip().removeprefix(prefix)
    zh, sep, en = reason.partition(" / ")
    assert reason.startswith(said) and sep and re.match(r"[\u4e00-\u9fff]", zh), reason
    assert re.match(r"[A-Za-z]", en) and not re.search(r"[\u4e00-\u9fff]", en), reason
