"""`python -m kiosk --role ROLE [--config FILE] [--screens DIR [--size WxH] [--hall HALL.toml]
[--lang zh|en|mn]] [--window] [--log-level debug|info|warning|error]`: the terminal app's entry
point.

A real run logs to stderr (systemd appends it to /var/log/kuaiban/ROLE.log): one line a record,
with its time, logger and level; INFO and above unless `--log-level` says otherwise. Rendering
screens (`--screens`) sets up no logging: it prints its one line of result.

This is the composition root: it reads the configuration once and hands it to the terminal UI,
which it finds by its packaging entry point (group `kuaiban.terminal`; pyproject.toml names
`ui.app:main`), so `kiosk` never names the package that draws it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from kiosk.config import ROLES, ConfigError, TerminalConfig, load_config
from kiosk.sample_hall import LANGUAGES, HallFileError, RenderOptions, load_hall_sample, parse_size
from queue_server.cli_parser import OneLineParser

UI_GROUP = "kuaiban.terminal"
TerminalUi = Callable[[str, TerminalConfig, Path | None], int]
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def setup_logging(level: str = "info") -> None:
    """Log records of `level` and above to stderr, once: a second call changes only the level.
    The root logger's own handlers (a test's capture) stay as they are."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not any(getattr(h, "kuaiban", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.kuaiban = True  # type: ignore[attr-defined]
        root.addHandler(handler)


class NoUi(Exception):
    """No terminal UI is installed, or the one installed cannot be loaded."""


def terminal_ui(group: str = UI_GROUP) -> TerminalUi:
    """The installed terminal UI: `main(role, config, screens_dir_or_None[, options]) -> exit
    code` (options, a RenderOptions, only with a screens folder)."""
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
    parser = OneLineParser(prog="python -m kiosk", description="快办 Kuaiban terminal")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--config", type=Path, help="terminal configuration file (TOML)")
    parser.add_argument("--screens", type=Path, metavar="DIR",
                        help="render every screen of the role to PNG files in DIR, then exit")
    parser.add_argument("--window", action="store_true",
                        help="an ordinary window on a desktop, never full screen or locked "
                             "(overrides [window] mode = \"kiosk\" of the configuration)")
    parser.add_argument("--size", metavar="WxH", help="with --screens: render at this window size, "
                        "e.g. 1080x1920 (an upright kiosk) or 1366x768 (a counter)")
    parser.add_argument("--hall", type=Path, metavar="HALL.toml",
                        help="with --screens: that hall configuration's services, counters and "
                             "texts instead of the sample data")
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="with --screens: this language only (default: zh and en)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info",
                        help="the least important log lines written to stderr (default: info)")
    args = parser.parse_args(argv)
    options = RenderOptions()
    if args.screens is None and (args.size or args.hall or args.lang):
        parser.error("--size, --hall and --lang go with --screens DIR")
    try:
        if args.size:
            options.size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    if args.lang:
        options.langs = (args.lang,)
    try:
        if args.hall:
            options.hall = load_hall_sample(args.hall)
        config = load_config(args.config, role=args.role)
        if args.window:
            config.window.mode = "window"
        ui_main = terminal_ui(group)
    except (ConfigError, HallFileError, NoUi) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    if args.screens is None:
        setup_logging(args.log_level)
        return int(ui_main(args.role, config, None))
    return int(ui_main(args.role, config, args.screens, options))  # type: ignore[call-arg]


if __name__ == "__main__":
    sys.exit(main())
