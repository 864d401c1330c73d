"""`python -m queue_server --db URL [--host H] [--port P] [--no-zeroconf]`: run the queue server
(one uvicorn worker: on SQLite a second one only adds lock contention, see PERFORMANCE.md).
The schema is migrated at start, so a fresh database works at once (one with no hall yet is
said in a warning: terminals would find nothing).

What stops it from starting is one line on standard error, Chinese first, saying what to do,
and exit 2 (contract §1)."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import sys

from queue_server import start_checks
from queue_server.api.guard import Limits
from queue_server.api.ratelimit import Rates
from queue_server.api.settings import DEFAULT_PORT, Settings, default_db_url
from queue_server.cli_parser import OneLineParser


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even a URL: show nothing of it
        return "(unparsable URL)"


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m queue_server",
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
    p.add_argument("--max-pending", type=int, default=64,
                   help="write requests waiting for the database at once; beyond it 503 busy "
                   "at once (default 64)")
    p.add_argument("--lock-timeout", type=float, default=5.0,
                   help="seconds a request waits for the database before 503 (default 5)")
    p.add_argument("--public-rate", type=int, default=20, metavar="N",
                   help="public endpoints: writes a client may send a minute (reads: 6×N)")
    p.add_argument("--public-rate-id", type=int, default=10, metavar="N",
                   help="bookings, cancels and phone numbers per ID number an hour")
    p.add_argument("--notify-backoff", type=float, default=10.0, metavar="S",
                   help="seconds before a failed notification is sent again (doubling)")
    limits = p.add_argument_group("limits (docs/admin.md)")
    limits.add_argument("--max-conn-per-client", type=int, default=64, metavar="N",
                        help="open connections one client address may hold (default 64)")
    limits.add_argument("--max-connections", type=int, default=2048, metavar="N",
                        help="open connections in all (default 2048, at most the file limit)")
    limits.add_argument("--header-timeout", type=float, default=10.0, metavar="S",
                        help="seconds for a request's head to arrive (default 10)")
    limits.add_argument("--body-timeout", type=float, default=30.0, metavar="S",
                        help="seconds for a request's body to arrive (default 30)")
    limits.add_argument("--idle-timeout", type=float, default=120.0, metavar="S",
                        help="close a connection silent both ways this long (default 120)")
    limits.add_argument("--stall-timeout", type=float, default=30.0, metavar="S",
                        help="drop a client that reads nothing this long, e.g. a stuck event "
                        "subscriber (default 30)")
    limits.add_argument("--login-rate", type=float, default=10.0, metavar="N",
                        help="staff logins a minute per terminal (default 10; 0: no limit)")
    limits.add_argument("--lookup-rate", type=float, default=60.0, metavar="N",
                        help="lookups by ID card a minute per terminal, and tracking pages a minute "
                        "per client address (default 60; 0: no limit)")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    return p


class RedactTokens(logging.Filter):
    """Uvicorn logs a WebSocket's handshake with its query string (`"WebSocket
    /api/v1/events/ws?after=0&token=kbt_…" [accepted]`), and a board may pass its token there:
    the line keeps `token=` with the value replaced. Tokens are never written anywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and "token=" in str(record.args):
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_TOKEN.sub(r"\1…", a) if isinstance(a, str) else a
                                for a in args)
        return True


_TOKEN = re.compile(r"(token=)[^&\s\"']+")


