"""Terminals as the administrator sees them: list, revoke, and enrol-or-update by machine.

A terminal is identified by its name within a hall; `terminal-config` names a machine's terminal
after its machine id, so enrolling the same machine twice gives it a new token on the same row
(the old token stops working at once) instead of a second terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from queue_server.db.models import Counter, StaffSession, Terminal
from queue_server.db.store import Store
from queue_server.domain.security import new_token, token_hash
from queue_server.usecases.auth import revoke_in


class TerminalError(Exception):
    """No such terminal, or a request that does not fit (message says which)."""


@dataclass(frozen=True)
class TerminalRow:
    id: int
    hall: str
    name: str
    kind: str
    counter: str | None
    active: bool
    created_at: datetime
    last_seen: datetime | None
    devices: dict[str, str]


def list_terminals(store: Store, hall: str | None = None, include_revoked: bool = False
                   ) -> list[TerminalRow]:
    query = select(Terminal).order_by(Terminal.hall, Terminal.kind, Terminal.name, Terminal.id)
    if hall is not None:
        query = query.where(Terminal.hall == hall)
    if not include_revoked:
        query = query.where(Terminal.active)
    with store.read() as s:
        return [TerminalRow(t.id, t.hall, t.name, t.kind, t.counter, bool(t.active), t.created_at,
                            t.last_seen, {str(k): str(v) for k, v in (t.devices or {}).items()})
                for t in s.scalars(query)]


def revoke(store: Store, *, name: str | None = None, terminal_id: int | None = None,
           hall: str | None = None) -> list[TerminalRow]:
    """Deactivate a terminal (and end the staff sessions opened on it); answers what it revoked."""
    with store.write() as tx:
        query = select(Terminal).where(Terminal.active)
        if terminal_id is not None:
            query = query.where(Terminal.id == terminal_id)
        if name is not None:
            query = query.where(Terminal.name == name)
        if hall is not None:
            query = query.where(Terminal.hall == hall)
        rows = list(tx.session.scalars(query))
        if not rows:
            what = f"id {terminal_id}" if terminal_id is not None else f"name {name!r}"
            raise TerminalError(f"no active terminal with {what}")
        if len(rows) > 1 and terminal_id is None:
            ids = ", ".join(str(r.id) for r in rows)
            raise TerminalError(f"several terminals are named {name!r} (ids {ids}): use --id")
        for row in rows:
            revoke_in(tx, row)
        return [TerminalRow(r.id, r.hall, r.name, r.kind, r.counter, False, r.created_at,
                            r.last_seen, {}) for r in rows]


def enrol_or_update(store: Store, *, kind: str, name: str, hall: str,
                    counter: str | None) -> tuple[str, bool]:
    """Give the terminal `name` of `hall` a fresh token: the same row when it exists (its old
    token dies), else a new terminal. Answers (token, updated)."""
    token = new_token("kbt")
    with store.write() as tx:
        s = tx.session
        if counter is not None:
            row = s.get(Counter, (hall, counter))
            if row is None or not row.active:
                raise TerminalError(f"no counter {counter!r} in hall {hall}")
        rows = list(s.scalars(select(Terminal).where(Terminal.hall == hall,
                                                     Terminal.name == name)
                              .order_by(Terminal.active.desc(), Terminal.id)))
        term = rows[0] if rows else None
        if term is None:
            s.add(Terminal(hall=hall, name=name, kind=kind, counter=counter,
                           token_hash=token_hash(token), created_at=tx.now, devices={}))
            tx.emit(hall, "terminal.enrolled", terminal=name, kind=kind, counter=counter)
            return token, False
        term.kind, term.counter, term.active = kind, counter, True
        term.token_hash = token_hash(token)
        for sess in s.scalars(select(StaffSession).where(StaffSession.terminal_id == term.id)):
            s.delete(sess)
        tx.emit(hall, "terminal.reenrolled", terminal=name, kind=kind, counter=counter)
    return token, True


def machine_id(path: Path = Path("/etc/machine-id")) -> str:
    """This machine's id (systemd's), or '' when the machine has none."""
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
