"""`provisioning export --db URL [--out FILE]`: the hall configuration back as TOML."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from provisioning import hall_toml
from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "export"
HELP = "write the hall configuration in the database back to a TOML file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--hall", help="hall id (needed only when the database holds several)")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:  # never creates a database (a missing file is said)
        try:
            with store.read() as session:
                hall = hall_toml.main_hall_id(session, args.hall)
                config = hall_toml.read_config(session, hall)
        except hall_toml.NoSuchHall as exc:
            raise UsageError(f"{args.db}: {exc}") from None
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = hall_toml.to_toml(config, f"Exported by `provisioning export` on {stamp}.\n"
                                     "Load with: python -m provisioning init --config FILE --db URL")
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--out {args.out}: {exc}") from None
        print(f"已导出 {hall} 到 {args.out} / exported {hall} to {args.out}", file=sys.stderr)
    return 0
