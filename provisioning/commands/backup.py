"""`provisioning backup --db URL --out FILE [--force]`: an online, consistent backup of the hall
database. A file already at FILE (an earlier backup, perhaps the one good copy) is replaced only
with `--force`, and the database file itself never.
A failure says whether the database or the backup file is the trouble (`provisioning.backup`
raises it so; the database's failures are said by `provisioning.db_failures.explained`)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from provisioning import backup

NAME = "backup"
HELP = "back up the database while the server runs (SQLite file copy or logical dump)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--out", type=Path, required=True,
                        help="backup file (SQLite: a database file; PostgreSQL: .jsonl.gz)")
    parser.add_argument("--force", action="store_true",
                        help="replace a file already at --out (by default the backup refuses)")
    parser.add_argument("--json", action="store_true", help="print rows per table as JSON")


def run(args: argparse.Namespace) -> int:
    replacing = os.path.lexists(args.out)  # (only with --force does the backup go on)
    counts = backup.backup(args.db, args.out, force=args.force)
    if args.json:
        print(json.dumps({"backup": str(args.out), "rows": counts, "replaced": replacing}))
    else:
        over = ("(替换了原有的文件)", " (replacing the file that was there)") if replacing else ("", "")
        print(f"备份完成{over[0]} / backup written{over[1]}: {args.out} "
              f"({sum(counts.values())} rows in {len(counts)} tables)")
    return 0
