"""The demo hall in a database: the example configuration loaded as `provisioning init` does,
staff PINs set, terminals enrolled, and their configuration files written."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from provisioning import terminal_file
from provisioning.__main__ import main as provisioning_main
from queue_server.db.store import Store
from queue_server.usecases.auth import enrol_terminal, set_pin

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hjhq.toml"
DEMO_PIN = "2468"


@dataclass
class DemoHall:
    db_url: str
    tokens: dict[str, str] = field(default_factory=dict)  # terminal name -> token
    configs: dict[str, Path] = field(default_factory=dict)


def init_hall(db_url: str, config: Path = EXAMPLE) -> dict[str, object]:
    """`provisioning init --config FILE --db URL --json`, in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = provisioning_main(["init", "--config", str(config), "--db", db_url, "--json"])
    if code != 0:
        raise RuntimeError(f"provisioning init failed ({code}): {out.getvalue().strip()}")
    text = out.getvalue().strip()
    try:
        return dict(json.loads(text.splitlines()[-1]))
    except (ValueError, IndexError):
        return {"output": text}


def enrol_all(hall: DemoHall, terminals: list[tuple[str, str, str | None]],
              staff_pins: list[str]) -> None:
    """Enrol (name, kind, counter) terminals and give `staff_pins` the demo PIN."""
    store = Store(hall.db_url)
    try:
        for staff_id in staff_pins:
            set_pin(store, staff_id, DEMO_PIN)
        for name, kind, counter in terminals:
            token, _hall = enrol_terminal(store, kind, name, counter)
            hall.tokens[name] = token
    finally:
        store.close()


def write_terminal_config(hall: DemoHall, name: str, role: str, server: str, out: Path,
                          counter: str | None = None, hall_id: str = "hjhq") -> Path:
    data = {"role": role, "server": server, "token": hall.tokens[name], "counter": counter or "",
            "hall": hall_id, "machine_id": f"demo-{name}"}
    devices = {"idcard": "sim://idcard", "printer": "sim://printer", "camera": "sim://camera",
               "pad": ""}
    terminal_file.write(out, terminal_file.merge({}, data, devices))
    hall.configs[name] = out
    return out
