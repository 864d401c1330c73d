"""`python -m kiosk --role kiosk|bank --screens DIR` renders every screen, exits 0, within a
minute, with no server and no devices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["kiosk"])  # bank shares the code: rendered by hand
def test_render_every_screen(role: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_PROXY": "*"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--role", role, "--screens",
                           str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-800:]
    files = sorted(tmp_path.glob("*.png"))
    assert len(files) == 144  # (37 screens + 35 in senior mode) x zh, en
    names = {p.name for p in files}
    for must in ("01-attract-zh-std", "12-ticket-print-failed-en-senior", "19-offline-zh-std",
                 "22-admin-en-std", "17-rate-low-zh-senior",
                 "31-attract-paper-out-zh-std", "33-ticket-paper-out-en-senior",
                 "34-ticket-paper-ran-out-zh-std", "35-ticket-reprint-en-senior",
                 "36-answer-used-zh-std", "37-answer-not-today-en-std"):
        assert f"{role}-{must}.png" in names
    with Image.open(files[0]) as image:
        assert image.size == (1920, 1080)
        assert len(set(image.convert("L").resize((64, 36)).getcolors(4096) or [])) > 8  # not blank
