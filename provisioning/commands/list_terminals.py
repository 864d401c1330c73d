"""`provisioning list --db URL [--json]`: the enrolled terminals, their last heartbeat (the
only contact the database records: a terminal's other requests leave no trace on its row) and
the device health it reported."""

from __future__ import annotations

import argparse
import json
import unicodedata
from datetime import UTC, datetime

from provisioning import terminals
from provisioning.db import open_store

NAME = "list"
HELP = "list enrolled terminals (kind, counter, last heartbeat, device health)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--hall", help="only this hall (or outpost)")
    parser.add_argument("--all", action="store_true", help="include revoked terminals")
    parser.add_argument("--json", action="store_true", help="print JSON lines")


def run(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        rows = terminals.list_terminals(store, args.hall, args.all)
    if args.json:
        for r in rows:
            print(json.dumps({"id": r.id, "hall": r.hall, "name": r.name, "kind": r.kind,
                              "counter": r.counter, "active": r.active,
                              "created_at": _utc(r.created_at).isoformat(),
                              "last_seen": _utc(r.last_seen).isoformat() if r.last_seen else None,
                              "devices": r.devices}, ensure_ascii=False))
        return 0
    if not rows:
        print("没有终端 / no terminals enrolled")
        return 0
    # Only heartbeats (every 30 s from a running terminal) are recorded: a kiosk that issues
    # tickets without them has "none" here, so the column says heartbeat, not "last seen".
    table = [["编号/id", "大厅/hall", "类型/kind", "窗口/counter", "最后心跳/last heartbeat (UTC)",
              "名称/name"]]
    for r in rows:
        beat = (_utc(r.last_seen).strftime("%Y-%m-%d %H:%M:%S") if r.last_seen
                else "无心跳/none")
        flag = "" if r.active else "  [已吊销/revoked]"
        health = " ".join(f"{k}={v}" for k, v in sorted(r.devices.items()))
        table.append([str(r.id), r.hall, r.kind, r.counter or "-", beat,
                      f"{r.name}{flag}{'  ' + health if health else ''}"])
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths,
                                                                            strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: CJK (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utc(moment: datetime) -> datetime:
    """The database keeps UTC; say so (a bare time read as the hall's was 8 hours off)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
