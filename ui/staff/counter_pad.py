"""The counter pad's window: the login page and the work page (counter, zone, waiting per
service, the deadline alerts of an approval counter, the current ticket with papers and scans,
one button and one key per action, the held tickets, the status line of where each ticket went,
the offer to undo a finish, and the staff member's own cases and ratings). It binds to
`CounterModel` and holds no flow logic: dialogs only collect a reason or a target, and ask
before 办结 where the route goes on and before logging out with a ticket in hand. Every state
fits 1366x768, and the 747 px a maximized window keeps under a title bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import ZONE_NAMES, CounterModel
from kiosk.counter_words import (
    ARRIVE_BTN,
    REQUEUE_BTN,
    REQUEUE_CALL_BTN,
    TRANSFER_ANYWAY,
    TRANSFER_ASK,
    counter_label,
    in_language,
    zone_name,
)
from ui.i18n import STATUS, pick, tr
from ui.staff.deadlines import DeadlineList
from ui.staff.delivery import DeliveryDialog
from ui.staff.dialogs import FOCUS, PapersDialog, ReasonDialog, TransferDialog, line
from ui.staff.mail import WORDS as MAIL_WORDS
from ui.staff.mail import MailDialog
from ui.staff.mine import WORDS as MINE_WORDS
from ui.staff.mine import MyCasesDialog, MyRatingsDialog
from ui.staff.safeguards import HeldList, NumberDialog, ask, undo_text
from ui.staff.ticket_panel import TicketPanel, card
from ui.staff.waiting import WaitingCounts
from ui.theme import NORMAL
from ui.widgets.flow import FlowLayout

STYLE = f"""
QWidget#pad {{ background:{NORMAL.bg}; }}
QLabel {{ font-size:20px; color:{NORMAL.fg}; }}
QFrame#card {{ background:{NORMAL.card}; border-radius:14px; }}
QPushButton {{ font-size:21px; padding:10px 8px; border-radius:10px; background:{NORMAL.accent};
              color:white; min-height:48px; }}
