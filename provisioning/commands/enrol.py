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

from sqlalchemy import select

from provisioning.db import open_store
from provisioning.errors import UsageError
from queue_server.models import Counter, Hall, StaffSession, Terminal
from queue_server.security import new_token, token_hash
from queue_server.store import Store

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


def enrol(store: Store, kind: str, name: str, counter: str | None, hall: str | None,
          replace: bool) -> tuple[str, str, list[tuple[int, str, str]]]:
    """Enrol `name` in one transaction, refusing (or with `replace`, revoking) an active
    terminal of that name in the hall. Answers (token, hall, [(id, name, kind)] revoked)."""
    # The same checks and hall choice as `queue_server.auth.enrol_terminal`, but with the
    # name check and the revocation in its transaction.
    from queue_server.auth import KINDS, _pick_hall
    from queue_server.errors import Invalid

    if kind not in KINDS:
        raise Invalid("bad_kind", f"kind must be one of {', '.join(KINDS)}")
    if not name.strip() or len(name) > 100:
        raise Invalid("bad_name", "name must be 1–100 characters")
    token = new_token("kbt")
    with store.write() as tx:
        s = tx.session
        hall_id = _pick_hall(s, hall, kind, counter)
        # Serialises enrolments in one hall on PostgreSQL (SQLite writes are serial anyway);
        # FOR NO KEY UPDATE does not block inserts that reference the hall.
        s.get(Hall, hall_id, with_for_update={"key_share": True})
        if counter is not None:
            row = s.get(Counter, (hall_id, counter))
            if row is None or not row.active:
                raise Invalid("unknown_counter", f"no counter {counter!r} in hall {hall_id}")
        old = list(s.scalars(select(Terminal).where(Terminal.hall == hall_id,
                                                    Terminal.name == name, Terminal.active)
                             .order_by(Terminal.id)))
        if old and not replace:
            raise UsageError(f"终端名 {name} 在 {hall_id} 已被使用;要换新令牌请加 --replace / "
                             f"terminal name {name!r} is already enrolled in hall {hall_id} "
                             f"(id {', '.join(str(t.id) for t in old)}); add --replace to "
                             "issue a new token")
        for term in old:  # as `provisioning revoke` does
            term.active = False
            for sess in s.scalars(select(StaffSession).where(StaffSession.terminal_id == term.id)):
                s.delete(sess)
            tx.emit(hall_id, "terminal.revoked", terminal=term.name, kind=term.kind,
                    counter=term.counter)
        s.add(Terminal(hall=hall_id, name=name, kind=kind, counter=counter,
                       token_hash=token_hash(token), created_at=tx.now, devices={}))
        tx.emit(hall_id, "terminal.enrolled", terminal=name, kind=kind, counter=counter)
        revoked = [(t.id, t.name, t.kind) for t in old]
    return token, hall_id, revoked


def run(args: argparse.Namespace) -> int:
    from queue_server.auth import KINDS
    from queue_server.errors import DomainError

    if args.kind not in KINDS:
        raise UsageError(f"--kind {args.kind!r}: expected one of {', '.join(KINDS)}")
    with open_store(args.db) as store:
        try:
            token, hall, old = enrol(store, args.kind, args.name, args.counter, args.hall,
                                     args.replace)
        except DomainError as exc:
            raise UsageError(exc.message) from exc
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
