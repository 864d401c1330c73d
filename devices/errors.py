"""One small exception tree for every device family, translated at the transport boundary and
chained (`raise DeviceUnavailable(...) from exc`)."""


class DeviceError(Exception):
    """Base of every device error."""


class BadAddress(DeviceError, ValueError):
    """A device URL or one of its options is wrong; the message shows the expected form."""


class DeviceTimeout(DeviceError):
    """The device did not answer in time. Transient: try again."""


class DeviceUnavailable(DeviceError):
    """The device is gone (unplugged, port closed, offline). Transient: reconnect."""


class NotReady(DeviceUnavailable):
    """The device answers but cannot work until a person sees to it (a printer out of paper,
    its cover open): the connection is fine and stays open. `health` names the state
    ("paper_out", "cover_open", "offline", "error"); `interrupted` is True when it stopped in the
    middle of the work (paper ran out while a ticket was printing: that ticket may be cut short)."""

    def __init__(self, message: str, health: str, interrupted: bool = False) -> None:
        super().__init__(message)
        self.health, self.interrupted = health, interrupted


class ProtocolError(DeviceError):
    """A frame or answer did not follow the protocol (bad checksum, length, garbage)."""


class PermanentFault(DeviceError):
    """The device reports a fault that retrying will not cure (SAM self-test failed, cutter
    jammed, unsupported command). Needs a person."""
