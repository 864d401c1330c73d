"""The frame codec against the golden frames of idcard.md, and its properties."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.errors import DeviceError, PermanentFault, ProtocolError
from devices.idcard import protocol as p

GOLDEN_COMMANDS = {
    p.Command.RESET_SAM: "AA AA AA 96 69 00 03 10 FF EC",
    p.Command.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    p.Command.SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    p.Command.FIND_CARD: "AA AA AA 96 69 00 03 20 01 22",
    p.Command.SELECT_CARD: "AA AA AA 96 69 00 03 20 02 21",
    p.Command.READ_TEXT_PHOTO: "AA AA AA 96 69 00 03 30 01 32",
    p.Command.READ_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    p.Command.SET_BAUD_115200: "AA AA AA 96 69 00 03 60 00 63",
}
GOLDEN_ANSWERS = {
    "AA AA AA 96 69 00 04 00 00 90 94": (0x90, b""),
    "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97": (0x9F, bytes(4)),
    "AA AA AA 96 69 00 04 00 00 80 84": (0x80, b""),
    "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C": (0x90, bytes(8)),
    "AA AA AA 96 69 00 04 00 00 81 85": (0x81, b""),
    "AA AA AA 96 69 00 04 00 00 41 45": (0x41, b""),
}
SAM_ID_FRAME = bytes.fromhex(
    "AA AA AA 96 69 00 14 00 00 90 05 00 01 00 09 B8 32 01 05 BE 12 00 AD C5 B1 11 63")


@pytest.mark.parametrize(("command", "golden"), GOLDEN_COMMANDS.items())
def test_commands_encode_to_the_golden_frames(command: p.Command, golden: str) -> None:
    assert p.encode_command(command) == bytes.fromhex(golden)


def test_the_fingerprint_command_cannot_be_built() -> None:
    assert (0x30, 0x10) not in {c.value for c in p.Command}
    with pytest.raises(TypeError):
        p.encode_command((0x30, 0x10))  # type: ignore[arg-type]


@pytest.mark.parametrize(("golden", "expected"), GOLDEN_ANSWERS.items())
def test_golden_answers_parse(golden: str, expected: tuple[int, bytes]) -> None:
    [body] = p.FrameParser().feed(bytes.fromhex(golden))
    answer = p.parse_answer(body)
    assert (answer.sw3, answer.data) == expected
    assert p.encode_answer(answer) == bytes.fromhex(golden)


def test_sam_id_golden_frame_decodes() -> None:
    [body] = p.FrameParser().feed(SAM_ID_FRAME)
    data = p.parse_answer(body).data
    assert p.decode_sam_id(data) == "05.01-20101129-0001228293-0296863149"
    assert p.encode_sam_id("05.01-20101129-0001228293-0296863149") == data


def test_read_answer_splits_text_and_photo_by_length_fields() -> None:
    payload = p.ReadPayload(bytes(range(256)), b"\x01" * 1024)
    frame = p.encode_answer(p.Answer(0, 0, 0x90, p.join_read(payload)))
    assert len(frame) == 1295 and frame[:14] == bytes.fromhex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    [body] = p.FrameParser().feed(frame)
    assert p.split_read(p.parse_answer(body).data) == payload
    with pytest.raises(ProtocolError):
        p.split_read(b"\x01\x00\x04\x00" + b"x" * 10)


def test_parser_resyncs_after_noise_and_bad_checksum() -> None:
    good = bytes.fromhex("AA AA AA 96 69 00 04 00 00 90 94")
    bad = bytes.fromhex("AA AA AA 96 69 00 04 00 00 90 95")
    noise = b"\x00\xaa\xaa\x13" + b"\xaa\xaa\xaa\x96\x69\xff\xff"  # impossible length
    parser = p.FrameParser()
    assert parser.feed(noise + bad + good + b"\xaa\xaa") == [b"\x00\x00\x90"]
    assert parser.dropped == 2
    assert parser.feed(b"\xaa\x96\x69\x00\x04\x00\x00\x80\x84") == [b"\x00\x00\x80"]


def test_parser_assembles_frames_split_byte_by_byte() -> None:
    stream = SAM_ID_FRAME + bytes.fromhex("AA AA AA 96 69 00 04 00 00 80 84")
    parser, bodies = p.FrameParser(), []
    for i in range(len(stream)):
        bodies += parser.feed(stream[i : i + 1])
    assert [p.parse_answer(b).sw3 for b in bodies] == [0x90, 0x80]


@pytest.mark.parametrize(("sw3", "kind"), [
    (0x10, ProtocolError), (0x11, ProtocolError), (0x21, ProtocolError), (0x23, ProtocolError),
    (0x24, p.CardReadError), (0x31, p.CardRejected), (0x32, p.CardRejected), (0x33, p.CardReadError),
    (0x40, p.CardRejected), (0x41, p.CardReadError), (0x47, p.CardReadError),
    (0x60, PermanentFault), (0x66, PermanentFault), (0x55, ProtocolError)])
def test_every_error_status_maps_to_our_exceptions(sw3: int, kind: type[DeviceError]) -> None:
    error = p.status_error(sw3, "reading")
    assert isinstance(error, kind) and f"SW3={sw3:02X}" in str(error)


def test_every_documented_status_has_a_text() -> None:
    assert {int(s) for s in p.Status} <= set(p.STATUS_TEXT)


answers = st.builds(p.Answer, st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
                    st.binary(max_size=1400))


@given(st.lists(answers, min_size=1, max_size=4), st.binary(max_size=40), st.data())
@settings(max_examples=150, deadline=None)
def test_round_trip_through_noise_and_any_split(items: list[p.Answer], noise: bytes, data: st.DataObject) -> None:
    stream = noise.replace(b"\xaa", b"") + b"".join(p.encode_answer(a) for a in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    parser, bodies, last = p.FrameParser(), [], 0
    for cut in [*cuts, len(stream)]:
        bodies += parser.feed(stream[last:cut])
        last = cut
    assert [p.parse_answer(b) for b in bodies] == items


@given(st.binary(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_no_byte_string_makes_the_parser_raise(blob: bytes) -> None:
    for body in p.FrameParser().feed(blob):
        with contextlib.suppress(ProtocolError):
            p.parse_answer(body)


@given(st.binary(max_size=40))
@settings(deadline=None)  # a loaded CI machine must not fail on time
def test_sam_id_decoder_raises_only_its_own_error(blob: bytes) -> None:
    try:
        assert p.decode_sam_id(blob).count("-") == 3
    except ProtocolError:
        assert len(blob) < 16


@given(st.binary(max_size=3000))
@settings(deadline=None)  # a loaded CI machine must not fail on time
def test_fast_xor_equals_the_plain_one(blob: bytes) -> None:
    plain = 0
    for byte in blob:
        plain ^= byte
    assert p.xor(blob) == plain


@given(st.sampled_from(list(p.Command)), st.binary(max_size=300))
@settings(deadline=None)
def test_command_frames_round_trip_as_the_reader_sees_them(command: p.Command, data: bytes) -> None:
    [body] = p.FrameParser().feed(p.encode_command(command, data))
    assert p.parse_request(body) == p.Request(*command.value, data)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
       st.integers(0, 2**32 - 1))
@settings(deadline=None)
def test_sam_id_round_trip(major: int, minor: int, a: int, b: int, c: int) -> None:
    text = f"{major:02X}.{minor:02X}-{a}-{b:010d}-{c:010d}"
    assert p.decode_sam_id(p.encode_sam_id(text)) == text


@given(st.binary(max_size=1500))
@settings(deadline=None)
def test_request_and_read_splitters_raise_only_protocol_errors(blob: bytes) -> None:
    for parse in (p.parse_request, p.split_read):
        with contextlib.suppress(ProtocolError):
            parse(blob)
