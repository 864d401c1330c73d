"""Languages as hall data on a real server: the example hall (Mongolian, Chinese, English) answers its
names, materials and counters in both, and a call event carries the call sentence in each of
the hall's languages, with the counter named in that language."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.browser import browser_missing, chromium, shots_folder
from tests.procs import ROOT, ServerProcess, load_test_hall
from tests.queue_server.conftest import PIN, Hall, set_all_pins


def test_names_and_calls_in_the_halls_languages(module_server: ServerProcess) -> None:
    load_test_hall(module_server.db_url, ROOT / "examples" / "hjhq.toml")
    set_all_pins(module_server.db_url, ("hjhq",))
    hall = Hall(module_server, "hjhq", "abc-hjhq")
    kiosk = hall.client(hall.enrol("kiosk", "k-lang"))
    info = kiosk.get("/hall").json()
    assert info["languages"] == ["mn", "zh", "en"]
    assert info["name_mn"].startswith("\u182c\u1820\u1829\u182d\u1822\u1828 ")  # Hangɣin
    assert info["name_en"] == "Hanggin Rear Banner Government Service Center"
    assert info["announce_en"] == "Number {number}, please go to {counter}"
    w05 = next(c for c in info["counters"] if c["code"] == "W05")
    assert (w05["name"], w05["name_en"]) == ("5号窗口 综合受理", "Window 5 Intake")
    setup = next(s for s in kiosk.get("/services").json() if s["code"] == "company-setup")
    assert setup["name_en"] == "Company setup"
    assert setup["name_mn"] == "\u1820\u1835\u1824 \u1820\u182c\u1824\u1822 " \
        "\u182a\u1820\u1836\u1822\u182d\u1824\u182f\u182c\u1824"  # aju aqui bayiɣulqu
    assert len(setup["materials_en"]) == len(setup["materials"]) == 4
    assert (setup["category"], setup["category_en"], setup["category_mn"]) == (
        "商事登记", "Business", None)
    assert len(setup["materials_mn"]) == 4 and all(  # written in the Mongolian block
        any("\u1820" <= ch <= "\u18af" for ch in m) for m in setup["materials_mn"])
    for s in kiosk.get("/services").json():  # every papers list has its Mongolian form
        assert len(s["materials_mn"] or []) == len(s["materials"]), s["code"]
    assert info["notice"].startswith("温馨提示") and info["notice_en"]
    assert info["notice_mn"].startswith("\u182c\u1820\u182f\u1820\u182d\u1824\u1828 ")  # qalaɣun
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
    called = json.loads(line.removeprefix("data:"))
    window5 = "5 \u1833\u180b\u1824\u182d\u1820\u1837 \u1834\u1823\u1829\u182c\u1823"
    assert called["text_mn"].startswith(f"{ticket['number']} ") and window5 in called["text_mn"]


def test_status_page_has_a_vertical_mongolian_band(module_server: ServerProcess,
                                                   tmp_path: Path) -> None:
    """The page behind the ticket's QR code in a hall that lists mn: the hall's and the
    service's Mongolian names in a band written with `writing-mode: vertical-lr`, in the font
    the server itself serves; drawn by Debian's chromium when it is installed."""
    load_test_hall(module_server.db_url, ROOT / "examples" / "hjhq.toml")
    hall = Hall(module_server, "hjhq", "abc-hjhq")
    kiosk = hall.client(hall.enrol("kiosk", "k-track"))
    ticket = hall.issue(kiosk, "water-connect")
    base = module_server.url.removesuffix("/api/v1")
    page = httpx.get(f"{base}/t/{ticket['id']}", timeout=10)
    assert page.status_code == 200
    water_mn = "\u1824\u1830\u1824 \u1835\u1820\u182f\u182d\u1820\u182c\u1824"  # usu jalɣaqu
    assert "writing-mode:vertical-lr" in page.text and 'url("/fonts/mongolian.ttf")' in page.text
    band = page.text.split('<div class="mn" lang="mn-Mong">', 1)[1].split("</div>", 1)[0]
    assert band.startswith("\u182c\u1820\u1829\u182d\u1822\u1828 ") and water_mn in band
    font = httpx.get(f"{base}/fonts/mongolian.ttf", timeout=10)
    assert font.status_code == 200 and font.content[:4] in (b"\x00\x01\x00\x00", b"OTTO")
    assert font.headers["content-type"] == "font/ttf" and len(font.content) > 50_000
    if browser_missing():
        return  # the page and the font were checked above; the browser only looks
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2)
        tab.goto(f"{base}/t/{ticket['id']}")
        tab.evaluate("document.fonts.ready")
        assert tab.evaluate("document.fonts.check('16px \"Kuaiban Mongolian\"')")
        box = tab.locator(".mn:visible").first.bounding_box()  # (the status card's)
        assert box is not None and box["height"] > 1.5 * box["width"], box  # vertical
        tab.screenshot(path=str(shots_folder(tmp_path) / "status-page-mn.png"), full_page=True)
