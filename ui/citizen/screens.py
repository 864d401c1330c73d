"""Which screen shows which state of the kiosk flow, and what a senior-mode voice says there."""

from __future__ import annotations

from kiosk import states as st
from kiosk.flow import KioskFlow
from kiosk.ticketing import DECLARABLE
from ui.citizen.admin import AdminPinScreen, AdminScreen
from ui.citizen.checkin import AnswerScreen, CheckinScreen, PriorityScreen
from ui.citizen.choose import AttractScreen, DetailScreen, OfflineScreen, ServicesScreen
from ui.citizen.inquiry import AskScreen, RateScreen, ResultScreen, ThanksScreen
from ui.citizen.steps import (
    IdCardScreen,
    IssuingScreen,
    ReviewScreen,
    ScanScreen,
    TicketScreen,
    ticket_facts,
)
from ui.i18n import ELDERLY_REASONS, pick, tr

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
    """What the voice says when a screen appears: its instruction, and what a citizen who
    cannot read the screen needs of it (an outside check with a blind citizen: the prompts
    named the screen, never the choices, the number's place or when calling starts): the
    services of the page, the service's papers and how to take its number, the reasons of
    the green channel, the number with where to wait and when, a check-in's answer."""
    lang = flow.lang
    text = tr(PROMPTS.get(flow.state, ""), lang) if flow.state in PROMPTS else ""
    if flow.state == st.SERVICES:
        names = [s.name for s in flow.page_services()]
        text += "：" + "，".join(names) if names else ""
    if flow.state == st.TICKET and flow.data.ticket is not None:
        if flow.data.checkin:
            text = tr(f"ck_{flow.data.checkin}", lang) + "。" + text
        text += " " + " ".join(flow.data.ticket.number) + "。" + _facts(flow)
    if flow.state == st.ANSWER and flow.data.answer is not None:
        code, words = flow.data.answer
        text = tr(f"ans_{code}", lang)
        detail = words.partition(" / ")[0] if lang != "en" else words.partition(" / ")[2]
        text += "。" + detail if detail else ""
    if flow.state == st.DETAIL and flow.service is not None:
        s = flow.service
        how = tr("needs_card", lang) if s.requires_id_card else tr("take_number", lang)
        text = (f"{s.name}。{text}：{'，'.join(s.materials)}。{how}，"
                f"{tr('at_the_bottom', lang)}")
    if flow.state == st.PRIORITY:
        text += "：" + "，".join(pick(ELDERLY_REASONS[r], lang) for r in DECLARABLE)
    return text


def _facts(flow: KioskFlow) -> str:
    """The ticket screen's facts as said: where to wait and when calling starts, then to take
    the ticket."""
    facts = ticket_facts(flow, flow.data.ticket).replace("\n", "。").replace("  ·  ", "，")
    return f"{facts}。{tr('take_ticket_said', flow.lang)}"
