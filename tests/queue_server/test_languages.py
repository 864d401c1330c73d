"""Languages as hall data on a real server: the example hall (Chinese and English) answers its
names, materials and counters in both, and a call event carries the call sentence in each of
the hall's languages, with the counter named in that language."""

from __future__ import annotations

from tests.procs import ROOT, ServerProcess, load_test_hall
from tests.queue_server.conftest import PIN, Hall, set_all_pins


def test_names_and_calls_in_the_halls_languages(module_server: ServerProcess) -> None:
    load_test_hall(module_server.db_url, ROOT / "examples" / "hjhq.toml")
    set_all_pins(module_server.db_url, ("hjhq",))
    hall = Hall(module_server, "hjhq", "abc-hjhq")
    kiosk = hall.client(hall.enrol("kiosk", "k-lang"))
    info = kiosk.get("/hall").json()
    assert info["languages"] == ["zh", "en"]
    assert info["name_en"] == "Hanggin Rear Banner Government Service Center"
    assert info["announce_en"] == "Number {number}, please go to {counter}"
    w05 = next(c for c in info["counters"] if c["code"] == "W05")
    assert (w05["name"], w05["name_en"]) == ("5号窗口 综合受理", "Window 5 Intake")
    setup = next(s for s in kiosk.get("/services").json() if s["code"] == "company-setup")
    assert setup["name_en"] == "Company setup" and setup["name_mn"] is None
    assert len(setup["materials_en"]) == len(setup["materials"]) == 4
    assert kiosk.get("/counters/W05").json()["name_en"] == "Window 5 Intake"

    ticket = hall.issue(kiosk, "company-setup")
    pad = hall.client(hall.enrol("counter", "pad-lang", "W05"))
    token = pad.post("/auth/login", json={"staff": "s001", "pin": PIN, "counter": "W05"})
    pad.headers["Authorization"] = f"Bearer {token.json()['token']}"
    assert pad.post("/counters/W05/call-next").status_code == 200
    display = hall.client(hall.enrol("display", "d-lang"))
    with display.stream("GET", "/events", params={"since": "today"}, timeout=10) as resp:
        for line in resp.iter_lines():
            if '"ticket.called"' in line and ticket["id"] in line:
                break
    assert f"请{ticket['number']}号到5号窗口 综合受理办理" in line
    assert f"Number {ticket['number']}, please go to Window 5 Intake" in line
