"""The kiosk's main window: a header (hall or branch name, clock, language and senior-mode
switches, the long-press corner), the printer's warning while it cannot print (on the screens
before a number is taken), the screen of the flow's state, a footer (back, home, the notice),
and the idle countdown on top. It binds to `kiosk.flow.KioskFlow` and holds no logic."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import states as st
from kiosk.flow import KioskFlow
from kiosk.states import ADMIN, ADMIN_PIN, ATTRACT, ISSUING, OFFLINE, THANKS, TICKET
from ui.citizen import screens
from ui.citizen.choose import Screen, nobody_here
from ui.citizen.mongol import LANGUAGE_NAMES, BandedName, band_button, say, tr
from ui.citizen.voice import VoicePrompts
from ui.theme import ELDERLY, NORMAL, Theme, px, stylesheet
from ui.widgets import CountdownOverlay, LongPressArea, button, label
from ui.widgets.basic import set_role
from ui.widgets.mongol_layout import fit

NO_BACK = (ATTRACT, ISSUING, TICKET, OFFLINE, THANKS)
# where a citizen decides to take a number: there the printer's trouble is told beforehand
WARN_PRINTER = (ATTRACT, st.SERVICES, st.DETAIL)
ASK_STAFF = ("reader_fault", "issue_refused")  # notices that say 请咨询工作人员


def theme_of(flow: KioskFlow) -> Theme:
    return ELDERLY if flow.elderly else NORMAL


def header_sheet(t: Theme) -> str:
    """The window's own rules: the current language's button in the bar's colours swapped (the
    same size as the others, so nothing moves), and the printer's warning in amber, apart from
    the red (senior mode: yellow) bar."""
    dark = t.bg == "#000000"
    back, fore, edge = ("#ffffff", "#000000", "#ff8c00") if dark else ("#fff4d6", "#7a3300", t.warn)
    return f"""
    QFrame#bar QPushButton#selected {{ background: {t.primary_fg}; color: {t.primary};
                                       border: 2px solid {t.primary_fg}; }}
    QWidget#notice_room {{ background: transparent; }}
    QLabel#printer_notice {{ background: {back}; color: {fore}; border: 4px solid {edge};
                             border-radius: 12px; padding: 14px; font-weight: bold;
                             font-size: {px(t, 1.2)}px; }}
    """


HALL_BAND = 84  # the length of the hall name's Mongolian band: under the corner's 90 px
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


class KioskWindow(QWidget):
    def __init__(self, flow: KioskFlow, voice: VoicePrompts | None = None) -> None:
        super().__init__()
        self.flow = flow
        self.voice = voice
        self.setWindowTitle("快办 Kuaiban")
        self._styled_for: bool | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        self.printer_notice = label("", "printer_notice", align=Qt.AlignmentFlag.AlignCenter)
        self.notice_room = QWidget()  # the warning's margins, apart from the red bar
        self.notice_room.setObjectName("notice_room")
        room = QVBoxLayout(self.notice_room)
        room.setContentsMargins(24, 12, 24, 0)
        room.addWidget(self.printer_notice)
        self.notice_room.hide()
        root.addWidget(self.notice_room)
        self.stack = QStackedWidget()
        # the screen decides the size, not the tallest page: each page must fit a 1080p screen
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.screens: dict[str, Any] = {}
        for state, cls in screens.SCREENS.items():
            screen = cls(flow)
            self.screens[state] = screen
            self.stack.addWidget(screen)
        root.addWidget(self.stack, 1)
        root.addWidget(self._footer())
        self.overlay = CountdownOverlay(self, flow.touch)
        flow.changed.connect(self.refresh)
        flow.preview.connect(self._preview)
        flow.stateChanged.connect(self._speak)
        flow.stateChanged.connect(self._wipe)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.refresh()

    def _header(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("bar")
        lines = QVBoxLayout(bar)
        lines.setContentsMargins(24, 10, 24, 10)
        row = QHBoxLayout()
        lines.addLayout(row)
        self.corner = LongPressArea(self.flow.admin.open)
        self.corner.setFixedSize(90, 90)
        row.addWidget(self.corner)
        names = QVBoxLayout()
        self.hall = label("", "title")
        self.branch = label("")
        for w in (self.hall, self.branch):  # a long branch name wraps; the buttons keep their room
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Mongolian mode: the hall's Mongolian name (`name_mn`) in a band before the Chinese,
        # no longer than the bar's row is high (the corner's), so the bar keeps its height
        # and the switches their places when the language changes
        self.hall_pair = BandedName(self.hall, length=HALL_BAND, pixel_size=18,
                                    min_pixel_size=13, columns=12)
        # the name's width is the bar's share, as the name's own (its words never ask for more)
        self.hall_pair.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        names.addWidget(self.hall_pair)
        names.addWidget(self.branch)
        row.addLayout(names, 1)
        self.clock = label("", "title", wrap=False)
        self.clock.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        row.addWidget(self.clock)
        # The switches (senior mode, languages) sit at the bar's end on a wide screen and on a
        # line of their own on an upright one, so the hall's name keeps the width it needs.
        self.switches = QWidget()
        self.switches.setObjectName("switches")
        self.switches.setStyleSheet("#switches { background: transparent; }")
        box = QHBoxLayout(self.switches)
        box.setContentsMargins(0, 0, 0, 0)
        self.elderly_btn = button("", lambda: self.flow.set_elderly(not self.flow.elderly), "bar")
        self._was_elderly = False
        # the switch: one button a language the hall offers, each always in its place (the
        # hall's order), the one on screen marked: a spot of the screen means one language
        self.lang_btns = {code: button(name, lambda c=code: self.flow.set_language(c), "bar")
                          for code, name in LANGUAGE_NAMES.items() if code != "mn"}
        # ᠮᠣᠩᠭᠣᠯ written as it is written, top to bottom, in its button
        mongol = band_button("", lambda: self.flow.set_language("mn"), "bar")
        mongol.set_mongolian(LANGUAGE_NAMES["mn"])
        self.lang_btns = {"zh": self.lang_btns["zh"], "mn": mongol, "en": self.lang_btns["en"]}
        for b in (self.elderly_btn, *self.lang_btns.values()):
            b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            box.addWidget(b)
        self._top_row, self._second_row = row, QHBoxLayout()
        self._second_row.addStretch(1)
        lines.addLayout(self._second_row)
        row.addWidget(self.switches)
        self._switches_below = False
        return bar

    def _place_switches(self) -> None:
        below = self.width() < Screen.NARROW_PX
        if below == self._switches_below:
            return
        self._switches_below = below
        (self._top_row if below else self._second_row).removeWidget(self.switches)
        (self._second_row if below else self._top_row).addWidget(self.switches)

    def _footer(self) -> QFrame:
        bar = self.footer = QFrame()
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 8, 24, 12)
        self.back_btn = band_button("", self.flow.back)
        self.home_btn = band_button("", self.flow.home)
        self.notice = label("", "notice", align=Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.back_btn)
        row.addWidget(self.notice, 1)
        row.addWidget(self.home_btn)
        return bar

    # -- binding -----------------------------------------------------------------------------
    def refresh(self) -> None:
        flow, lang = self.flow, self.flow.lang
        if self._styled_for is not flow.elderly:
            self._styled_for = flow.elderly
            self.setStyleSheet(stylesheet(theme_of(flow)) + header_sheet(theme_of(flow)))
        self.hall_pair.set_name(flow.hall_title() or "政务服务中心")
        self._hall_band(flow.hall_title_mn())
        self.branch.setText(tr("branch_tag", lang) if flow.role == "bank" else "")
        self.branch.setVisible(flow.role == "bank" and not flow.elderly)
        offered = flow.languages()
        for code, b in self.lang_btns.items():
            b.setVisible(code in offered)
            set_role(b, "selected" if code == lang else "bar")
        problem = flow.printer_problem if flow.state in WARN_PRINTER else ""
        key = "printer_notice_paper_out" if problem == "paper_out" else "printer_notice_down"
        reader = flow.reader_down and flow.state in WARN_PRINTER
        self.printer_notice.setText("\n".join(
            [tr(key, lang)] * bool(problem) + [tr("reader_notice_down", lang)] * reader))
        self.notice_room.setVisible(bool(problem) or reader)
        self.elderly_btn.setText(tr("elderly_off" if flow.elderly else "elderly_on", lang))
        if flow.elderly and not self._was_elderly:
            self._senior_turned_on()
        self._was_elderly = flow.elderly
        self._tick()
        # the switches' widths changed with the words: the bar takes them at once, so no frame
        # shows a button squeezed (or the languages where they were not)
        self.switches.layout().activate()
        self.hall_pair.layout().activate()  # the Mongolian band's room, before the name fits
        self.layout().activate()
        self._fit_name()
        self._settle_bar()
        say(self.back_btn, "back", lang)
        say(self.home_btn, "home", lang)
        plain = flow.state in NO_BACK
        self.back_btn.setVisible(not plain)
        self.home_btn.setVisible(flow.state not in NO_BACK)
        # a notice that sends the citizen to the staff says, at night, when they are here
        staff = nobody_here(flow) if flow.notice in ASK_STAFF else ""
        self.notice.setText("\n".join(x for x in (tr(flow.notice, lang), staff) if x)
                            if flow.notice else "")
        # nothing to show below the screen (the attract and ticket screens): the screen's room
        self.footer.setVisible(not plain or bool(flow.notice))
        screen = self.screens[flow.state]
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        screen.refresh(flow)
        if flow.countdown is not None:
            self.overlay.show_message(tr("countdown", lang, n=flow.countdown))
        else:
            self.overlay.hide()

    def _tick(self) -> None:
        now = self.flow.now()
        wide = self.flow.state == ATTRACT and not self.flow.elderly
        fmt = "%Y-%m-%d  %H:%M" if wide else "%H:%M"
        self.clock.setText(now.strftime(fmt))

    def _preview(self, frame: Any) -> None:
        screen = self.screens[self.flow.state]
        if hasattr(screen, "show_frame"):
            screen.show_frame(frame)

    def _wipe(self, state: str) -> None:
        """Back at the start: every screen redraws from the emptied flow, so no hidden page keeps
        the last citizen's number, name or papers."""
        if state in (ATTRACT, OFFLINE):
            for screen in self.screens.values():
                screen.refresh(self.flow)

    def _senior_turned_on(self) -> None:
        """Senior mode just turned on (the bar's switch or the home screen's button): the
        voice says so and reads the screen's prompt (nothing was said until the next
        screen)."""
        if self.voice is not None:
            said = screens.prompt(self.flow)
            self.voice.say(tr("senior_on_said", self.flow.lang) + ("。" + said if said else ""),
                           self.flow.lang)

    def _speak(self, state: str) -> None:
        if self.voice is not None and self.flow.elderly and state not in (ADMIN, ADMIN_PIN):
            self.voice.say(screens.prompt(self.flow), self.flow.lang)

    def _hall_band(self, text: str) -> None:
        """The hall's Mongolian name in its band, as wide as its columns need now: the name
        beside it is fitted to what is left in the same pass (a band that took its width later
        made the bar two lines high for a moment, moving the switches under a finger)."""
        band = self.hall_pair.band
        if text and text != band.text():
            laid = fit(text, float(HALL_BAND), band.rule)
            band.setFixedWidth(math.ceil(laid.size().width()) + 2)
        self.hall_pair.set_mongolian(text)

    def _settle_bar(self) -> None:
        """Beside its Mongolian band, the name is as high as it needs at the width the band
        leaves it (fitted again at that width), not as high as it was a moment ago: it wrapped
        while the band appeared, and the bar kept two lines' height, the switches lower, until
        the next event. Without a band, no limit."""
        pair = self.hall_pair
        for _ in range(2):  # fitted at the width the last pass gave it
            if pair.band.isVisibleTo(pair):
                need = pair.heightForWidth(pair.width()) if pair.width() > 0 else 0
                pair.setMaximumHeight(max(HALL_BAND + 8, need))
            else:
                pair.setMaximumHeight(QWIDGETSIZE_MAX)
            bar = pair.parentWidget().layout()
            for inner in (bar, *bar.findChildren(QLayout)):  # the rows' cached heights too
                inner.invalidate()
            bar.activate()
            self.layout().invalidate()
            self.layout().activate()
            # fitted again where the bar's new layout narrowed it (a bank branch's long name,
            # fitted beside the ticket screen's wider room, wrapped mid-word back home)
            if not pair.band.isVisibleTo(pair) and not self._name_wraps():
                return
            self._fit_name()

    def _fit_name(self) -> None:
        """The hall's name on one line: a size smaller where the bar is crowded (a long name, a
        branch's or the hall's in English, or long words on the switches), and smaller still, to
        two thirds, where that is not enough, rather than on two lines: a taller bar would take the height the
        screens need, and the switches would move when the language changes."""
        if self.hall.width() <= 0:
            return
        if self.hall.styleSheet():
            self.hall.setStyleSheet("")
        set_role(self.hall, "title")
        if not self._name_wraps():
            return
        set_role(self.hall, "")
        size = self.hall.fontInfo().pixelSize()
        floor = size * 2 // 3
        while self._name_wraps() and size > floor:
            size -= 2
            self.hall.setStyleSheet(f"font-size: {size}px;")
        self.layout().activate()

    def _name_wraps(self) -> bool:
        line = self.hall.fontMetrics().lineSpacing()
        return self.hall.heightForWidth(self.hall.width()) > line * 1.5

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._place_switches()
        self._fit_name()
        self._settle_bar()
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())


class TouchWatcher(QObject):
    """Application-wide event filter: any press anywhere counts as activity for the idle timer."""

    def __init__(self, flow: KioskFlow) -> None:
        super().__init__()
        self.flow = flow

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                            QEvent.Type.KeyPress):
            self.flow.touch()
        return False
