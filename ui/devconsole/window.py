"""The device console's window: one panel per simulated device (card reader, document camera,
ticket printer, rating pad) and the last printed ticket as a picture. It binds to
`kiosk.devconsole.DeviceConsole` and holds no logic: every button calls the view-model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.devconsole import DeviceConsole
from ui.devconsole.paper import PaperView
from ui.devconsole.text import COVER, DEVICES, LEVELS, PAPER, SCENES, tr, word

CARD_TYPES = {"resident": ("居民身份证", "resident ID"), "hmt_permit": ("港澳台居住证", "HK/Macao/TW permit"),
              "foreign_2017": ("外国人永居证", "foreign PR card"),
              "foreign_2023": ("外国人永居证", "foreign PR card")}
STYLE = """
QWidget { font-size: 14px; }
QGroupBox { font-weight: bold; border: 1px solid #9aa3b2; border-radius: 6px; margin-top: 12px;
            padding: 8px 6px 6px 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QLabel#title { font-size: 20px; font-weight: bold; color: #c8102e; }
QLabel#state { color: #1a1f2b; }
QLabel#said { padding: 4px 6px; border-radius: 4px; background: #e8f0fb; }
QLabel#said[bad="true"] { background: #fde8e8; color: #b91c1c; }
QPushButton { padding: 4px 8px; min-height: 26px; }
"""


class DeviceConsoleWindow(QWidget):
    def __init__(self, console: DeviceConsole, lang: str = "zh") -> None:
        super().__init__()
        self.console, self.lang = console, lang
        self.setStyleSheet(STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        self._texts: list[tuple[QWidget, str]] = []  # (widget, key) worded again on a switch
        root.addLayout(self._header())
        self.boxes = {"idcard": self._reader(), "camera": self._camera(),
                      "printer": self._printer(), "pad": self._pad()}
        for box in self.boxes.values():  # greyed while its device is not running
            root.addWidget(box)
        root.addWidget(self._ticket(), 1)
        self.said = QLabel("")
        self.said.setObjectName("said")
        self.said.setWordWrap(True)
        root.addWidget(self.said)
        console.changed.connect(self.refresh)
        self.refresh()

    # -- building --------------------------------------------------------------------------
    def _worded(self, widget: QWidget, key: str) -> QWidget:
        self._texts.append((widget, key))
        return widget

    def _button(self, key: str, action: object) -> QPushButton:
        b = QPushButton()
        b.clicked.connect(lambda _checked=False: action())  # type: ignore[operator]
        self._worded(b, key)
        return b

    def _group(self, key: str) -> tuple[QGroupBox, QVBoxLayout]:
        box = QGroupBox()
        self._worded(box, key)
        return box, QVBoxLayout(box)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        names = QVBoxLayout()
        title = QLabel()
        title.setObjectName("title")
        names.addWidget(self._worded(title, "title"))
        names.addWidget(self._worded(QLabel(), "subtitle"))
        row.addLayout(names, 1)
        row.addWidget(self._button("lang_switch", self.switch_language))
        return row

    def _reader(self) -> QGroupBox:
        box, col = self._group("reader")
        self.reader_state = QLabel()
        self.cards = _combo()
        row = QHBoxLayout()
        row.addWidget(self.cards, 1)
        row.addWidget(self._button("put_on", lambda: self.console.present_card(
            int(self.cards.currentData() if self.cards.currentData() is not None else -1))))
        row.addWidget(self._button("take_away", self.console.remove_card))
        col.addWidget(self.reader_state)
        col.addLayout(row)
        return box

    def _camera(self) -> QGroupBox:
        box, col = self._group("camera")
        self.camera_state = QLabel()
        self.code = QLineEdit()
        self.code.returnPressed.connect(lambda: self.console.show_text(self.code.text()))
        typed = QHBoxLayout()
        typed.addWidget(self.code, 1)
        typed.addWidget(self._button("show", lambda: self.console.show_text(self.code.text())))
        self.recent = _combo()
        picked = QHBoxLayout()
        picked.addWidget(self.recent, 1)
        self.show_ticket_btn = self._button("show_ticket", lambda: self.console.show_ticket(
            int(self.recent.currentData() if self.recent.currentData() is not None else -1)))
        picked.addWidget(self.show_ticket_btn)
        picked.addWidget(self._button("take_away", self.console.clear_camera))
        for part in (self.camera_state, typed, picked):
            col.addWidget(part) if isinstance(part, QWidget) else col.addLayout(part)
        return box

    def _printer(self) -> QGroupBox:
        box, col = self._group("printer")
        self.printer_state = QLabel()
        row = QHBoxLayout()
        row.addWidget(self._button("paper_out_btn", lambda: self.console.paper("out")))
        row.addWidget(self._button("paper_low_btn", lambda: self.console.paper("low")))
        row.addWidget(self._button("refill_btn", lambda: self.console.paper("ok")))
        self.cover_btn = QPushButton()
        self.cover_btn.clicked.connect(lambda _c=False: self.console.cover(not self._cover_open()))
        row.addWidget(self.cover_btn)
        col.addWidget(self.printer_state)
        col.addLayout(row)
        return box

    def _pad(self) -> QGroupBox:
        box, col = self._group("pad")
        self.pad_state = QLabel()
        col.addWidget(self.pad_state)
        row = QHBoxLayout()
        self.levels: list[QPushButton] = []
        for level in (5, 4, 3, 2, 1):
            b = QPushButton()
            # two lines (the key, its words): the style sheet's general min-height would undo a
            # plain setMinimumHeight at polish time
            b.setStyleSheet(f"min-height: {2 * b.fontMetrics().lineSpacing() + 6}px;")
            b.clicked.connect(lambda _c=False, n=level: self.console.press(n))
            self.levels.append(b)
            row.addWidget(b)
        col.addLayout(row)
        return box

    def _ticket(self) -> QGroupBox:
        box, col = self._group("ticket")
        nav = QHBoxLayout()
        self.newer = QPushButton("◀")
        self.newer.clicked.connect(lambda _c=False: self.console.show_job(self.console.shown - 1))
        self.older = QPushButton("▶")
        self.older.clicked.connect(lambda _c=False: self.console.show_job(self.console.shown + 1))
        self.ticket_title = QLabel()
        self.ticket_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(self.newer)
        nav.addWidget(self.ticket_title, 1)
        nav.addWidget(self.older)
        self.paper = PaperView()
        col.addLayout(nav)
        col.addWidget(self.paper, 1)
        return box

    # -- showing -----------------------------------------------------------------------------
    def switch_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.refresh()

    def _cover_open(self) -> bool:
        return self.console.states.get("printer", {}).get("cover") == "open"

    def refresh(self) -> None:
        lang, console = self.lang, self.console
        for widget, key in self._texts:
            text = tr(key, lang)
            widget.setTitle(text) if isinstance(widget, QGroupBox) else widget.setText(text)  # type: ignore[attr-defined]
        self.code.setPlaceholderText(tr("code_hint", lang))
        self.cover_btn.setText(tr("cover_close_btn" if self._cover_open() else "cover_open_btn", lang))
        for b, level in zip(self.levels, (5, 4, 3, 2, 1), strict=True):
            b.setText(f"{level}\n{word(LEVELS, level, lang)}")
        self._show_reader()
        self._show_camera()
        self._show_printer()
        self.pad_state.setText(self._idle("pad") or tr("pad_hint", lang))
        for kind, box in self.boxes.items():
            box.setEnabled(console.running(kind))
        self._show_said()

    def _idle(self, kind: str) -> str | None:
        """The line of a device that is not running, else None."""
        if self.console.running(kind):
            return None
        return f"{word(DEVICES, kind, self.lang)}: {tr('not_running_short', self.lang)}"

    def _show_reader(self) -> None:
        lang, console = self.lang, self.console
        _fill(self.cards, [(f"{c.get('name')} · {word(CARD_TYPES, c.get('type'), lang)} · "
                            f"{c.get('number')}", c.get("index")) for c in console.cards])
        state = console.states.get("idcard", {})
        on = state.get("card")
        name = next((str(c.get("name")) for c in console.cards if c.get("index") == on), "")
        line = tr("reader_has", lang, name=name) if on is not None else tr("reader_empty", lang)
        if state.get("mode") == "cycle":
            line += tr("reader_cycle", lang)
        self.reader_state.setText(self._idle("idcard") or line)

    def _show_camera(self) -> None:
        lang, console = self.lang, self.console
        recent = [(f"{t.number or '?'} · {t.title or t.qr}", i)
                  for i, t in enumerate(console.tickets) if t.qr]
        _fill(self.recent, recent or [(tr("no_tickets", lang), None)])
        self.show_ticket_btn.setEnabled(self.recent.currentData() is not None)
        scene = console.states.get("camera", {}).get("scene")
        line = (tr("camera_code", lang) if scene == "picture"
                else tr("camera_scene", lang, scene=word(SCENES, scene, lang)))
        self.camera_state.setText(self._idle("camera") or line)

    def _show_printer(self) -> None:
        lang, console = self.lang, self.console
        state = console.states.get("printer", {})
        line = tr("printer_state", lang, paper=word(PAPER, state.get("paper"), lang),
                  cover=word(COVER, state.get("cover"), lang), jobs=state.get("jobs", 0))
        self.printer_state.setText(self._idle("printer") or line)
        tickets = console.tickets
        self.newer.setEnabled(console.shown > 0)
        self.older.setEnabled(console.shown < len(tickets) - 1)
        if not tickets:
            self.ticket_title.setText(tr("no_tickets", lang))
            self.paper.show_png(b"")
            return
        ticket = tickets[console.shown]
        self.ticket_title.setText(tr("ticket_of", lang, job=ticket.job, number=ticket.number or "?"))
        self.paper.show_png(ticket.png)

    def _show_said(self) -> None:
        key, fields = self.console.last_said
        if not key:
            self.said.setText("")
            return
        if "device" in fields:
            fields = {**fields, "device": word(DEVICES, fields["device"], self.lang)}
        self.said.setText(tr(key, self.lang, **fields))
        bad = key in ("not_running", "refused", "no_such_ticket", "not_a_code")
        self.said.setProperty("bad", "true" if bad else "false")
        self.said.style().unpolish(self.said)
        self.said.style().polish(self.said)


def _fill(combo: QComboBox, items: list[tuple[str, object]]) -> None:
    """Set a combo box's items only when they changed (a poll must not close an open list),
    keeping the chosen one chosen."""
    have = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    if have == items:
        return
    current = combo.currentData()
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    if current is not None and (at := combo.findData(current)) >= 0:
        combo.setCurrentIndex(at)


def _combo() -> QComboBox:
    """A combo box whose long items (a link, a card's number) never widen the window."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    return combo
