"""How long `GET /api/v1/reports/kpi` takes for each month of a generated year (bench/gen_year.py),
against the real `python -m queue_server` on that database (SQLite or PostgreSQL), with the
filters of the contract; and the console's figures page (`/reports/series` of a month).

    .venv/bin/python bench/bench_kpi.py --db sqlite:////tmp/year.db [--rounds 5] [--json F]

The first request folds whatever the generator left unfolded (`--unfolded-days`): it is timed
on its own as `first`. Every other request is timed from send to the last byte, one at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from httpload import percentile  # noqa: E402

FILTERS = {"all": {}, "zone": {"zone": "approval"}, "service": {"service": "property-transfer"},
           "counter": {"counter": "W05"}, "zone+counter": {"zone": "intake", "counter": "W06"}}


def months_of(year: int) -> list[tuple[str, str]]:
    out = []
    for month in range(1, 13):
        last = (date(year + (month == 12), month % 12 + 1, 1) - date.resolution)
        out.append((date(year, month, 1).isoformat(), last.isoformat()))
    return out


def admin_token(url: str) -> str:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import make_admin_token

    store = Store(url)
    try:
        return make_admin_token(store)
    finally:
        store.close()


def timed(client: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, dict]:
    began = time.perf_counter()
    resp = client.get(path, params=params)
    took = (time.perf_counter() - began) * 1000
    if resp.status_code != 200:
        raise RuntimeError(f"{path} {params}: {resp.status_code} {resp.text[:200]}")
    return took, resp.json()


def run(url: str, year: int, rounds: int) -> dict[str, object]:
    token = admin_token(url)
    port = harness.free_port()
    log = Path(tempfile.mkdtemp(prefix="kb-kpi-")) / "server.log"
    figures: dict[str, object] = {"db": url.split(":")[0], "rounds": rounds}
    with harness.queue_server(url, port, log), httpx.Client(
            base_url=f"http://127.0.0.1:{port}/api/v1", timeout=120,
            headers={"Authorization": f"Bearer {token}"}) as client:
        months = months_of(year)
        first, answer = timed(client, "/reports/kpi", {"from": months[0][0], "to": months[0][1]})
        figures["first_ms"] = round(first, 1)
        times: dict[str, list[float]] = {name: [] for name in FILTERS}
        times["series"] = []
        tickets = 0
        for _ in range(rounds):
            for start, end in months:
                for name, flt in FILTERS.items():
                    took, answer = timed(client, "/reports/kpi", {"from": start, "to": end,
                                                                  **flt})
                    times[name].append(took)
                    tickets += answer["tickets"] if name == "all" else 0
                took, _ = timed(client, "/reports/series", {"from": start, "to": end})
                times["series"].append(took)
        everything = [t for name, ts in times.items() if name != "series" for t in ts]
        figures["kpi"] = {name: {"p50": round(percentile(ts, 50), 1),
                                 "p95": round(percentile(ts, 95), 1),
                                 "max": round(max(ts), 1)} for name, ts in times.items()}
        figures["kpi_all_filters_p95_ms"] = round(percentile(everything, 95), 1)
        figures["tickets_in_year"] = tickets // rounds
        year_took, year = timed(client, "/reports/kpi", {"from": f"{year}-01-01",
                                                          "to": f"{year}-12-31"})
        figures["whole_year_ms"] = round(year_took, 1)
        figures["whole_year"] = year
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run(args.db, args.year, args.rounds)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
