"""DLE EOT decoding: every bit that matters, no answer is offline, invalid bytes are our error,
and no byte sequence makes the decoder raise anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as s

from devices.errors import DeviceUnavailable, PermanentFault, ProtocolError
from devices.health import Health
from devices.printer import status as st

OK = {1: 0x12, 2: 0x12, 4: 0x12}


def test_queries_are_dle_eot_n() -> None:
    assert [st.query(n) for n in (1, 2, 3, 4)] == [b"\x10\x04\x01", b"\x10\x04\x02",
                                                   b"\x10\x04\x03", b"\x10\x04\x04"]
    with pytest.raises(ValueError):
        st.query(5)


def test_fixed_bits() -> None:
    assert st.valid(0x12) and st.valid(0x7E) and st.valid(0x16)
    for bad in (0x00, 0x10, 0x02, 0x13, 0x92, 0xFF, 0x32 | 0x80):
        assert not st.valid(bad)


def test_all_clear_is_online() -> None:
    found = st.decode(OK)
    assert found.health is Health.ONLINE and found.problem() is None


@pytest.mark.parametrize("missing", [1, 2, 4])
def test_no_answer_is_offline_never_paper_ok(missing: int) -> None:
    found = st.decode({**OK, missing: None})
    assert found.health is Health.OFFLINE
    assert isinstance(found.problem(), DeviceUnavailable)
    assert st.decode({}).health is Health.OFFLINE


@pytest.mark.parametrize(("answers", "health", "error"), [
    ({4: 0x12 | 0x0C}, Health.PAPER_LOW, None),
    ({4: 0x12 | 0x60}, Health.PAPER_OUT, DeviceUnavailable),
    ({1: 0x1A, 2: 0x12 | 0x20, 4: 0x12 | 0x6C}, Health.PAPER_OUT, DeviceUnavailable),
    ({1: 0x1A, 2: 0x12 | 0x04}, Health.COVER_OPEN, DeviceUnavailable),
    ({1: 0x1A}, Health.OFFLINE, DeviceUnavailable),
    ({1: 0x1A, 2: 0x52, 3: 0x12 | 0x08}, Health.ERROR, PermanentFault),
    ({1: 0x1A, 2: 0x52, 3: 0x12 | 0x20}, Health.ERROR, PermanentFault),
    ({1: 0x1A, 2: 0x52, 3: 0x12 | 0x40}, Health.ERROR, DeviceUnavailable),
    ({1: 0x1A, 2: 0x52 | 0x04, 3: 0x12 | 0x40}, Health.COVER_OPEN, DeviceUnavailable),
    ({1: 0x1A, 2: 0x52 | 0x20, 3: 0x12 | 0x08, 4: 0x72}, Health.ERROR, PermanentFault),
])
def test_decoded_bits(answers: dict[int, int], health: Health, error: type | None) -> None:
    found = st.decode({**OK, **answers})
    assert found.health is health
    problem = found.problem()
    assert (problem is None) if error is None else isinstance(problem, error)


def test_error_cause_is_asked_only_after_an_error() -> None:
    assert st.needs_error_cause(0x52) and not st.needs_error_cause(0x12)
    assert not st.needs_error_cause(None) and not st.needs_error_cause(0xFF)


@pytest.mark.parametrize("bad", [0x00, 0xFF, 0x13, 0x92, 256, -1])
def test_invalid_bytes_are_protocol_errors(bad: int) -> None:
    with pytest.raises(ProtocolError):
        st.decode({**OK, 2: bad})


answers = s.dictionaries(
    s.one_of(s.integers(-2, 8), s.text(max_size=2)),
    s.one_of(s.none(), s.integers(-300, 300), s.binary(max_size=2), s.text(max_size=2)),
    max_size=6,
)


@given(answers)
def test_no_answer_makes_the_decoder_raise_anything_but_protocol_error(got: dict) -> None:
    try:
        found = st.decode(got)
    except ProtocolError:
        return
    assert isinstance(found.health, Health)
    problem = found.problem()
    assert problem is None or isinstance(problem, DeviceUnavailable | PermanentFault)


@given(s.lists(s.one_of(s.none(), s.integers(0, 255)), min_size=4, max_size=4))
def test_any_status_bytes_decode_or_fail_cleanly(raw: list[int | None]) -> None:
    got = dict(zip((1, 2, 3, 4), raw, strict=True))
    try:
        found = st.decode(got)
    except ProtocolError:
        assert any(b is not None and not st.valid(b) for b in raw)
        return
    if any(got[n] is None for n in st.QUERIES):
        assert found.health is Health.OFFLINE
