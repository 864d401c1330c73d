"""`provisioning restore --db URL --from FILE`: put a backup back (stop the server first)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from provisioning import backup
from provisioning.errors import UsageError

NAME = "restore"
HELP = "restore a backup into a database (replaces its contents; stop the server first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL to restore into")
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                        help="a file written by `provisioning backup`")
    parser.add_argument("--yes", action="store_true",
                        help="replace a database that already holds a hall")
    parser.add_argument("--json", action="store_true", help="print rows per table as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        backup.check_backup(args.source)
        if not args.yes and not backup.is_empty(args.db):
            raise UsageError(f"{args.db} already holds a hall; add --yes to replace it "
                             "(stop the server first)")
        counts = backup.restore(args.source, args.db)
    except (backup.BackupError, ArgumentError) as exc:
        raise UsageError(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        raise UsageError(f"{args.db}: {str(exc).splitlines()[0]}") from None
    if args.json:
        print(json.dumps({"restored": str(args.source), "rows": counts}))
    else:
        print(f"恢复完成 / restored {args.source} into {args.db} "
              f"({sum(counts.values())} rows in {len(counts)} tables)")
    return 0
