"""`provisioning enrol --db URL --kind KIND --name NAME [--counter CODE] [--hall ID] --json`:
enrol a terminal and print its token once (the server keeps only its hash). `--hall` is needed
only when the database holds several halls and the kind or counter does not tell which."""

from __future__ import annotations

import argparse
import json

from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "enrol"
HELP = "enrol a terminal (kiosk, counter, display, pad, bank) and print its token once"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--kind", required=True, help="kiosk, counter, display, pad or bank")
    parser.add_argument("--name", required=True, help="a name for the terminal, e.g. kiosk-1")
    parser.add_argument("--counter", help="the counter a counter pad or rating pad belongs to")
    parser.add_argument("--hall", help="hall or outpost id (when the database holds several)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from queue_server.auth import KINDS, enrol_terminal
    from queue_server.errors import DomainError

    if args.kind not in KINDS:
        raise UsageError(f"--kind {args.kind!r}: expected one of {', '.join(KINDS)}")
    with open_store(args.db) as store:
        try:
            token, hall = enrol_terminal(store, args.kind, args.name, args.counter, args.hall)
        except DomainError as exc:
            raise UsageError(exc.message) from exc
    out = {"terminal": args.name, "kind": args.kind, "token": token, "hall": hall}
    if args.counter:
        out["counter"] = args.counter
    print(json.dumps(out, ensure_ascii=False) if args.json
          else f"terminal {args.name} ({args.kind}, hall {hall}) token: {token}")
    return 0
