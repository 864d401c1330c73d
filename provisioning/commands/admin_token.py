"""`provisioning admin-token --db URL --json`: make an administrator token and print it once."""

from __future__ import annotations

import argparse
import json

from provisioning.db import open_store

NAME = "admin-token"
HELP = "make an administrator token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from queue_server.usecases.auth import make_admin_token

    with open_store(args.db) as store:
        token = make_admin_token(store)
    print(json.dumps({"token": token}) if args.json else token)
    return 0
