"""`provisioning list --db URL [--json]`: the enrolled terminals and when they were last seen."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from provisioning import terminals
from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "list"
HELP = "list enrolled terminals (kind, counter, last seen, device health)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--hall", help="only this hall (or outpost)")
    parser.add_argument("--all", action="store_true", help="include revoked terminals")
    parser.add_argument("--json", action="store_true", help="print JSON lines")


def run(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        try:
            rows = terminals.list_terminals(store, args.hall, args.all)
        except SQLAlchemyError as exc:
            raise UsageError(f"{args.db}: {str(exc).splitlines()[0]}") from None
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
    print(f"{'id':>4}  {'hall':<10} {'kind':<8} {'counter':<8} {'last seen (UTC)':<20} name")
    for r in rows:
        seen = _utc(r.last_seen).strftime("%Y-%m-%d %H:%M:%S") if r.last_seen else "never"
        flag = "" if r.active else "  [revoked]"
        health = " ".join(f"{k}={v}" for k, v in sorted(r.devices.items()))
        print(f"{r.id:>4}  {r.hall:<10} {r.kind:<8} {r.counter or '-':<8} {seen:<20} "
              f"{r.name}{flag}{'  ' + health if health else ''}")
    return 0


def _utc(moment: datetime) -> datetime:
    """The database keeps UTC; say so (a bare time read as the hall's was 8 hours off)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
