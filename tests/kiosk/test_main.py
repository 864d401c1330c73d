"""`python -m kiosk` finds its UI by the packaging entry point (group `kuaiban.terminal`), so
kiosk never names ui; without an installed UI it says so in one line and exits 2."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from kiosk.__main__ import UI_GROUP, main, terminal_ui


def test_the_installed_entry_point_is_the_ui_app() -> None:
    assert terminal_ui() is importlib.import_module("ui.app").main
    assert UI_GROUP == "kuaiban.terminal"


def test_no_ui_installed_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--role", "display"], group="kuaiban.no-such-group") == 2
    err = capsys.readouterr().err
    assert err.startswith("kiosk: no terminal UI is installed") and err.count("\n") == 1
    assert "kuaiban.no-such-group" in err


def test_a_bad_configuration_is_refused_before_any_ui(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "terminal.toml"
    bad.write_text('language = "fr"\n', encoding="utf-8")
    assert main(["--role", "kiosk", "--config", str(bad)], group="kuaiban.no-such-group") == 2
    assert "language" in capsys.readouterr().err
