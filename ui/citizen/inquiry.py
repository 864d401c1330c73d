"""Screens of asking and rating: the QR code camera (or ID card), what was found, the five levels
of 好差评 with reasons for the two lowest, and the thank-you."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.flow import KioskFlow
from kiosk.inquiry import BAD_REASONS, LEVELS, rateable
from kiosk.ticketing import forwarded_to
from ui.citizen.choose import Screen
from ui.citizen.mongol import BandedName, band_button, say, tr
from ui.i18n import TEXT, zone_name
from ui.widgets import FrameView, button, clear_layout, label
from ui.widgets.basic import set_role, tall


class AskScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.hint = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.view = FrameView()
        self.card_btn = button("", flow.inquiry.read_card)
        self.box.addWidget(self.title)
        self.box.addWidget(self.hint)
        self.box.addWidget(self.view, 1)
        self.box.addWidget(self.card_btn)

    def show_frame(self, frame: Any) -> None:
        self.view.show_frame(frame.width, frame.height, frame.bgr)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        rate = flow.data.card_purpose == "rate"
        self.title.setText(tr("rate_title" if rate else "ask_title", lang))
        self.hint.setText(tr("ask_hint", lang))
        self.card_btn.setText(tr("rate_card" if rate else "ask_card", lang))
        self.card_btn.setVisible(flow.has_device("idcard"))
        self.view.setVisible(flow.has_device("camera"))
        if flow.scanning.last is not None:
            self.show_frame(flow.scanning.last)
        else:
            self.view.show_pixmap(None)


def status_line(t: Any, lang: str) -> str:
    """What became of a ticket: its status and where it is; one forwarded by a bank branch
    says it went to the hall and under which number there. A status this kiosk does not know
    (a newer server's) shows as the server wrote it."""
    key = f"status_{t.status}"
    status = tr(key, lang) if key in TEXT else str(t.status)
    if t.status == "forwarded":
        hall = forwarded_to(t) or {}
        name = hall.get(f"hall_name_{lang}") or hall.get("hall_name", "")
        return "  ·  ".join(x for x in (status, name, hall.get("number", "")) if x)
    where = zone_name(t.zone, lang) + (f" · {t.counter}" if t.counter else "")
    return f"{status}  ·  {where}"


def ticket_card(flow: KioskFlow, t: Any) -> QFrame:
    lang = flow.lang
    card = QFrame()
    card.setObjectName("card")
    row = QHBoxLayout(card)
    row.addWidget(label(t.number, "big", wrap=False))
    col = QVBoxLayout()
    col.addWidget(label(t.service_name or t.service, "title"))
    col.addWidget(label(status_line(t, lang)))
    if t.deadline is not None:
        col.addWidget(label(tr("deadline", lang, d=flow.local(t.deadline).strftime("%Y-%m-%d")), "muted"))
    row.addLayout(col, 1)
    if rateable(t):
        row.addWidget(button(tr("rate_btn", lang), lambda: flow.inquiry.start_rating(t.id),
                             "primary"))
    return card


class ResultScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.who = label("", "ok")
        self.list = QVBoxLayout()
        self.box.addWidget(self.title)
        self.box.addWidget(self.who)
        self.box.addLayout(self.list)
        self.box.addStretch(1)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        self.title.setText(tr("results", lang))
        card = flow.data.card
        self.who.setText(f"{card.masked_name}  {card.masked_number}" if card else "")
        clear_layout(self.list)
        for t in flow.data.results[: 3 if flow.elderly else 5]:
            self.list.addWidget(ticket_card(flow, t))
        if not flow.data.results:
            self.list.addWidget(label(tr("nothing_found", lang), "big"))


class RateScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.levels = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.reasons_title = label("", "notice")
        self.reasons = QGridLayout()
        self.submit_btn = band_button("", flow.inquiry.submit, "primary")
        self.box.addWidget(self.title)
        self.box.addLayout(self.levels)
        self.box.addWidget(self.reasons_title)
        self.box.addLayout(self.reasons)
        self.box.addStretch(1)
        self.box.addWidget(self.submit_btn)

    def refresh(self, flow: KioskFlow) -> None:
        lang, data = flow.lang, flow.data
        t = data.rate_ticket
        which = f"{t.number} {t.service_name or t.service} — " if t else ""
        self.title.setText(which + tr("choose_level", lang))
        clear_layout(self.levels)
        # upright: one level a row, its stars beside its words
        self.levels.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                                 else QBoxLayout.Direction.LeftToRight)
        for level in sorted(LEVELS, reverse=True):
            zh, en = LEVELS[level]
            b = button(f"{'★' * level}{'  ' if self.narrow else chr(10)}"
                       f"{en if lang == 'en' else zh}",
                       lambda v=level: flow.inquiry.choose_level(v))
            tall(b, (84 if flow.elderly else 80) if self.narrow else
                 (130 if flow.elderly else 150))
            set_role(b, "selected" if data.level == level else "")
            self.levels.addWidget(b)
        low = data.level is not None and data.level <= 2
        self.reasons_title.setText(tr("choose_reasons", lang) if low else "")
        clear_layout(self.reasons)
        if low:
            for i, (code, (zh, en)) in enumerate(BAD_REASONS.items()):
                b = button(en if lang == "en" else zh, lambda c=code: flow.inquiry.toggle_reason(c))
                set_role(b, "selected" if code in data.reasons else "")
                cols = 2 if self.narrow else 3
                self.reasons.addWidget(b, i // cols, i % cols)
        say(self.submit_btn, "submit", lang)
        self.submit_btn.setEnabled(flow.inquiry.can_submit())

    def relayout(self) -> None:
        self.refresh(self.flow)


class ThanksScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.text = label("", "huge", align=Qt.AlignmentFlag.AlignCenter)
        self.text_pair = BandedName(self.text, length=0, pixel_size=44, center=True,
                                    one_line=True)
        self.sub = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.done_btn = band_button("", flow.home, "primary")
        self.box.addStretch(1)
        self.box.addWidget(self.text_pair)
        self.box.addWidget(self.sub)
        self.box.addStretch(1)
        self.box.addWidget(self.done_btn)

    def refresh(self, flow: KioskFlow) -> None:
        say(self.text_pair, "thanks", flow.lang)
        self.sub.setText(tr("thanks_sub", flow.lang))
        say(self.done_btn, "done_btn", flow.lang)
