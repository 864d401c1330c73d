"""Resident ID card readers (二代身份证阅读器): protocol, driver and simulator.

`open_reader(url)` gives an `IdCardReader` whose `read_card(timeout)` returns an `IdCard`."""

from devices.idcard.card import IdCard
from devices.idcard.idnumber import InvalidIdNumber, validate
from devices.idcard.photo import register_photo_decoder
from devices.idcard.protocol import CardReadError, CardRejected, ReaderFault
from devices.idcard.reader import IdCardReader, open_reader

__all__ = [
    "CardReadError", "CardRejected", "IdCard", "IdCardReader", "InvalidIdNumber", "ReaderFault",
    "open_reader", "register_photo_decoder", "validate",
]
