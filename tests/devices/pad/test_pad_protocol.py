"""The pad frame codec (docs/pad-protocol.md): golden bytes, round trips, and robustness."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.pad import protocol as p


def test_golden_frames_of_the_documentation() -> None:
    # CRCs computed independently by GF(2) polynomial long division (x^8 + x^2 + x + 1).
    assert p.rating_frame(p.Rating(5), seq=1).hex(" ") == "a5 5a 02 01 01 05 00 f8"
    assert p.rating_frame(p.Rating(2, ("wait",)), seq=7).hex(" ") == "a5 5a 03 07 01 02 01 05 9c"
    assert p.heartbeat_frame(seq=2).hex(" ") == "a5 5a 01 02 02 00 ea"
    assert p.show_frame("A012", seq=9).hex(" ") == "a5 5a 04 09 11 41 30 31 32 5d"
    assert p.ping_frame(seq=0x50).hex(" ") == "a5 5a 00 50 12 72"
    assert p.ack_frame(p.PadFrame(p.FrameType.RATING, 7)).hex(" ") == "a5 5a 02 07 7f 01 00 93"
    assert p.crc8(b"123456789") == 0xF4  # CRC-8 (poly 07) check value


def test_parser_skips_noise_and_bad_crc_and_joins_split_frames() -> None:
    good = p.rating_frame(p.Rating(1, ("attitude", "slow")), seq=3)
    bad = bytearray(good)
    bad[-1] ^= 1
    parser = p.PadParser()
    stream = b"\x00\xa5\xff" + bytes(bad) + good
    frames = [f for i in range(len(stream)) for f in parser.feed(stream[i : i + 1])]
    assert [p.parse_rating(f.payload) for f in frames] == [p.Rating(1, ("attitude", "slow"))]
    assert parser.dropped == 1


@pytest.mark.parametrize(("payload", "message"), [
    (b"\x05", "shorter"), (b"\x06\x00", "outside 1..5"), (b"\x02\x02\x01", "carries 1"),
    (b"\x02\x01\x09", "unknown reason"), (b"\x02\x00", "level 2 rating without a reason"),
    (b"\x01\x00", "level 1 rating without a reason")])
def test_bad_rating_payloads_say_why(payload: bytes, message: str) -> None:
    with pytest.raises(p.PadProtocolError, match=message):
        p.parse_rating(payload)


ratings = st.builds(p.Rating, st.integers(1, 5),
                    st.lists(st.sampled_from(list(p.REASONS.values())), max_size=6).map(tuple)
                    ).filter(lambda r: r.level > 2 or r.reasons)  # 1-2 carry a reason
frames = st.builds(p.PadFrame, st.integers(0, 255), st.integers(0, 255), st.binary(max_size=64))


@given(ratings, st.integers(0, 255))
@settings(deadline=None)  # a loaded CI machine must not fail on time
def test_rating_round_trip(rating: p.Rating, seq: int) -> None:
    [frame] = p.PadParser().feed(p.rating_frame(rating, seq))
    assert frame.seq == seq and p.parse_rating(frame.payload) == rating


@given(st.lists(frames, max_size=5), st.binary(max_size=30), st.data())
@settings(max_examples=150, deadline=None)
def test_frame_round_trip_through_noise_and_splits(items: list[p.PadFrame], noise: bytes, data: st.DataObject) -> None:
    stream = noise.replace(b"\xa5", b"") + b"".join(p.encode(f) for f in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    parser, got, last = p.PadParser(), [], 0
    for cut in [*cuts, len(stream)]:
        got += parser.feed(stream[last:cut])
        last = cut
    assert got == items


@given(st.text(min_size=1, max_size=5).filter(lambda t: len(t.encode()) <= 16), st.integers(0, 255))
@settings(deadline=None)  # a loaded CI machine must not fail on time
def test_show_round_trip(number: str, seq: int) -> None:
    [frame] = p.PadParser().feed(p.show_frame(number, seq))
    assert p.parse_show(frame.payload) == number


@given(st.binary(max_size=500))
@settings(max_examples=300, deadline=None)
def test_no_bytes_make_the_pad_parsers_raise_anything_but_their_error(blob: bytes) -> None:
    for frame in p.PadParser().feed(blob):
        for parse in (p.parse_rating, p.parse_show):
            with contextlib.suppress(ProtocolError):
                parse(frame.payload)


@given(st.lists(st.integers(0, 0x2FF), max_size=10), st.integers(0, 23))
@settings(deadline=None)
def test_evdev_key_presses_round_trip_across_any_split(codes: list[int], cut: int) -> None:
    from devices.pad.keys import decode_events, encode_press

    raw = b"".join(encode_press(code, 1700000000.25) for code in codes)
    first, tail = decode_events(raw[:cut])
    rest, left = decode_events(tail + raw[cut:])
    assert first + rest == codes and left == b""


@given(st.binary(max_size=200))
@settings(deadline=None)
def test_evdev_decoder_never_raises(blob: bytes) -> None:
    from devices.pad.keys import EVENT, decode_events

    codes, tail = decode_events(blob)
    assert len(tail) < EVENT.size and len(codes) <= len(blob) // EVENT.size
