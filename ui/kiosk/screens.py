"""Which screen shows which state of the kiosk flow, and what a senior-mode voice says there."""

from __future__ import annotations

from kiosk import flow as f
from ui.i18n import tr
from ui.kiosk.admin import AdminPinScreen, AdminScreen
from ui.kiosk.choose import AttractScreen, DetailScreen, OfflineScreen, ServicesScreen
from ui.kiosk.inquiry import AskScreen, RateScreen, ResultScreen, ThanksScreen
from ui.kiosk.steps import IdCardScreen, IssuingScreen, ReviewScreen, ScanScreen, TicketScreen

SCREENS = {
    f.ATTRACT: AttractScreen, f.SERVICES: ServicesScreen, f.DETAIL: DetailScreen,
    f.IDCARD: IdCardScreen, f.SCAN: ScanScreen, f.REVIEW: ReviewScreen,
    f.ISSUING: IssuingScreen, f.TICKET: TicketScreen, f.ASK: AskScreen, f.RESULT: ResultScreen,
    f.RATE: RateScreen, f.THANKS: ThanksScreen, f.OFFLINE: OfflineScreen,
    f.ADMIN_PIN: AdminPinScreen, f.ADMIN: AdminScreen,
}

PROMPTS = {
    f.ATTRACT: "touch_start", f.SERVICES: "choose_service", f.DETAIL: "materials",
    f.IDCARD: "put_card", f.SCAN: "scan_hint", f.REVIEW: "review_title", f.ISSUING: "issuing",
    f.TICKET: "your_number", f.ASK: "ask_hint", f.RESULT: "results", f.RATE: "choose_level",
    f.THANKS: "thanks", f.OFFLINE: "offline_title",
}


def prompt(flow: f.KioskFlow) -> str:
    """What the voice says when a screen appears (the ticket's number is read out too)."""
    text = tr(PROMPTS.get(flow.state, ""), flow.lang) if flow.state in PROMPTS else ""
    if flow.state == f.TICKET and flow.data.ticket is not None:
        text += " " + " ".join(flow.data.ticket.number)
    if flow.state == f.DETAIL and flow.service is not None:
        text = flow.service.name + "。" + text + "：" + "，".join(flow.service.materials)
    return text
