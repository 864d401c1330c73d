"""The ID card simulator against protocols/idcard.md, byte for byte, over a real pseudo-terminal
(`python -m devices sim idcard --pty` as a child process), and driven through its control
socket: held until told, a chosen card put on the reader and taken away, read by the real
driver."""

from __future__ import annotations

import os
import select
import time
import tty
from collections.abc import Iterator

import pytest

from devices.idcard import open_reader
from devices.idcard.protocol import Command, encode_command
from devices.idcard.reader import transact
from devices.simctl import send
from devices.transport import open_serial

# Golden frames of protocols/idcard.md (host frames and the reader's answers), verbatim.
GOLDEN = {
    "sam_status": ("AA AA AA 96 69 00 03 11 FF ED", "AA AA AA 96 69 00 04 00 00 90 94"),
    "sam_id": ("AA AA AA 96 69 00 03 12 FF EE",
               "AA AA AA 96 69 00 14 00 00 90 05 00 01 00 09 B8 32 01 05 BE 12 00 AD C5 B1 11 63"),
    "reset_sam": ("AA AA AA 96 69 00 03 10 FF EC", "AA AA AA 96 69 00 04 00 00 90 94"),
    "find_none": ("AA AA AA 96 69 00 03 20 01 22", "AA AA AA 96 69 00 04 00 00 80 84"),
    "select_failed": ("AA AA AA 96 69 00 03 20 02 21", "AA AA AA 96 69 00 04 00 00 81 85"),
    "baud_115200": ("AA AA AA 96 69 00 03 60 00 63", "AA AA AA 96 69 00 04 00 00 90 94"),
    "frame_size": ("AA AA AA 96 69 00 04 61 FF 50 CA", "AA AA AA 96 69 00 04 00 00 90 94"),
}
FIND_OK = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"
SELECT_OK = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"
READ_FAILED = "AA AA AA 96 69 00 04 00 00 41 45"
READ_HEAD = "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"


def b(text: str) -> bytes:
    return bytes.fromhex(text)


class RawPort:
    """The pty opened as a host would, with bytes written and whole frames read back."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)

    def ask(self, frame: bytes, timeout: float = 5.0) -> bytes:
        os.write(self.fd, frame)
        buf, deadline = b"", time.monotonic() + timeout
        while time.monotonic() < deadline:
            start = buf.find(b"\xaa\xaa\xaa\x96\x69")
            if start >= 0 and len(buf) >= start + 7:
                size = start + 7 + int.from_bytes(buf[start + 5:start + 7], "big")
                if len(buf) >= size:
                    return buf[start:size]
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                buf += os.read(self.fd, 4096)
        raise AssertionError(f"no whole answer to {frame.hex(' ')} within {timeout} s: {buf.hex(' ')}")

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def held(sim_process) -> Iterator[tuple[object, RawPort]]:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--hold")
    port = RawPort(sim.path)
    try:
        yield sim, port
    finally:
        port.close()


def test_golden_answers_byte_for_byte_over_a_pty(held: tuple[object, RawPort]) -> None:
    sim, port = held
    for name, (ask, answer) in GOLDEN.items():
        assert port.ask(b(ask)) == b(answer), name
    sim.ctl("present 0")  # type: ignore[attr-defined]
    assert port.ask(b("AA AA AA 96 69 00 03 30 01 32")) == b(READ_FAILED)  # read before select
    assert port.ask(b("AA AA AA 96 69 00 03 20 01 22")) == b(FIND_OK)
    assert port.ask(b("AA AA AA 96 69 00 03 20 02 21")) == b(SELECT_OK)
    read = port.ask(b("AA AA AA 96 69 00 03 30 01 32"))
    assert len(read) == 1295 and read.startswith(b(READ_HEAD))
    text = read[14:270].decode("utf-16-le")
    assert text.startswith("王丽华") and "150826198503120028" in text
    assert port.ask(b("AA AA AA 96 69 00 03 30 03 30")) == b("AA AA AA 96 69 00 04 00 00 91 95")


def test_refusals_a_reader_sends(held: tuple[object, RawPort]) -> None:
    _, port = held
    refused = b("AA AA AA 96 69 00 04 00 00 21 25")
    assert port.ask(b("AA AA AA 96 69 00 03 30 10 23")) == refused  # fingerprints: never
    assert port.ask(encode_command(Command.SAM_STATUS)[:-3] + b"\x11\x00\x12") == refused  # 11 00
    assert port.ask(b("AA AA AA 96 69 00 03 61 FF 9D")) == refused  # frame size without its byte
    assert port.ask(b("AA AA AA 96 69 00 03 11 FF EE")) == b("AA AA AA 96 69 00 04 00 00 10 14")
    assert port.ask(b("AA AA AA 96 69 00 01 11 10")) == b("AA AA AA 96 69 00 04 00 00 11 15")
    assert port.ask(b("00 17 AA AA AA 96 69 00 03 11 FF ED")) == b(GOLDEN["sam_status"][1])  # noise


def test_the_real_driver_sets_the_frame_size_over_a_pty(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--hold")
    port = open_serial(f"serial://{sim.path}")
    try:
        answer = transact(port, Command.SET_FRAME_SIZE, 2.0, data=b"\x50")
        assert (answer.sw3, answer.data) == (0x90, b"")
    finally:
        port.close()


def test_held_reader_shows_no_card_until_one_is_presented_and_taken_away(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--hold")
    reader = open_reader(sim.url)
    try:
        assert reader.read_card(0.8) is None  # 请刷身份证: nothing on the reader
        assert sim.ctl("state")["result"] == {"mode": "hold", "card": None, "sam": "ok",
                                              "unplugged": False}
        cards = sim.ctl("cards")["result"]
        assert cards[2]["name"] == "阿依古丽·买买提" and "*" in cards[2]["number"]
        assert sim.ctl("present 阿依古丽")["result"]["card"] == 2
        card = reader.read_card(5)
        assert card is not None and card.name == "阿依古丽·买买提"
        assert reader.read_card(0.5) is None  # still there: read once
        sim.ctl("remove")
        assert reader.read_card(0.5) is None
        sim.ctl("present 1")
        card = reader.read_card(5)
        assert card is not None and card.name == "张宝山"
        refused = send(sim.control, "present 99")
        assert refused["ok"] is False and "0..6" in str(refused["error"])
        sim.ctl("cycle 0.5 0.2")
        assert sim.ctl("state")["result"]["mode"] == "cycle"
    finally:
        reader.close()


def test_sam_fault_and_unplug_through_the_control_socket(sim_process) -> None:  # type: ignore[no-untyped-def]
    from devices.errors import DeviceUnavailable
    from devices.idcard import ReaderFault

    sim = sim_process("idcard", "--hold")
    sim.ctl("sam fault")
    faulty = open_reader(sim.url)
    try:
        with pytest.raises(ReaderFault, match="SW3=60"):
            faulty.read_card(1)
    finally:
        faulty.close()  # the driver leaves a permanent fault alone for a while: a new one
    sim.ctl("sam ok")
    sim.ctl("plug out")
    reader = open_reader(sim.url)
    try:
        with pytest.raises(DeviceUnavailable):
            reader.read_card(1.5)
        sim.ctl("plug in")
        sim.ctl("present 0")
        card = reader.read_card(10)
        assert card is not None and card.name == "王丽华"
    finally:
        reader.close()


def test_cycling_by_default_as_the_contract_says(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard")
    assert sim.ctl("state")["result"]["mode"] == "cycle"
