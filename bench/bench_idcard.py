"""ID card reader benchmark: frames parsed per second by the streaming parser (short answers,
full 1295-byte read answers with text decoding, noisy and split streams; pad frames too), and
whole card reads per second through the driver against the in-process simulator and over a real pty.

Run: .venv/bin/python bench/bench_idcard.py   (about 10 s; every figure is time-bounded)
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.idcard.card import decode_text, encode_text  # noqa: E402
from devices.idcard.protocol import (  # noqa: E402
    Answer,
    FrameParser,
    ReadPayload,
    encode_answer,
    join_read,
    parse_answer,
    split_read,
)
from devices.idcard.reader import IdCardReader, open_reader  # noqa: E402
from devices.idcard.simulator import fake_photo, load_cards  # noqa: E402
from devices.pad.protocol import PadParser, Rating, parse_rating, rating_frame  # noqa: E402

BUDGET = 1.0  # seconds per figure


def rate(work: Callable[[], int], budget: float = BUDGET) -> float:
    """Units of work per second, repeating `work` (which returns units done) for `budget` s."""
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < budget:
        done += work()
    return done / elapsed


def chunked(stream: bytes, size: int) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def main() -> None:
    bench_parsers()
    bench_driver()


def bench_parsers() -> None:
    card = load_cards()[0].card
    status = encode_answer(Answer(0, 0, 0x90, b""))
    read = encode_answer(Answer(0, 0, 0x90, join_read(ReadPayload(encode_text(card), fake_photo(card)))))
    noisy = (b"\x00\x13\xaa\xaa\x96" + status) * 100
    short_stream, long_stream = status * 1000, read * 20

    def parse(stream: bytes, frames: int, size: int | None = None) -> Callable[[], int]:
        pieces = chunked(stream, size) if size else [stream]

        def work() -> int:
            parser, got = FrameParser(), 0
            for piece in pieces:
                got += len(parser.feed(piece))
            assert got == frames
            return got
        return work

    def read_and_decode() -> int:
        parser = FrameParser()
        for piece in chunked(long_stream, 64):
            for body in parser.feed(piece):
                decode_text(split_read(parse_answer(body).data).text)
        return 20

    figures = [
        ("short answers (11 B), one buffer", parse(short_stream, 1000)),
        ("short answers (11 B), 64-byte reads", parse(short_stream, 1000, 64)),
        ("short answers with line noise", parse(noisy, 100)),
        ("read answers (1295 B), 64-byte reads", parse(long_stream, 20, 64)),
        ("read answers + text decode, 64-byte reads", read_and_decode),
    ]
    pad_stream = b"".join(rating_frame(Rating(2, ("wait", "slow")), seq % 256) for seq in range(1000))

    def pad_frames() -> int:
        parser, got = PadParser(), 0
        for piece in chunked(pad_stream, 64):
            for frame in parser.feed(piece):
                parse_rating(frame.payload)
                got += 1
        assert got == 1000
        return got

    figures.append(("pad rating frames (10 B), 64-byte reads", pad_frames))
    for name, work in figures:
        print(f"{name:45s} {rate(work):>12,.0f} frames/s")


def bench_driver() -> None:
    def reads(reader: IdCardReader) -> Callable[[], int]:
        def one_card() -> int:
            reader.forget()  # the same card again, as if lifted and placed back
            assert reader.read_card(2) is not None
            return 1
        return one_card

    reader = open_reader("sim://idcard?dwell=3600")
    try:
        print(f"{'card reads, driver + in-process simulator':45s} {rate(reads(reader)):>12,.1f} cards/s")
    finally:
        reader.close()

    sim = subprocess.Popen([sys.executable, "-m", "devices", "sim", "idcard", "--pty", "--dwell", "3600"],
                           cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert sim.stdout is not None
        reader = open_reader(f"serial://{sim.stdout.readline().strip()}")
        try:
            print(f"{'card reads, driver + simulator over a pty':45s} {rate(reads(reader), 2.0):>12,.1f} cards/s")
        finally:
            reader.close()
    finally:
        sim.terminate()
        sim.wait(5)


if __name__ == "__main__":
    main()
