"""The simulators of a terminal for the device console's tests: the card reader, printer and pad
as `python -m devices sim KIND --pty` processes with a driver on each pty, the document camera in
this process with its control socket (as the demo's kiosk has it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from devices.camera import open_camera
from devices.idcard import open_reader
from devices.pad import open_pad
from devices.printer.driver import open_printer
from devices.printer.layout import TicketLayout
from kiosk.devices_manager import DeviceManager
from tests.devices.conftest import SimProcess


class Rig:
    """The simulators and a driver on each, as a terminal has them."""

    def __init__(self, folder: Path) -> None:
        self.sims = [SimProcess("idcard", "--hold"), SimProcess("printer"), SimProcess("pad", "--hold")]
        self.idcard, self.printer_sim, self.pad_sim = self.sims
        self.camera_socket = str(folder / "camera.sock")
        self.camera = open_camera(f"sim://camera?scene=page&control={self.camera_socket}")
        self.reader = open_reader(self.idcard.url)
        self.printer = open_printer(self.printer_sim.url)
        self.pad = open_pad(self.pad_sim.url)
        self.qr = DeviceManager({})

    def sockets(self) -> dict[str, str]:
        return {"idcard": self.idcard.control, "printer": self.printer_sim.control,
                "pad": self.pad_sim.control, "camera": self.camera_socket}

    def print_ticket(self, number: str, track_url: str) -> None:
        self.printer.print_ticket(TicketLayout(
            hall_name="杭锦后旗政务服务中心", service_name="企业开办", zone_name="一窗受理",
            number=number, ahead=2, estimated_wait_min=6,
            issued_at=datetime(2026, 3, 9, 9, 12), track_url=track_url))

    def under_camera(self) -> str | None:
        return self.qr.decode_qr(self.camera.preview())

    def close(self) -> None:
        for device in (self.reader, self.printer, self.pad, self.camera):
            device.close()
        for sim in self.sims:
            sim.stop()
