"""`python -m queue_server --db URL [--host H] [--port P] [--no-zeroconf]`: run the queue server
(one uvicorn worker: on SQLite a second one only adds lock contention, see PERFORMANCE.md).
The schema is migrated at start, so a fresh database works at once."""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from queue_server.api.settings import DEFAULT_PORT, Settings, default_db_url


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even a URL: show nothing of it
        return "(unparsable URL)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m queue_server",
                                description="快办 Kuaiban queue server / 排队叫号服务")
    p.add_argument("--db", default=None, help="SQLAlchemy URL (default: an SQLite file in the "
                   "user data folder)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--no-zeroconf", action="store_true", help="do not advertise on the LAN")
    p.add_argument("--tls-cert", help="server certificate (PEM) to serve HTTPS")
    p.add_argument("--tls-key", help="its private key (PEM)")
    p.add_argument("--tls-ca", help="the hall CA (PEM) whose fingerprint terminals pin")
    p.add_argument("--public-url", help="base of tracking links when clients see another address")
    p.add_argument("--lock-timeout", type=float, default=5.0,
                   help="seconds a request waits for the database before 503 (default 5)")
    p.add_argument("--public-rate", type=int, default=20, metavar="N",
                   help="public endpoints: writes a client may send a minute (reads: 6×N)")
    p.add_argument("--public-rate-id", type=int, default=10, metavar="N",
                   help="bookings, cancels and phone numbers per ID number an hour")
    p.add_argument("--notify-backoff", type=float, default=10.0, metavar="S",
                   help="seconds before a failed notification is sent again (doubling)")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    return p


def _quiet_gc() -> None:
    """The long tail of request latency was the cyclic garbage collector walking every object
    the server holds (the web framework's, SQLAlchemy's, the models'): at 32 busy clients
    issue p99 went 81 -> 45 ms with this. What exists at start-up lives as long as the process:
    move it out of the collector's sight, and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (0 < args.port < 65536):
        print("queue_server: --port must be 1–65535", file=sys.stderr)
        return 2
    if not (0.05 <= args.lock_timeout <= 120):
        print("queue_server: --lock-timeout must be 0.05–120 seconds", file=sys.stderr)
        return 2
    if not (1 <= args.public_rate <= 100_000 and 1 <= args.public_rate_id <= 100_000):
        print("queue_server: --public-rate and --public-rate-id must be 1–100000",
              file=sys.stderr)
        return 2
    if not (0.01 <= args.notify_backoff <= 86_400):
        print("queue_server: --notify-backoff must be 0.01–86400 seconds", file=sys.stderr)
        return 2
    if bool(args.tls_cert) != bool(args.tls_key):
        print("queue_server: give both --tls-cert and --tls-key", file=sys.stderr)
        return 2
    settings = Settings(db_url=args.db or default_db_url(), host=args.host, port=args.port,
                        zeroconf=not args.no_zeroconf, tls_cert=args.tls_cert,
                        tls_key=args.tls_key, tls_ca=args.tls_ca, public_url=args.public_url,
                        lock_timeout_s=args.lock_timeout, public_writes_per_min=args.public_rate,
                        public_per_id_per_hour=args.public_rate_id,
                        notify_backoff_s=args.notify_backoff)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    import uvicorn
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from queue_server.api.app import create_app
    from queue_server.api.stream import UVICORN_OPTIONS
    from queue_server.db.store import migrate

    try:
        migrate(settings.db_url)
    except (ArgumentError, SQLAlchemyError, OSError) as exc:
        print(f"queue_server: cannot open database {_safe(settings.db_url)}: "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    app = create_app(settings)
    _quiet_gc()
    # No access log: paths carry tracking codes, and logs record transitions, not requests.
    uvicorn.run(app, host=settings.host, port=settings.port, workers=1, access_log=False,
                log_level=args.log_level, ssl_certfile=settings.tls_cert,
                ssl_keyfile=settings.tls_key, **UVICORN_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
