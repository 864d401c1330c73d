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


class ProtocolError(DeviceError):
    """A frame or answer did not follow the protocol (bad checksum, length, garbage)."""


class PermanentFault(DeviceError):
    """The device reports a fault that retrying will not cure (SAM self-test failed, cutter
    jammed, unsupported command). Needs a person."""
