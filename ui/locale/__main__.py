"""`python -m ui.locale check LANG [--dir FOLDER] [--strict]`: list the fixed screen words that
LANG's translation file leaves untranslated or unreviewed (fuzzy), and keys it has that the
screens no longer use. `--dir` checks a hall's own folder (as in the terminal file's
`translations`); `--strict` exits 1 when anything is listed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ui.i18n import all_keys
from ui.locale import PoError, po_file, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.locale")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="list untranslated or unreviewed strings")
    check.add_argument("lang", choices=["mn"])
    check.add_argument("--dir", type=Path, help="a hall's own translations folder")
    check.add_argument("--strict", action="store_true", help="exit 1 when anything is listed")
    args = parser.parse_args(argv)
    keys = all_keys()
    try:
        found = problems(args.lang, keys, args.dir)
    except PoError as exc:
        print(f"ui.locale: {exc}", file=sys.stderr)
        return 2
    for kind, key, english in found:
        print(f"{kind:13} {key:28} {english}")
    counts = {k: sum(1 for f in found if f[0] == k) for k in ("untranslated", "unreviewed",
                                                             "unknown")}
    print(f"{po_file(args.lang, args.dir)}: {len(keys)} strings; "
          f"{counts['untranslated']} untranslated, {counts['unreviewed']} unreviewed (fuzzy), "
          f"{counts['unknown']} unknown keys", file=sys.stderr)
    return 1 if args.strict and found else 0


if __name__ == "__main__":
    sys.exit(main())
