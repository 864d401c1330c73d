"""The one TOML writer (`toml_text.value`) against tomllib: every value of the shapes our files
hold reads back exactly, whatever text it carries (CJK, quotes, backslashes, control characters)."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toml_text import loads, value

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
    "\x00\t\n\x1f\x7f\"\\\u2028杭锦"), max_size=40)
SCALAR = (TEXT | st.integers(-(2**63), 2**63 - 1) | st.booleans()
          | st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(v=SCALAR | st.lists(SCALAR, max_size=5))
def test_every_value_reads_back_exactly(v: object) -> None:
    assert tomllib.loads(f"key = {value(v)}\n") == {"key": v}


def test_cjk_stays_readable() -> None:
    assert value("杭锦后旗政务服务中心") == '"杭锦后旗政务服务中心"'
    assert value(["a", 1, True]) == '["a", 1, true]'


def test_floats_are_toml_floats_and_only_finite_ones() -> None:
    import pytest

    assert value(0.365) == "0.365" and value(1e-05) == "1e-05" and value(2.0) == "2.0"
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite"):
            value(bad)


def test_a_file_nested_past_the_parsers_depth_is_bad_toml() -> None:
    """tomllib recurses once a bracket: thousands of them are a RecursionError, which would
    reach an administrator as a traceback; `loads` makes it bad TOML like any other."""
    with pytest.raises(tomllib.TOMLDecodeError, match="nested too deeply"):
        loads("a = " + "[" * 5000 + "]" * 5000)
    with pytest.raises(tomllib.TOMLDecodeError, match="nested too deeply"):
        loads("a = " + "{b = " * 5000 + "1" + "}" * 5000)
    assert loads("a = [[1]]") == {"a": [[1]]}
