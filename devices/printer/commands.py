"""Where each ESC/POS command ends in a byte stream: the fixed-length commands a ticket printer
understands, and the ones that carry their own length (GS V, GS v 0, GS ( x). Shared by the
simulator (which walks what it receives) and the renderer (which draws it)."""

from __future__ import annotations

# Parameter bytes after ESC / GS / FS / DLE x for the fixed-length commands.
FIXED = {
    0x1B: {0x40: 0, 0x21: 1, 0x45: 1, 0x61: 1, 0x64: 1, 0x74: 1, 0x2D: 1, 0x4D: 1, 0x32: 0,
           0x33: 1, 0x4A: 1, 0x47: 1, 0x7B: 1, 0x56: 1, 0x70: 3, 0x52: 1, 0x20: 1},
    0x1D: {0x21: 1, 0x42: 1, 0x62: 1, 0x4C: 2, 0x57: 2, 0x68: 1, 0x77: 1, 0x48: 1, 0x66: 1},
    0x1C: {0x26: 0, 0x2E: 0, 0x21: 1, 0x43: 1, 0x2D: 1, 0x53: 2, 0x57: 1},
    0x10: {0x04: 1, 0x05: 1},
}
PREFIXES = frozenset(FIXED)


def command_length(buf: bytes | bytearray, i: int) -> tuple[int | None, bool]:
    """(length of the command starting at `i`, known); length None when the bytes stop before
    its end. A byte that starts no command is 1 long (text); an unknown ESC/GS/FS/DLE pair is
    2 long and not known."""
    b = buf[i]
    if b not in PREFIXES:
        return 1, True
    if i + 1 >= len(buf):
        return None, True
    fn = buf[i + 1]
    if fn in FIXED[b]:
        size = 2 + FIXED[b][fn]
        return (size if i + size <= len(buf) else None), True
    need = {(0x1D, 0x56): 3, (0x1D, 0x76): 8, (0x1D, 0x28): 5}.get((b, fn))
    if need is None:
        return 2, False
    if i + need > len(buf):
        return None, True
    if fn == 0x56:  # GS V m [n]
        return (4 if buf[i + 2] in (65, 66) else 3), True
    if fn == 0x76:  # GS v 0 m xL xH yL yH data
        size = need + (buf[i + 4] + 256 * buf[i + 5]) * (buf[i + 6] + 256 * buf[i + 7])
    else:  # GS ( x pL pH data
        size = need + buf[i + 3] + 256 * buf[i + 4]
    return (size if i + size <= len(buf) else None), True
