"""The demo's windows on one desktop: each terminal at its form factor (the kiosk's 1920x1080,
the counter pad's 1366x768...), drawn smaller so that all of them fit the screen side by side
without overlapping, and the device console at the right at its own size. `arrange` is pure:
the work area comes from `provisioning.demo.xscreen`.

A window manager adds a frame around each window (borders, a title bar): every tile keeps room
for one (`FRAME`), and a position is where the frame's top-left corner goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FORM = {"kiosk": (1920, 1080), "counter": (1366, 768), "display": (1920, 1080), "pad": (1280, 800)}
CONSOLE = (520, 980)  # the device console (ui.roles.devices) at scale 1
CONSOLE_MIN_SCALE = 0.6  # smaller than this it cannot be read; then the roles give way
FRAME = (12, 36)  # room for a frame: both borders across, title bar and borders down
GAP = 8  # between tiles: room for rounding and for frames a little wider than FRAME says
DEFAULT_AREA = (0, 0, 1920, 1080)  # when the screen cannot be asked (Wayland, offscreen)


@dataclass(frozen=True)
class Area:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Tile:
    """Where one window goes: its frame's top-left corner (screen pixels), its size in the app's
    pixels (the form factor) and the scale it is drawn at (screen pixels per app pixel)."""

    x: int
    y: int
    size: tuple[int, int]
    scale: float

    @property
    def on_screen(self) -> tuple[int, int, int, int]:
        """The frame's rectangle on the screen: x, y, width, height (with FRAME's room)."""
        w, h = (math.ceil(v * self.scale) for v in self.size)
        return self.x, self.y, w + FRAME[0], h + FRAME[1]

    def window(self) -> dict[str, object]:
        """The `[window]` table of the terminal's configuration."""
        return {"mode": "window", "size": f"{self.size[0]}x{self.size[1]}",
                "position": f"{self.x},{self.y}", "scale": round(self.scale, 4)}


def _fit(size: tuple[int, int], width: float, height: float) -> float:
    """The largest scale (3 decimals, rounded down) at which `size` and its frame fit."""
    scale = min((width - FRAME[0]) / size[0], (height - FRAME[1]) / size[1])
    return max(0.0, math.floor(scale * 1000) / 1000)


def _grid(area: Area, roles: list[str], columns: int) -> dict[str, Tile]:
    """`roles` in `columns` columns of equal cells, each window as large as its cell allows;
    then each row only as tall as its tallest window (the spare room goes to the bottom)."""
    rows = math.ceil(len(roles) / columns)
    cell_w = (area.width - (columns - 1) * GAP) / columns
    cell_h = (area.height - (rows - 1) * GAP) / rows
    scales = {role: _fit(FORM[role], math.floor(cell_w), math.floor(cell_h)) for role in roles}
    out, top = {}, area.y
    for row in range(rows):
        in_row = roles[row * columns:(row + 1) * columns]
        for col, role in enumerate(in_row):
            out[role] = Tile(area.x + math.floor(col * (cell_w + GAP)), top, FORM[role],
                             scales[role])
        top += max(out[role].on_screen[3] for role in in_row) + GAP
    return out


def arrange(area: Area, roles: list[str], console: bool = True) -> dict[str, Tile]:
    """Tiles for `roles` (keys of FORM) and, with `console`, the device console ("devices") at
    the right: the grid whose smallest window is largest."""
    tiles: dict[str, Tile] = {}
    rest = area
    if console:
        scale = min(1.0, max(CONSOLE_MIN_SCALE, _fit(CONSOLE, CONSOLE[0] + FRAME[0], area.height)))
        width = math.ceil(CONSOLE[0] * scale) + FRAME[0]
        tiles["devices"] = Tile(area.x + area.width - width, area.y, CONSOLE, scale)
        rest = Area(area.x, area.y, area.width - width - GAP, area.height)
    grids = [_grid(rest, roles, c) for c in range(1, len(roles) + 1)]
    best = max(grids, key=lambda g: (min(t.scale for t in g.values()),
                                     sum(t.scale for t in g.values())))
    return best | tiles


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two rectangles (x, y, width, height) share any pixel."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
