"""Translations of the screens' fixed words beyond Chinese and English, as gettext `.po` files
(`mn.po`: traditional Mongolian), read at run time: a hall replaces a file (the terminal file's
`translations = "/etc/kuaiban/locale"` folder is looked in first) without touching code.

An entry is the key of `ui.i18n.TEXT` as `msgctxt`, the English as `msgid` (the Chinese in a
`#.` comment) and the translation as `msgstr`. `#, fuzzy` marks a translation a native reader has
not reviewed yet: it is shown (better than Chinese alone for a Mongolian reader) and listed by
`python -m ui.locale check mn` until a reviewer removes the flag.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    key: str
    english: str
    text: str
    fuzzy: bool


class PoError(Exception):
    """A translation file that cannot be read; the message names the file and line."""


def _unquote(path: Path, n: int, literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError) as exc:
        raise PoError(f"{path}:{n}: not a quoted string: {literal}") from exc
    if not isinstance(value, str):
        raise PoError(f"{path}:{n}: not a quoted string: {literal}")
    return value


def read_po(path: Path) -> list[Entry]:
    """The entries of a `.po` file (msgctxt, msgid, msgstr and the fuzzy flag; continued lines
    joined; entries apart by blank lines, as gettext writes them); the header (empty msgid) is
    left out."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise PoError(f"{path}: cannot read: {exc}") from exc
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    fuzzy, last = False, ""
    for n, raw in enumerate([*lines, ""], 1):
        line = raw.strip()
        if not line:
            if fields.get("msgid"):
                entries.append(Entry(fields.get("msgctxt", fields["msgid"]), fields["msgid"],
                                     fields.get("msgstr", ""), fuzzy))
            fields, fuzzy, last = {}, False, ""
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and last:
            fields[last] += _unquote(path, n, line)
        else:
            keyword, _, literal = line.partition(" ")
            if keyword not in ("msgctxt", "msgid", "msgstr") or keyword in fields:
                raise PoError(f"{path}:{n}: unexpected {keyword!r} (entries are apart by a "
                              f"blank line)")
            fields[keyword], last = _unquote(path, n, literal), keyword
    return entries


def po_file(lang: str, folder: Path | None = None) -> Path | None:
    """The hall's own file when its folder has one, else the shipped one (None: no file)."""
    for where in ([folder] if folder else []) + [SHIPPED]:
        path = where / f"{lang}.po"
        if path.is_file():
            return path
    return None


def load(lang: str, folder: Path | None = None) -> dict[str, str]:
    """key -> translation, for the translated entries (fuzzy ones too)."""
    path = po_file(lang, folder)
    if path is None:
        return {}
    return {e.key: e.text for e in read_po(path) if e.text}


def problems(lang: str, keys: dict[str, tuple[str, str]], folder: Path | None = None
             ) -> list[tuple[str, str, str]]:
    """(kind, key, English) of every key not translated, not reviewed (fuzzy) or unknown."""
    path = po_file(lang, folder)
    entries = {e.key: e for e in read_po(path)} if path else {}
    out = []
    for key, (_zh, en) in keys.items():
        entry = entries.get(key)
        if entry is None or not entry.text:
            out.append(("untranslated", key, en))
        elif entry.fuzzy:
            out.append(("unreviewed", key, en))
    out += [("unknown", key, e.english) for key, e in entries.items() if key not in keys]
    return out
