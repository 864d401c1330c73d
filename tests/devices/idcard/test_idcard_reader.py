"""The driver against the simulator: in-process, and over a real pseudo-terminal (the simulator
as a child process, opened through serial:///dev/pts/N)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest

from devices.errors import BadAddress, DeviceUnavailable, PermanentFault
from devices.health import Health
from devices.idcard import ReaderFault, open_reader
from devices.idcard.photo import PhotoUnavailable, register_photo_decoder
from devices.idcard.protocol import Command
from devices.idcard.simulator import load_cards


def test_reads_the_sample_cards_in_turn_and_debounces() -> None:
    reader = open_reader("sim://idcard?dwell=1.5&gap=0.3")
    try:
        assert reader.health is Health.ONLINE
        first = reader.read_card(2)
        assert first is not None and first.name == "王丽华"
        again = reader.read_card(0.3)  # still on the antenna: not a new card
        assert again is None
        second = reader.read_card(5)
        assert second is not None and second.name == "张宝山" and second.valid_to is None
        assert second.extra["appended_address"].startswith("内蒙古自治区巴彦淖尔市临河区")
    finally:
        reader.close()


def test_manual_presentation_forget_and_commands_sent() -> None:
    reader = open_reader("sim://idcard")
    sim = reader.simulator  # type: ignore[attr-defined]
    try:
        sim.remove()
        assert reader.read_card(0.3) is None
        sim.present(2)
        card = reader.read_card(1)
        assert card is not None and card.name == "阿依古丽·买买提"
        assert reader.read_card(0.3) is None
        reader.forget()
        assert reader.read_card(1) == card
        sent = set(sim.requests)
        assert (0x30, 0x10) not in sent and {(0x20, 1), (0x20, 2), (0x30, 1), (0x30, 3)} <= sent
    finally:
        reader.close()


def test_photo_stays_in_memory_and_needs_a_vendor_decoder(tmp_path: Path) -> None:
    reader = open_reader("sim://idcard?card=0&dwell=10")
    try:
        with pytest.raises(PhotoUnavailable):
            reader.photo_bmp()
        assert reader.read_card(1) is not None
        with pytest.raises(PhotoUnavailable, match="no WLT photo decoder"):
            reader.photo_bmp()
        register_photo_decoder(lambda wlt: b"BM" + wlt[:10])
        assert reader.photo_bmp().startswith(b"BMWLTSIM")
        reader.forget()
        with pytest.raises(PhotoUnavailable):
            reader.photo_bmp()
    finally:
        register_photo_decoder(None)
        reader.close()


def test_sam_id_and_sam_fault_is_permanent() -> None:
    reader = open_reader("sim://idcard")
    assert reader.sam_id() == "05.01-20101129-0001228293-0296863149"
    reader.close()
    faulty = open_reader("sim://idcard?sam=fault")
    try:
        assert faulty.health is Health.ERROR
        with pytest.raises(ReaderFault, match="SW3=60"):
            faulty.read_card(0.5)
        assert isinstance(ReaderFault("x"), PermanentFault)
    finally:
        faulty.close()


def test_garbled_and_split_answers_are_survived() -> None:
    reader = open_reader("sim://idcard?garble=0.3&split=1&dwell=30")
    try:
        card = reader.read_card(5)
        assert card is not None and card.name == "王丽华"
    finally:
        reader.close()


def test_slow_answer_within_timeouts_still_reads() -> None:
    reader = open_reader("sim://idcard?slow=0.3&dwell=30")
    try:
        assert reader.read_card(5) is not None
    finally:
        reader.close()


def _polled(reader, seconds: float):  # type: ignore[no-untyped-def]
    """The kiosk's way: read_card(0.5) again and again until a card (or `seconds` pass)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        card = reader.read_card(0.5)
        if card is not None:
            return card
    return None


@pytest.mark.parametrize("slow", [0.06, 0.12, 0.3])
def test_a_reader_slower_than_the_poll_s_last_find_still_reads_every_card(slow: float) -> None:
    """Answers do not name their command: a find cut short by read_card's deadline was answered
    late, that answer was taken for the next command's, and every answer after it was one
    behind: a reader answering in 60 ms failed every card ("select card: SW3=9F")."""
    reader = open_reader(f"sim://idcard?slow={slow}&hold=1")
    sim = reader.simulator  # type: ignore[attr-defined]
    try:
        for _ in range(3):
            assert reader.read_card(0.5) is None
        for index in (0, 1):
            sim.present(index)
            card = _polled(reader, 5)
            assert card is not None and card.name == load_cards()[index].card.name, index
            assert reader.last_problem is None
            sim.remove()
            assert _polled(reader, 1.2) is None and reader.health is Health.ONLINE
    finally:
        reader.close()


