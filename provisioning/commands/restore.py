"""`provisioning restore --db URL --from FILE`: put a backup back (stop the server first).

Event ids must keep growing (displays and kiosks reconnect with `after=` the last id they saw):
before replacing a database, read the highest id it handed out and have the restored database
continue after it. Numbers too: a citizen may hold a ticket issued after the backup, so each
number counter continues after the replaced database's. A missing or unreadable database is
replaced as before, and the output says so; another program's database is refused (its tables
would be lost, or Kuaiban's put beside them). A failure says whether the database or the backup
file is the trouble (`provisioning.backup`, `provisioning.db_failures.explained`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from provisioning import backup
from provisioning.db import foreign_refusal
from provisioning.errors import UsageError
from queue_server.db import presence

NAME = "restore"
HELP = "restore a backup into a database (replaces its contents; stop the server first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL to restore into")
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                        help="a file written by `provisioning backup`")
    parser.add_argument("--yes", action="store_true",
                        help="replace a database that already holds a hall")
    parser.add_argument("--json", action="store_true", help="print rows per table as JSON")


def _refuse_foreign(url: str) -> None:
    """Another program's database is not replaced; one that cannot be read is, as before."""
    try:
        refused = foreign_refusal(url, "restore")
    except SQLAlchemyError:  # damaged or unreadable: `last_event_id` says so in the output
        return
    if refused is not None:
        raise refused


def run(args: argparse.Namespace) -> int:
    backup.check_backup(args.source)
    using = presence.servers_using(args.db)
    if using:
        raise UsageError(f"服务器正在使用 {args.db}({using}):请先停止服务器再恢复,"
                         f"否则恢复期间取的号会丢失 / a server is using {args.db} ({using}): "
                         "stop it before restoring, or the numbers taken meanwhile are lost")
    _refuse_foreign(args.db)
    floor, why = backup.last_event_id(args.db)  # before anything touches the database
    numbers = backup.numbers_handed_out(args.db)  # tickets citizens may hold: never again
    if not args.yes and not backup.is_empty(args.db):
        raise UsageError(f"{args.db} already holds a hall; add --yes to replace it "
                         "(stop the server first)")
    counts = backup.restore(args.source, args.db, event_floor=floor, number_floor=numbers)
    after, _ = backup.last_event_id(args.db)
    if args.json:
        print(json.dumps({"restored": str(args.source), "rows": counts,
                          "event_ids": {"replaced_last": floor, "continue_after": after,
                                        "note": why or None},
                          "number_counters_kept": len(numbers)}))
    else:
        print(f"恢复完成 / restored {args.source} into {args.db} "
              f"({sum(counts.values())} rows in {len(counts)} tables)")
        if floor is not None:
            print(f"事件编号从 {after} 之后继续(原数据库已发到 {floor})/ event ids continue "
                  f"after {after} (the replaced database had handed out up to {floor})")
        if numbers:
            print("号码接着原数据库已发出的号继续,不重发 / numbers continue after those the "
                  "replaced database had handed out: none is issued twice")
        else:
            print(f"事件编号从备份的 {after} 之后继续,未读取原数据库的编号;若显示屏或取号机不再"
                  f"更新,请重启它们 / event ids continue after the backup's {after}, the replaced "
                  f"database's were not read; restart displays and kiosks if they stop updating "
                  f"({why})")
    return 0
