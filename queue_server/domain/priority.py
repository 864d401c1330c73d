"""Who may be called with priority, and why (CONTRACT.md §6 and the green channel): the reasons
a citizen may declare at a kiosk (disabled, pregnant, serviceman 军人依法优先, 绿色通道), the
ones only the hall grants (elderly from the card's birth date, appointment from a check-in,
staff at a counter), and the rule that a kiosk asks for priority only with a declared reason.
A declared reason is shown to the counter, which confirms it. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from queue_server.domain.errors import Invalid

# Reasons a citizen declares at a kiosk, bank terminal or phone (the counter confirms them).
DECLARABLE = ("disabled", "pregnant", "serviceman", "green")
NAMES: dict[str, tuple[str, str]] = {
    "elderly": ("老年人", "Elderly"),
    "disabled": ("残疾人", "Disabled"),
    "pregnant": ("孕妇", "Pregnant"),
    "serviceman": ("军人依法优先", "Serviceman (priority by law)"),
    "green": ("绿色通道", "Green channel"),
    "appointment": ("预约", "Appointment"),
    "staff": ("窗口指定", "Set by staff"),
}
STAFF_KINDS = ("staff", "counter", "admin")


@dataclass(frozen=True)
class Decision:
    priority: bool
    reason: str | None


def decide(kind: str, asked: bool, reason: str | None, elderly: bool) -> Decision:
    """The priority of a new ticket asked for by a terminal of `kind`: `asked` (priority
    requested), its `reason`, and whether the card shows an elderly holder. Staff may give
    priority with any reason but appointment (or none: "staff"); a citizen's terminal only
    with a declarable reason. Elderly and appointment are never taken on someone's word."""
    if reason == "appointment":
        raise Invalid("priority_reason_not_allowed", "预约优先只能通过预约签到获得 / appointment "
                      "priority comes only from checking in a booking")
    if kind in STAFF_KINDS:
        if reason == "elderly" and not elderly:
            reason = "staff"
        if asked or reason:
            return Decision(True, reason or "staff")
        return Decision(elderly, "elderly" if elderly else None)
    if reason == "elderly":
        if not elderly:
            raise Invalid("priority_reason_not_allowed", "老年人优先以身份证出生日期为准 / "
                          "elderly priority comes from the ID card's birth date")
        return Decision(True, "elderly")
    if reason is not None and reason not in DECLARABLE:
        raise Invalid("priority_reason_not_allowed", f"自助终端不能申报此优先原因 / a kiosk "
                      f"cannot declare priority reason {reason!r} (declare one of "
                      f"{', '.join(DECLARABLE)})")
    if asked and reason is None and not elderly:
        raise Invalid("priority_reason_required", "请选择优先原因 / a kiosk asks for priority "
                      f"only with a reason ({', '.join(DECLARABLE)})")
    if reason is not None:
        return Decision(True, reason)
    return Decision(elderly, "elderly" if elderly else None)


def declared(reason: str | None, channel: str) -> bool:
    """Was this reason declared by the citizen (and so awaits the counter's confirmation)?"""
    return reason in DECLARABLE and channel in ("kiosk", "bank", "web", "remote")
