"""`provisioning init`, `enrol`, `staff` and `admin-token` as an administrator runs them (real
processes, real databases: SQLite, and PostgreSQL with KUAIBAN_TEST_PG): exit codes, output,
idempotent re-init that keeps tickets, secrets stored only as hashes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from queue_server.db.models import Service, Staff, Terminal, Ticket
from tests.procs import ROOT, TEST_HALL, load_test_hall
from tests.provisioning.conftest import BACKENDS


def prov(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provisioning", *args], cwd=ROOT, text=True,
                          capture_output=True, input=stdin, timeout=60)


def _count(url: str, query: object) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)  # type: ignore[call-overload]
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_init_enrol_staff_admin_token(backend: str, db_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = db_factory(backend)
    first = prov("init", "--config", str(TEST_HALL), "--db", url, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"hall": "t1", "halls": 2, "services": 3,
                                        "counters": 6, "staff": 4, "warnings": []}
    enrolled = prov("enrol", "--db", url, "--kind", "kiosk", "--name", "kiosk-1", "--json")
    assert enrolled.returncode == 0, enrolled.stderr
    out = json.loads(enrolled.stdout)
    assert out["terminal"] == "kiosk-1" and out["kind"] == "kiosk" and len(out["token"]) > 40
    assert _count(url, select(func.count()).select_from(Terminal)
                  .where(Terminal.token_hash == out["token"])) == 0  # only a hash is kept
    bank = json.loads(prov("enrol", "--db", url, "--kind", "bank", "--name", "b1",
                           "--json").stdout)
    assert bank["hall"] == "bank1"  # the only outpost
    pad = prov("enrol", "--db", url, "--kind", "counter", "--name", "p", "--counter", "W01",
               "--json")
    assert json.loads(pad.stdout)["counter"] == "W01"

    assert prov("staff", "--db", url, "--id", "s001", "--pin-stdin", stdin="2468\n"
                ).returncode == 0
    assert _count(url, select(func.count()).select_from(Staff)
                  .where(Staff.pin_hash.like("scrypt$%"))) == 2  # hall and outpost
    admin = prov("admin-token", "--db", url, "--json")
    assert admin.returncode == 0 and json.loads(admin.stdout)["token"].startswith("kba_")

    # Tickets survive a re-init with an edited file; removed services are deactivated.
    from queue_server import wire
    from queue_server.db.store import Store
    from queue_server.usecases.auth import Principal
    from queue_server.usecases.tickets import issue

    store = Store(url)
    issue(store, Principal("kiosk", "t1", 1, "k"), wire.TicketCreate(service="consult"), None, "")
    store.close()
    edited = tmp_path / "edited.toml"
    text = TEST_HALL.read_text(encoding="utf-8").replace('name = "咨询"', 'name = "咨询导办"')
    edited.write_text(text.replace('[[counters]]\ncode = "C01"', '[[counters]]\ncode = "C02"'),
                      encoding="utf-8")
    again = prov("init", "--config", str(edited), "--db", url)
    assert again.returncode == 0, again.stderr
    assert _count(url, select(func.count()).select_from(Ticket)) == 1
    assert _count(url, select(func.count()).select_from(Service)
                  .where(Service.name == "咨询导办")) == 1
    assert "warning" not in again.stderr
    # A service dropped while its ticket is open: done as asked, and said (no counter calls
    # that ticket until the service is back)
    dropped = tmp_path / "dropped.toml"
    dropped.write_text(edited.read_text(encoding="utf-8").replace(
        'code = "consult"', 'code = "advice"').replace('services = ["consult"]',
                                                        'services = ["advice"]'),
        encoding="utf-8")
    third = prov("init", "--config", str(dropped), "--db", url)
    assert third.returncode == 0, third.stderr
    [warning] = third.stderr.strip().splitlines()
    assert "service consult removed" in warning and "Z001" in warning


BAD = [
    ("init", "--config", "{missing}", "--db", "{url}"),
    ("init", "--config", "{broken}", "--db", "{url}"),
    ("init", "--config", "{good}", "--db", "nonsense://"),
    ("enrol", "--db", "{url}", "--kind", "kiosk", "--name", "k", "--counter", "NOPE", "--json"),
    ("enrol", "--db", "{url}", "--kind", "robot", "--name", "k", "--json"),
    # a counter pad or a rating pad belongs to a counter; nothing else does (docs/admin.md)
    ("enrol", "--db", "{url}", "--kind", "counter", "--name", "c", "--json"),
    ("enrol", "--db", "{url}", "--kind", "pad", "--name", "p", "--json"),
    ("enrol", "--db", "{url}", "--kind", "display", "--name", "d", "--counter", "W01", "--json"),
    ("enrol", "--db", "{absent}", "--kind", "kiosk", "--name", "k", "--json"),
    ("staff", "--db", "{url}", "--id", "nobody", "--pin-stdin"),
    ("staff", "--db", "{url}", "--id", "s001", "--pin-stdin", "<short>"),
    ("admin-token", "--db", "{absent}", "--json"),
    # a database we do not run on, a driver not installed: ImportError from the engine was a
    # traceback and exit 1
    ("init", "--config", "{good}", "--db", "mysql://x@127.0.0.1/y"),
    ("enrol", "--db", "postgresql+nosuchdriver://x@127.0.0.1/y", "--kind", "kiosk", "--name",
     "k", "--json"),
    ("admin-token", "--db", "oracle://x@127.0.0.1/y", "--json"),
    # argparse's own refusals: one line, not its usage block
    ("export-ratings", "--db", "{url}", "--from", "yesterday", "--to", "2026-01-01", "--out",
     "{missing}"),
    ("export-ratings", "--db", "{url}", "--from", "20260101", "--to", "2026-01-01", "--out",
     "{missing}"),  # YYYY-MM-DD only
    ("enrol", "--db", "{url}", "--kind", "kiosk"),
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a[:2]) + f" #{i}" for i, a in enumerate(BAD)])
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    load_test_hall(url)
    broken = tmp_path / "broken.toml"
    broken.write_text(TEST_HALL.read_text(encoding="utf-8").replace('prefix = "B"',
                                                                    'prefix = "A"'))
    values = {"url": url, "missing": str(tmp_path / "none.toml"), "broken": str(broken),
              "good": str(TEST_HALL), "absent": f"sqlite:///{tmp_path / 'absent.db'}"}
    stdin = "12\n" if "<short>" in args else "1234\n"
    argv = [a.format(**values) for a in args if a != "<short>"]
    result = prov(*argv, stdin=stdin)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    if "broken" in " ".join(args):
        assert str(broken) in lines[0] and "services" in lines[0] and "duplicate" in lines[0]
    assert not (tmp_path / "absent.db").exists()
