"""A compressed 24-hour soak: one hall day with its midnight rollover, at 240x (six minutes),
against the real server process on SQLite (`bench/soak_server.py`: `python -m queue_server`'s
app with a fast clock). Prints a table per two hall hours and a summary, and exits 1 when
something grew without bound or an answer was a 5xx.

    .venv/bin/python bench/soak.py                   # 24 hall hours at 240x, about 6.5 min
    .venv/bin/python bench/soak.py --hours 4         # a quick look

The day (hall time, from 06:00 on a Monday): two kiosks, each with arrivals by the hour as in
a county hall (a few a night in the 24-hour self-service room, about 250 an hour at the morning
peak; some 3,800 tickets in all), eight counters
staffed 08:30-17:30 (call, start, serve 3-8 hall minutes, finish; staff sign in again when their
12-hour session ends), five boards following the event stream, kiosks' heartbeats. Sampled every
real second: the server's resident memory, open descriptors, the WAL's size.

Bounded means: resident memory in the last quarter of the run (the night after the day's load)
stays within `--rss-growth-mb` of the peak before it, the WAL under `--wal-mb`, descriptors
under the first sample plus 64.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PIN, ROOT, BenchHall, free_port, provision, running  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 6, 0, tzinfo=TZ)
ARRIVALS = {range(0, 8): 3, range(8, 12): 250, range(12, 14): 120, range(14, 18): 220,
            range(18, 24): 12}  # tickets an hour, by the hall's local hour
COUNTERS = 8


class Soak:
    def __init__(self, base: str, hall: BenchHall, speed: float, seconds: float) -> None:
        self.base, self.hall, self.speed, self.seconds = base, hall, speed, seconds
        self.t0 = time.monotonic()
        self.stop = threading.Event()
        self.answers: Counter[str] = Counter()
        self.numbers: list[tuple[str, str]] = []  # (hall day, number) of each issued ticket
        self.rolled: list[str] = []
        self.events = Counter[int]()  # board -> events received
        self.lock = threading.Lock()

    def now(self) -> datetime:
        return START + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)

    def note(self, resp: httpx.Response) -> None:
        with self.lock:
            self.answers[str(resp.status_code)] += 1

    def kiosk(self, rng: random.Random) -> None:
        with httpx.Client(base_url=self.base, timeout=10, headers={
                "Authorization": f"Bearer {self.hall.kiosk_token}"}) as client:
            while not self.stop.is_set():
                per_hour = next(n for hours, n in ARRIVALS.items() if self.now().hour in hours)
                gap = rng.expovariate(per_hour / 3600.0) / self.speed  # real seconds
                if self.stop.wait(gap):
                    return
                resp = client.post("/tickets", json={"service": rng.choice(self.hall.services)},
                                   headers={"Idempotency-Key": f"{rng.getrandbits(64):x}"})
                self.note(resp)
                if resp.status_code == 201:
                    with self.lock:
                        self.numbers.append((self.now().date().isoformat(),
                                             resp.json()["number"]))

    def counter(self, index: int, rng: random.Random) -> None:
        login = self.hall.counters[index]
        client = httpx.Client(base_url=self.base, timeout=10)
        session = ""
        with client:
            while not self.stop.is_set():
                local = self.now()
                if not (8.5 <= local.hour + local.minute / 60 < 17.5):
                    self.stop.wait(0.5)
                    continue
                if not session:
                    resp = client.post("/auth/login", json={"staff": login.staff, "pin": PIN,
                                                            "counter": login.code},
                                       headers={"Authorization": f"Bearer {login.terminal_token}"})
                    self.note(resp)
                    session = resp.json()["token"] if resp.status_code == 200 else ""
                    continue
                auth = {"Authorization": f"Bearer {session}"}
                resp = client.post(f"/counters/{login.code}/call-next", headers=auth)
                self.note(resp)
                if resp.status_code == 401:  # the 12-hour session ended: sign in again
                    session = ""
                elif resp.status_code == 200:
                    self.note(client.post(f"/counters/{login.code}/start", headers=auth))
                    self.stop.wait(rng.uniform(180, 480) / self.speed)
                    self.note(client.post(f"/counters/{login.code}/finish", headers=auth,
                                          json={"outcome": "done"}))
                else:
                    self.stop.wait(0.3)

    def board(self, index: int) -> None:
        after: int | None = None
        while not self.stop.is_set():
            params = {"since": "today"} if after is None else {"after": after}
            try:
                with httpx.stream("GET", f"{self.base}/events", params=params, timeout=15,
                                  headers={"Authorization":
                                           f"Bearer {self.hall.display_token}"}) as resp:
                    for line in resp.iter_lines():
                        if self.stop.is_set():
                            return
                        if line.startswith("data: "):
                            event = json.loads(line[6:])
                            after = int(event["id"])
                            with self.lock:
                                self.events[index] += 1
                                if index == 0 and event["type"] == "day.rolled":
                                    self.rolled.append(event["day"])
            except httpx.HTTPError:
                self.stop.wait(0.5)

    def heartbeats(self) -> None:
        states = ["ok", "paper_low", "ok", "ok"]
        with httpx.Client(base_url=self.base, timeout=10, headers={
                "Authorization": f"Bearer {self.hall.kiosk_token}"}) as client:
            for i in range(10**9):
                if self.stop.wait(1.0):
                    return
                self.note(client.post("/terminals/heartbeat",
                                      json={"devices": {"printer": states[i % len(states)]}}))


def sample(pid: int, wal: Path) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines()
                      if line.startswith("VmRSS:")))
    return {"rss_mb": rss_kb / 1024, "fds": len(list(Path(f"/proc/{pid}/fd").iterdir())),
            "wal_mb": (wal.stat().st_size if wal.exists() else 0) / 2**20}


def run(args: argparse.Namespace, workdir: Path) -> int:
    hall = provision(workdir, counters=COUNTERS)
    port = free_port()
    cmd = [sys.executable, str(ROOT / "bench/soak_server.py"), "--db", hall.db_url, "--port",
           str(port), "--speed", str(args.speed), "--start", START.isoformat()]
    seconds = args.hours * 3600 / args.speed
    wal = Path(hall.db_url.removeprefix("sqlite:///") + "-wal")
    with running(cmd, f"http://127.0.0.1:{port}/api/v1/health", workdir / "server.log") as proc:
        soak = Soak(f"http://127.0.0.1:{port}/api/v1", hall, args.speed, seconds)
        rng = random.Random(args.seed)
        workers = [threading.Thread(target=soak.kiosk, args=(random.Random(rng.random()),))
                   for _ in range(2)]
        workers += [threading.Thread(target=soak.counter, args=(i, random.Random(rng.random())))
                    for i in range(COUNTERS)]
        workers += [threading.Thread(target=soak.board, args=(i,)) for i in range(5)]
        workers.append(threading.Thread(target=soak.heartbeats))
        for w in workers:
            w.start()
        samples: list[tuple[float, dict[str, float]]] = []
        while time.monotonic() - soak.t0 < seconds:
            samples.append(((time.monotonic() - soak.t0) * args.speed / 3600,
                            sample(proc.pid, wal)))
            time.sleep(1.0)
        soak.stop.set()
        for w in workers:
            w.join(20)
    return report(args, soak, samples)


def report(args: argparse.Namespace, soak: Soak, samples: list[tuple[float, dict[str, float]]]
           ) -> int:
    print(f"soak: {args.hours:g} hall hours at {args.speed:g}x from {START:%Y-%m-%d %H:%M}")
    print(f"{'hall time':>16} {'RSS MB':>7} {'fds':>4} {'WAL MB':>7}")
    next_mark = 0.0
    for hours, s in samples:
        if hours >= next_mark:
            at = START + timedelta(hours=hours)
            print(f"{at:%m-%d %H:%M:%S} {s['rss_mb']:7.1f} {s['fds']:4.0f} {s['wal_mb']:7.2f}")
            next_mark += 2
    late = [s for h, s in samples if h >= args.hours * 0.75]
    earlier = [s for h, s in samples if h < args.hours * 0.75]
    growth = max(s["rss_mb"] for s in late) - max(s["rss_mb"] for s in earlier)
    wal_max = max(s["wal_mb"] for _, s in samples)
    fds_max, fds_first = max(s["fds"] for _, s in samples), samples[0][1]["fds"]
    days = Counter(day for day, _ in soak.numbers)
    per_day_restart = all(any(n.endswith("001") for d, n in soak.numbers if d == day)
                          for day in days)
    server_errors = sum(n for code, n in soak.answers.items() if code.startswith("5"))
    print(f"tickets issued {len(soak.numbers)} ({dict(days)}); answers {dict(soak.answers)}")
    print(f"day.rolled seen {soak.rolled}; events per board {sorted(soak.events.values())}")
    print(f"RSS first {samples[0][1]['rss_mb']:.1f} MB, peak {max(s['rss_mb'] for _, s in samples):.1f}"
          f" MB, last quarter's peak over the earlier peak {growth:+.1f} MB; WAL max {wal_max:.2f} MB; "
          f"fds first {fds_first:.0f}, max {fds_max:.0f}")
    checks = {
        f"RSS of the last quarter < earlier peak + {args.rss_growth_mb} MB":
            growth < args.rss_growth_mb,
        f"WAL < {args.wal_mb} MB": wal_max < args.wal_mb,
        "descriptors < first + 64": fds_max < fds_first + 64,
        "no 5xx": server_errors == 0,
        "numbering restarted each day": per_day_restart,
        "the day rolled over": args.hours < 18 or len(soak.rolled) >= 1,
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hours", type=float, default=24.0, help="hall hours to run (default 24)")
    p.add_argument("--speed", type=float, default=240.0, help="hall seconds per real second")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--rss-growth-mb", type=float, default=20.0)
    p.add_argument("--wal-mb", type=float, default=64.0)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="kuaiban-soak-") as folder:
        return run(args, Path(folder))


if __name__ == "__main__":
    sys.exit(main())
