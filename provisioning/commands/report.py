"""`provisioning report --db URL --month YYYY-MM --out FILE [--hall H]`: the monthly bulletin
(月通报) of the figures per zone, service, counter and staff member, with the 红星岗 / 微笑之星
candidates and their rule; `.xlsx`, `.csv` or `.pdf` by the file's suffix (CONTRACT.md §1)."""

from __future__ import annotations

import argparse
from pathlib import Path

from provisioning.db import open_store
from provisioning.errors import UsageError

NAME = "report"
HELP = "write the monthly bulletin (月通报) as .xlsx, .csv or .pdf"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--out", type=Path, required=True, help="FILE.xlsx, .csv or .pdf")
    parser.add_argument("--hall", help="hall id (needed only when the database holds several)")


def run(args: argparse.Namespace) -> int:
    from queue_server.db.store import migrate
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.auth import Principal
    from queue_server.usecases.bulletin import bulletin
    from queue_server.usecases.bulletin_files import WRITERS, render
    from queue_server.usecases.terminals import main_hall

    if args.out.suffix.lower() not in WRITERS:
        raise UsageError(f"--out {args.out}: the file must end in .xlsx, .csv or .pdf")
    with open_store(args.db) as store:
        migrate(args.db)
        hall = args.hall or main_hall(store)
        if hall is None:
            raise UsageError("several halls (or none): give --hall")
        try:
            data = render(bulletin(store, Principal("admin", None), hall, args.month),
                          args.out.suffix)
        except DomainError as exc:
            raise UsageError(exc.message) from None
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from None
    print(f"{hall} {args.month}: bulletin written to {args.out}")
    return 0
