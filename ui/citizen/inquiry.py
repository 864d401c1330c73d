"""Screens of asking and rating: the QR code camera (or ID card), what was found, the five levels
of 好差评 with reasons for the two lowest, and the thank-you."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.flow import KioskFlow
from kiosk.inquiry import BAD_REASONS, LEVELS, asked_papers, papers_due_by, rateable
from kiosk.ticketing import forwarded_to
from ui.citizen.choose import Screen, scrolling
from ui.citizen.mongol import (
    BandedName,
    band_button,
    mongolian_name,
    mongolian_words,
    mongolian_zone,
    say,
    shown_lang,
    tr,
)
from ui.i18n import TEXT, zone_name
from ui.widgets import FrameView, clear_layout, label
from ui.widgets.basic import set_role, tall


class AskScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.title_pair = BandedName(self.title, length=0)
        self.hint = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.hint_pair = BandedName(self.hint, length=0, pixel_size=24, center=True, columns=8,
                                    one_line=True)
        self.view = FrameView()
        self.card_btn = band_button("", flow.inquiry.read_card)
        self.box.addWidget(self.title_pair)
        self.box.addWidget(self.hint_pair)
        self.box.addWidget(self.view, 1)
        self.box.addWidget(self.card_btn)

    def show_frame(self, frame: Any) -> None:
        self.view.show_frame(frame.width, frame.height, frame.bgr)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        rate = flow.data.card_purpose == "rate"
        say(self.title_pair, "rate_title" if rate else "ask_title", lang)
        say(self.hint_pair, "ask_hint", lang)
        say(self.card_btn, "rate_card" if rate else "ask_card", lang)
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


def status_mn(t: Any, lang: str) -> str:
    """`status_line`'s status and zone in Mongolian (a column each), in Mongolian mode."""
    key = f"status_{t.status}"
    if t.status == "forwarded":
        return mongolian_words(key, lang)
    return "\n".join(x for x in (mongolian_words(key, lang), mongolian_zone(t.zone, lang)) if x)


def ticket_card(flow: KioskFlow, t: Any) -> QFrame:
    lang = flow.lang
    card = QFrame()
    card.setObjectName("card")
    row = QHBoxLayout(card)
    number = QVBoxLayout()
    number.addWidget(label(t.number, "big", wrap=False))
    issued = flow.local(t.issued_at)
    if issued.date() != flow.now().date():  # a visit of an earlier day (a card finds a week's)
        number.addWidget(label(f"{issued.month}月{issued.day}日" if shown_lang(lang) == "zh"
                               else f"{issued:%Y-%m-%d}", "muted", wrap=False,
                               align=Qt.AlignmentFlag.AlignCenter))
    row.addLayout(number)
    col = QVBoxLayout()
    col.addWidget(_with_band(label(t.service_name or t.service, "title"),
                             mongolian_name(flow.service_info(t.service), lang)))
    col.addWidget(_with_band(label(status_line(t, lang)), status_mn(t, lang), 22))
    papers, note = asked_papers(t, flow.service_info(t.service), shown_lang(lang))
    if papers or note:  # 补正: every paper the case waits for, told at once, and the note
        join = ", " if shown_lang(lang) == "en" else "、"
        words = [tr("papers_needed", lang, papers=join.join(papers))] if papers else []
        by = papers_due_by(t)  # 补正期限, where the hall sets one
        if by is not None:
            words.append(tr("papers_by_passed" if by < flow.now() else "papers_by", lang,
                            d=flow.local(by).strftime("%Y-%m-%d")))
        col.addWidget(label("\n".join(words + ([note] if note else [])), "muted"))
    if t.deadline is not None:
        day = flow.local(t.deadline).strftime("%Y-%m-%d")
        # the clock stopped while the papers are missing
        stopped = t.status == "supplement"
        col.addWidget(_with_band(
            label(tr("deadline", lang, d=day) + (tr("clock_stopped", lang) if stopped else ""),
                  "muted"),
            mongolian_words("deadline", lang, d=day) + (
                mongolian_words("clock_stopped", lang) if stopped else ""), 22))
    row.addLayout(col, 1)
    if rateable(t):
        rate = band_button("", lambda: flow.inquiry.start_rating(t.id), "primary")
        say(rate, "rate_btn", lang)
        row.addWidget(rate)
    return card


def _with_band(name: Any, mongolian: str, pixel_size: int = 26) -> BandedName:
    """`name` with a Mongolian band beside it (none without words), as long as its lines: five
    cards share the screen's height, on a landscape screen two."""
    pair = BandedName(name, length=BandedName.LINES, pixel_size=pixel_size,
                      min_pixel_size=min(22, pixel_size))
    pair.set_mongolian(mongolian)
    return pair


class ResultScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.title_pair = BandedName(self.title, length=0)
        self.who = label("", "ok")
        # a holder's week may bring five visits: they scroll on a landscape screen rather than
        # squeeze each card's words (three in senior mode were squeezed at 1920x1080)
        cards = QWidget()
        self.list = QVBoxLayout(cards)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(self.title_pair)
        self.box.addWidget(self.who)
        self.box.addWidget(scrolling(cards), 1)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        say(self.title_pair, "results", lang)
        card = flow.data.card
        self.who.setText(f"{card.masked_name}  {card.masked_number}" if card else "")
        clear_layout(self.list)
        # a case that waits for its holder (papers to bring, a licence to collect) first:
        # senior mode's three cards left out the one to act on (an outside check)
        waits = ("supplement", "ready")
        for t in sorted(flow.data.results, key=lambda t: t.status not in waits)[
                : 3 if flow.elderly else 5]:
            self.list.addWidget(ticket_card(flow, t))
        if not flow.data.results:
            self.list.addWidget(_with_band(label(tr("nothing_found", lang), "big"),
                                           mongolian_words("nothing_found", lang)))
        self.list.addStretch(1)


class RateScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.title_pair = BandedName(self.title, length=BandedName.LINES)
        self.levels = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.reasons_title = label("", "notice")
        self.reasons_pair = BandedName(self.reasons_title, length=BandedName.LINES,
                                       pixel_size=24)
        self.reasons = QGridLayout()
        # the reasons' heading over them; beside them on a landscape screen in Mongolian mode,
        # whose band would take the height the reasons need
        self.reasons_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.reasons_row.addWidget(self.reasons_pair)
        self.reasons_row.addLayout(self.reasons, 1)
        self.submit_btn = band_button("", flow.inquiry.submit, "primary")
        self.box.addWidget(self.title_pair)
        self.box.addLayout(self.levels)
        self.box.addLayout(self.reasons_row)
        self.box.addStretch(1)
        self.box.addWidget(self.submit_btn)

    def refresh(self, flow: KioskFlow) -> None:
        lang, data = flow.lang, flow.data
        t = data.rate_ticket
        which = f"{t.number} {t.service_name or t.service} — " if t else ""
        self.title_pair.set_name(which + tr("choose_level", lang))
        self.title_pair.set_mongolian(mongolian_words("choose_level", lang))
        clear_layout(self.levels)
        # upright: one level a row, its stars beside its words
        self.levels.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                                 else QBoxLayout.Direction.LeftToRight)
        for level in sorted(LEVELS, reverse=True):
            zh, en = LEVELS[level]
            b = band_button(f"{'★' * level}{'  ' if self.narrow else chr(10)}"
                            f"{en if lang == 'en' else zh}",
                            lambda v=level: flow.inquiry.choose_level(v))
            tall(b, (84 if flow.elderly else 80) if self.narrow else
                 (130 if flow.elderly else 150))
            set_role(b, "selected" if data.level == level else "")
            b.set_mongolian(mongolian_words(f"level_{level}", lang))
            self.levels.addWidget(b)
        low = data.level is not None and data.level <= 2
        say(self.reasons_pair, "choose_reasons", lang)
        self.reasons_pair.setVisible(low)
        beside = lang == "mn" and not self.narrow
        self.reasons_row.setDirection(QBoxLayout.Direction.LeftToRight if beside
                                      else QBoxLayout.Direction.TopToBottom)
        self.reasons_pair.setMaximumWidth(self.width() // 4 if beside else 16777215)
        clear_layout(self.reasons)
        if low:
            for i, (code, (zh, en)) in enumerate(BAD_REASONS.items()):
                # a landscape screen's row of three is wide and has no height to spare
                b = band_button(en if lang == "en" else zh,
                                lambda c=code: flow.inquiry.toggle_reason(c),
                                columns=4 if self.narrow else 8)
                set_role(b, "selected" if code in data.reasons else "")
                b.set_mongolian(mongolian_words(f"reason_{code}", lang))
                cols = 2 if self.narrow else 3
                self.reasons.addWidget(b, i // cols, i % cols)
        # each row as high as its buttons' bands need: the row above the grid kept the grid's
        # height from before the bands, and squeezed them under their length
        for row in range(3):
            cells = [self.reasons.itemAtPosition(row, c) for c in range(3)]
            self.reasons.setRowMinimumHeight(row, max(
                (c.widget().sizeHint().height() for c in cells if c and c.widget()), default=0))
        say(self.submit_btn, "submit", lang)
        # pressed too early it says what is missing (a level, a reason): always enabled, in the
        # primary colour once the rating can go
        set_role(self.submit_btn, "primary" if flow.inquiry.can_submit() else "")

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
