"""A fresh server's first requests (issue 12's open loop starts on servers just started): the
real `python -m queue_server` started anew for each round, then on loopback
- a request no route has (a 404: it walks every router),
- each of 20 halls' kiosks issuing its first ticket, one after another, then their second,
- a burst of 16 first issues at once in one hall (a fresh server met by a queue at the door),
on SQLite (one hall; the burst only) and PostgreSQL. Medians over the rounds, in ms.

    .venv/bin/python bench/bench_first.py [--rounds 5] [--parts sqlite,pg]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness  # noqa: E402
from bench_scale import HOST, Kiosks, provision_halls, queue_server  # noqa: E402
from httpload import Connection  # noqa: E402


async def _timed(call: object) -> float:
    started = time.perf_counter()
    status, _ = await call  # type: ignore[misc]
    if status not in (201, 404):
        raise RuntimeError(f"unexpected status {status}")
    return (time.perf_counter() - started) * 1000


async def _round(halls: list[harness.BenchHall], port: int) -> dict[str, float]:
    conn = Connection(HOST, port)
    out = {"404": await _timed(conn.request("GET", "/api/v1/no-such-route"))}
    if len(halls) > 1:
        for label in ("first", "second"):
            took = [await _timed(Kiosks([hall]).issue(conn)) for hall in halls]
            out[f"{label} issue, hall 1"] = took[0]
            out[f"{label} issue, halls 2-{len(halls)} (sum)"] = sum(took[1:])
    burst = [Connection(HOST, port) for _ in range(16)]
    for c in burst:
        await c._open()
    kiosks = Kiosks(halls[-1:])
    for label in ("burst of 16, first", "burst of 16, next"):
        out[f"{label} (slowest)"] = max(await asyncio.gather(
            *(_timed(kiosks.issue(c)) for c in burst)))
    return out


def _report(name: str, rounds: list[dict[str, float]]) -> None:
    print(f"\n== {name}: a fresh server each round, {len(rounds)} rounds (medians, ms; "
          f"min-max)")
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        print(f"  {key:<36} {statistics.median(values):8.1f}   "
              f"({min(values):.1f}-{max(values):.1f})")


def run(kind: str, rounds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-first-"))
    database = harness.pg_database() if kind == "pg" else contextlib.nullcontext(None)
    with database as pg_url:
        if pg_url is not None:
            halls, url = provision_halls(work, pg_url, 20), pg_url
        else:
            halls = [harness.provision(work, counters=4)]
            url = halls[0].db_url
        results = []
        for i in range(rounds):
            port = harness.free_port()
            with queue_server(url, port, work / f"server{i}.log"):
                results.append(asyncio.run(_round(halls, port)))
        _report("PostgreSQL, 20 halls" if pg_url else "SQLite, one hall", results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--parts", default="sqlite,pg")
    args = parser.parse_args()
    print(f"bench_first: {time.strftime('%Y-%m-%d %H:%M')}, load "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg()[:2])}")
    for kind in args.parts.split(","):
        run(kind, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
