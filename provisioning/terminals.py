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
from sqlalchemy.orm import Session

from queue_server.db.models import Counter, Hall, StaffSession, Terminal
from queue_server.db.store import Store
from queue_server.domain.security import new_token, token_hash
from queue_server.usecases.admin_words import listed, no_counter
from queue_server.usecases.auth import revoke_in


class TerminalError(Exception):
    """No such terminal, or a request that does not fit (message says which, Chinese first)."""




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
            raise TerminalError(_no_terminal(tx.session, name, terminal_id, hall))
        if len(rows) > 1 and terminal_id is None:
            ids = [f"{r.id} ({r.hall})" for r in rows]
            raise TerminalError(f"有多个终端名为 {name!r}(id {'、'.join(ids)});请用 --id 指定 / "
                                f"several terminals are named {name!r} (ids {', '.join(ids)}): "
                                "use --id")
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
                raise TerminalError(f"--counter {counter}: {no_counter(s, counter, hall)}")
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


def _no_terminal(s: Session, name: str | None, terminal_id: int | None, hall: str | None) -> str:
    """No active terminal of that name or id (in `hall`): which are active, and the name in
    its right case when only the case is wrong."""
    query = select(Terminal).where(Terminal.active).order_by(Terminal.hall, Terminal.name)
    if hall is not None:
        query = query.where(Terminal.hall == hall)
    active = list(s.scalars(query))
    if terminal_id is not None:
        zh_what, en_what = f" id 为 {terminal_id} 的", f"with id {terminal_id}"
        names = [f"{t.name} (id {t.id})" for t in active]
    else:
        zh_what, en_what = f"名为 {name!r} 的", f"named {name!r}"
        names = list(dict.fromkeys(t.name for t in active))
    where_zh, where_en = (f"大厅 {hall} ", f" in hall {hall}") if hall else ("", "")
    near = [n for n in names if name is not None and n.casefold() == name.casefold()]
    ask_zh, ask_en = (f"是 {near[0]} 吗?", f" did you mean {near[0]}?") if near else ("", "")
    if not names:
        return (f"{where_zh}没有{zh_what}在用终端,也没有别的在用终端(用 provisioning list 查看,"
                f"加 --all 含已吊销的) / no active terminal {en_what}{where_en}, nor any other "
                "(see `provisioning list`; --all shows the revoked ones too)")
    return (f"{where_zh}没有{zh_what}在用终端;{ask_zh}在用的有:{listed(names, '、')}"
            f"(也可用 provisioning list 查看) / no active terminal {en_what}{where_en}:"
            f"{ask_en} active: {listed(names, ', ')} (or see `provisioning list`)")


def hall_ids(s: Session) -> list[str]:
    """The active halls and outposts, by id."""
    return list(s.scalars(select(Hall.id).where(Hall.active).order_by(Hall.id)))


def machine_id(path: Path = Path("/etc/machine-id")) -> str:
    """This machine's id (systemd's), or '' when the machine has none."""
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
