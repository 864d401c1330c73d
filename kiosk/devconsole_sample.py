"""The device console with sample data, for `--screens` (no simulator runs): the reader's
sample cards, and a ticket really printed on the in-process printer simulator and drawn from its
bytes, so the picture in the screenshot is what the console shows for a real job."""

from __future__ import annotations

import base64
from datetime import datetime

from PySide6.QtCore import QObject

from kiosk.devconsole import DeviceConsole
from kiosk.simdevices import PrintedTicket, Simulators, draw_ticket
from kiosk.tasks import TaskRunner

CONSOLE_STATES = ("start", "working", "paper-out", "stopped")
PUBLIC = "http://192.168.1.20:8750"


def printed_ticket(job: int = 1, number: str = "A012") -> PrintedTicket:
    from devices.printer.driver import open_printer
    from devices.printer.layout import TicketLayout

    printer = open_printer("sim://printer")
    try:
        printer.print_ticket(TicketLayout(
            hall_name="杭锦后旗政务服务中心", service_name="企业开办", zone_name="一窗受理",
            number=number, ahead=3, estimated_wait_min=9,
            issued_at=datetime(2026, 3, 9, 9, 12), track_url=f"{PUBLIC}/t/k3v9q2",
            masked_id="150************0028"))
        data = base64.b64decode(str(printer.simulator.job()["bytes"]))  # type: ignore[attr-defined]
    finally:
        printer.close()
    return draw_ticket(job, data)


def sample_console(state: str, parent: QObject | None = None) -> DeviceConsole:
    """A console in `state` (one of CONSOLE_STATES) that reaches no simulator."""
    from devices.idcard.simulator import IdCardSimulator, load_cards

    console = DeviceConsole(Simulators({}), TaskRunner(parent=parent), PUBLIC, parent)
    if state == "stopped":
        console.last_said = ("not_running", {"device": "idcard"})
        return console
    console.cards = IdCardSimulator(cards=load_cards()).card_list()
    printer = {"paper": "ok", "paper_lines": None, "cover": "closed", "offline": False,
               "cutter": "ok", "jobs": 0, "unplugged": False}
    console.states = {"idcard": {"mode": "hold", "card": None, "sam": "ok", "unplugged": False},
                      "printer": printer, "camera": {"scene": "page", "seed": 0},
                      "pad": {"every": 0.0, "shown": None, "waiting": 0}}
    if state in ("working", "paper-out"):
        console.tickets = [printed_ticket()]
        printer["jobs"] = 1
        console.states["idcard"]["card"] = 0
        console.states["camera"]["scene"] = "picture"
        console.last_said = ("ticket_shown", {"number": "A012"})
    if state == "paper-out":
        printer["paper"] = "out"
        console.last_said = ("paper_out", {})
    return console
