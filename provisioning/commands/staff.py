"""`provisioning staff --db URL --id ID --pin-stdin`: set a staff member's PIN, read from
standard input (never a flag: flags leak into shell history and `ps`)."""

from __future__ import annotations

import argparse
import sys

from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "staff"
HELP = "set a staff member's PIN (read from standard input)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--id", required=True, help="staff id from the hall configuration")
    parser.add_argument("--pin-stdin", action="store_true", required=True,
                        help="read the PIN from standard input (the first line)")
    parser.add_argument("--hall", help="only in this hall or outpost (default: all)")


def run(args: argparse.Namespace) -> int:
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.auth import set_pin

    pin = sys.stdin.readline().rstrip("\r\n")
    if not pin:
        raise UsageError("no PIN on standard input")
    with open_store(args.db) as store:
        try:
            rows = set_pin(store, args.id, pin, args.hall)
        except DomainError as exc:
            raise UsageError(exc.message) from exc
    print(f"PIN set for {args.id} ({rows} hall{'s' if rows != 1 else ''})", file=sys.stderr)
    return 0
