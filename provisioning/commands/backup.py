"""`provisioning backup --db URL --out FILE`: an online, consistent backup of the hall database.
A failure says whether the database or the backup file is the trouble (`provisioning.backup`
raises it so; the database's failures are said by `provisioning.db_failures.explained`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provisioning import backup

NAME = "backup"
HELP = "back up the database while the server runs (SQLite file copy or logical dump)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--out", type=Path, required=True,
                        help="backup file (SQLite: a database file; PostgreSQL: .jsonl.gz)")
    parser.add_argument("--json", action="store_true", help="print rows per table as JSON")


def run(args: argparse.Namespace) -> int:
    counts = backup.backup(args.db, args.out)
    if args.json:
        print(json.dumps({"backup": str(args.out), "rows": counts}))
    else:
        print(f"备份完成 / backup written: {args.out} "
              f"({sum(counts.values())} rows in {len(counts)} tables)")
    return 0
