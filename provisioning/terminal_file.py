"""A terminal's configuration file, in the format `kiosk/config.py` reads (provisioning may not
import `kiosk`, so the keys are written here and a test reads the file back with the kiosk's own
loader), and its QR code for a tablet to scan.

Writing merges into an existing file: `provisioning probe` fills `[devices]`, enrolment adds the
server and token, and neither undoes the other.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import qrcode

from queue_server.config_errors import read_toml
from toml_text import value

TOP_KEYS = ("role", "server", "token", "counter", "hall", "ca_fingerprint", "language",
            "idle_timeout_s", "admin_pin_hash", "machine_id")
DEVICE_KEYS = ("idcard", "printer", "camera", "pad")
DISPLAY_KEYS = ("zones", "voice", "repeat", "notice")
WINDOW_KEYS = ("mode", "size", "position", "scale")
SECTIONS = (("devices", DEVICE_KEYS), ("display", DISPLAY_KEYS), ("window", WINDOW_KEYS))
# What a tablet needs to join the hall; the rest keeps the kiosk's defaults.
QR_KEYS = ("role", "server", "token", "counter", "hall", "ca_fingerprint", "machine_id")


class TerminalFileError(Exception):
    """The existing file cannot be read or merged."""


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = read_toml(path, TerminalFileError)
    unknown = set(data) - set(TOP_KEYS) - {name for name, _keys in SECTIONS}
    if unknown:
        key = sorted(unknown)[0]
        raise TerminalFileError(f"{path}: 终端配置里没有 {key!r} 这一项 / unknown key {key!r}")
    return data


def merge(existing: dict[str, Any], top: dict[str, Any] | None = None,
          devices: dict[str, str] | None = None, display: dict[str, Any] | None = None,
          window: dict[str, Any] | None = None) -> dict[str, Any]:
    out = dict(existing)
    out.update({k: v for k, v in (top or {}).items() if v is not None})
    for section, values in (("devices", devices), ("display", display), ("window", window)):
        if values:
            out[section] = {**dict(existing.get(section, {})), **values}
    return out


def render(data: dict[str, Any]) -> str:
    lines = ["# 快办 Kuaiban terminal configuration (written by `provisioning`)."]
    lines += [f"{k} = {value(data[k])}" for k in TOP_KEYS if k in data]
    for section, keys in SECTIONS:
        values = data.get(section) or {}
        if values:
            lines += ["", f"[{section}]"]
            lines += [f"{k} = {value(values[k])}" for k in keys if k in values]
    return "\n".join(lines) + "\n"


def write(path: Path, data: dict[str, Any]) -> None:
    """Write atomically, readable by its owner only: the file holds the terminal's token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(render(data))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def qr_payload(data: dict[str, Any]) -> str:
    return json.dumps({k: data[k] for k in QR_KEYS if data.get(k)}, ensure_ascii=False,
                      separators=(",", ":"))


def qr_ascii(text: str) -> str:
    """The QR code drawn with block characters (two modules a character row), dark on light."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    buf = io.StringIO()
    qr.print_ascii(out=buf, invert=True)
    return buf.getvalue()
