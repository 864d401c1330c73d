"""The device console's view-model against real simulators: the card reader, printer and pad as
`python -m devices sim KIND --pty` processes (a driver reads them over the pseudo-terminal), the
document camera in this process with its control socket, as the demo's kiosk has it. What the
console does must be what a driver then sees."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from kiosk.checkin import read_qr
from kiosk.config import DeviceUrls, TerminalConfig
from kiosk.devconsole import DeviceConsole, build_console, stop_console
from kiosk.simdevices import Simulators, control_sockets
from kiosk.tasks import TaskRunner
from tests.kiosk.simrig import Rig

PUBLIC = "http://192.168.1.20:8750"
TRACK = f"{PUBLIC}/t/k3v9q2"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    made = Rig(tmp_path_factory.mktemp("sims"))
    yield made
    made.close()


@pytest.fixture
def console(rig: Rig, qtbot: Any) -> Iterator[DeviceConsole]:
    made = DeviceConsole(Simulators(rig.sockets()), TaskRunner(), PUBLIC)
    made.start()
    qtbot.waitUntil(lambda: all(made.running(k) for k in rig.sockets()) and bool(made.cards),
                    timeout=10000)
    yield made
    stop_console(made)


def said(console: DeviceConsole, qtbot: Any, key: str) -> dict[str, object]:
    qtbot.waitUntil(lambda: console.last_said[0] == key, timeout=10000)
    fields = console.last_said[1]
    console.last_said = ("", {})
    return fields


def test_a_card_put_on_the_reader_is_read_over_the_pty_and_taken_away(
        rig: Rig, console: DeviceConsole, qtbot: Any) -> None:
    assert console.states["idcard"]["mode"] == "hold" and console.states["idcard"]["card"] is None
    assert rig.reader.read_card(1.5) is None  # held: nobody's card until one is put down
    names = {int(str(c["index"])): str(c["name"]) for c in console.cards}
    console.present_card(2)
    assert said(console, qtbot, "card_on") == {"name": names[2]}
    card = rig.reader.read_card(8)
    assert card is not None and card.name == names[2]
    console.remove_card()
    said(console, qtbot, "card_off")
    assert rig.reader.read_card(1.5) is None
    console.present_card(1)  # another person: read once more
    said(console, qtbot, "card_on")
    card = rig.reader.read_card(8)
    assert card is not None and card.name == names[1]
    qtbot.waitUntil(lambda: console.states["idcard"]["card"] == 1, timeout=5000)
    console.remove_card()
    said(console, qtbot, "card_off")


def _print(rig: Rig, number: str) -> None:
    rig.print_ticket(number, f"{TRACK}{number}")


def test_each_printed_ticket_is_drawn_from_its_bytes_and_its_qr_shown_to_the_camera(
        rig: Rig, console: DeviceConsole, qtbot: Any) -> None:
    _print(rig, "A031")
    _print(rig, "A032")
    qtbot.waitUntil(lambda: [t.number for t in console.tickets][:2] == ["A032", "A031"],
                    timeout=10000)
    newest = console.tickets[0]
    assert newest.qr == f"{TRACK}A032" and newest.title == "一窗受理 · 企业开办"
    picture = Image.open(io.BytesIO(newest.png))
    assert picture.size == newest.size and picture.size[0] == 576  # 80 mm at 203 dpi
    # the picture is the paper: its QR code scans to the ticket's link
    assert rig.qr.decode_qr(np.array(picture.convert("RGB"))[:, :, ::-1].copy()) == newest.qr
    console.show_ticket(1)
    assert said(console, qtbot, "ticket_shown") == {"number": "A031"}
    assert rig.under_camera() == f"{TRACK}A031"
    console.show_text("a032")  # a number typed: the printed ticket of that number
    said(console, qtbot, "ticket_shown")
    assert rig.under_camera() == f"{TRACK}A032"
    console.clear_camera()
    said(console, qtbot, "camera_clear")
    assert rig.under_camera() is None


def test_a_booking_code_is_shown_as_the_phone_pages_qr(rig: Rig, console: DeviceConsole,
                                                        qtbot: Any) -> None:
    console.show_text(" abcde-fghjk ")
    assert said(console, qtbot, "booking_shown") == {"code": "ABCDE-FGHJK"}
    text = rig.under_camera()
    assert text == f"{PUBLIC}/m/#a=ABCDE-FGHJK"
    assert read_qr(text) == ("code", "ABCDEFGHJK")  # what the kiosk's check-in reads from it
    for typed in ("hello", "ABCDE-FGHJ0", "Z999"):
        console.show_text(typed)
        assert said(console, qtbot, "no_such_ticket" if typed == "Z999" else "not_a_code")
    console.clear_camera()
    said(console, qtbot, "camera_clear")


def test_paper_and_cover_reach_the_printer_drivers_status(rig: Rig, console: DeviceConsole,
                                                          qtbot: Any) -> None:
    for action, key, health in ((lambda: console.paper("out"), "paper_out", "paper_out"),
                                (lambda: console.paper("ok"), "paper_ok", "online"),
                                (lambda: console.cover(True), "cover_open", "cover_open"),
                                (lambda: console.cover(False), "cover_closed", "online")):
        action()
        said(console, qtbot, key)
        assert rig.printer.status().value == health
    assert console.states["printer"]["paper"] == "ok"


def test_a_key_pressed_on_the_pad_is_the_rating_the_driver_reads(
        rig: Rig, console: DeviceConsole, qtbot: Any) -> None:
    console.press(4)
    assert said(console, qtbot, "pressed") == {"level": 4}
    rating = rig.pad.read_rating(5)
    assert rating is not None and rating.level == 4
    console.press(1)  # a low rating comes with a reason, as the pad asks for one
    said(console, qtbot, "pressed")
    rating = rig.pad.read_rating(5)
    assert rating is not None and rating.level == 1 and rating.reasons


def test_a_simulator_that_is_not_running_is_said_so(tmp_path: Path, qtbot: Any) -> None:
    console = DeviceConsole(Simulators({"idcard": str(tmp_path / "gone.sock")}), TaskRunner(),
                            PUBLIC)
    try:
        console.present_card(0)
        assert said(console, qtbot, "not_running") == {"device": "idcard"}
        console.press(5)  # no pad in its configuration at all
        assert said(console, qtbot, "not_running") == {"device": "pad"}
        console.refresh()
        qtbot.waitUntil(lambda: "idcard" in console.errors, timeout=5000)
        assert not console.running("idcard")
    finally:
        stop_console(console)


def test_the_console_finds_the_sockets_in_its_device_urls() -> None:
    urls = DeviceUrls(idcard="sim://idcard?hold=1&control=/run/a/idcard.sock",
                      printer="sim://printer?control=/run/a/printer.sock",
                      camera="sim://camera", pad="sim://pad?every=0&control=/run/a/pad.sock")
    assert control_sockets(urls.model_dump()) == {
        "idcard": "/run/a/idcard.sock", "printer": "/run/a/printer.sock", "pad": "/run/a/pad.sock"}
    console = build_console(TerminalConfig(role="devices", server=PUBLIC, devices=urls))
    try:
        assert console.configured("printer") and not console.configured("camera")
        assert console.public_url == PUBLIC
    finally:
        stop_console(console)
