"""The plug-in point for a vendor WLT photo decoder. The photo (1024 bytes of WLT) stays in
memory on the terminal: nothing here writes it to a file, a log or the network."""

from __future__ import annotations

from collections.abc import Callable

from devices.errors import DeviceError

WLT_LEN = 1024
PhotoDecoder = Callable[[bytes], bytes]  # WLT bytes -> BMP bytes (102x126), in memory

_decoder: PhotoDecoder | None = None


class PhotoUnavailable(DeviceError):
    """No vendor decoder is installed, or there is no photo of the current card."""


def register_photo_decoder(decoder: PhotoDecoder | None) -> None:
    """Install (or with None, remove) the vendor's WLT decoder for this process."""
    global _decoder
    _decoder = decoder


def decode_photo(wlt: bytes) -> bytes:
    """The BMP of a WLT photo through the installed decoder."""
    if _decoder is None:
        raise PhotoUnavailable("no WLT photo decoder installed (vendor library needed)")
    if len(wlt) != WLT_LEN:
        raise PhotoUnavailable(f"photo has {len(wlt)} bytes, expected {WLT_LEN}")
    return _decoder(wlt)
