"""Ratings for a provincial 好差评 platform (CONTRACT.md §1 `export-ratings`): one record a
rating with exactly the contract's fields, for the ratings given on the business days `first`
to `last` of each hall (its time zone and `day_starts`). Queries only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, select

from queue_server.db.models import Evaluation, Hall, Stage, Terminal, Ticket
from queue_server.db.store import Store
from queue_server.domain.clock import day_start, iso
from queue_server.domain.errors import Invalid
from queue_server.usecases.halls import hall_info
from queue_server.usecases.ratings import rating_channel

FIELDS = ("hall", "service", "ticket", "channel", "zone", "counter", "staff", "level",
          "reasons", "comment", "rated_at")
_E, _S = cast(Table, Evaluation.__table__), cast(Table, Stage.__table__)
_T, _TERM = cast(Table, Ticket.__table__), cast(Table, Terminal.__table__)
_H = cast(Table, Hall.__table__)


def ratings(store: Store, first: date, last: date) -> Iterator[dict[str, Any]]:
    """The ratings of every hall on those business days, oldest first within a hall."""
    if first > last:
        raise Invalid("bad_period", "起始日期晚于结束日期 / --from is after --to")
    with store.read() as s:
        conn = s.connection()
        halls = [hall_info(row) for row in conn.execute(select(_H).order_by(_H.c.id))]
        for hall in halls:
            begin = day_start(first, hall.timezone, hall.day_starts)
            end = day_start(last + timedelta(days=1), hall.timezone, hall.day_starts)
            query = (select(_E, _S.c.zone, _S.c.service, _TERM.c.kind)
                     .join(_S, _S.c.id == _E.c.stage_id)
                     .outerjoin(_TERM, _TERM.c.id == _E.c.terminal_id)
                     .where(_E.c.hall == hall.id, _E.c.created_at >= begin,
                            _E.c.created_at < end)
                     .order_by(_E.c.created_at, _E.c.id))
            for row in conn.execute(query):
                yield {"hall": row.hall, "service": row.service, "ticket": row.ticket_id,
                       "channel": rating_channel(row.kind), "zone": row.zone, "counter": row.counter,
                       "staff": row.staff_id, "level": row.level,
                       "reasons": list(row.reasons or []), "comment": row.comment,
                       "rated_at": iso(row.created_at)}