def _quiet_gc() -> None:
    """The long tail of request latency was the cyclic garbage collector walking every object
    the server holds (the web framework's, SQLAlchemy's, the models'): at 32 busy clients
    issue p99 went 81 -> 45 ms with this. What exists at start-up lives as long as the process:
    move it out of the collector's sight, and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)


def _raise_file_limit() -> int:
    """Every connection is a file descriptor: lift the soft limit to the hard one (often
    1024 -> 524288) and answer what it is now."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 65536 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def _settings(args: argparse.Namespace) -> Settings:
    files = _raise_file_limit()
    return Settings(db_url=args.db or default_db_url(), host=args.host, port=args.port,
                    zeroconf=not args.no_zeroconf, tls_cert=args.tls_cert,
                    tls_key=args.tls_key, tls_ca=args.tls_ca, public_url=args.public_url,
                    lock_timeout_s=args.lock_timeout, body_timeout_s=args.body_timeout,
                    max_pending=args.max_pending,
                    limits=Limits(per_client=args.max_conn_per_client,
                                  total=min(args.max_connections, max(files - 64, 16)),
                                  header_timeout=args.header_timeout,
                                  idle_timeout=args.idle_timeout,
                                  stall_timeout=args.stall_timeout),
                    rates=Rates(login=args.login_rate, lookup=args.lookup_rate,
                                public=args.lookup_rate),
                    public_writes_per_min=args.public_rate,
                    public_per_id_per_hour=args.public_rate_id,
                    notify_backoff_s=args.notify_backoff)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    problem = start_checks.usage_problem(args)
    if problem:
        print(f"queue_server: {problem}", file=sys.stderr)
        return 2
    settings = _settings(args)
    problem = start_checks.start_problem(settings)
    if problem:
        print(f"queue_server: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    import uvicorn
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from queue_server.api.app import create_app
    from queue_server.api.guard import guarded
    from queue_server.api.stream import UVICORN_OPTIONS
    from queue_server.db import presence
    from queue_server.db.failure_words import newer_schema
    from queue_server.db.store import HEAD, NewerSchema, foreign_tables, migrate

    try:
        others = foreign_tables(settings.db_url)
        if others:
            print(f"queue_server: {_safe(settings.db_url)}: 不是快办的数据库(里面是别的程序的表 "
                  f"{', '.join(others[:5])}),服务器不会把快办的表建在旁边;请用 provisioning init "
                  f"建的库 / not a Kuaiban database (it holds another program's tables: "
                  f"{', '.join(others[:5])}); the server builds no tables beside them: give it "
                  "a database made by `provisioning init`", file=sys.stderr)
            return 2
        migrate(settings.db_url)
        empty = not start_checks.has_hall(settings.db_url)
    except NewerSchema as exc:
        print(f"queue_server: --db {_safe(settings.db_url)}: {newer_schema(exc.found, HEAD)}",
              file=sys.stderr)
        return 2
    except (ArgumentError, SQLAlchemyError, OSError) as exc:
        print(f"queue_server: --db {_safe(settings.db_url)}: "
              f"{start_checks.database_problem(settings.db_url, exc)}", file=sys.stderr)
        return 2
    if empty:  # a mistyped SQLite path makes a new file: the server would serve nothing
        logging.getLogger("queue_server").warning(
            "数据库 %s 里没有大厅,终端会什么也找不到;请先载入大厅配置:python -m provisioning init "
            "--config 大厅配置.toml --db %s / the database %s holds no hall: terminals will find "
            "nothing; load one with `python -m provisioning init --config FILE --db %s`",
            *[_safe(settings.db_url)] * 4)
    presence.hold(settings.db_url)  # `provisioning restore` refuses while this process lives
    app = create_app(settings)
    _quiet_gc()
    # No access log: paths carry tracking codes, and logs record transitions, not requests.
    logging.getLogger("uvicorn.error").addFilter(RedactTokens())
    uvicorn.run(app, host=settings.host, port=settings.port, workers=1, access_log=False,
                log_level=args.log_level, ssl_certfile=settings.tls_cert,
                ssl_keyfile=settings.tls_key, http=guarded(settings.limits),
                # a kept-alive connection lives as long as the documented idle timeout (uvicorn
                # closed it after 5 s: a kiosk's next request a minute later needed a new
                # connection, and a TLS handshake, and one sent at that moment was reset)
                timeout_keep_alive=max(1, int(settings.limits.idle_timeout)), **UVICORN_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
