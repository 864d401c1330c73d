"""Screens of checking in and of the green channel: the check-in screen (ID card, the booking code
on an on-screen keypad, or a QR code under the live camera picture), the answer to a refused
check-in (what happened and what to do now, in large type), and the priority reasons a citizen
may declare for the chosen service."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.checkin import CODE_KEYS
from kiosk.flow import KioskFlow
from kiosk.ticketing import DECLARABLE
from ui.citizen.choose import Screen
from ui.citizen.mongol import band_button, say, tr
from ui.i18n import ELDERLY_REASONS, pick
from ui.widgets import FrameView, button, label
from ui.widgets.basic import set_role, tall


class CheckinScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.card_btn = button("", flow.checkin.read_card, "primary")
        tall(self.card_btn, 100)
        self.code_title = label("", "title")
        self.code = label("", "big", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.code.setStyleSheet("font-size: 56px; letter-spacing: 6px;")
        keys = QGridLayout()
        keys.setSpacing(8)
        for i, key in enumerate(CODE_KEYS):  # 31 keys and delete: four rows of eight
            key_btn = button(key, lambda k=key: flow.checkin.type_key(k), "key")
            tall(key_btn, 64)
            keys.addWidget(key_btn, i // 8, i % 8)
        self.erase_btn = button("", flow.checkin.erase)
        tall(self.erase_btn, 64)
        keys.addWidget(self.erase_btn, 3, 7)
        self.ok_btn = button("", flow.checkin.submit_code, "primary")
        tall(self.ok_btn, 80)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.ok_btn)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.card_btn)
        code_row.insertWidget(0, self.code_title)
        left.addLayout(code_row)
        left.addLayout(keys)
        left.addStretch(1)
        right = QVBoxLayout()
        self.view = FrameView()
        self.qr_hint = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.view, 1)
        right.addWidget(self.qr_hint)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addLayout(left, 3)
        self.body.addLayout(right, 2)
        self.box.addWidget(self.title)
        self.box.addLayout(self.body, 1)

    def relayout(self) -> None:
        """Upright: the keypad takes the screen's width, the camera's picture goes under it."""
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                               else QBoxLayout.Direction.LeftToRight)

    def show_frame(self, frame: object) -> None:
        self.view.show_frame(frame.width, frame.height, frame.bgr)  # type: ignore[attr-defined]

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        bank = "_bank" if flow.role == "bank" else ""  # a bank branch hands out no licences
        self.title.setText(tr(f"checkin_title{bank}", lang))
        self.card_btn.setText(tr(f"checkin_card{bank}", lang))
        self.card_btn.setVisible(flow.has_device("idcard"))
        self.code_title.setText(tr("checkin_code", lang))
        self.code.setText(flow.checkin.code_shown() or "—")
        self.erase_btn.setText(tr("erase", lang))
        self.ok_btn.setText(tr("code_ok", lang))
        self.qr_hint.setText(tr("checkin_qr", lang))
        self.view.setVisible(flow.has_device("camera"))
        if flow.scanning.last is not None:
            self.show_frame(flow.scanning.last)


class AnswerScreen(Screen):
    """A check-in the server refused: the reason as a title, its words, what to do next."""

    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "huge", align=Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 84px;")  # the theme's colour, a size that fits
        self.detail = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.hint = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        row = self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.again_btn = band_button("", flow.checkin.open)
        self.normal_btn = band_button("", flow.start, "primary")
        for b in (self.again_btn, self.normal_btn):
            tall(b, 120)
            row.addWidget(b)
        self.box.addStretch(1)
        for w in (self.title, self.detail, self.hint):
            self.box.addWidget(w)
        self.box.addStretch(1)
        self.box.addLayout(row)

    def relayout(self) -> None:
        """Upright: the two buttons one above the other, each the full width."""
        self.buttons.setDirection(QBoxLayout.Direction.TopToBottom if self.narrow
                                  else QBoxLayout.Direction.LeftToRight)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        code, words = flow.data.answer or ("error", "")
        key = f"ans_{code}" if tr(f"ans_{code}", lang) != f"ans_{code}" else "ans_error"
        self.title.setText(tr(key, lang))
        # the server's message is "中文 / English": it names the window, the day, ...
        zh, _, en = words.partition(" / ")
        self.detail.setText((en or zh) if lang == "en" else zh)
        number = flow.data.answer_number
        if code == "appointment_used" and number:  # the number it gave, in the kiosk's words
            self.detail.setText(tr("ans_used_number", lang, number=number))
        sub = f"ans_sub_{code}"
        self.hint.setText(tr(sub, lang) if tr(sub, lang) != sub else tr("ans_sub_error", lang)
                          if key == "ans_error" else "")
        say(self.again_btn, "try_again", lang)
        say(self.normal_btn, "take_normal", lang)


class PriorityScreen(Screen):
    """The green channel (绿色通道): one reason, declared here, checked at the counter."""

    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "big")
        self.note = label("", "notice")
        grid = QGridLayout()
        grid.setSpacing(16)
        self.reason_btns = {}
        for i, reason in enumerate(DECLARABLE):
            b = button("", lambda r=reason: flow.ticketing.choose_priority(r))
            b.setStyleSheet("font-size: 40px; font-weight: bold;")
            tall(b, 140)
            self.reason_btns[reason] = b
            grid.addWidget(b, i // 2, i % 2)
        self.none_btn = button("", lambda: flow.ticketing.choose_priority(None))
        self.box.addWidget(self.title)
        self.box.addWidget(self.note)
        self.box.addLayout(grid, 1)
        self.box.addWidget(self.none_btn)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        self.title.setText(tr("priority_title", lang))
        set_role(self.title, "title" if flow.elderly else "big")  # senior: a heading that fits
        self.note.setText(tr("priority_note", lang))
        for reason, b in self.reason_btns.items():
            b.setText(pick(ELDERLY_REASONS[reason], lang))
        self.none_btn.setText(tr("priority_none", lang))

