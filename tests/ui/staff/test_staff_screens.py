"""`--screens` of the staff roles: every state in zh and en rendered to PNG offscreen, with
sample data and no server; each picture has content (not one flat colour)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

EXPECTED = {"counter": 28, "display": 24, "pad": 14}
LANGS = {"counter": {"zh", "en"}, "display": {"zh", "en", "mn"}, "pad": {"zh", "en"}}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_screen_is_rendered(qapp: QApplication, tmp_path: Path, role: str) -> None:
    module = importlib.import_module(f"ui.roles.{role}")
    assert module.render_screens(qapp, tmp_path, role) == 0
    files = sorted(tmp_path.glob("*.png"))
    assert len(files) == EXPECTED[role]
    assert {f.stem.rsplit("-", 1)[-1] for f in files} == LANGS[role]
    for f in files:
        img = QImage(str(f))
        assert img.width() >= 400 and img.height() >= 150, f.name
        colours = {img.pixel(x, y) for x in range(0, img.width(), 37)
                   for y in range(0, img.height(), 23)}
        assert len(colours) > 3, f"{f.name} looks blank"
