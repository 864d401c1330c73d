"""`provisioning revoke --db URL (--name NAME | --id N)`: a lost or retired terminal's token stops
working at once (the server answers 401), and staff sessions opened on it end."""

from __future__ import annotations

import argparse
import json

from provisioning import terminals
from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "revoke"
HELP = "revoke a terminal's token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--name", help="terminal name (as given at enrolment)")
    who.add_argument("--id", type=int, help="terminal id (from `provisioning list`)")
    parser.add_argument("--hall", help="only in this hall")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        try:
            rows = terminals.revoke(store, name=args.name, terminal_id=args.id, hall=args.hall)
        except terminals.TerminalError as exc:
            raise UsageError(str(exc)) from None
    for r in rows:
        if args.json:
            print(json.dumps({"revoked": r.name, "id": r.id, "kind": r.kind, "hall": r.hall},
                             ensure_ascii=False))
        else:
            print(f"已吊销 / revoked: {r.name} (id {r.id}, {r.kind}, {r.hall})")
    return 0
