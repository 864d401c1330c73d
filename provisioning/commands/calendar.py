"""`provisioning calendar import FILE --db URL` and `calendar show --year Y --db URL [--json]`:
a year's official working-day calendar (CONTRACT.md §1). The file is TOML: `year = 2027`,
`holidays = ["2027-01-01", …]` (days off), `workdays = ["2027-02-06", …]` (adjusted working
weekend days), optionally `note = "…"`. Importing recomputes every provisional deadline."""

from __future__ import annotations

import argparse
import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import toml_text
from provisioning.db import open_store
from provisioning.errors import UsageError
from queue_server.config_errors import ConfigError, decoded, not_toml, unreadable

NAME = "calendar"
HELP = "import or show a year's official working-day calendar (节假日安排)"
STATUS = {"imported": "已导入,正式 / imported: confirmed",
          "packaged": "随软件提供,正式 / packaged: confirmed",
          "provisional": "未确认,按法定节假日临时推算 / PROVISIONAL: neither packaged nor "
                         "imported, weekends and statutory holidays only"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="load a year from a TOML file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--db", required=True, help="SQLAlchemy URL")
    show = sub.add_parser("show", help="print a year's working days and its status")
    show.add_argument("--year", type=int, required=True)
    show.add_argument("--db", required=True, help="SQLAlchemy URL")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument("--hall", help="the hall whose closed_days to show (default: the only "
                                     "hall; with several, each hall's)")


def _dates(data: dict[str, Any], key: str, file: Path) -> list[date]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise UsageError(f"{file}: {key}: 应为日期列表 / expected a list of dates")
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise UsageError(f"{file}: {key}: {value!r} 不是日期(应为 YYYY-MM-DD) / {value!r} is "
                             "not a date (YYYY-MM-DD)") from None
    return out


def read_file(file: Path) -> tuple[int, list[date], list[date]]:
    """The year, holidays and workdays of a calendar file; UTF-8, with or without the BOM a
    Windows editor writes (the hall file's rules, queue_server.config_errors)."""
    try:
        data = toml_text.loads(decoded(file.read_bytes(), str(file)))
    except OSError as exc:
        raise UsageError(str(unreadable(str(file), exc))) from None
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(str(not_toml(str(file), exc))) from None
    unknown = sorted(set(data) - {"year", "holidays", "workdays", "note"})
    if unknown:
        raise UsageError(f"{file}: {unknown[0]}: 未知的键(应为 year、holidays、workdays) / unknown "
                         "key (expected year, holidays, workdays)")
    if not isinstance(data.get("year"), int):
        raise UsageError(f"{file}: year: 应为整数,如 2027 / expected a whole number such as 2027")
    return data["year"], _dates(data, "holidays", file), _dates(data, "workdays", file)


def run(args: argparse.Namespace) -> int:
    from queue_server.db.store import migrate
    from queue_server.domain.errors import DomainError
    from queue_server.usecases import calendar_import

    if args.action == "import":
        year, holidays, workdays = read_file(args.file)
    with open_store(args.db) as store:
        migrate(args.db)
        try:
            if args.action == "import":
                done = calendar_import.import_year(store, year, holidays, workdays,
                                                   args.file.name)
            else:
                view = calendar_import.year_view(store, args.year)
                closed = _closed_days(store, args.year, args.hall)
        except DomainError as exc:
            said = (f"年份 {year if args.action == 'import' else args.year} 超出范围 / "
                    f"{exc.message}" if exc.code == "bad_year" else exc.message)
            raise UsageError(f"{getattr(args, 'file', '')}: {said}".lstrip(": ")) from None
    if args.action == "import":
        print(f"{done.year}: 已导入 / imported ({len(holidays)} holidays, {len(workdays)} "
              f"adjusted working days){'; replaced the earlier import' if done.replaced else ''};"
              f" {done.deadlines} provisional deadline(s) recomputed")
        return 0
    _show(view, closed, args.json)
    return 0


def _closed_days(store: Any, year: int, hall: str | None) -> dict[str, list[date]]:
    """The `closed_days` of the year by hall (outposts keep their hall's): of `hall`, or of
    every hall of the database."""
    from sqlalchemy import select

    from queue_server.db.models import Hall

    with store.read() as s:
        rows = {h.id: h for h in s.scalars(select(Hall).where(Hall.active))}
    if hall is not None:
        if hall not in rows:
            raise UsageError(f"--hall {hall}: 没有这个大厅 / no such hall")
        chosen = [rows[hall]]
    else:
        chosen = [h for h in rows.values() if h.parent is None]
    return {h.id: sorted(d for d in map(date.fromisoformat,
                                        (h.options or {}).get("closed_days", []))
                         if d.year == year) for h in sorted(chosen, key=lambda h: h.id)}


def _show(view: Any, closed: dict[str, list[date]], as_json: bool) -> None:
    """The official calendar; a hall's closed days are taken out of its working days (as its
    deadlines do) when one hall is shown, listed per hall when several are."""
    one = next(iter(closed.values())) if len(closed) == 1 else []
    workdays = [d for d in view.workdays if d not in one]
    if as_json:
        print(json.dumps({"year": view.year, "status": view.status,
                          "confirmed": view.status != "provisional",
                          "workdays": [d.isoformat() for d in workdays],
                          "days_off": [d.isoformat() for d in view.days_off],
                          "closed_days": {h: [d.isoformat() for d in days]
                                          for h, days in closed.items()}},
                         ensure_ascii=False))
        return
    print(f"{view.year} 年工作日历 / work calendar {view.year}: {STATUS[view.status]}")
    if len(closed) == 1:
        hall = next(iter(closed))
        print(f"工作日 {len(workdays)} 天(大厅 {hall},已去掉闭厅日 {len(one)} 天) / "
              f"{len(workdays)} working days (hall {hall}, less {len(one)} closed day(s))")
    else:
        print(f"工作日 {len(workdays)} 天 / {len(workdays)} working days")
    for month in range(1, 13):
        days = [d for d in workdays if d.month == month]
        off = [d for d in view.days_off if d.month == month and d.weekday() < 5]
        extra = [d for d in days if d.weekday() >= 5]
        line = f"{view.year}-{month:02d}  工作日 {len(days):2d}: " + " ".join(
            f"{d.day:02d}" for d in days)
        print(line)
        if off:
            print("         平日休息 / weekdays off: " + " ".join(f"{d.day:02d}" for d in off))
        if extra:
            print("         周末上班 / weekend working days: " + " ".join(
                f"{d.day:02d}" for d in extra))
        for hall, days_closed in closed.items():
            shut = [d for d in days_closed if d.month == month]
            if shut:
                print(f"         闭厅 / hall closed ({hall}): " + " ".join(
                    f"{d.day:02d}" for d in shut))
