"""Screens of taking a number: the ID card (with its animation), the document camera and the page
review, the wait while the number is issued, and the ticket (large number, QR code, what the
printer did)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow import KioskFlow
from kiosk.ticketing import calls_from
from ui.citizen.choose import Screen, calls_from_text, scrolling
from ui.citizen.mongol import (
    BandedName,
    band_button,
    mongolian_line,
    mongolian_name,
    mongolian_words,
    mongolian_zone,
    say,
    tr,
)
from ui.i18n import zone_name
from ui.theme import ELDERLY, px
from ui.widgets import FrameView, QrView, button, clear_layout, jpeg_pixmap, label


class CardAnimation(QWidget):
    """A card gliding down onto the reader, again and again: "put it here"."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(420, 320)
        self.phase = 0.0
        self._timer = QTimer(self, interval=40)
        self._timer.timeout.connect(self._step)

    def run(self, on: bool) -> None:
        if on and not self._timer.isActive():
            self._timer.start()
        elif not on:
            self._timer.stop()

    def _step(self) -> None:
        self.phase = (self.phase + 0.02) % 1.0
        self.update()

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        reader = QRectF(w * 0.2, h * 0.68, w * 0.6, h * 0.22)
        p.setBrush(QColor("#3b4252"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(reader, 18, 18)
        ease = 0.5 - 0.5 * math.cos(math.pi * min(1.0, self.phase * 1.6))
        top = h * 0.05 + ease * h * 0.5
        card = QRectF(w * 0.3, top, w * 0.4, h * 0.28)
        p.setBrush(QColor("#e8d9b5"))
        p.setPen(QPen(QColor("#8a6d3b"), 3))
        p.drawRoundedRect(card, 12, 12)
        p.setBrush(QColor("#c8102e"))
        p.drawEllipse(QRectF(card.left() + 12, card.top() + 12, 34, 34))
        p.end()


class IdCardScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "big", align=Qt.AlignmentFlag.AlignCenter)
        self.anim = CardAnimation()
        self.wait = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.box.addWidget(self.title)
        self.box.addWidget(self.anim, 1)
        self.box.addWidget(self.wait)
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(lambda: self.wait.setText(
            tr("card_wait", self.flow.lang, n=self.flow.card.seconds_left)))

    def refresh(self, flow: KioskFlow) -> None:
        self.title.setText(tr("put_card", flow.lang))
        self.wait.setText(tr("card_wait", flow.lang, n=flow.card.seconds_left))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.anim.run(True)
        self._timer.start()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.anim.run(False)
        self._timer.stop()


def card_line(flow: KioskFlow) -> str:
    card = flow.data.card
    if card is None:
        return ""
    text = tr("card_read", flow.lang, name=card.masked_name, number=card.masked_number)
    return text + ("    " + tr("priority_yes", flow.lang) if card.priority else "")


class ScanScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.hint = label("", "muted")
        self.card = label("", "ok")
        row = QHBoxLayout()
        self.view = FrameView()
        pages = QWidget()
        pages.setObjectName("pages")
        pages.setStyleSheet("#pages { background: transparent; }")
        side = QVBoxLayout(pages)
        side.setContentsMargins(0, 0, 0, 0)
        self.count = label("", "title")
        self.thumbs = QVBoxLayout()
        side.addWidget(self.count)
        side.addLayout(self.thumbs)
        side.addStretch(1)
        row.addWidget(self.view, 3)
        row.addWidget(scrolling(pages), 1)  # the pages so far: as many as were taken
        buttons = self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.capture_btn = band_button("", flow.scanning.capture, "primary")
        self.finish_btn = band_button("", flow.scanning.finish)
        buttons.addWidget(self.capture_btn, 1)
        buttons.addWidget(self.finish_btn)  # its words' width; the camera's button the rest
        for w in (self.title, self.hint, self.card):
            self.box.addWidget(w)
        self.box.addLayout(row, 1)
        self.box.addLayout(buttons)

    def show_frame(self, frame: Any) -> None:
        self.view.show_frame(frame.width, frame.height, frame.bgr)

    def relayout(self) -> None:
        """Upright: the two buttons one above the other, each the full width (the second has
        longer words)."""
        self.buttons.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                                  else QBoxLayout.Direction.LeftToRight)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        self.title.setText(tr("scan_title", lang))
        self.hint.setText(tr("scan_hint", lang))
        self.card.setText(card_line(flow))
        self.count.setText(tr("pages_n", lang, n=len(flow.data.pages)))
        say(self.capture_btn, "capture", lang)
        self.capture_btn.setEnabled(not flow.scanning.busy)
        say(self.finish_btn, "finish_scan", lang)
        clear_layout(self.thumbs)
        for page in flow.data.pages[-3:]:
            thumb = FrameView()
            thumb.setMinimumSize(160, 120)
            thumb.show_pixmap(jpeg_pixmap(page.jpeg))
            self.thumbs.addWidget(thumb)
        if flow.scanning.last is not None:
            self.show_frame(flow.scanning.last)
        elif not flow.data.pages:
            self.view.show_pixmap(None)


class ReviewScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.view = FrameView()
        row = QHBoxLayout()
        self.retake_btn = button("", flow.scanning.retake)
        self.keep_btn = button("", flow.scanning.keep, "primary")
        row.addWidget(self.retake_btn)
        row.addWidget(self.keep_btn)
        self.box.addWidget(self.title)
        self.box.addWidget(self.view, 1)
        self.box.addLayout(row)

    def refresh(self, flow: KioskFlow) -> None:
        self.title.setText(tr("review_title", flow.lang))
        self.retake_btn.setText(tr("retake", flow.lang))
        self.keep_btn.setText(tr("keep", flow.lang))
        page = flow.data.pending
        self.view.show_pixmap(jpeg_pixmap(page.jpeg) if page else None)


class IssuingScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.text = label("", "big", align=Qt.AlignmentFlag.AlignCenter)
        self.box.addStretch(1)
        self.box.addWidget(self.text)
        self.box.addStretch(1)

    def refresh(self, flow: KioskFlow) -> None:
        self.text.setText(tr("issuing", flow.lang))


def ticket_facts(flow: KioskFlow, t: Any) -> str:
    """Under the number: where to wait and for how long; when calling starts, for a number
    taken at night; at a bank branch, that the papers are going on to the hall, then where they
    went and the hall's number (nobody calls it at the branch)."""
    lang, hall = flow.lang, flow.data.forwarded
    if hall is not None:
        name = getattr(hall, f"hall_name_{lang}", None) or hall.hall_name or hall.hall or ""
        return tr("forwarded_to", lang, hall=name,
                  zone=zone_name(hall.zone, lang), number=hall.number)
    if flow.role == "bank" and flow.data.upload_state == "sending":
        return tr("forwarding", lang)
    where = tr("go_zone", lang, zone=zone_name(t.zone, lang))
    start = calls_from(t, flow.hall_timezone)
    if start is not None:
        ahead = f"  ·  {tr('ahead', lang)} {tr('people', lang, n=t.ahead)}" if t.ahead else ""
        return f"{where}\n{calls_from_text(flow, start)}{ahead}"
    minutes = max(0, round(t.estimated_wait_s / 60))
    return (f"{where}\n{tr('ahead', lang)} {tr('people', lang, n=t.ahead)}  ·  "
            f"{tr('est_wait', lang)} {tr('minutes', lang, n=minutes)}")


def ticket_facts_mn(flow: KioskFlow, t: Any) -> str:
    """`ticket_facts` in Mongolian, a column a line, in Mongolian mode ("" otherwise): where to
    go, how many are ahead and how long; where a bank branch's papers went."""
    lang, hall = flow.lang, flow.data.forwarded
    if lang != "mn":
        return ""
    if hall is not None:
        name = getattr(hall, "hall_name_mn", None)  # no Chinese inside a vertical band
        if not name:
            return ""
        return mongolian_line(lang, ("forwarded_to", {
            "hall": name, "zone": mongolian_zone(hall.zone, lang), "number": hall.number}))
    if flow.role == "bank" and flow.data.upload_state == "sending":
        return mongolian_words("forwarding", lang)
    lines = [mongolian_line(lang, ("go_zone", {"zone": mongolian_zone(t.zone, lang)}))]
    start = calls_from(t, flow.hall_timezone)
    if start is not None:
        when = f"{start:%H:%M}" if start.date() == flow.now().date() else f"{start:%Y-%m-%d %H:%M}"
        lines.append(mongolian_line(lang, ("calls_from", {"when": when})))
        if t.ahead:
            lines.append(mongolian_line(lang, "ahead", ("people", {"n": t.ahead})))
    else:
        minutes = max(0, round(t.estimated_wait_s / 60))
        lines += [mongolian_line(lang, "ahead", ("people", {"n": t.ahead})),
                  mongolian_line(lang, "est_wait", ("minutes", {"n": minutes}))]
    return "\n".join(x for x in lines if x)


class TicketScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        row = self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        left = QVBoxLayout()
        left.setSpacing(0)  # the fonts' own line spacing parts the lines
        self.head = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.head_pair = BandedName(self.head, length=0, center=True)
        # one line, never wrapped: its height is the font's, the layout cannot squeeze it
        self.number = label("", "number", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.number.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.service = label("", "big", align=Qt.AlignmentFlag.AlignCenter)
        self.facts = label("", align=Qt.AlignmentFlag.AlignCenter)
        self.card = label("", "ok", align=Qt.AlignmentFlag.AlignCenter)
        self.banded = BandedName(self.service, length=0, center=True)  # as long as it needs
        # where to go and how long, with their Mongolian in Mongolian mode
        # (in twice the usual columns: a landscape screen's number column has no height for
        # a band of four)
        self.facts_pair = BandedName(self.facts, length=0, pixel_size=24, center=True, columns=8)
        for w in (self.head_pair, self.number, self.banded, self.facts_pair, self.card):
            left.addWidget(w)
        right = QVBoxLayout()
        self.qr = QrView(size=280)
        self.qr_hint = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        self.print_state = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        # the printer's word with its Mongolian, in Mongolian mode only (it stayed Chinese
        # alone); a pair in the other languages took height the upright senior screen lacks
        self.print_pair = BandedName(label("", "title", align=Qt.AlignmentFlag.AlignCenter),
                                     length=0, pixel_size=24, center=True)
        self.upload = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.qr_hint)
        right.addWidget(self.print_state)
        right.addWidget(self.print_pair)
        right.addWidget(self.upload)
        right.addStretch(1)
        # a ticket that did not print: printed again once the printer is back (same number),
        # beside "done" (a row of its own took the height the number needs)
        self.reprint_btn = band_button("", flow.ticketing.reprint)
        self.reprint_btn.setVisible(False)
        # the button under the QR code: the number's side keeps the screen's full height
        self.done_btn = band_button("", flow.home, "primary")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_btn, 1)
        buttons.addWidget(self.done_btn, 1)
        right.addLayout(buttons)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        self.box.addLayout(row, 1)

    def show_print_state(self, flow: KioskFlow, number: str) -> None:
        """The printer's word on this ticket; after a failure the cause when known (a ticket cut
        short by paper running out says so, and says the number again), and the reprint button,
        live once the printer is back."""
        lang, ticketing = flow.lang, flow.ticketing
        state = flow.data.print_state or "printing"
        key = {"printing": "printing", "printed": "printed"}.get(state, "print_failed")
        failed = key == "print_failed"
        problem = ticketing.print_problem if failed else ""
        if failed and ticketing.print_interrupted:
            key = "print_interrupted_paper_out" if problem == "paper_out" else "print_interrupted"
        elif problem == "paper_out":  # the cause, when known
            key = "print_failed_paper_out"
        for shown in (self.print_state, self.print_pair.name):
            shown.setObjectName("danger" if failed else "")
            shown.style().unpolish(shown)
            shown.style().polish(shown)
        self.print_state.setText(tr(key, lang, number=number))
        mongolian = lang == "mn"
        if mongolian:
            say(self.print_pair, key, lang, number=number)  # its band coloured as the box is
        self.print_state.setVisible(not mongolian)
        self.print_pair.setVisible(mongolian)
        offer = failed and flow.has_device("printer")
        self.reprint_btn.setVisible(offer)
        if offer:
            ready = flow.reprint_ready
            say(self.reprint_btn, "reprint_btn" if ready else
                "reprint_wait_paper" if problem == "paper_out" else "reprint_wait", lang)
            self.reprint_btn.setEnabled(ready)

    def relayout(self) -> None:
        """Upright: the QR code and the printer's state under the number, not beside it."""
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                              else QBoxLayout.Direction.LeftToRight)

    def refresh(self, flow: KioskFlow) -> None:
        lang, t = flow.lang, flow.data.ticket
        if t is None:
            for w in (self.number, self.service, self.facts, self.card, self.upload):
                w.setText("")
            self.banded.set_mongolian("")
            self.facts_pair.set_mongolian("")
            self.qr.set_text("")
            self.reprint_btn.setVisible(False)
            return
        say(self.head_pair, "your_number", lang)
        if t.priority:
            self.head_pair.set_name(self.head.text() + f"  [{tr('priority_ticket', lang)}]")
        checkin = flow.data.checkin
        if checkin == "pickup" and flow.role == "bank":  # a branch hands out no licences
            checkin = "arrival"
        if checkin:  # what a check-in gave: a booking on time or late, a pickup
            say(self.head_pair, f"ck_{checkin}", lang)
        # senior mode: the number a little under its largest size, so the screen keeps room
        # for longer words (it stays larger than the standard mode's)
        self.number.setStyleSheet(f"font-size: {px(ELDERLY, 4.5)}px;" if flow.elderly else "")
        hall = flow.data.forwarded  # a bank's application gone on to the hall: its ticket
        if hall is not None:
            say(self.head_pair, "forwarded_head", lang)
        self.number.setText(hall.number if hall is not None else t.number)
        info = flow.service_info(t.service)
        name = t.service_name or (flow.service.name if flow.service else "")
        if lang == "en" and info is not None and info.name_en:
            # Chinese first, the English below it upright, beside it on a landscape screen
            # (the number's column has no height for one more line there)
            name = f"{name}{chr(10) if self.narrow else '  '}{info.name_en}"
        self.service.setText(name)
        self.banded.set_mongolian(mongolian_name(info, lang))
        self.facts_pair.set_name(ticket_facts(flow, t))
        self.facts_pair.set_mongolian(ticket_facts_mn(flow, t))
        self.card.setText("" if flow.elderly else card_line(flow))  # senior mode: less to read
        self.card.setVisible(bool(self.card.text()))  # no empty line taking room
        track = hall.track_url if hall is not None else t.track_url
        if self.qr.text != track:
            self.qr.set_text(track)
        self.qr_hint.setText(tr("scan_track", lang))
        self.show_print_state(flow, hall.number if hall is not None else t.number)
        up = flow.data.upload_state
        # forwarded: the facts above say where to; sending at a bank: they say it is going
        said = hall is not None or (up == "sending" and flow.role == "bank")
        self.upload.setText(tr(f"upload_{up}", lang) if up and not said else "")
        say(self.done_btn, "done_btn", lang)
