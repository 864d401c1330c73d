"""`provisioning staff --db URL --id ID --pin-stdin [--hall HALL]`: set a staff member's PIN,
read from standard input (never a flag: flags leak into shell history and `ps`). At a terminal
it is asked for twice without echo; from a pipe (`echo 8642 | ...`) the first line is the PIN.

A hall and its outposts (bank branches) are one group: the outposts copy the hall's
`[[staff]]`, so one person has a row in each, and the PIN is set in all of them. Halls of
different groups are different people who may share an id (s001 in every county's hall on one
PostgreSQL): when the id is in more than one group, `--hall` must say which."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from provisioning.db import open_store
from provisioning.errors import UsageError
from queue_server.db.models import Hall, Staff
from queue_server.db.store import Store

NAME = "staff"
HELP = "set a staff member's PIN (read from standard input)"
# What the parser says instead of repeating an argument it did not expect: it may be the PIN.
SECRET_EXTRAS = ("密码只从标准输入读取,不能写在命令行上:请用 echo 密码 | … --pin-stdin,或在终端里"
                 "按提示输入", "a PIN is read from standard input only, never from the command "
                 "line: pipe it (echo PIN | … --pin-stdin) or type it at the prompt")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--id", required=True, help="staff id from the hall configuration")
    parser.add_argument("--pin-stdin", action="store_true", required=True,
                        help="read the PIN from standard input (the first line)")
    parser.add_argument("--hall", help="the hall (or one of its outposts) whose staff member this "
                                       "is; needed when the id is in several halls")


def _groups(store: Store, staff_id: str) -> dict[str, list[str]]:
    """The halls that have this (active) staff id, by group: {hall: [hall, outposts...]}."""
    with store.read() as s:
        parents = {h.id: h.parent for h in s.scalars(select(Hall))}
        halls = sorted(s.scalars(select(Staff.hall).where(Staff.id == staff_id, Staff.active)))
    groups: dict[str, list[str]] = {}
    for hall in halls:
        groups.setdefault(parents.get(hall) or hall, []).append(hall)
    return groups


def _chosen(groups: dict[str, list[str]], staff_id: str, hall: str | None) -> list[str]:
    if not groups:
        raise UsageError(f"没有工号 {staff_id!r} / no staff member {staff_id!r}")
    if hall is not None:
        group = next((g for g in groups.values() if hall in g), None)
        if group is None:
            raise UsageError(f"--hall {hall}: 该大厅没有工号 {staff_id!r}(有它的大厅:"
                             f"{'、'.join(groups)}) / no staff member {staff_id!r} in that hall "
                             f"(it is in: {', '.join(groups)})")
        return group
    if len(groups) > 1:
        raise UsageError(f"工号 {staff_id} 在多个大厅都有({'、'.join(groups)}),是不同的人:"
                         f"请用 --hall 指定大厅 / staff id {staff_id} is in several halls "
                         f"({', '.join(groups)}), different people: choose one with --hall")
    return next(iter(groups.values()))


def read_pin(staff_id: str) -> str:
    """The PIN: typed twice at a terminal, not echoed; else the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        pin = getpass.getpass(f"{staff_id} 的新密码 / new PIN for {staff_id}: ")
        if not pin:
            raise UsageError("没有输入密码,密码未改 / no PIN typed: nothing changed")
        if getpass.getpass("再输入一次 / the same PIN again: ") != pin:
            raise UsageError("两次输入的密码不一致,密码未改;请重新运行 / the two PINs differ: "
                             "nothing changed, run the command again")
        return pin
    pin = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""
    if not pin:
        raise UsageError("标准输入没有密码 / no PIN on standard input")
    return pin


def run(args: argparse.Namespace) -> int:
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.auth import set_pin

    with open_store(args.db) as store:
        halls = _chosen(_groups(store, args.id), args.id, args.hall)
        pin = read_pin(args.id)  # asked once the staff member is known
        try:
            if args.hall is None:  # one group holds every row of the id: one transaction
                set_pin(store, args.id, pin, None)
            else:
                for hall in halls:
                    set_pin(store, args.id, pin, hall)
        except DomainError as exc:  # set_pin says this one in English only
            zh = "密码须为 4–64 个可打印字符 / " if exc.code == "bad_pin" else ""
            raise UsageError(zh + exc.message) from exc
    print(f"已设置 {args.id} 的密码:{'、'.join(halls)} / PIN set for {args.id} in "
          f"{', '.join(halls)}", file=sys.stderr)
    return 0
