"""`python -m kiosk --role ROLE [--config FILE] [--screens DIR] [--window]`: the terminal app's
entry point.

This is the composition root: it reads the configuration once and hands it to the terminal UI,
which it finds by its packaging entry point (group `kuaiban.terminal`; pyproject.toml names
`ui.app:main`), so `kiosk` never names the package that draws it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from kiosk.config import ROLES, ConfigError, TerminalConfig, load_config

UI_GROUP = "kuaiban.terminal"
TerminalUi = Callable[[str, TerminalConfig, Path | None], int]


class NoUi(Exception):
    """No terminal UI is installed, or the one installed cannot be loaded."""


def terminal_ui(group: str = UI_GROUP) -> TerminalUi:
    """The installed terminal UI: `main(role, config, screens_dir_or_None) -> exit code`."""
    found = list(entry_points(group=group))
    if not found:
        raise NoUi(f"no terminal UI is installed (no entry point in group {group!r}); "
                   "install Kuaiban with its ui package: pip install -e .")
    if len(found) > 1:
        names = ", ".join(sorted(ep.value for ep in found))
        raise NoUi(f"several terminal UIs are installed ({names}); keep one")
    (entry,) = found
    try:
        ui_main: TerminalUi = entry.load()
    except (ImportError, AttributeError) as exc:
        raise NoUi(f"the terminal UI {entry.value} cannot be loaded: {exc}") from exc
    return ui_main


def main(argv: list[str] | None = None, group: str = UI_GROUP) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="快办 Kuaiban terminal")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--config", type=Path, help="terminal configuration file (TOML)")
    parser.add_argument("--screens", type=Path, metavar="DIR",
                        help="render every screen of the role to PNG files in DIR, then exit")
    parser.add_argument("--window", action="store_true",
                        help="an ordinary window on a desktop, never full screen or locked "
                             "(overrides [window] mode = \"kiosk\" of the configuration)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, role=args.role)
        if args.window:
            config.window.mode = "window"
        ui_main = terminal_ui(group)
    except (ConfigError, NoUi) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    return int(ui_main(args.role, config, args.screens))


if __name__ == "__main__":
    sys.exit(main())
