"""What stops the queue server from starting, said before it starts (contract §1): one line,
Chinese first, saying what to do. Option values out of range, a database URL, address, port or
TLS file that cannot serve, a database that cannot be opened or migrated; and whether the
database holds a hall at all (a mistyped SQLite path makes a new, empty file)."""

from __future__ import annotations

import argparse
import errno

from queue_server.api.settings import Settings
from queue_server.db.failure_words import DAMAGED, NOT_SQLITE, pg_said


def _check_limits(args: argparse.Namespace) -> str | None:
    if args.max_conn_per_client < 1 or args.max_connections < 1:
        return ("--max-conn-per-client 和 --max-connections 至少为 1 / --max-conn-per-client and "
                "--max-connections must be at least 1")
    for flag in ("header_timeout", "body_timeout", "idle_timeout", "stall_timeout"):
        if not 0.1 <= getattr(args, flag) <= 3600:
            name = f"--{flag.replace('_', '-')}"
            return f"{name} 须为 0.1–3600 秒 / {name} must be 0.1–3600 seconds"
    if args.login_rate < 0 or args.lookup_rate < 0:
        return ("--login-rate 和 --lookup-rate 不能小于 0 / --login-rate and --lookup-rate must "
                "be 0 or more")
    return None


def usage_problem(args: argparse.Namespace) -> str | None:
    if not (0 < args.port < 65536):
        return "--port 须为 1–65535 / --port must be 1–65535"
    if not (0.05 <= args.lock_timeout <= 120):
        return "--lock-timeout 须为 0.05–120 秒 / --lock-timeout must be 0.05–120 seconds"
    if bool(args.tls_cert) != bool(args.tls_key):
        return "--tls-cert 和 --tls-key 要一起给出 / give both --tls-cert and --tls-key"
    if not (1 <= args.public_rate <= 100_000 and 1 <= args.public_rate_id <= 100_000):
        return ("--public-rate 和 --public-rate-id 须为 1–100000 / --public-rate and "
                "--public-rate-id must be 1–100000")
    if not (0.01 <= args.notify_backoff <= 86_400):
        return ("--notify-backoff 须为 0.01–86400 秒 / --notify-backoff must be 0.01–86400 "
                "seconds")
    if not (1 <= args.max_pending <= 100_000):
        return "--max-pending 须为 1–100000 / --max-pending must be 1–100000"
    return _check_limits(args)


def start_problem(settings: Settings) -> str | None:
    """What would stop the server once started, said before it starts (one line, exit 2): a
    database URL that names no database it runs on (`url_problem`), a `--host` that does not
    resolve, an address and port it cannot listen on (another server there; uvicorn would log
    its start and exit 3). A port taken between this check and the start still exits 3."""
    import socket

    from queue_server.db.urls import url_problem

    problem = url_problem(settings.db_url)
    if problem:
        for english, zh in _URL_WORDS:
            what, found, rest = problem.partition(f": {english}")
            if found:
                return (f"--db {what}: {zh},应为 sqlite:///路径/hall.db 或 postgresql+psycopg://"
                        f"用户@主机/库 / {english}{rest}")
        return f"--db 数据库地址不能用 / {problem}"
    problem = _tls_problem(settings)
    if problem:
        return problem
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        return (f"--host {settings.host!r}: 找不到这个地址,请检查主机名或 IP / no such address "
                f"({exc}): check the host name or IP")
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        return _cannot_listen(settings.host, settings.port, exc)
    return None


_URL_WORDS = (("not a database URL", "不是数据库地址"),
              ("not a database Kuaiban runs on", "快办不支持这种数据库"),
              ("no such driver installed", "没有安装这个数据库驱动"))


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    """Why the server cannot listen on `host` port `port`, and what to do."""
    if exc.errno == errno.EADDRINUSE:
        return (f"{host} 的端口 {port} 已被占用:另一个程序或另一个快办服务器正在用它;请先停掉它,"
                f"或用 --port 换一个端口 / port {port} on {host} is in use by another program or "
                "another Kuaiban server: stop it, or give another --port")
    if exc.errno == errno.EACCES:
        return (f"没有权限监听端口 {port}(1024 以下的端口要 root 权限);请用 --port 给 1024 以上的"
                f"端口 / no permission to listen on port {port} (ports below 1024 need root): "
                "give --port 1024 or above")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"--host {host}: 本机没有这个地址;请用本机的地址,或 0.0.0.0(所有网卡) / this "
                f"machine has no address {host}: give one of its own, or 0.0.0.0 (every "
                "interface)")
    why = exc.strerror or str(exc)
    return (f"无法在 {host} 的端口 {port} 上监听({why}) / cannot listen on {host} port {port}: "
            f"{why}")


