"""`provisioning restore --db URL --from FILE`: put a backup back (stop the server first).

A server on an SQLite file holds a lock beside the real file, whatever path it was given
(`queue_server.db.presence`), so a restore given another path to it (a symlink, `..`) is refused
as well.

The whole database is replaced: halls the backup does not have are deleted. Without `--yes` a
database that holds halls is refused, naming the halls the backup would replace and those it
would delete; with it, the output names the halls deleted.

Event ids must keep growing (displays and kiosks reconnect with `after=` the last id they saw):
before replacing a database, read the highest id each hall handed out and have the restored
database continue after it. Numbers too: a citizen may hold a ticket issued after the backup, so
each number counter continues after the replaced database's. A missing or unreadable database
is replaced as before, and the output says so; another program's database is refused (its
tables would be lost, or Kuaiban's put beside them). A failure says whether the database or the
backup file is the trouble (`provisioning.backup`, `provisioning.db_failures.explained`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from provisioning import backup
from provisioning.backup import EventIds, Hall, Number
from provisioning.db import foreign_refusal
from provisioning.db_failures import shown_url
from provisioning.errors import UsageError
from queue_server.db import presence

NAME = "restore"
HELP = "restore a backup into a database (replaces its contents; stop the server first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL to restore into")
    parser.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE",
                        help="a file written by `provisioning backup`")
    parser.add_argument("--yes", action="store_true",
                        help="replace a database that already holds halls (those the backup "
                             "does not have are deleted)")
    parser.add_argument("--json", action="store_true", help="print rows per table as JSON")


def _refuse_foreign(url: str) -> None:
    """Another program's database is not replaced; one that cannot be read is, as before."""
    try:
        refused = foreign_refusal(url, "restore")
    except SQLAlchemyError:  # damaged or unreadable: `last_event_ids` says so in the output
        return
    if refused is not None:
        raise refused


def _zh(halls: list[Hall]) -> str:
    return "、".join(f"{i}({n})" for i, n in halls)


def _en(halls: list[Hall]) -> str:
    return ", ".join(f"{i} ({n})" for i, n in halls)


def _split(present: list[Hall] | None, incoming: list[Hall]) -> tuple[list[Hall], list[Hall]]:
    """The halls of the database that the backup replaces, and those it deletes (it has none
    of that id)."""
    theirs = {i for i, _ in incoming}
    kept = [h for h in present or [] if h[0] in theirs]
    return kept, [h for h in present or [] if h[0] not in theirs]


def _refuse_without_yes(url: str, present: list[Hall] | None, unread: str,
                        incoming: list[Hall]) -> None:
    """Without `--yes` a database holding halls is not replaced: say which the backup would
    replace and which it would delete."""
    shown = f"--db {shown_url(url)}"
    if present is None:
        raise UsageError(f"{shown}: 读不出其中有哪些大厅;确认要用备份替换整个数据库,请加 --yes 再运行(请先停止"
                         f"服务器) / cannot read which halls it holds ({unread}): to replace "
                         "the whole database with the backup, add --yes (stop the server first)")
    if not present:
        return
    kept, gone = _split(present, incoming)
    zh = [f"用备份替换大厅 {_zh(kept)}"] if kept else []
    en = [f"replace the halls {_en(kept)} with the backup's"] if kept else []
    if gone:
        zh.append(f"删除备份中没有的大厅 {_zh(gone)}及其全部数据")
        en.append(f"DELETE the halls {_en(gone)} with all their data (the backup does not "
                  "have them)")
    raise UsageError(f"{shown}: 已有大厅,恢复会{',并'.join(zh)};确认请加 --yes 再运行(请先停止服务器) / "
                     f"it already holds halls: the restore would {' and '.join(en)}; add --yes "
                     "to go ahead (stop the server first)")


def run(args: argparse.Namespace) -> int:
    backup.check_backup(args.source)
    using = presence.servers_using(args.db)
    if using:
        raise UsageError(f"服务器正在使用 {args.db}({using}):请先停止服务器再恢复,"
                         f"否则恢复期间取的号会丢失 / a server is using {args.db} ({using}): "
                         "stop it before restoring, or the numbers taken meanwhile are lost")
    _refuse_foreign(args.db)
    floors, why = backup.last_event_ids(args.db)  # before anything touches the database
    numbers = backup.numbers_handed_out(args.db)  # tickets citizens may hold: never again
    present, unread = backup.halls_in(args.db)
    incoming = backup.halls_in_backup(args.source)
    if not args.yes:
        _refuse_without_yes(args.db, present, unread, incoming)
    gone = _split(present, incoming)[1]
    counts = backup.restore(args.source, args.db, event_floors=floors, number_floor=numbers)
    after = backup.last_event_ids(args.db)[0] or {}
    if args.json:
        print(json.dumps({"restored": str(args.source), "rows": counts,
                          "event_ids": {"replaced_last": _top(floors),
                                        "continue_after": _top(after), "note": why or None},
                          "event_ids_by_hall": {h: {"replaced_last": (floors or {}).get(h),
                                                    "continue_after": n}
                                                for h, n in sorted(after.items())},
                          "number_counters_kept": len(numbers),
                          "halls_removed": [{"id": i, "name": n} for i, n in gone]}))
        return 0
    print(f"恢复完成 / restored {args.source} into {args.db} "
          f"({sum(counts.values())} rows in {len(counts)} tables)")
    if gone:
        print(f"已删除备份中没有的大厅 {_zh(gone)}及其全部数据 / deleted the halls the backup does "
              f"not have, with all their data: {_en(gone)}")
    for line in _continuing(incoming, floors, why, after, numbers):
        print(line)
    return 0


def _top(ids: EventIds | None) -> int | None:
    return None if ids is None else max(ids.values(), default=0)


def _continuing(halls: list[Hall], floors: EventIds | None, why: str, after: EventIds,
                numbers: list[Number]) -> list[str]:
    """What the restored halls' event ids and numbers continue after, a line a hall that has
    something to say; one line for all when the replaced database could not be read."""
    if floors is None:
        each_zh = "、".join(f"{i} 从 {after[i]} 之后" if after.get(i) else f"{i} 从 1 开始"
                           for i, _ in halls)
        each_en = ", ".join(f"hall {i} after {after[i]}" if after.get(i) else f"hall {i} from 1"
                            for i, _ in halls)
        why_zh, _, why_en = why.partition(" / ")
        return [f"事件编号接着备份继续:{each_zh};未能读取原数据库已发出的编号和号码({why_zh}),若显示屏或取号机"
                f"不再更新,请重启它们 / event ids continue after the backup's: {each_en}; the "
                f"replaced database's ids and numbers were not read ({why_en or why_zh}): "
                "restart displays and kiosks if they stop updating"]
    lines = []
    numbered = {h for h, *_ in numbers}
    for hall, name in halls:
        zh: list[str] = []
        en: list[str] = []
        if floors.get(hall):
            zh.append(f"事件编号从 {after.get(hall, 0)} 之后继续(原数据库已发到 {floors[hall]})")
            en.append(f"event ids continue after {after.get(hall, 0)} (the replaced database "
                      f"had handed out up to {floors[hall]})")
        if hall in numbered:
            zh.append("号码接着原数据库已发出的号继续,不重发")
            en.append("numbers continue after those the replaced database had handed out: "
                      "none is issued twice")
        if zh:
            lines.append(f"大厅 {hall}({name}):{';'.join(zh)} / hall {hall} ({name}): "
                         f"{'; '.join(en)}")
    return lines
