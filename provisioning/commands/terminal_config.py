"""`provisioning terminal-config`: enrol (or re-enrol) this machine's terminal and write its
configuration file, optionally shown as a QR code for a tablet to scan.

The terminal is named after the machine id (`/etc/machine-id` unless given), so running it
again on the same machine updates that terminal (a new token; the old one stops working)
instead of enrolling a second one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from sqlalchemy import select

from provisioning import terminal_file, terminals
from provisioning.db import open_store
from provisioning.errors import UsageError
from queue_server.db.models import Counter, Hall
from queue_server.db.store import Store

NAME = "terminal-config"
HELP = "enrol this machine's terminal (updated, not duplicated) and write its config file"
KINDS = ("kiosk", "counter", "display", "pad", "bank")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="database URL of the hall server")
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument("--out", type=Path, required=True, help="the terminal's config file")
    parser.add_argument("--counter", help="counter code (counter and pad terminals)")
    parser.add_argument("--hall", help="hall or outpost id (default: from the counter or kind)")
    parser.add_argument("--name", help="terminal name (default: KIND-MACHINEID)")
    parser.add_argument("--machine-id", help="default: this machine's /etc/machine-id")
    parser.add_argument("--server", default=None,
                        help='"auto" (zeroconf) or http(s)://host:port of the server (default: '
                             'the one the file already has, else auto)')
    parser.add_argument("--ca-fingerprint", default=None,
                        help="sha256 of the hall CA (from `provisioning tls`) to pin")
    for key in terminal_file.DEVICE_KEYS:
        parser.add_argument(f"--{key}", metavar="URL", help=f"{key} device URL")
    parser.add_argument("--qr", action="store_true", help="print the settings as a QR code")
    parser.add_argument("--json", action="store_true")


def _hall_for(store: Store, kind: str, counter: str | None, hall: str | None) -> str:
    with store.read() as s:
        halls = list(s.scalars(select(Hall).where(Hall.active)))
        if hall is not None:
            if hall not in {h.id for h in halls}:
                raise UsageError(f"--hall {hall!r}: no such hall")
            return hall
        if counter is not None:
            owners = list(s.scalars(select(Counter.hall).where(Counter.code == counter,
                                                               Counter.active)))
            if len(owners) == 1:
                return owners[0]
            if not owners:
                raise UsageError(f"--counter {counter!r}: no such counter")
        wanted = [h.id for h in halls if (h.parent is not None) == (kind == "bank")]
        if len(wanted) != 1:
            raise UsageError("no hall in this database (run `provisioning init` first)"
                             if not halls else "several halls: choose one with --hall")
        return wanted[0]


_FINGERPRINT = re.compile(r"[0-9a-fA-F]{64}|([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}")


def run(args: argparse.Namespace) -> int:
    if args.kind in ("counter", "pad") and not args.counter:
        raise UsageError(f"--kind {args.kind} needs --counter CODE")
    if args.ca_fingerprint is not None and not _FINGERPRINT.fullmatch(args.ca_fingerprint):
        raise UsageError(f"--ca-fingerprint {args.ca_fingerprint!r}: expected the CA's sha256 "
                         "fingerprint, 64 hex digits (as `provisioning tls` prints it)")
    if args.server is not None and not (args.server == "auto"
                                        or args.server.startswith(("http://", "https://"))):
        raise UsageError(f"--server {args.server!r}: expected auto or http(s)://host:port")
    mid = args.machine_id or terminals.machine_id()
    name = args.name or f"{args.kind}-{(mid or 'unknown')[:8]}"
    try:
        existing = terminal_file.read(args.out)
    except terminal_file.TerminalFileError as exc:
        raise UsageError(str(exc)) from None
    with open_store(args.db) as store:
        try:
            hall = _hall_for(store, args.kind, args.counter, args.hall)
            token, updated = terminals.enrol_or_update(store, kind=args.kind, name=name,
                                                       hall=hall, counter=args.counter)
        except terminals.TerminalError as exc:
            raise UsageError(str(exc)) from None
    server = args.server or existing.get("server") or "auto"  # a re-run keeps the file's
    top = {"role": args.kind, "server": server, "token": token,
           "counter": args.counter or "", "hall": hall, "ca_fingerprint": args.ca_fingerprint,
           "machine_id": mid}
    devices = {k: getattr(args, k) for k in terminal_file.DEVICE_KEYS if getattr(args, k)}
    data = terminal_file.merge(existing, top, devices)
    try:
        terminal_file.write(args.out, data)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc}") from None
    if args.json:
        print(json.dumps({"terminal": name, "kind": args.kind, "hall": hall, "token": token,
                          "updated": updated, "config": str(args.out)}, ensure_ascii=False))
    else:
        verb = "已更新 / updated" if updated else "已登记 / enrolled"
        print(f"{verb}: {name} ({args.kind}, {hall}) → {args.out}")
    if args.qr:
        sys.stdout.write(terminal_file.qr_ascii(terminal_file.qr_payload(data)))
    return 0
