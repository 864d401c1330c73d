"""The work calendar as the use cases hand it to the domain (domain/workdays.py): the years
packaged with `chinese_calendar`, the years an administrator imported (`calendar_years`,
authoritative over the packaged ones), and the open cases whose deadline still rests on a
provisional year. Importing a year: usecases/calendar_import.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, select

from queue_server.db.models import CalendarYear, Hall, Stage
from queue_server.db.unit import Db, connection_of
from queue_server.domain.workdays import OfficialYear

_YEARS = cast(Table, CalendarYear.__table__)
_STAGES = cast(Table, Stage.__table__)
OPEN = ("waiting", "called", "serving")


@lru_cache(maxsize=1)
def packaged_years() -> dict[int, OfficialYear]:
    """The years `chinese_calendar` knows (its holidays and adjusted working days)."""
    from chinese_calendar import constants

    off: dict[int, set[date]] = defaultdict(set)
    work: dict[int, set[date]] = defaultdict(set)
    for day in constants.holidays:
        off[day.year].add(day)
    for day in constants.workdays:
        work[day.year].add(day)
    return {year: OfficialYear(year, frozenset(off[year]), frozenset(work[year]), "packaged")
            for year in off}


def imported_year(row: object) -> OfficialYear:
    return OfficialYear(int(row.year),  # type: ignore[attr-defined]
                        frozenset(date.fromisoformat(d) for d in row.holidays),  # type: ignore[attr-defined]
                        frozenset(date.fromisoformat(d) for d in row.workdays),  # type: ignore[attr-defined]
                        "imported")


def official_years(db: Db) -> dict[int, OfficialYear]:
    """Packaged years, overridden by the imported ones."""
    years = dict(packaged_years())
    for row in connection_of(db).execute(select(_YEARS)):
        years[int(row.year)] = imported_year(row)
    return years


@dataclass(frozen=True)
class Unconfirmed:
    """Open approval stages whose deadline rests on a year not confirmed."""

    cases: int
    years: tuple[int, ...]


def unconfirmed_open(db: Db) -> Unconfirmed:
    conn = connection_of(db)
    halls = [h for (h,) in conn.execute(select(Hall.__table__.c.id))]
    rows = conn.execute(select(_STAGES.c.deadline).where(
        _STAGES.c.hall.in_(halls), _STAGES.c.zone == "approval", _STAGES.c.status.in_(OPEN),
        _STAGES.c.deadline_provisional.is_(True))).all() if halls else []
    years = sorted({r.deadline.year for r in rows if r.deadline is not None})
    return Unconfirmed(len(rows), tuple(years))
