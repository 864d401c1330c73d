"""The fold (usecases/fold.py) against the figures computed in bulk by bench/gen_year.py from the
same rows: folding the events of a generated stretch of days, in batches of any size, gives
exactly the aggregate rows the bulk writer computed (SQLite and PostgreSQL); and a ticket folded
again without a change changes nothing."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from queue_server.db import models as m
from queue_server.db.store import Store, make_engine
from queue_server.usecases import fold

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import gen_year  # noqa: E402


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bulk.db'}", f"sqlite:///{tmp_path / 'folded.db'}"
    else:
        import os

        from tests.conftest import PG_ENV, fresh_pg_database
        admin = os.environ.get(PG_ENV)
        if not admin:
            pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
        one, two = fresh_pg_database(admin), fresh_pg_database(admin)
        yield next(one), next(two)
        for gen in (one, two):
            next(gen, None)


def _figures(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in (m.FigTickets, m.FigStages):
            t = table.__table__
            out[t.name] = sorted(tuple(r) for r in conn.execute(select(t))
                                 if any(r._mapping[c] for c in t.c.keys()[6:]))
        durations = {}
        for r in conn.execute(select(m.FigDurations.__table__)):
            values = Counter(fold.decode(r.data))
            if values:
                durations[(r.day, r.kind, r.zone, r.service, r.counter, r.staff)] = values
        out["durations"] = durations
    engine.dispose()
    return out


@pytest.mark.slow
def test_folding_the_events_gives_the_bulk_figures(urls: tuple[str, str]) -> None:
    bulk, folded = urls
    gen_year.generate(bulk, 2025, 120, 3, 0, seed=7)
    gen_year.generate(folded, 2025, 120, 0, 3, seed=7)  # the same days, none folded
    store = Store(folded)
    try:
        with store.write() as tx:
            assert fold.fold_once(tx, 37) == 37  # an odd batch first, then the rest
        assert fold.catch_up(store, 500) > 1000
        assert not fold.needs_fold(store)
        want, got = _figures(bulk), _figures(folded)
        assert got["fig_tickets"] == want["fig_tickets"] and len(got["fig_tickets"]) > 100
        assert got["fig_stages"] == want["fig_stages"]
        assert got["durations"] == want["durations"]
        # Folding everything again (the watermark back to 0) changes nothing.
        with store.write() as tx:
            tx.conn.execute(update(m.FigState.__table__).values(last_event=0))
        fold.catch_up(store)
        assert _figures(folded) == got
    finally:
        store.close()
