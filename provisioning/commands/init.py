"""`provisioning init --config FILE --db URL`: create or migrate the database and load the hall
configuration. Idempotent: run again with an edited file, it updates services, counters and
staff (removed ones are deactivated) and never touches tickets. Another program's database is
refused before anything is written; the database's failures are said by
`provisioning.db_failures.explained`."""

from __future__ import annotations

import argparse
import json
import sys

from provisioning.errors import UsageError

NAME = "init"
HELP = "create or migrate the database and load the hall configuration"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="hall configuration (TOML)")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///hall.db")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")


def run(args: argparse.Namespace) -> int:
    from provisioning.db import foreign_refusal, new_file_refusal
    from queue_server.config import ConfigError, load_config
    from queue_server.db.store import Store, migrate
    from queue_server.domain.errors import DomainError
    from queue_server.usecases.halls import apply_config

    try:
        cfg = load_config(args.config)  # validated before anything is written
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    refused = new_file_refusal(args.db) or foreign_refusal(args.db, "init")  # Kuaiban's tables never go beside another's
    if refused is not None:
        raise refused
    migrate(args.db)
    store = Store(args.db)
    try:
        counts = apply_config(store, cfg)
    except DomainError as exc:  # refused as a whole (the day would move, an id is taken)
        raise UsageError(f"{args.config}: {exc.message}") from None
    finally:
        store.close()
    summary = {"hall": cfg.hall.id, **counts}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"大厅 {cfg.hall.id}({cfg.hall.name}):事项 {counts['services']} 个,窗口 "
              f"{counts['counters']} 个,人员 {counts['staff']} 名,网点 {counts['halls'] - 1} 个 / "
              f"hall {cfg.hall.id} ({cfg.hall.name}): {counts['services']} services, "
              f"{counts['counters']} counters, {counts['staff']} staff, "
              f"{counts['halls'] - 1} outpost(s)")
    for note in counts["warnings"]:  # done as asked; these tickets need someone to know
        print(f"provisioning init: 警告 / warning: {note}", file=sys.stderr)
    return 0

