"""The demo hall in a database: the example configuration loaded as `provisioning init` does,
staff PINs set, terminals enrolled, and their configuration files written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
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


def admin_pin_hash(pin: str) -> str:
    """A kiosk's admin PIN as its configuration keeps it (`admin_pin_hash`): scrypt, in the form
    kiosk/admin.py verifies (`scrypt$n$r$p$salt$hash`, hex); provisioning may not import kiosk."""
    n, r, p, salt = 2**14, 8, 1, os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


SIM_DEVICES = {"idcard": "sim://idcard", "printer": "sim://printer", "camera": "sim://camera",
               "pad": ""}


def write_terminal_config(hall: DemoHall, name: str, role: str, server: str, out: Path,
                          counter: str | None = None, hall_id: str = "hjhq", *,
                          devices: dict[str, str] | None = None,
                          window: dict[str, object] | None = None,
                          extra: dict[str, object] | None = None) -> Path:
    """A terminal's configuration file. `devices` (default: in-process simulators), `window`
    (default: as installed, full screen), `extra` top-level keys (e.g. admin_pin_hash)."""
    data = {"role": role, "server": server, "token": hall.tokens.get(name, ""),
            "counter": counter or "", "hall": hall_id, "machine_id": f"demo-{name}", **(extra or {})}
    terminal_file.write(out, terminal_file.merge({}, data, devices or SIM_DEVICES, window=window))
    hall.configs[name] = out
    return out
