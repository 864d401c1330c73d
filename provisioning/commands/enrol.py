"""`provisioning enrol --db URL --kind KIND --name NAME [--counter CODE] [--hall ID] [--replace]
--json`: enrol a terminal and print its token once (the server keeps only its hash). `--hall` is
needed only when the database holds several halls and the kind or counter does not tell which.

A name is one terminal per hall: enrolling a name an active terminal of that hall already has is
refused (exit 2, nothing written), unless `--replace` is given, which revokes that terminal (its
token and the staff sessions on it stop working) and enrols the new one in the same transaction.
A revoked terminal's name is free again."""

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
    parser.add_argument("--replace", action="store_true",
                        help="revoke the active terminal of this name in the hall and enrol "
                             "the new one in its place (a new token; the old one stops working)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.auth import KINDS, enrol

    if args.kind not in KINDS:
        raise UsageError(f"--kind {args.kind!r}: 应为 {'、'.join(KINDS)} 之一 / expected one of "
                         f"{', '.join(KINDS)}")
    if args.kind in ("counter", "pad") and not args.counter:  # as terminal-config refuses
        raise UsageError(f"--kind {args.kind}: 请用 --counter 编码 指定它所属的窗口 / --kind "
                         f"{args.kind} needs --counter CODE (the counter it belongs to)")
    if args.kind not in ("counter", "pad") and args.counter:
        raise UsageError(f"--counter: 只有窗口终端(counter)和评价器(pad)属于窗口,{args.kind} 不属于 "
                         f"/ --counter is for a counter pad or a rating pad, not a {args.kind}")
    with open_store(args.db) as store:
        try:
            done = enrol(store, args.kind, args.name, args.counter, args.hall,
                         same_name="replace" if args.replace else "refuse")
        except DomainError as exc:
            raise UsageError(exc.message) from exc
    token, hall = done.token, done.hall
    old = [(t.id, t.name, t.kind) for t in done.replaced]
    out = {"terminal": args.name, "kind": args.kind, "token": token, "hall": hall,
           "replaced": len(old)}
    if args.counter:
        out["counter"] = args.counter
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"terminal {args.name} ({args.kind}, hall {hall}) token: {token}")
    for term_id, name, kind in old:
        print(f"已吊销 / revoked: {name} (id {term_id}, {kind}, {hall})")
    return 0
