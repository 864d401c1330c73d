"""The one TOML writer: TOML text for the value shapes our files hold (strings, integers,
finite floats, booleans, lists of them). tomllib reads TOML; nothing in the standard library writes it.
And the one reader (`loads`): tomllib's, with a file nested past its depth refused as bad TOML.

Its own package, importing nothing of ours, so that both sides of a wall may use it: `kiosk`
writes a terminal's configuration with it, `provisioning` the hall export and the terminal file.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any


def loads(text: str) -> dict[str, Any]:
    """`tomllib.loads`, except that a file nested past the parser's depth (a few thousand
    brackets) is `tomllib.TOMLDecodeError` like any other bad TOML, not a RecursionError that
    would reach an administrator as a traceback."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("nested too deeply (arrays or inline tables)") from None


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError(f"{v!r}: our files hold finite numbers only")
        return repr(v)  # Python's shortest round-trip form is TOML's float syntax too
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    # A JSON string is a TOML basic string (same escapes; CJK kept readable), except that TOML
    # also forbids a raw DEL, which JSON leaves alone.
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")
