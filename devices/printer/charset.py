"""Chinese text for ticket printers: our own GB18030/GBK encoding, character mapping and
line wrapping.

python-escpos picks an encoding per string and sends non-ideograph strings through single-byte
code pages, which a printer in Chinese mode (`FS &`) reads as halves of characters. So every
character is encoded here, on its own, and accepted only when its bytes form a whole character
the printer can print: one printable ASCII byte, a two-byte GBK pair, or (GB18030 printers only)
a four-byte GB18030 sequence of a rare ideograph. Anything else is mapped (`¥` -> `￥`) or replaced by `?`; control
bytes never pass, so no text can smuggle a command to the printer.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ENCODINGS = ("gb18030", "gbk")
NO_LINE_START = frozenset("，。、；：！？）》」』】〉”’,.;:!?)]}%")
FALLBACK = "?"

# Characters a Chinese printer cannot print as they are, and what to print instead.
MAPPED: dict[str, str] = {
    "\u00a5": "\uffe5",  # ¥ is not in GBK (4 bytes in GB18030, misprinted): use fullwidth ￥
    "\u00a0": " ",  # no-break space
    "\t": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u3000": "  ",  # ideographic space: two ASCII spaces print the same width everywhere
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2022": "\u00b7",  # bullet -> middle dot (in GBK)
    "\u20ac": "EUR",  # GBK puts the euro sign on single byte 0x80, a lead byte to the printer
}


def _whole_character(data: bytes, encoding: str) -> bool:
    """True when `data` is exactly one character a printer in Chinese mode prints as such."""
    if len(data) == 1:
        return 0x20 <= data[0] <= 0x7E
    if len(data) == 2:
        return 0x81 <= data[0] <= 0xFE and 0x40 <= data[1] <= 0xFE and data[1] != 0x7F
    if len(data) == 4 and encoding == "gb18030":
        return (
            _rare_ideograph(data.decode("gb18030"))
            and 0x81 <= data[0] <= 0xFE
            and 0x30 <= data[1] <= 0x39
            and 0x81 <= data[2] <= 0xFE
            and 0x30 <= data[3] <= 0x39
        )
    return False


def _rare_ideograph(char: str) -> bool:
    """Four-byte GB18030 is worth sending only for ideographs (extension A and beyond, as in
    rare name characters); a GB18030 font has no emoji or other scripts' glyphs."""
    code = ord(char)
    return 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3134F


@lru_cache(maxsize=4096)
def encode_char(char: str, encoding: str = "gb18030") -> bytes:
    """The printer bytes for one character, after mapping; `?` when it cannot be printed."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown printer encoding {encoding!r}; expected one of {ENCODINGS}")
    if char == "\n":
        return b"\n"
    mapped = MAPPED.get(char, char)
    if len(mapped) > 1:
        return b"".join(encode_char(c, encoding) for c in mapped)
    if unicodedata.category(mapped) in ("Cc", "Cf", "Co", "Cs", "Cn"):
        return FALLBACK.encode()
    try:
        data = mapped.encode(encoding)
    except UnicodeEncodeError:
        return FALLBACK.encode()
    return data if _whole_character(data, encoding) else FALLBACK.encode()


def encode_text(text: str, encoding: str = "gb18030") -> bytes:
    """Encode a whole string character by character (NFC first, so accents compose)."""
    return b"".join(encode_char(c, encoding) for c in unicodedata.normalize("NFC", text))


def columns(text: str, encoding: str = "gb18030") -> int:
    """Printed width in half-width columns: an ASCII byte is one, a Chinese character two."""
    return sum(min(len(encode_char(c, encoding)), 2) for c in unicodedata.normalize("NFC", text))


def wrap(text: str, width: int, encoding: str = "gb18030") -> list[str]:
    """Break `text` into lines of at most `width` columns, never inside a character; prefers
    breaking at a space when one is near the end of the line."""
    lines: list[str] = []
    for paragraph in unicodedata.normalize("NFC", text).split("\n"):
        line, used = "", 0
        for char in paragraph:
            w = min(len(encode_char(char, encoding)), 2)
            if used + w > width and line:
                head, tail = _split_at_space(line, width, char, encoding)
                lines.append(head.rstrip())
                line = tail.lstrip(" ")
                used = columns(line, encoding)
            line += char
            used += w
        lines.append(line.rstrip())
    return lines


def _split_at_space(line: str, width: int, nxt: str, encoding: str) -> tuple[str, str]:
    """Split before the last word when it started in the final third of the line; never start
    a line with closing punctuation (the last character goes down with it, as in print)."""
    cut = line.rfind(" ")
    if cut > 0 and len(line) - cut < max(4, width // 3):
        return line[:cut], line[cut + 1 :]
    if (nxt in NO_LINE_START and len(line) > 1 and line[-1] not in NO_LINE_START
            and columns(line[-1] + nxt, encoding) <= width):
        return line[:-1], line[-1]
    return line, ""
