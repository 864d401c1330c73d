"""The queue server with a compressed clock, for `bench/soak.py`: the same app, store, uvicorn
options and connection guard as `python -m queue_server`, but its clock runs `--speed` times
faster from `--start` (a hall day in minutes: rollover, session expiry, housekeeping happen
as they would). The day watcher looks every 0.25 s (one hall minute at 240x).

    python bench/soak_server.py --db sqlite:///hall.db --port P --speed 240 \\
        --start 2026-03-02T06:00:00+08:00
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def compressed(start: datetime, speed: float) -> Callable[[], datetime]:
    t0 = time.monotonic()
    base = start.astimezone(UTC)
    return lambda: base + timedelta(seconds=(time.monotonic() - t0) * speed)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--speed", type=float, default=240.0)
    p.add_argument("--start", required=True, help="hall time at start, ISO 8601 with offset")
    args = p.parse_args()
    import uvicorn

    from queue_server.__main__ import _quiet_gc, _raise_file_limit
    from queue_server.api.app import create_app
    from queue_server.api.guard import guarded
    from queue_server.api.settings import Settings
    from queue_server.api.stream import UVICORN_OPTIONS
    from queue_server.db.store import Store, migrate

    migrate(args.db)
    _raise_file_limit()
    settings = Settings(db_url=args.db, port=args.port, day_check_s=0.25)
    store = Store(args.db, clock=compressed(datetime.fromisoformat(args.start), args.speed))
    app = create_app(settings, store=store)
    _quiet_gc()
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, access_log=False,
                log_level="warning", http=guarded(settings.limits), **UVICORN_OPTIONS)


if __name__ == "__main__":
    main()
