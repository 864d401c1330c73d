"""Shared fixtures of the printer tests: a sample ticket and the npos reader (the leak guard
lives in tests/devices/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devices.printer.cli import sample_ticket
from devices.printer.layout import TicketLayout

ROOT = Path(__file__).resolve().parents[3]
NPOS_DIR = ROOT / "tests" / "npos"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def ticket() -> TicketLayout:
    return sample_ticket(80)


@pytest.fixture
def npos_read(tmp_path: Path) -> Callable[[bytes], dict[str, Any]]:
    """Run the bytes through npos (node); skip with the reason when node or npos is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the npos interpreter check needs Node.js")
    if not (NPOS_DIR / "node_modules" / "npos").is_dir():
        pytest.skip("npos is not installed: run `cd tests/npos && npm install` (bin/bootstrap does)")

    def read(data: bytes) -> dict[str, Any]:
        path = tmp_path / f"job{time.monotonic_ns()}.bin"
        path.write_bytes(data)
        done = subprocess.run([node, str(NPOS_DIR / "parse.js"), str(path)],
                              capture_output=True, text=True, timeout=60, check=False)
        result: dict[str, Any] = json.loads(done.stdout)
        assert "error" not in result, result.get("error")
        return result

    return read
