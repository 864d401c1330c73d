"""Our driver against a minimal reader written here from protocols/idcard.md alone (not from our
protocol module), on a real pseudo-terminal: a reader that knows only find, select and read
(30 01) must still give its card, whether it refuses 30 03 or stays silent."""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Iterator
from functools import reduce

import pytest

from devices.idcard import open_reader

PRE = bytes.fromhex("AAAAAA9669")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


NUMBER = with_check("15082619850312002")


def answer(sw3: int, data: bytes = b"") -> bytes:
    body = bytes((0, 0, sw3)) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PRE + length + body + bytes([reduce(lambda a, b: a ^ b, length + body, 0)])


def text_block() -> bytes:
    parts = [("王丽华", 30), ("2", 2), ("01", 4), ("19850312", 16),
             ("内蒙古自治区巴彦淖尔市杭锦后旗陕坝镇", 70), (NUMBER, 36), ("杭锦后旗公安局", 30),
             ("20150101", 16), ("20350101", 16), ("", 36)]
    out = b"".join(t.encode("utf-16-le") + " ".encode("utf-16-le") * ((n - 2 * len(t)) // 2)
                   for t, n in parts)
    assert len(out) == 256
    return out


def serve(fd: int, appended: str, stop: threading.Event) -> None:
    """Answer each command frame as idcard.md says; `appended` is what 30 03 gets."""
    buf = b""
    while not stop.is_set():
        try:
            buf += os.read(fd, 4096)
        except OSError:
            return
        while (start := buf.find(PRE)) >= 0 and len(buf) >= start + 7:
            size = int.from_bytes(buf[start + 5:start + 7], "big")
            if len(buf) < start + 7 + size:
                break
            cmd, buf = buf[start + 7:start + 9], buf[start + 7 + size:]
            reply = {b"\x11\xff": answer(0x90), b"\x20\x01": answer(0x9F, bytes(4)),
                     b"\x20\x02": answer(0x90, bytes(8)),
                     b"\x30\x01": answer(0x90, b"\x01\x00\x04\x00" + text_block() + bytes(1024)),
                     }.get(cmd)
            if cmd == b"\x30\x03":
                reply = None if appended == "silent" else answer(0x21)
            if reply is not None:
                os.write(fd, reply)


@pytest.fixture(params=["refused", "silent"])
def peer(request: pytest.FixtureRequest) -> Iterator[str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(master, request.param, stop), daemon=True)
    thread.start()
    try:
        yield f"serial://{os.ttyname(slave)}?baudrate=115200"
    finally:
        stop.set()
        os.close(slave)
        os.close(master)
        thread.join(2)


def test_a_reader_without_the_appended_address_command_still_gives_its_card(peer: str) -> None:
    reader = open_reader(peer)
    try:
        card = reader.read_card(timeout=5)
    finally:
        reader.close()
    assert card is not None
    assert card.number == NUMBER and card.name == "王丽华"
    assert card.address.startswith("内蒙古自治区") and "appended_address" not in card.extra
