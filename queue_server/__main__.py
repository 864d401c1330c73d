"""`python -m queue_server --db URL [--host H] [--port P] [--no-zeroconf]`: run the queue server
(one uvicorn worker: on SQLite a second one only adds lock contention, see PERFORMANCE.md).
The schema is migrated at start, so a fresh database works at once."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import sys

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


def _check_limits(args: argparse.Namespace) -> str | None:
    if args.max_conn_per_client < 1 or args.max_connections < 1:
        return "--max-conn-per-client and --max-connections must be at least 1"
    for flag in ("header_timeout", "body_timeout", "idle_timeout", "stall_timeout"):
        if not 0.1 <= getattr(args, flag) <= 3600:
            return f"--{flag.replace('_', '-')} must be 0.1–3600 seconds"
    if args.login_rate < 0 or args.lookup_rate < 0:
        return "--login-rate and --lookup-rate must be 0 or more"
    return None


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


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not (0 < args.port < 65536):
        return "--port must be 1–65535"
    if not (0.05 <= args.lock_timeout <= 120):
        return "--lock-timeout must be 0.05–120 seconds"
    if bool(args.tls_cert) != bool(args.tls_key):
        return "give both --tls-cert and --tls-key"
    if not (1 <= args.public_rate <= 100_000 and 1 <= args.public_rate_id <= 100_000):
        return "--public-rate and --public-rate-id must be 1–100000"
    if not (0.01 <= args.notify_backoff <= 86_400):
        return "--notify-backoff must be 0.01–86400 seconds"
    if not (1 <= args.max_pending <= 100_000):
        return "--max-pending must be 1–100000"
    return _check_limits(args)


def _start_problem(settings: Settings) -> str | None:
    """What would stop the server once started, said before it starts (one line, exit 2): a
    database URL that names no database it runs on (`url_problem`), a `--host` that does not
    resolve, an address and port it cannot listen on (another server there; uvicorn would log
    its start and exit 3). A port taken between this check and the start still exits 3."""
    import socket

    from queue_server.db.urls import url_problem

    problem = url_problem(settings.db_url)
    if problem:
        return f"--db {problem}"
    problem = _tls_problem(settings)
    if problem:
        return problem
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        return f"--host {settings.host!r}: no such address ({exc})"
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        return f"cannot listen on {settings.host} port {settings.port}: {exc.strerror or exc}"
    return None


def _tls_problem(settings: Settings) -> str | None:
    """A certificate, key or CA file that is missing, unreadable or not what it should be
    (a key that is not the certificate's): uvicorn would print a traceback."""
    import os
    import ssl

    for flag, name in (("--tls-cert", settings.tls_cert), ("--tls-key", settings.tls_key),
                       ("--tls-ca", settings.tls_ca)):
        if name and not os.access(name, os.R_OK):
            return f"{flag} {name}: no such file, or not readable"
    if settings.tls_cert and settings.tls_key:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                settings.tls_cert, settings.tls_key)
        except (ssl.SSLError, OSError, ValueError) as exc:
            return (f"--tls-cert {settings.tls_cert} --tls-key {settings.tls_key}: not a "
                    f"certificate and its key in PEM ({exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})")
    if settings.tls_ca:
        try:
            ssl.create_default_context(cafile=settings.tls_ca)
        except (ssl.SSLError, OSError, ValueError) as exc:
            return f"--tls-ca {settings.tls_ca}: not a CA certificate in PEM ({exc})"
    return None


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
    problem = _usage_problem(args)
    if problem:
        print(f"queue_server: {problem}", file=sys.stderr)
        return 2
    settings = _settings(args)
    problem = _start_problem(settings)
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
    from queue_server.db.store import foreign_tables, migrate

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
    except (ArgumentError, SQLAlchemyError, OSError) as exc:
        print(f"queue_server: cannot open database {_safe(settings.db_url)}: "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
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
