"""The server's settings, read once in the composition root (`__main__`) and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from queue_server.api.guard import Limits
from queue_server.api.ratelimit import Rates

DEFAULT_PORT = 8750


def default_db_url() -> str:
    return f"sqlite:///{Path(user_data_dir('kuaiban', appauthor=False)) / 'hall.db'}"


@dataclass(frozen=True)
class Settings:
    db_url: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    zeroconf: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    public_url: str | None = None  # base of `track_url` when the LAN address differs
    lock_timeout_s: float = 5.0
    max_pending: int = 64  # write units waiting at once before 503 busy (load shedding)
    json_limit: int = 64 * 1024
    document_limit: int = 8 * 1024 * 1024
    day_check_s: float = 30.0
    # The figures are folded from committed events in the background when the hall has been
    # quiet for `fold_quiet_s` (or `fold_max_wait_s` passed); a reading folds what is left.
    fold_every_s: float = 5.0
    fold_quiet_s: float = 2.0
    fold_max_wait_s: float = 300.0
    # The public endpoints (phone page, booking): requests a client may send, per minute (reads
    # six times as many), and bookings, cancels and remote numbers per ID number, per hour.
    public_writes_per_min: int = 20
    public_per_id_per_hour: int = 10
    notify_backoff_s: float = 10.0  # first retry of a failed notification; doubles each time
    body_timeout_s: float = 30.0  # a request body must arrive within this (408 body_timeout)
    limits: Limits = Limits()  # connections per client, header, idle and stall timeouts
    rates: Rates = Rates()  # logins and lookups per terminal, the public page per address
