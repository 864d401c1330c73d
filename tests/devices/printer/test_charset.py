"""Our GB18030/GBK encoding: whole characters only, mapped where the printer cannot print,
no control byte from text, wrapping never wider than the paper."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as s

from devices.printer.charset import columns, encode_char, encode_text, wrap


def split_characters(data: bytes, encoding: str) -> list[bytes]:
    """Walk the bytes as a Chinese-mode printer does; fail on any half character."""
    out, i = [], 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            assert b == 0x0A or 0x20 <= b <= 0x7E, f"control byte {b:#x} from text"
            size = 1
        elif encoding == "gb18030" and i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:
            size = 4
        else:
            size = 2
        char = data[i : i + size]
        assert len(char) == size, "half a character at the end"
        char.decode(encoding)  # strict: raises on a broken sequence
        out.append(char)
        i += size
    return out


@pytest.mark.parametrize(("text", "gb18030", "gbk"), [
    ("¥5", "￥5".encode("gb18030"), "￥5".encode("gbk")),
    ("€", b"EUR", b"EUR"),  # GBK puts € on 0x80, a lead byte to a Chinese-mode printer
    ("𠀾", "𠀾".encode("gb18030"), b"?"),
    ("A\x1b@\x1d", b"A?@?", b"A?@?"),
    ("\u00a0\t", b"  ", b"  "),
    ("王·艾力", "王·艾力".encode("gb18030"), "王·艾力".encode("gbk")),
    ("cafe\u0301", "café".encode("gb18030"), "café".encode("gbk")),
    ("\ue000😀", b"??", b"??"),
])
def test_mapping(text: str, gb18030: bytes, gbk: bytes) -> None:
    assert encode_text(text, "gb18030") == gb18030
    assert encode_text(text, "gbk") == gbk


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_char("a", "utf-8")


def test_wrap_counts_chinese_as_two_columns() -> None:
    assert columns("政务A") == 5
    assert wrap("一窗受理综合窗口", 8) == ["一窗受理", "综合窗口"]
    assert wrap("本票据不含个人身份信息 This ticket holds", 30) == ["本票据不含个人身份信息 This", "ticket holds"]


@given(s.text(max_size=60), s.sampled_from(["gb18030", "gbk"]))
def test_any_text_encodes_to_whole_printable_characters(text: str, encoding: str) -> None:
    data = encode_text(text, encoding)
    split_characters(data, encoding)
    if encoding == "gbk":
        assert all(len(c) <= 2 for c in split_characters(data, encoding))


@given(s.text(max_size=80), s.integers(2, 48), s.sampled_from(["gb18030", "gbk"]))
def test_wrapped_lines_fit_the_paper(text: str, width: int, encoding: str) -> None:
    for line in wrap(text, width, encoding):
        assert columns(line, encoding) <= width
        split_characters(encode_text(line, encoding), encoding)


def test_closing_punctuation_never_starts_a_line() -> None:
    assert wrap("不动产登记（缴费）", 16) == ["不动产登记（缴", "费）"]
    assert wrap("一二三四。", 8) == ["一二三", "四。"]
    assert wrap("a一。", 3) == ["a一", "。"]  # too narrow to carry a character down