QPushButton#small {{ font-size:18px; padding:4px 12px; min-height:36px; }}
QPushButton:disabled {{ background:#c7ccd6; color:#f4f6fa; }}
QPushButton#primary {{ background:{NORMAL.primary}; font-size:30px; }}
QPushButton#primary:disabled {{ background:#e4b5bd; color:#fbecee; }}
QPushButton#main {{ background:{NORMAL.primary}; font-size:23px; font-weight:700; }}
QPushButton#main:disabled {{ background:#e4b5bd; color:#fbecee; }}
QPushButton#stepper {{ font-size:28px; padding:4px 0; min-width:64px; }}
QPushButton#undo {{ background:{NORMAL.warn}; font-size:20px; }}
QLineEdit {{ font-size:24px; padding:10px; min-height:44px; }}
QListWidget {{ font-size:20px; border:none; background:transparent; }}
{FOCUS}"""
# (action, text key, key, handler name)
BUTTONS = [("call-next", "call_next", "F1", "call_next"), ("recall", "recall_btn", "F2", "recall"),
           ("no-show", "no_show", "F3", "no_show"), ("start", "start", "F4", "start"),
           ("finish", "done", "F5", "finish_done"),
           ("finish-next", "next_zone", "F6", "finish_next"),
           ("reject", "rejected", "F7", "finish_rejected"), ("transfer", "transfer", "F8",
                                                            "transfer"),
           ("pause", "pause", "F9", "pause_or_resume"), ("hold", "hold", "F11", "hold"),
           ("call", "call_number", "F12", "call_number"),
           # 补正 (approval posts only: hidden elsewhere)
           ("supplement", "supplement_btn", "Shift+F7", "ask_papers")]
FIRST_ROW = 6  # buttons of the first row: calling and finishing a ticket


class CounterWindow(QWidget):
    def __init__(self, model: CounterModel, lang: str = "zh", parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        model.set_language(lang)
        self.setObjectName("pad")
        self.setStyleSheet(STYLE)
        self.setWindowTitle("快办 窗口 / Counter pad")
        self.resize(1366, 768)
        self.ask = ask  # the question box (a test answers it instead of a person)
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)  # the page's own margins are enough
        outer.addWidget(self.stack)
        self.stack.addWidget(self._login_page())
        self.work_page = self._work_page()
        self.stack.addWidget(self.work_page)
        self._shortcuts()
        # the focus ring follows the keyboard only: a touch (or click) does not move it, so no
        # button looks chosen because it was pressed last; the work page opens with none
        for btn in self.findChildren(QPushButton):
            btn.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.work_page.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        # bound methods, not lambdas: Qt drops them with the window (a closed window's
        # lambda still ran on the model's next timer and met its deleted labels)
        model.changed.connect(self.refresh)
        model.busyChanged.connect(self._busy_changed)
        model.error.connect(self.show_error)
        model.notice.connect(self.show_notice)
        model.lineCleared.connect(self._line_cleared)
        model.autoCallTick.connect(self._auto_tick)
        model.undoTick.connect(self._undo_tick)
        model.transferTargets.connect(self._targets_known)
        model.arriveOffered.connect(self._offer_arrive)
        model.requeueOffered.connect(self._offer_requeue)
        self.refresh()

    # -- pages ------------------------------------------------------------------------------
    def _login_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        frame, box = card()
        frame.setFixedWidth(560)
        self.login_title = QLabel(f"<h1>{tr('login_title', self.lang)}</h1>")
        self.login_counter = QLabel()
        self.login_hall = QLabel()  # small: a hall's English name is long
        self.login_hall.setStyleSheet(f"font-size:16px; color:{NORMAL.muted};")
        self.staff_id = line(tr("staff_id", self.lang))
        self.pin = line(tr("pin", self.lang), password=True)
        self.login_btn = QPushButton(tr("login", self.lang))
        self.login_btn.setObjectName("primary")
        self.login_btn.clicked.connect(self._login)
        self.pin.returnPressed.connect(self._login)
        self.login_error = QLabel()
        self.login_error.setWordWrap(True)
        self.login_error.setStyleSheet(f"color:{NORMAL.danger};")
        for w in (self.login_title, self.login_hall, self.login_counter, self.staff_id, self.pin,
                  self.login_btn, self.login_error):
            box.addWidget(w)
        outer.addStretch(1)
        outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        return page

    def _work_page(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(12, 8, 12, 10)
        col.setSpacing(8)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setMinimumWidth(1)  # a long name is cut at the window's edge, not widened
        self.status = QLabel()
        self.logout_btn = QPushButton(f"{tr('logout', self.lang)}  F10")
        self.logout_btn.clicked.connect(self.logout)
        # the staff member's own cases (全程盯办) and ratings (申诉): small, in the top bar
        self.cases_btn = QPushButton(pick(MINE_WORDS["cases"], self.lang).split(" · ")[0])
        self.ratings_btn = QPushButton(pick(MINE_WORDS["ratings"], self.lang))
        self.cases_btn.clicked.connect(self.open_my_cases)
        self.ratings_btn.clicked.connect(self.open_my_ratings)
        for btn in (self.cases_btn, self.ratings_btn, self.logout_btn):
            btn.setObjectName("small")
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        top.addWidget(self.cases_btn)
        top.addWidget(self.ratings_btn)
        top.addWidget(self.logout_btn)
        col.addLayout(top)
        body = QHBoxLayout()
        body.addWidget(self._side(), 1)
        self.ticket = TicketPanel(self.model, self.lang)
        self.number, self.details, self.papers = (self.ticket.number, self.ticket.details,
                                                  self.ticket.papers)
        self.scans = self.ticket.scans
        self.ticket.delivery.clicked.connect(self.choose_delivery)
        body.addWidget(self.ticket, 3)
        top.insertWidget(1, self.auto_label)
        col.addLayout(body, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.undo_btn = QPushButton()
        self.undo_btn.setObjectName("undo")
        self.undo_btn.clicked.connect(self.model.undo_finish)
        self.undo_btn.hide()
        col.addWidget(self.message)
        # two rows: the turn of a ticket (F1-F6), then the rarer actions (F7-F12, the undo
        # offer); each row wraps where a longer language needs more than the screen's width
        rows = [FlowLayout(spacing=8, fill=True), FlowLayout(spacing=8, fill=True)]
        self.buttons: dict[str, QPushButton] = {}
        for i, (action, key, shortcut, handler) in enumerate(BUTTONS):
            text = tr(f"desk_{key}" if key in ("hold", "call_number") else key, self.lang)
            btn = QPushButton(f"{text}  {shortcut}")
            btn.setObjectName("primary" if action == "call-next" else "")
            btn.clicked.connect(getattr(self, handler))
            self.buttons[handler] = btn
            rows[i >= FIRST_ROW].addWidget(btn)
        rows[1].addWidget(self.undo_btn)
        for row in rows:
            col.addLayout(row)
        # each button names its key; the whole list is the buttons' tooltip (a line of its
        # own would take the height a 1366x768 screen lacks)
        for btn in [*self.buttons.values(), self.logout_btn]:
            btn.setToolTip(tr("shortcuts", self.lang))
        return page

    def _side(self) -> QWidget:
        frame, box = card()
        self.waiting_title = QLabel(f"<b>{tr('waiting', self.lang)}</b>")
        box.addWidget(self.waiting_title)
        # a counter may serve a dozen services: whole lines, most waiting first, the rest
        # summed on the last line, rather than push the buttons off a 1366x768 screen
        self.waiting = WaitingCounts(self.lang)
        box.addWidget(self.waiting, 1)
        # at an approval counter: its cases overdue or due today, while they are (限时办结)
        self.deadlines = DeadlineList(self.model, self.lang)
        box.addWidget(self.deadlines)
        self.held = HeldList(self.lang, self.model.take_back)
        box.addWidget(self.held)
        # at a pickup counter of a hall that mails results: the cases to mail (证照寄送)
        self.mail_btn = QPushButton(pick(MAIL_WORDS["title"], self.lang))
        self.mail_btn.setObjectName("toMailButton")
        self.mail_btn.setStyleSheet("font-size:18px; padding:4px 12px; min-height:36px;")
        self.mail_btn.clicked.connect(self.open_mail)
        self.mail_btn.hide()
        box.addWidget(self.mail_btn)
        box.addWidget(QLabel(tr("auto_call", self.lang)))
        # Qt's own arrows are a few pixels tall: a finger gets a − and a + button instead
        self.auto = QSpinBox()
        self.auto.setRange(0, 120)
        self.auto.setSingleStep(5)
        self.auto.setSpecialValueText("—")
        self.auto.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.auto.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.auto.setStyleSheet("font-size:22px; min-height:44px;")
        self.auto.valueChanged.connect(self.model.set_auto_call)
        row = QHBoxLayout()
        self.auto_down, self.auto_up = QPushButton("−"), QPushButton("+")
        for btn, step in ((self.auto_down, -1), (self.auto_up, 1)):
            btn.setObjectName("stepper")
            btn.setAutoRepeat(True)
            btn.clicked.connect(lambda _c=False, k=step: self.auto.stepBy(k))
        row.addWidget(self.auto_down)
        row.addWidget(self.auto, 1)
        row.addWidget(self.auto_up)
        self.auto_label = QLabel()  # the countdown: in the top bar, beside the status
        box.addLayout(row)
        return frame

    def _shortcuts(self) -> None:
        for _action, _key, shortcut, handler in BUTTONS:
            sc = QShortcut(QKeySequence(shortcut), self)
            sc.activated.connect(self._guarded(handler))
        QShortcut(QKeySequence("F10"), self).activated.connect(self._logout_key)

    def _logout_key(self) -> None:
        if self.stack.currentIndex() == 1:
            self.logout()

    def logout(self) -> None:
        """Log out; with a ticket still at the counter, ask first."""
        t = self.model.current
        if t is not None:
            status = pick(STATUS.get(t.status, (t.status, t.status)), self.lang)
            text = tr("desk_confirm_logout", self.lang, number=t.number, status=status)
            if self.ask(self, self.lang, text, tr("desk_logout_anyway", self.lang)) != "yes":
                return
        self.model.logout()

    def _guarded(self, handler: str) -> Callable[[], None]:
        def fire() -> None:
            if self.stack.currentIndex() == 1 and self.buttons[handler].isEnabled():
                getattr(self, handler)()
        return fire

    # -- actions ----------------------------------------------------------------------------
    def _login(self) -> None:
        if self.model.lock_remaining > 0:
            return  # (Enter in the PIN field: the countdown stays on the line)
        self.login_error.setText("")
        self.model.login(self.staff_id.text(), self.pin.text())
        self.pin.clear()

    def call_next(self) -> None:
        self.model.call_next()

    def recall(self) -> None:
        self.model.recall()

    def no_show(self) -> None:
        self.model.no_show()

    def start(self) -> None:
        self.model.start()

    def finish_done(self) -> None:
        """办结; where the route goes on, only after a question whose default is not to."""
        t = self.model.current
        if t is not None and t.zones_left:
            zones = "、".join(zone_name(z, self.lang) for z in t.zones_left)
            text = tr("desk_confirm_done", self.lang, number=t.number, service=t.service_name,
                       zones=zones if self.lang != "en" else zones.replace("、", ", "))
            answer = self.ask(self, self.lang, text, tr("desk_done_anyway", self.lang),
                              tr("desk_next_instead", self.lang))
            if answer == "alternative":
                self.model.finish("next")
            if answer != "yes":
                return
        self.model.finish("done")

    def finish_next(self) -> None:
        self.model.finish("next")

    def finish_rejected(self) -> None:
        dlg = ReasonDialog.for_reject(self.lang, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.model.finish("rejected", dlg.reason())

    def ask_papers(self) -> None:
        """补正: the case's papers to tick, sent back at once (一次性告知)."""
        m = self.model
        if "supplement" not in m.allowed() or m.current is None:
            return
        svc = m.services.get(m.current.service)
        names = list(svc.materials) if svc is not None else []
        shown = m.current.materials if len(m.current.materials) == len(names) else names
        dlg = PapersDialog(self.lang, list(zip(names, shown, strict=True)), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            m.supplement(dlg.papers(), dlg.note.text())

    def transfer(self) -> None:
        """转移: the counters' states are asked first (who is signed in, who paused), then
        the dialog opens with them (`_targets_known`)."""
        self.model.load_transfer_targets()

    def _targets_known(self) -> None:
        # after this turn of the event loop: not inside the request runner's answer
        QTimer.singleShot(0, self._choose_target)

    def _choose_target(self) -> None:
        m = self.model
        if "transfer" not in m.allowed():
            return
        counters = m.counter_names()
        states = {code: m.counter_state_of(code) for code, _name in counters}
        dlg = TransferDialog(self.lang, m.service_names(), counters, self, states)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        service, counter = dlg.target()
        state = states.get(counter)
        if counter and state in TRANSFER_ASK and m.current is not None:
            name = dict(counters).get(counter, counter)
            text = pick(TRANSFER_ASK[state], self.lang).format(
                counter=counter_label(counter, name, None, self.lang), number=m.current.number)
            if self.ask(self, self.lang, text, pick(TRANSFER_ANYWAY, self.lang)) != "yes":
                return
        m.transfer(service, counter)

    def _offer_arrive(self, ticket_id: str, question: str) -> None:
        QTimer.singleShot(0, lambda: self._arrive(ticket_id, question))

    def _arrive(self, ticket_id: str, question: str) -> None:
        """A passed (过号) case held at pickup, asked for by number: its holder is here?"""
        if self.ask(self, self.lang, question, pick(ARRIVE_BTN, self.lang)) == "yes":
            self.model.arrive_and_call(ticket_id)

    def _offer_requeue(self, number: str, question: str, can_call: bool) -> None:
        QTimer.singleShot(0, lambda: self._requeue(number, question, can_call))

    def _requeue(self, number: str, question: str, can_call: bool) -> None:
        """过号重排: a number passed in this zone, asked for by number, is back: call it here
        now (while the counter is free), or put it back in the queue."""
        back = pick(REQUEUE_BTN, self.lang)
        answer = (self.ask(self, self.lang, question, pick(REQUEUE_CALL_BTN, self.lang), back)
                  if can_call else self.ask(self, self.lang, question, back))
        if answer != "cancel":
            self.model.requeue(number, call=can_call and answer == "yes")

    def hold(self) -> None:
        self.model.hold()

    def choose_delivery(self) -> None:
        """证照寄送: the dialog sends through the model and closes once it is recorded."""
        if "delivery" in self.model.allowed():
            DeliveryDialog(self.model, self.lang, self).exec()

    def open_mail(self) -> None:
        """证照寄送 at pickup: the cases to mail, each handed to the post with its tracking."""
        if self.model.mail_open():
            MailDialog(self.model, self.lang, self).exec()

    def open_my_cases(self) -> None:
        """我的办件 (全程盯办): the cases this member of staff took in, and where each is now."""
        if self.model.logged_in:
            MyCasesDialog(self.model, self.lang, self).exec()

    def open_my_ratings(self) -> None:
        """我的评价: this member of staff's ratings, and the appeal (申诉) against one."""
        if self.model.logged_in:
            MyRatingsDialog(self.model, self.lang, self).exec()

    def call_number(self) -> None:
        dlg = NumberDialog(self.lang, "call" in self.model.allowed(), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            number = dlg.number.text()
            if dlg.choice == "call":
                self.model.call_number(number)
            else:
                self.model.find(number)

    def pause_or_resume(self) -> None:
        if self.model.paused:
            self.model.resume()
            return
        dlg = ReasonDialog.for_pause(self.lang, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.model.pause(dlg.reason())

    # -- view -------------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        # once shown, the styled page's minimum is smaller than the first one Qt computed: ask
        # again after this turn of the event loop, so a maximized 1366x768 window fits
        super().showEvent(event)  # type: ignore[arg-type]
        QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        self.layout().invalidate()
        self.layout().activate()
        screen = self.screen()
        if screen is not None and self.isFullScreen():
            self.resize(screen.geometry().size())
        elif screen is not None and self.isMaximized():
            self.resize(screen.availableGeometry().size())

    def _busy_changed(self, _busy: bool) -> None:
        self.refresh()

    def _line_cleared(self) -> None:
        self.message.setText("")
        self.login_error.setText("")  # (the login page's line: the server is back, say)

    def show_error(self, text: str) -> None:
        target = self.login_error if self.stack.currentIndex() == 0 else self.message
        target.setStyleSheet(f"color:{NORMAL.danger}; font-size:20px;")
        target.setText(in_language(text, self.lang))

    def show_notice(self, text: str) -> None:
        self.message.setStyleSheet(f"color:{NORMAL.accent}; font-size:20px; font-weight:700;")
        self.message.setText(in_language(text, self.lang))

    def _undo_tick(self, seconds: int) -> None:
        m = self.model
        self.undo_btn.setText(undo_text(m.undo_outcome, m.undo_number, seconds, self.lang))
        self.undo_btn.setVisible(seconds > 0)

    def _auto_tick(self, seconds: int) -> None:
        self.auto_label.setText(tr("auto_in", self.lang, s=seconds) if seconds > 0 else "")

    def refresh(self) -> None:
        m, lang = self.model, self.lang
        if not m.logged_in and self.stack.currentIndex() == 1:
            self.message.setText("")  # logged out: no stale line for the next member of staff
            self.login_error.setText("")
        page = 1 if m.logged_in else 0
        if page != self.stack.currentIndex():
            self.stack.setCurrentIndex(page)
            (self.work_page if page else self.staff_id).setFocus()
        self.login_hall.setText(m.hall_title())
        colon = ": " if lang == "en" else "："
        self.login_counter.setText(f"{tr('counter', lang)}{colon}{m.code}")
        self.login_btn.setEnabled(not m.busy and m.lock_remaining <= 0)
        st = m.state
        zone = pick(ZONE_NAMES.get(st.zone, (st.zone, st.zone)), lang) if st else ""
        code = f" ({m.code})" if lang == "en" else f"（{m.code}）"
        name = f"{m.counter_title()}{code}" if st else m.code
        self.title.setText(f"<b style='font-size:26px'>{name}</b> · {zone} · {m.staff_name}"
                           )
        status = tr("busy", lang) if m.busy else ""
        if not m.online:
            status = in_language("离线 / Offline", lang) + "  " + status
        if m.paused and st is not None:
            status = tr("paused", lang, reason=st.pause_reason or "—") + "  " + status
        self.status.setText(status)
        self.status.setStyleSheet(f"color:{NORMAL.warn}; font-size:22px; font-weight:700;")
        self.waiting.set_rows(m.waiting())
        # an approval post's queue is of cases, not people (等候人数 … 人 read wrong there)
        total = "cases_in_all" if st is not None and st.zone == "approval" else "waiting_in_all"
        self.waiting_title.setText(f"<b>{tr(total, lang, n=self.waiting.total())}</b>" if st
                                   else f"<b>{tr('waiting', lang)}</b>")
        allowed = m.allowed()
        for action, _k, _s, handler in BUTTONS:
            self.buttons[handler].setEnabled(action in allowed or (
                handler == "pause_or_resume" and bool({"pause", "resume"} & allowed)))
        approval = st is not None and st.zone == "approval"
        self.buttons["ask_papers"].setVisible(approval)
        # nobody waits at an approval post to be recalled or passed (409 not_in_person): the
        # row they took is 补正's (a fourth row of buttons squeezed the Mongolian pad's case)
        for handler in ("recall", "no_show"):
            self.buttons[handler].setVisible(not approval)
        self.buttons["pause_or_resume"].setText(
            f"{tr('resume' if m.paused else 'pause', lang)}  F9")
        # where the route goes on, 转下一环节 is the main action and 办结 the quiet one
        onward = m.current is not None and bool(m.current.zones_left)
        done_main = m.current is not None and not onward
        for handler, main in (("finish_next", onward), ("finish_done", done_main)):
            btn = self.buttons[handler]
            if (btn.objectName() == "main") != main:
                btn.setObjectName("main" if main else "")
                btn.style().unpolish(btn)
                btn.style().polish(btn)
        if onward and m.current is not None:
            self.buttons["finish_next"].setToolTip(" → ".join(
                zone_name(z, lang) for z in m.current.zones_left))
        self.held.show_held(m.held(), "take-back" in allowed)
        self.mail_btn.setVisible(m.mail_open())
        self.mail_btn.setEnabled(not m.busy)
        count = f" ({m.to_mail})" if m.to_mail is not None else ""  # unknown: no number
        self.mail_btn.setText(pick(MAIL_WORDS["title"], lang) + count)
        self.deadlines.refresh()
        self.undo_btn.setEnabled("undo-finish" in allowed)
        self.undo_btn.setVisible(m.undo_remaining > 0)
        if m.undo_remaining > 0:
            self.undo_btn.setText(undo_text(m.undo_outcome, m.undo_number, m.undo_remaining,
                                            lang))
        self.ticket.refresh()
        # the page's words changed: let the window's minimum follow (else Qt keeps the first,
        # larger minimum it computed and a 1366x768 screen cuts the action buttons off)
        self.layout().invalidate()
