"""`python -m kiosk --role ROLE [--config FILE] [--screens DIR]`: the terminal app's entry point.

This is the composition root: it reads the configuration once and hands it to the role's UI.
The UI package is loaded by name here only; nothing else in `kiosk` knows `ui` exists.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from kiosk.config import ROLES, ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="快办 Kuaiban terminal")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--config", type=Path, help="terminal configuration file (TOML)")
    parser.add_argument("--screens", type=Path, metavar="DIR",
                        help="render every screen of the role to PNG files in DIR, then exit")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, role=args.role)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    app = importlib.import_module("ui.app")  # composition root: the only place kiosk names ui
    if args.screens is not None:
        return int(app.render_screens(args.role, args.screens))
    return int(app.run(args.role, config))


if __name__ == "__main__":
    sys.exit(main())
