"""`python -m provisioning SUBCOMMAND ...`: the administrator's command.

Each subcommand is a module in `provisioning.commands` with `HELP`, `add_arguments(parser)` and
`run(args) -> int`. Exit 0 on success, 2 on bad usage or input with a one-line reason on stderr,
1 when the database failed meanwhile (locked too long, disk full); a failure of the database is
said by `provisioning.db_failures.explained`, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import provisioning.commands as commands_pkg
from provisioning.calendar_warning import warn
from provisioning.db import url_refusal
from provisioning.db_failures import explained
from queue_server.cli_parser import OneLineParser


def build_parser() -> argparse.ArgumentParser:
    """The command and its subcommands, none abbreviated (OneLineParser): a mistake is one line,
    Chinese first; a command that reads a PIN (`SECRET_EXTRAS`) never repeats a stray argument."""
    parser = OneLineParser(prog="python -m provisioning",
                           description="快办 Kuaiban: set up and run a hall")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"provisioning.commands.{info.name}")
        name = getattr(module, "NAME", info.name.replace("_", "-"))
        p = sub.add_parser(name, help=getattr(module, "HELP", ""),
                           secret_extras=getattr(module, "SECRET_EXTRAS", None))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db = getattr(args, "db", None)
    url = db if isinstance(db, str) else None
    refused = url_refusal(url) if url is not None else None
    if refused is not None:
        print(f"provisioning {args.command}: {refused}", file=sys.stderr)
        return refused.exit_code
    try:
        code = int(args._run(args))
        if code == 0 and isinstance(getattr(args, "db", None), str):
            warn(args.db)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `provisioning list | head -1`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - what is not ours nor the database's is raised
        said = explained(exc, url)
        if said is None:
            raise
        print(f"provisioning {args.command}: {said}", file=sys.stderr)
        return said.exit_code


if __name__ == "__main__":
    sys.exit(main())
