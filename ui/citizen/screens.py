"""Which screen shows which state of the kiosk flow, and what a senior-mode voice says there."""

from __future__ import annotations

from kiosk import states as st
from kiosk.flow import KioskFlow
from ui.citizen.admin import AdminPinScreen, AdminScreen
from ui.citizen.checkin import AnswerScreen, CheckinScreen, PriorityScreen
from ui.citizen.choose import AttractScreen, DetailScreen, OfflineScreen, ServicesScreen
from ui.citizen.inquiry import AskScreen, RateScreen, ResultScreen, ThanksScreen
from ui.citizen.steps import IdCardScreen, IssuingScreen, ReviewScreen, ScanScreen, TicketScreen
from ui.i18n import tr

SCREENS = {
    st.ATTRACT: AttractScreen, st.SERVICES: ServicesScreen, st.DETAIL: DetailScreen,
    st.IDCARD: IdCardScreen, st.SCAN: ScanScreen, st.REVIEW: ReviewScreen,
    st.ISSUING: IssuingScreen, st.TICKET: TicketScreen, st.ASK: AskScreen, st.RESULT: ResultScreen,
    st.RATE: RateScreen, st.THANKS: ThanksScreen, st.OFFLINE: OfflineScreen,
    st.ADMIN_PIN: AdminPinScreen, st.ADMIN: AdminScreen, st.CHECKIN: CheckinScreen,
    st.ANSWER: AnswerScreen, st.PRIORITY: PriorityScreen,
}

PROMPTS = {
    st.ATTRACT: "touch_start", st.SERVICES: "choose_service", st.DETAIL: "materials",
    st.IDCARD: "put_card", st.SCAN: "scan_hint", st.REVIEW: "review_title", st.ISSUING: "issuing",
    st.TICKET: "your_number", st.ASK: "ask_hint", st.RESULT: "results", st.RATE: "choose_level",
    st.THANKS: "thanks", st.OFFLINE: "offline_title", st.CHECKIN: "checkin_title",
    st.PRIORITY: "priority_title",
}


def prompt(flow: KioskFlow) -> str:
    """What the voice says when a screen appears (the ticket's number is read out too)."""
    text = tr(PROMPTS.get(flow.state, ""), flow.lang) if flow.state in PROMPTS else ""
    if flow.state == st.TICKET and flow.data.ticket is not None:
        if flow.data.checkin:
            text = tr(f"ck_{flow.data.checkin}", flow.lang) + "。" + text
        text += " " + " ".join(flow.data.ticket.number)
    if flow.state == st.ANSWER and flow.data.answer is not None:
        text = tr(f"ans_{flow.data.answer[0]}", flow.lang)
    if flow.state == st.DETAIL and flow.service is not None:
        text = flow.service.name + "。" + text + "：" + "，".join(flow.service.materials)
    return text
