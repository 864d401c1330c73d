"""The desktop demo's parts that need no screen: the tiles (every terminal at its form factor,
none overlapping, all on the screen, the console at the right), the configuration files they go
into (read back by the kiosk's own loader), the admin PIN the kiosk verifies, and what the
screen probe knows of Qt's system libraries (the same list bin/bootstrap installs)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from kiosk.admin import verify_pin
from kiosk.config import load_config
from provisioning import terminal_file
from provisioning.demo.desk import FORM, Area, arrange, overlaps
from provisioning.demo.screen import device_urls, screen_env
from provisioning.demo.setup import admin_pin_hash
from provisioning.demo.xscreen import QT_WAYLAND_LIBS, QT_XCB_LIBS, _intersect, missing, probe

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["kiosk", "counter", "display", "pad"]
SCREENS = [Area(0, 0, 1920, 1080), Area(0, 0, 1366, 768), Area(0, 0, 2560, 1440),
           Area(0, 0, 3840, 2160), Area(0, 0, 1080, 1920), Area(0, 27, 1920, 1053),
           Area(1920, 0, 1600, 900)]


@pytest.mark.parametrize("area", SCREENS, ids=lambda a: f"{a.width}x{a.height}+{a.x}+{a.y}")
def test_tiles_keep_form_factors_fit_the_screen_and_never_overlap(area: Area) -> None:
    tiles = arrange(area, ROLES)
    assert set(tiles) == {*ROLES, "devices"}
    for role in ROLES:
        assert tiles[role].size == FORM[role]
    rects = {name: t.on_screen for name, t in tiles.items()}
    for x, y, w, h in rects.values():
        assert area.x <= x and x + w <= area.x + area.width
        assert area.y <= y and y + h <= area.y + area.height
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        assert not overlaps(ra, rb), (a, ra, b, rb)
    console = rects["devices"]
    assert console[0] + console[2] == area.x + area.width  # at the right edge
    if area.width >= 1920:
        assert min(tiles[r].scale for r in ROLES) > 0.27  # a 1080p desktop: about a third


def test_the_window_table_is_what_the_kiosk_reads(tmp_path: Path) -> None:
    tile = arrange(Area(0, 0, 1920, 1080), ROLES)["kiosk"]
    path = tmp_path / "kiosk.toml"
    terminal_file.write(path, terminal_file.merge(
        {}, {"role": "kiosk", "admin_pin_hash": admin_pin_hash("2468")},
        device_urls(tmp_path), window=tile.window()))
    config = load_config(path)
    assert config.window.mode == "window"
    assert config.window.size_px() == (1920, 1080)
    assert config.window.position_px() == (tile.x, tile.y)
    assert config.window.scale == pytest.approx(tile.scale)
    assert verify_pin("2468", config.admin_pin_hash) and not verify_pin("1357", config.admin_pin_hash)
    assert "hold=1" in config.devices.idcard and "control=" in config.devices.printer
    assert terminal_file.read(path)["window"]["mode"] == "window"


def test_terminals_get_the_xcb_platform_under_x() -> None:
    assert screen_env({"DISPLAY": ":1", "WAYLAND_DISPLAY": "wayland-0"})["QT_QPA_PLATFORM"] == "xcb"
    assert "QT_QPA_PLATFORM" not in screen_env({"WAYLAND_DISPLAY": "wayland-0"})
    assert screen_env({"DISPLAY": ":1", "QT_QPA_PLATFORM": "offscreen"})["QT_QPA_PLATFORM"] == "offscreen"


def test_bootstrap_installs_every_library_the_probe_asks_for() -> None:
    text = (ROOT / "bin" / "bootstrap").read_text()
    listed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", " ".join(re.findall(r"apt_pkgs\+?=\((.*?)\)", text))))
    wanted = set(QT_XCB_LIBS.values()) | set(QT_WAYLAND_LIBS.values())
    assert wanted - listed == set()


def test_the_probe_names_the_package_of_a_missing_library() -> None:
    assert missing({"libkuaiban-nowhere.so.9": "libkuaiban-nowhere9", "libc.so.6": "libc6"}) == [
        "libkuaiban-nowhere9"]
    assert probe({}) == {"platform": "", "missing": [], "area": None}  # no screen: nothing asked
    assert _intersect((0, 0, 1920, 1080), (0, 30, 1920, 1080)) == (0, 30, 1920, 1050)
    assert _intersect((0, 0, 10, 10), (20, 20, 5, 5)) is None


def test_a_screen_qt_cannot_draw_on_is_said_before_anything_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provisioning.demo import screen

    monkeypatch.setattr(screen, "probe_screen", lambda env: {
        "platform": "xcb", "missing": ["libxcb-icccm4", "libxcb-keysyms1"], "area": None})
    said: list[str] = []
    assert screen.run(tmp_path / "demo", said.append) == 1
    assert "libxcb-icccm4 libxcb-keysyms1" in said[0] and "bin/bootstrap" in said[0]
    assert not (tmp_path / "demo").exists()  # no hall, no server, no window