def _tls_problem(settings: Settings) -> str | None:
    """A certificate, key or CA file that is missing, unreadable or not what it should be
    (a key that is not the certificate's): uvicorn would print a traceback."""
    import os
    import ssl

    for flag, name in (("--tls-cert", settings.tls_cert), ("--tls-key", settings.tls_key),
                       ("--tls-ca", settings.tls_ca)):
        if name and not os.access(name, os.R_OK):
            return f"{flag} {name}: 文件不存在或无法读取 / no such file, or not readable"
    if settings.tls_cert and settings.tls_key:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                settings.tls_cert, settings.tls_key)
        except (ssl.SSLError, OSError, ValueError) as exc:
            return (f"--tls-cert {settings.tls_cert} --tls-key {settings.tls_key}: 不是 PEM 格式"
                    f"的证书和它的私钥;请用 provisioning tls 生成 / not a certificate and its "
                    f"key in PEM ({exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})")
    if settings.tls_ca:
        try:
            ssl.create_default_context(cafile=settings.tls_ca)
        except (ssl.SSLError, OSError, ValueError) as exc:
            return (f"--tls-ca {settings.tls_ca}: 不是 PEM 格式的 CA 证书 / not a CA certificate "
                    f"in PEM ({exc})")
    return None


def has_hall(url: str) -> bool:
    """Whether the (migrated) database holds an active hall, read on a plain engine."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.pool import NullPool

    from queue_server.db.models import Hall

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Hall.id).where(Hall.active).limit(1)).first() is not None
    finally:
        engine.dispose()


_SQLITE_CODES = {
    26: NOT_SQLITE,
    11: DAMAGED,
    13: "磁盘已满;请腾出空间后再启动 / the disk is full: free some space, then start again",
    5: "数据库被另一个程序锁住;请稍后再启动 / the database stayed locked by another program: "
       "start again in a moment",
}


def database_problem(url: str, exc: BaseException) -> str:
    """Why the database at `url` cannot be opened or migrated, Chinese first, saying what to
    do; the driver's own first line where nothing better is known."""
    from queue_server.db.busy import first_line

    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        code = int(code) & 0xFF
        if code in _SQLITE_CODES or code == 6:
            return _SQLITE_CODES[5 if code == 6 else code]
        if code in (3, 8, 10, 14, 23):  # PERM, READONLY, IOERR, CANTOPEN, AUTH
            return _not_writable(url, None)
    if type(orig).__module__.startswith("psycopg"):
        said = pg_said(url, str(orig))
        if said is not None:
            return said
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _not_writable(url, exc.filename)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return (f"路径中的 {exc.filename} 不是文件夹,数据库放不进去 / {exc.filename} is not a "
                "folder: the database cannot go there")
    return f"无法打开数据库 / cannot open the database: {first_line(exc)}"


def _not_writable(url: str, name: object) -> str:
    """The SQLite file of `url` (or `name` on its way), or its folder, cannot be written."""
    import os
    from pathlib import Path

    from queue_server.db.health import sqlite_file

    file = Path(os.fsdecode(name)) if isinstance(name, (str, bytes)) else sqlite_file(url)
    if file is None:
        return "无法打开或写入数据库 / cannot open or write the database"
    place = next((p for p in (file, *file.parents) if p.exists()), Path("/"))
    try:
        owner = place.owner()
    except (KeyError, OSError):
        owner = "?"
    return (f"无法创建或写入 {file}({place} 属于 {owner},或所在文件系统只读);请以有写权限的用户运行,"
            f"或把数据库放到别处 / cannot create or write {file} ({place} belongs to {owner}, "
            "or its file system is read-only): run the server as a user who may write there, "
            "or put the database elsewhere")
