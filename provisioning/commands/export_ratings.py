"""`provisioning export-ratings --db URL --from DATE --to DATE --out FILE.jsonl [--format F]`:
the ratings of those business days for a provincial 好差评 platform (CONTRACT.md §1); the
format follows the file's suffix or `--format` (provisioning/ratings_formats.py)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from provisioning.db import open_store
from provisioning.errors import UsageError
from provisioning.ratings_formats import FORMATS, by_suffix
from queue_server.domain.clock import parse_day

NAME = "export-ratings"
HELP = "write the ratings of a period for a provincial 好差评 platform (JSON lines)"


def _date(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--from", dest="first", type=_date, required=True, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=_date, required=True, help="YYYY-MM-DD")
    parser.add_argument("--out", type=Path, required=True, help="FILE.jsonl (or .csv)")
    parser.add_argument("--format", choices=sorted(FORMATS), help="default: by --out's suffix")


def run(args: argparse.Namespace) -> int:
    from queue_server.db.store import migrate
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.ratings_export import ratings

    fmt = FORMATS[args.format] if args.format else by_suffix(args.out.suffix)
    if fmt is None:
        raise UsageError(f"--out {args.out}: unknown suffix; use .jsonl or give --format "
                         f"({', '.join(sorted(FORMATS))})")
    with open_store(args.db) as store:
        migrate(args.db)
        part = args.out.with_name(args.out.name + ".part")
        try:
            with part.open("wb") as out:
                n = fmt.write(ratings(store, args.first, args.last), out)
            part.replace(args.out)
        except DomainError as exc:
            part.unlink(missing_ok=True)
            raise UsageError(exc.message) from None
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from None
    print(f"{n} rating(s) {args.first} – {args.last} written to {args.out} ({fmt.name})")
    return 0
