"""A terminal's configuration file (TOML), written by `provisioning enrol` and read once at start.

```toml
role = "kiosk"                       # kiosk | counter | display | pad | bank | devices
server = "auto"                      # "auto" finds the hall server by zeroconf, or http(s)://host:port
token = "..."                        # from enrolment
counter = "W01"                      # counter and pad roles
hall = "hjhq"                        # which hall to look for with zeroconf (optional)
ca_fingerprint = ""                  # sha256 of the hall CA when the server speaks HTTPS
language = "zh"                      # zh | en | mn (mn: when the hall lists it, else zh)
idle_timeout_s = 60
admin_pin_hash = ""                  # scrypt hash of the kiosk's admin PIN
machine_id = ""

[devices]                            # device URLs (DESIGN.md §4); empty = none
idcard = "sim://idcard"
printer = "sim://printer"
camera = "sim://camera"
pad = ""

[display]                            # display role
zones = []                           # empty = the whole hall
voice = "packs"                      # packs (recorded clips) | espeak | none
repeat = 2
notice = ""

[window]                             # how the window sits on its screen
mode = "kiosk"                       # kiosk: as installed in the hall (full screen; the citizens'
                                     #   kiosk also locked: on top, no cursor, no way out but its
                                     #   admin corner) | window: an ordinary window on a desktop
size = ""                            # window mode: "1920x1080", the terminal's form factor
position = ""                        # window mode: "X,Y" of the window's frame, in screen pixels
scale = 1.0                          # window mode: screen pixels per pixel of the app (0.2..4)
```

Role `devices` is the demo's device console (for demos and training): it drives the simulators
behind the `[devices]` URLs through their control sockets (`control=` in each URL), and `server`
is the address a booking's QR code points at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from queue_server.config_errors import read_toml
from toml_text import value  # the one TOML writer (control characters too)

ROLES = ("kiosk", "counter", "display", "pad", "bank", "devices")
_SIZE = r"^([1-9][0-9]{1,4})x([1-9][0-9]{1,4})$"
_POSITION = r"^(-?[0-9]{1,5}),(-?[0-9]{1,5})$"


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; the message says where."""


class DeviceUrls(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idcard: str = "sim://idcard"
    printer: str = "sim://printer"
    camera: str = "sim://camera"
    pad: str = ""


class DisplayOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zones: list[Literal["consult", "intake", "approval", "pickup"]] = []
    # packs: recorded clips in the hall's order of languages (the shipped Mandarin pack and the
    # hall's own, e.g. Mongolian, in voice_packs), letters said as halls say them, espeak-ng
    # reading a call no pack can say; espeak: espeak-ng reads the Chinese sentence (it says
    # some letters as Chinese: E as 一)
    voice: Literal["espeak", "packs", "none"] = "packs"
    voice_packs: list[str] = []
    repeat: int = Field(default=2, ge=1, le=5)
    notice: str = ""


class WindowOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["kiosk", "window"] = "kiosk"
    size: str = Field(default="", pattern=f"^$|{_SIZE}")
    position: str = Field(default="", pattern=f"^$|{_POSITION}")
    scale: float = Field(default=1.0, ge=0.2, le=4.0)

    def size_px(self) -> tuple[int, int] | None:
        """The window's size in the app's pixels, when given."""
        found = re.match(_SIZE, self.size)
        return (int(found[1]), int(found[2])) if found else None

    def position_px(self) -> tuple[int, int] | None:
        """Where the window's frame goes, in screen pixels, when given."""
        found = re.match(_POSITION, self.position)
        return (int(found[1]), int(found[2])) if found else None


class TerminalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["kiosk", "counter", "display", "pad", "bank", "devices"] = "kiosk"
    server: str = "auto"
    token: str = ""
    counter: str = ""
    hall: str = ""
    ca_fingerprint: str = ""
    # the kiosk's and pads' first language; "mn" only where the hall lists it (GET /hall), the
    # kiosk falls back to Chinese elsewhere
    language: Literal["zh", "mn", "en"] = "zh"
    idle_timeout_s: int = Field(default=60, ge=10, le=3600)
    admin_pin_hash: str = ""
    machine_id: str = ""
    translations: str = ""  # a folder of the hall's own translation files (mn.po), looked in first
    devices: DeviceUrls = DeviceUrls()
    display: DisplayOptions = DisplayOptions()
    window: WindowOptions = WindowOptions()


def load_config(path: Path | None, role: str | None = None) -> TerminalConfig:
    """Read and validate a configuration file; with no file, defaults (zeroconf, simulators)."""
    data: dict[str, object] = {}
    if path is not None:
        data = read_toml(path, ConfigError)  # (queue_server.config_errors)
    if role is not None:
        data["role"] = role
    try:
        return TerminalConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path or '<defaults>'}: {key}: {err['msg']}") from None


def dump_config(config: TerminalConfig) -> str:
    """Render a configuration as TOML (the few shapes it has: scalars, lists, two tables)."""
    lines: list[str] = []
    tables: list[str] = []
    for key, v in config.model_dump().items():
        if isinstance(v, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {value(x)}" for k, x in v.items())
        else:
            lines.append(f"{key} = {value(v)}")
    return "\n".join(lines + tables) + "\n"
