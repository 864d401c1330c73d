"""Pads end to end: the serial driver against the simulator (in-process and on a real pty), and
keyboard-style pads reading raw evdev records or text lines."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from devices.errors import BadAddress, DeviceUnavailable
from devices.health import Health
from devices.pad import open_pad
from devices.pad.keys import KEY_CODES, encode_press
from devices.pad.protocol import Rating


def test_simulated_pad_sends_ratings_with_reasons_and_shows_the_page() -> None:
    pad = open_pad("sim://pad?every=0.1&levels=5,2")
    try:
        assert pad.health is Health.ONLINE
        assert pad.read_rating(2) == Rating(5)
        assert pad.read_rating(2) == Rating(2, ("wait",))
        pad.show_rating_page("A012")
        assert pad.simulator.shown == ["A012"]  # type: ignore[attr-defined]
    finally:
        pad.close()


def test_a_lost_ack_makes_the_pad_resend_but_the_rating_counts_once() -> None:
    pad = open_pad("sim://pad?every=0")
    sim = pad.simulator  # type: ignore[attr-defined]
    try:
        sim.ignore_acks = 2
        sim.press(1, ("attitude",))
        assert pad.read_rating(1) == Rating(1, ("attitude",))
        assert pad.read_rating(1.6) is None  # two retransmissions arrived and were ACKed only
        assert len(sim.acked) == 1
    finally:
        pad.close()


def test_garbled_and_split_frames_from_the_pad() -> None:
    pad = open_pad("sim://pad?every=0.2&garble=0.3&split=1&levels=3")
    try:
        assert pad.read_rating(4) == Rating(3)
    finally:
        pad.close()


def test_unplugged_pad_goes_offline_and_comes_back() -> None:
    pad = open_pad("sim://pad?every=0")
    sim = pad.simulator  # type: ignore[attr-defined]
    try:
        sim.unplugged = True
        with pytest.raises(DeviceUnavailable):
            pad.read_rating(0.3)
        assert pad.health is Health.OFFLINE
        sim.unplugged = False
        sim.press(4)
        assert pad.read_rating(3) == Rating(4) and pad.health is Health.ONLINE
    finally:
        pad.close()


def test_serial_pad_over_a_real_pty(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("pad", "--every", "0.3", "--split")
    pad = open_pad(sim.url)
    try:
        assert pad.read_rating(3) == Rating(5)
        pad.show_rating_page("B007")
        assert pad.read_rating(3) == Rating(4)
    finally:
        pad.close()


@pytest.mark.parametrize("url", ["sim://pad?every=x", "sim://pad?levels=7", "keys://?map=KEY_1:1",
                                 "keys://stdin?map=KEY_ZZ:1", "keys://stdin?map=KEY_1:9",
                                 "keys://stdin?format=csv", "keys://stdin?bogus=1", "pad://x"])
def test_bad_pad_urls_show_the_expected_form(url: str) -> None:
    with pytest.raises(BadAddress, match="expected"):
        open_pad(url)


def test_key_pad_reads_raw_evdev_records_from_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "event7"
    os.mkfifo(fifo)
    pad = open_pad(f"keys://{fifo}?map=KEY_KP1:1,KEY_KP5:5,KEY_F3:3")
    presses = encode_press(KEY_CODES["KEY_A"]) + encode_press(KEY_CODES["KEY_KP5"]) + encode_press(KEY_CODES["KEY_F3"])

    def write() -> None:
        with open(fifo, "wb") as sink:
            sink.write(presses[:30])  # an event split across writes
            sink.flush()
            sink.write(presses[30:])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert pad.health is Health.ONLINE
        assert pad.read_rating(2) == Rating(5)  # KEY_A is not mapped: ignored
        assert pad.read_rating(2) == Rating(3)
        assert pad.read_rating(0.2) is None
        pad.show_rating_page("A001")  # no screen: nothing happens, nothing fails
    finally:
        writer.join()
        pad.close()


def test_key_pad_text_source_with_the_default_map(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("KEY_KP2\nhello\n5\n#79\n")
    pad = open_pad(f"keys://{keys}?format=text")
    try:
        assert [pad.read_rating(1) for _ in range(3)] == [Rating(2), Rating(5), Rating(1)]
        assert pad.read_rating(0.1) is None
    finally:
        pad.close()


def test_key_pad_whose_device_is_missing_is_offline(tmp_path: Path) -> None:
    pad = open_pad(f"keys://{tmp_path}/event99")
    try:
        assert pad.health is Health.OFFLINE
        with pytest.raises(DeviceUnavailable):
            pad.read_rating(0.1)
    finally:
        pad.close()


def test_a_held_pad_on_a_pty_rates_only_when_a_key_is_pressed(sim_process) -> None:  # type: ignore[no-untyped-def]
    sim = sim_process("pad", "--hold")
    pad = open_pad(sim.url)
    try:
        assert pad.read_rating(1.2) is None  # heartbeats only
        sim.ctl("press 4")
        assert pad.read_rating(5) == Rating(4)
        sim.ctl("press 1")  # a low rating carries a reason, as a real pad asks for one
        assert pad.read_rating(5) == Rating(1, ("attitude", "slow"))
        sim.ctl("press 2 unclear repeat")
        assert pad.read_rating(5) == Rating(2, ("unclear", "repeat"))
        pad.show_rating_page("A012")
        assert sim.ctl("state")["result"]["shown"] == "A012"
        sim.ctl("auto 0.3")
        assert pad.read_rating(5) is not None
    finally:
        pad.close()


def test_pad_control_commands_refuse_nonsense() -> None:
    from devices.pad.simulator import PadSimulator
    from devices.simctl import dispatch

    controls = PadSimulator().controls()
    for line in ("press", "press 6", "press 2 rude", "auto soon", "plug maybe"):
        assert dispatch(controls, line)["ok"] is False, line


def test_the_host_acks_a_reasonless_low_rating_and_an_unknown_type_as_the_protocol_says(
        ) -> None:
    """docs/pad-protocol.md: a level 1-2 rating carries at least one reason, and a frame with
    bad content is answered RESULT 1 (and not counted); a type the host does not know is
    answered RESULT 2. The pad here is the test, on the far end of a real pty."""
    from devices.pad.protocol import AckResult, FrameType, PadFrame, PadParser, encode

    master, slave = os.openpty()
    acks: list[tuple[int, int, int]] = []  # (acked type, seq, result)
    done = threading.Event()

    def the_pad() -> None:
        parser = PadParser()
        sent = False
        while not done.is_set():
            for frame in parser.feed(os.read(master, 256)):
                if frame.type == FrameType.PING:
                    os.write(master, encode(PadFrame(FrameType.ACK, frame.seq, bytes([0x12, 0]))))
                elif frame.type == FrameType.ACK:
                    acks.append((frame.payload[0], frame.seq, frame.payload[1]))
                if not sent:
                    sent = True
                    os.write(master, encode(PadFrame(FrameType.RATING, 9, bytes([2, 0])))
                             + encode(PadFrame(0x33, 10, b""))
                             + encode(PadFrame(FrameType.RATING, 11, bytes([4, 0]))))
            if len(acks) >= 3:
                done.set()

    pad_thread = threading.Thread(target=the_pad, daemon=True)
    pad_thread.start()
    pad = open_pad(f"serial://{os.ttyname(slave)}")
    try:
        assert pad.read_rating(3) == Rating(4)  # the reasonless 2 was not counted
        assert done.wait(3)
        assert acks == [(0x01, 9, AckResult.BAD_PAYLOAD), (0x33, 10, AckResult.UNKNOWN_TYPE),
                        (0x01, 11, AckResult.OK)]
    finally:
        done.set()
        pad.close()
        os.close(master)
        os.close(slave)
        pad_thread.join(2)
