"""`provisioning export --db URL [--out FILE]`: the hall configuration back as TOML."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from provisioning import hall_toml
from provisioning.errors import UsageError

NAME = "export"
HELP = "write the hall configuration in the database back to a TOML file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--hall", help="hall id (needed only when the database holds several)")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    try:
        engine = create_engine(args.db)
    except ArgumentError as exc:
        raise UsageError(f"--db {args.db!r}: {exc}") from None
    try:
        with Session(engine) as session:
            hall = hall_toml.main_hall_id(session, args.hall)
            config = hall_toml.read_config(session, hall)
    except hall_toml.NoSuchHall as exc:
        raise UsageError(f"{args.db}: {exc}") from None
    except SQLAlchemyError as exc:
        raise UsageError(f"{args.db}: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
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
        print(f"exported {hall} to {args.out}", file=sys.stderr)
    return 0
