"""The two TOML writers of provisioning (hall export, terminal file) against tomllib, for any
text a hall might type: CJK, quotes, backslashes, control characters."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from provisioning import hall_toml, terminal_file

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
    "\x00\t\n\x1f\x7f\"\\\u2028杭锦"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(name=TEXT, materials=st.lists(TEXT, max_size=4), cap=st.integers(1, 99999))
def test_hall_export_values_read_back_exactly(name: str, materials: list[str], cap: int) -> None:
    config = {"hall": {"id": "h", "name": name}, "services": [
        {"code": "s", "name": name, "prefix": "A", "route": ["intake"], "daily_cap": cap,
         "requires_id_card": True, "materials": materials}],
        "counters": [], "staff": [], "outposts": []}
    data = tomllib.loads(hall_toml.to_toml(config, comment="line one\nline two"))
    assert data["hall"]["name"] == name
    assert data["services"][0]["materials"] == materials
    assert data["services"][0]["daily_cap"] == cap


@settings(max_examples=200, deadline=None)
@given(token=TEXT, notice=TEXT, zones=st.lists(st.sampled_from(["intake", "pickup"]), max_size=2))
def test_terminal_file_values_read_back_exactly(token: str, notice: str, zones: list[str]) -> None:
    data = terminal_file.merge({}, {"role": "display", "token": token},
                               {"printer": "sim://printer"},
                               {"notice": notice, "zones": zones, "repeat": 2})
    back = tomllib.loads(terminal_file.render(data))
    assert back["token"] == token
    assert back["display"] == {"zones": zones, "repeat": 2, "notice": notice}
