"""TOML text for the value shapes provisioning writes (strings, integers, booleans, lists of
them): tomllib reads TOML, nothing in the standard library writes it."""

from __future__ import annotations

import json
from typing import Any


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    # A JSON string is a TOML basic string (same escapes; CJK kept readable), except that TOML
    # also forbids a raw DEL, which JSON leaves alone.
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")
