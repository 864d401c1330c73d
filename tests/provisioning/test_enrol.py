"""`provisioning enrol` and terminal names on a real database: a name an active terminal of the
hall has is refused (exit 2, nothing written) unless `--replace`, which revokes the old terminal
and enrols the new one in one transaction; revoked names and other halls' names are free."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from provisioning.__main__ import main
from queue_server.db.models import EventRow
from queue_server.db.store import Store
from queue_server.domain.errors import Unauthorized
from queue_server.usecases.auth import authenticate
from tests.provisioning.conftest import BACKENDS, load_hall


@pytest.fixture(params=BACKENDS)
def hall_url(request: pytest.FixtureRequest, db_factory) -> str:  # type: ignore[no-untyped-def]
    url = db_factory(request.param)
    load_hall(url)  # hall hjhq with the outpost abc-hjhq
    return url


def _enrol(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    assert main(["enrol", "--db", url, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _active(url: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[object, object]]:
    assert main(["list", "--db", url, "--json"]) == 0
    return [(r["hall"], r["name"]) for r in map(json.loads, capsys.readouterr().out.splitlines())]


def _who(url: str, token: str) -> str | None:
    store = Store(url)
    try:
        return authenticate(store, token, datetime.now(UTC).replace(tzinfo=None)).terminal_name
    finally:
        store.close()


def _events(url: str) -> int:
    store = Store(url)
    try:
        with store.read() as s:
            return int(s.scalar(select(func.count()).select_from(EventRow)) or 0)
    finally:
        store.close()


def test_second_enrol_of_a_name_is_refused(hall_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    first = _enrol(hall_url, capsys, "--kind", "kiosk", "--name", "kiosk-1")
    assert first["replaced"] == 0
    events = _events(hall_url)
    assert main(["enrol", "--db", hall_url, "--kind", "kiosk", "--name", "kiosk-1",
                 "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "终端名 kiosk-1" in err and "already enrolled" in err and "--replace" in err
    assert _active(hall_url, capsys) == [("hjhq", "kiosk-1")]
    assert _events(hall_url) == events  # nothing written
    assert _who(hall_url, str(first["token"])) == "kiosk-1"


def test_replace_issues_a_new_token_and_the_old_one_stops_working(
        hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    old = _enrol(hall_url, capsys, "--kind", "kiosk", "--name", "kiosk-1")
    new = _enrol(hall_url, capsys, "--kind", "kiosk", "--name", "kiosk-1", "--replace")
    assert new["replaced"] == 1 and new["hall"] == "hjhq" and new["token"] != old["token"]
    with pytest.raises(Unauthorized):
        _who(hall_url, str(old["token"]))
    assert _who(hall_url, str(new["token"])) == "kiosk-1"
    assert _active(hall_url, capsys) == [("hjhq", "kiosk-1")]
    # --replace with nothing to replace simply enrols; the text output names what it revoked
    assert _enrol(hall_url, capsys, "--kind", "display", "--name", "d1",
                  "--replace")["replaced"] == 0
    assert main(["enrol", "--db", hall_url, "--kind", "display", "--name", "d1",
                 "--replace"]) == 0
    assert "revoked: d1" in capsys.readouterr().out


def test_a_revoked_name_can_be_enrolled_again(hall_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _enrol(hall_url, capsys, "--kind", "counter", "--name", "c1", "--counter", "W01")
    assert main(["revoke", "--db", hall_url, "--name", "c1"]) == 0
    capsys.readouterr()
    again = _enrol(hall_url, capsys, "--kind", "counter", "--name", "c1", "--counter", "W01")
    assert again["replaced"] == 0
    assert _who(hall_url, str(again["token"])) == "c1"
    assert _active(hall_url, capsys) == [("hjhq", "c1")]


def test_another_halls_terminal_of_that_name_does_not_block(
        hall_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    bank = _enrol(hall_url, capsys, "--kind", "bank", "--name", "t1")
    assert bank["hall"] == "abc-hjhq"
    kiosk = _enrol(hall_url, capsys, "--kind", "kiosk", "--name", "t1", "--hall", "hjhq")
    assert (kiosk["hall"], kiosk["replaced"]) == ("hjhq", 0)
    assert sorted(_active(hall_url, capsys)) == [("abc-hjhq", "t1"), ("hjhq", "t1")]
    assert _who(hall_url, str(bank["token"])) == _who(hall_url, str(kiosk["token"])) == "t1"
