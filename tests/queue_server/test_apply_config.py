"""What a re-init does to the halls beside the file's (on a real SQLite file built by the
migrations): an outpost the file no longer lists stops issuing (it went on, and `export` wrote
it back); another hall's outpost id or a hall's id cannot be taken over (it was re-parented
silently); a file with a new hall id says which halls the database already holds (a renamed
id made a second hall without a word)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server import wire
from queue_server.config import parse_config
from queue_server.db.store import Store, migrate
from queue_server.domain.errors import Conflict, Invalid
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import apply_config
from queue_server.usecases.tickets import issue
from tests.procs import TEST_HALL

TEXT = TEST_HALL.read_text(encoding="utf-8")
WITHOUT_OUTPOST = re.sub(r"\[\[outposts\]\].*?(?=\[\[staff\]\])", "", TEXT, flags=re.S)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    migrate(url)
    made = Store(url)
    apply_config(made, parse_config(TEXT))
    return made


def test_an_outpost_left_out_of_the_file_stops_issuing(store: Store) -> None:
    assert "bank1" not in WITHOUT_OUTPOST and "[[staff]]" in WITHOUT_OUTPOST
    bank = Principal("bank", "bank1", 1, "b")
    req = wire.TicketCreate(service="general", channel="bank")
    assert issue(store, bank, req, None, "")[0].number == "A001"
    report = apply_config(store, parse_config(WITHOUT_OUTPOST))
    assert any("网点 bank1" in note and "outpost bank1" in note for note in report["warnings"])
    with pytest.raises(Invalid):
        issue(store, bank, req, None, "")
    apply_config(store, parse_config(TEXT))  # listed again: open again
    assert issue(store, bank, req, None, "")[0].number == "A002"
    store.close()


def test_an_id_of_another_hall_is_not_taken_over(store: Store) -> None:
    other = TEXT.replace('id = "t1"', 'id = "t2"')  # another hall listing outpost bank1
    with pytest.raises(Conflict) as taken:
        apply_config(store, parse_config(other))
    assert taken.value.code == "hall_id_taken" and "bank1" in taken.value.message
    as_outpost = TEXT.replace('id = "bank1"', 'id = "t1x"').replace('id = "t1"', 'id = "t9"') \
        .replace('id = "t1x"', 'id = "t1"')  # hall t9 would make hall t1 its outpost
    with pytest.raises(Conflict):
        apply_config(store, parse_config(as_outpost))
    renamed = WITHOUT_OUTPOST.replace('id = "t1"', 'id = "t1-new"')
    report = apply_config(store, parse_config(renamed))  # allowed, but not without a word
    assert any("新建大厅 t1-new" in note and "t1" in note for note in report["warnings"])
    store.close()
