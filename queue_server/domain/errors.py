"""Domain errors: plain classes with a snake_case code and a message for people (Chinese first).
The API layer maps each class to an HTTP status; nothing here knows HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """`details`: more fields of the answer's error object beside its code and message, for a
    terminal to act on (an `appointment_used` names the `number` the booking gave)."""

    code = "error"

    def __init__(self, code: str, message: str, details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = dict(details or {})


class Invalid(DomainError):
    """The request is well-formed but makes no sense (unknown service, bad value)."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The state does not allow it now (nothing current, already rated, cap reached)."""


class Unauthorized(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Locked(DomainError):
    """Too many failed PIN attempts: wait `retry_after` seconds."""

    def __init__(self, code: str, message: str, retry_after: int = 300) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class TooMany(DomainError):
    """Too many requests from one client or for one ID number: wait `retry_after` seconds."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = max(1, int(retry_after))


class NoTicketWaiting(DomainError):
    def __init__(self) -> None:
        super().__init__("no_ticket_waiting", "当前无人等候 / nobody is waiting")