def test_a_slow_reader_over_a_real_pty_reads_card_after_card(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--slow", "0.08", "--dwell", "1.2", "--gap", "1.5")
    reader = open_reader(sim.url)
    order = [s.card.name for s in load_cards()]
    try:
        first = _polled(reader, 10)
        second = _polled(reader, 6)  # after a gap of polls cut short by their deadline
        assert first is not None and second is not None, reader.last_problem
        assert order.index(second.name) == (order.index(first.name) + 1) % len(order)
    finally:
        reader.close()


def test_reader_too_slow_to_answer_is_offline() -> None:
    reader = open_reader("sim://idcard?slow=1.5")
    try:
        with pytest.raises(DeviceUnavailable):
            reader.read_card(1.0)
        assert reader.health is Health.OFFLINE
    finally:
        reader.close()


def test_unplug_then_replug_in_process() -> None:
    reader = open_reader("sim://idcard?dwell=0")
    sim = reader.simulator  # type: ignore[attr-defined]
    try:
        sim.unplugged = True
        with pytest.raises(DeviceUnavailable):
            reader.read_card(0.3)
        assert reader.health is Health.OFFLINE
        sim.unplugged = False
        sim.present(1)
        card = reader.read_card(3)
        assert card is not None and card.name == "张宝山" and reader.health is Health.ONLINE
        assert reader.supervisor.connects == 2
    finally:
        reader.close()


@pytest.mark.parametrize("url", ["sim://printer", "sim://idcard?bogus=1", "sim://idcard?dwell=x",
                                 "serial:///dev/ttyUSB0?baud=9600", "serial://ttyUSB0",
                                 "usb://0400", "usb://0x0400:0xc35a?x=1", "/dev/ttyUSB0", "sim://idcard?cards=/nonexistent.json"])
def test_bad_urls_show_the_expected_form(url: str) -> None:
    with pytest.raises(BadAddress, match="expected"):
        open_reader(url)


def test_missing_serial_device_is_offline_not_an_error() -> None:
    reader = open_reader("serial:///dev/ttyUSB97")
    try:
        assert reader.health is Health.OFFLINE
        with pytest.raises(DeviceUnavailable):
            reader.read_card(0.2)
    finally:
        reader.close()


def test_over_a_real_pty(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("idcard", "--dwell", "1.5", "--gap", "0.5", "--split")
    reader = open_reader(sim.url)
    order = [s.card.name for s in load_cards()]
    try:
        assert reader.sam_id(timeout=10) == "05.01-20101129-0001228293-0296863149"
        first, second = reader.read_card(10), reader.read_card(10)
        assert first is not None and second is not None
        # Which card is on the antenna depends on the clock; the next one must follow it.
        assert order.index(second.name) == (order.index(first.name) + 1) % len(order)
    finally:
        reader.close()


def test_unplug_and_replug_on_a_new_pty_behind_a_stable_link(sim_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    link = str(tmp_path / "ttyIDCARD")
    first = sim_process("idcard", "--link", link, "--dwell", "60")
    reader = open_reader(f"serial://{link}")
    try:
        assert reader.read_card(10) is not None
        first.stop()  # unplugged
        with pytest.raises(DeviceUnavailable):
            reader.read_card(0.5)
        assert reader.health is Health.OFFLINE
        second = sim_process("idcard", "--link", link, "--dwell", "60", "--card", "2")
        assert os.readlink(link) == second.path  # the kernel may reuse the number
        card = reader.read_card(15)
        assert card is not None and card.name == "阿依古丽·买买提"
        assert reader.health is Health.ONLINE
    finally:
        reader.close()


def test_commands_enum_is_what_the_driver_can_send() -> None:
    assert Command.READ_TEXT_PHOTO.value == (0x30, 0x01)


def test_a_card_left_on_the_antenna_is_not_read_twice_until_lifted() -> None:
    reader = open_reader("sim://idcard?dwell=0")
    sim = reader.simulator  # type: ignore[attr-defined]
    try:
        sim.present(0)
        assert reader.read_card(1) is not None
        time.sleep(0.5)  # the kiosk is busy with the ticket; nobody polls; the card stays
        assert reader.read_card(0.3) is None
        sim.present(None)
        assert reader.read_card(0.3) is None  # lifted (seen while polling) ...
        sim.present(0)
        again = reader.read_card(1)  # ... and placed again: a new read
        assert again is not None and again.name == "王丽华"
    finally:
        reader.close()


def test_simulator_unplugs_and_replugs_itself_and_the_reader_recovers(sim_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    link = str(tmp_path / "ttyIDCARD")
    sim_process("idcard", "--link", link, "--card", "0", "--dwell", "3600",
                "--unplug-after", "1", "--replug-after", "0.3")
    reader = open_reader(f"serial://{link}")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and reader.supervisor.connects < 2:
            reader.forget()
            with contextlib.suppress(DeviceUnavailable):  # while the pty is gone
                reader.read_card(0.5)
        assert reader.supervisor.connects >= 2  # the supervisor noticed and reconnected
        reader.forget()
        card = reader.read_card(10)
        assert card is not None and card.name == "王丽华" and reader.health is Health.ONLINE
    finally:
        reader.close()


def test_a_card_whose_text_block_is_nonsense_is_reported_after_a_second_try() -> None:
    from devices.idcard.card import CardDataError
    from devices.idcard.protocol import Answer
    from devices.idcard.reader import IdCardReader
    from devices.idcard.simulator import IdCardSimulator
    from devices.simlink import SimPort

    class BadBirthDate(IdCardSimulator):
        def answer(self, cmd: int, para: int, now: float, data: bytes = b"") -> Answer:
            answer = super().answer(cmd, para, now, data)
            if (cmd, para) == (0x30, 0x01) and answer.sw3 == 0x90:
                data = bytearray(answer.data)
                data[4 + 36 : 4 + 52] = "1985AB12".encode("utf-16-le")
                return Answer(0, 0, 0x90, bytes(data))
            return answer

    sim = BadBirthDate(load_cards(), dwell=0)
    sim.present(0)
    reader = IdCardReader("sim://idcard", lambda: SimPort(sim))
    try:
        with pytest.raises(CardDataError, match="birth date"):
            reader.read_card(3)
        assert sim.requests.count((0x30, 0x01)) == 2
    finally:
        reader.close()


def _reader_with(answer_hook):  # type: ignore[no-untyped-def]
    """A reader over an in-process simulator whose answers `answer_hook(cmd, para, answer)`
    may replace, with card 0 on the antenna."""
    from devices.idcard.protocol import Answer
    from devices.idcard.reader import IdCardReader
    from devices.idcard.simulator import IdCardSimulator
    from devices.simlink import SimPort

    class Hooked(IdCardSimulator):
        def answer(self, cmd: int, para: int, now: float, data: bytes = b"") -> Answer:
            return answer_hook(cmd, para, super().answer(cmd, para, now, data))

    sim = Hooked(load_cards(), dwell=0)
    sim.present(0)
    return sim, IdCardReader("sim://idcard", lambda: SimPort(sim))


def test_a_card_whose_number_fails_its_check_character_is_refused() -> None:
    """GB 11643 (idcard.md): a text block whose number's check character is wrong, or whose
    number is not 18 characters, is corrupt or forged, not a card to take a number with."""
    from devices.idcard.card import CardDataError
    from devices.idcard.protocol import Answer

    def wrong_check(cmd: int, para: int, answer: Answer) -> Answer:
        if (cmd, para) == (0x30, 0x01) and answer.sw3 == 0x90:
            data = bytearray(answer.data)
            number = data[4 + 122 : 4 + 158].decode("utf-16-le")
            bad = number[:17] + ("0" if number[17] != "0" else "1")
            data[4 + 122 : 4 + 158] = bad.encode("utf-16-le")
            return Answer(0, 0, 0x90, bytes(data))
        return answer

    _, reader = _reader_with(wrong_check)
    try:
        with pytest.raises(CardDataError, match="check character") as info:
            reader.read_card(3)
        assert "150826194811050019"[:17] not in str(info.value)  # masked even here
    finally:
        reader.close()


def test_a_card_found_but_not_selected_says_so_when_the_wait_ends() -> None:
    from devices.idcard.protocol import Answer

    def select_fails(cmd: int, para: int, answer: Answer) -> Answer:
        return Answer(0, 0, 0x81, b"") if (cmd, para) == (0x20, 0x02) else answer

    _, reader = _reader_with(select_fails)
    try:
        assert reader.read_card(0.6) is None
        assert reader.last_problem is not None and "select" in reader.last_problem
    finally:
        reader.close()
    quiet = open_reader("sim://idcard?dwell=0")  # no card at all: no problem to tell
    try:
        assert quiet.read_card(0.3) is None and quiet.last_problem is None
    finally:
        quiet.close()


def test_a_silent_reader_does_not_stretch_the_wait() -> None:
    """A pty nobody answers on: opening (its first try) and read_card together keep within
    the time asked for, not SAM status's and find's own timeouts after it."""
    master, slave = os.openpty()
    try:
        started = time.monotonic()
        reader = open_reader(f"serial://{os.ttyname(slave)}", within=0.3)
        opened = time.monotonic() - started
        try:
            with pytest.raises(DeviceUnavailable):
                reader.read_card(0.4)
        finally:
            reader.close()
        took = time.monotonic() - started
    finally:
        os.close(master)
        os.close(slave)
    assert opened < 0.3 + 0.25 and took < 0.7 + 0.5, (opened, took)
