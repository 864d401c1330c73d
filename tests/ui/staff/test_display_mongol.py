"""The call display in a hall that lists Mongolian (issue 16): a call event's Mongolian sentence
(`text_mn`, as the server words it) is shown in a vertical band left of the Chinese, with the
number and the counter's Mongolian name; a hall without Mongolian shows no band. The hall's
notice scrolls with its Mongolian in columns, never along the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.display import BoardModel
from queue_server import wire
from ui.i18n import tr
from ui.staff.board import BoardWindow
from ui.staff.marquee import Marquee

WINDOW5_MN = "5 \u1833\u180b\u1824\u182d\u1820\u1837 \u1834\u1823\u1829\u182c\u1823"
TEXT_MN = f"A012 \u1833\u180b\u1824\u182d\u1820\u1837 \u1832\u1820 {WINDOW5_MN}\u202f\u1833\u1824"
NOW = datetime(2026, 3, 2, 1, 5, tzinfo=UTC)


def call(event_id: int) -> wire.Event:
    return wire.Event.model_validate({
        "id": event_id, "type": "ticket.called", "at": NOW.isoformat(), "hall": "hjhq",
        "number": "A012", "counter": "W05", "counter_name": "5号窗口 综合受理", "zone": "intake",
        "text": "请A012号到5号窗口 综合受理办理", "text_mn": TEXT_MN})


def test_mongolian_band_beside_the_chinese_call(qtbot: QtBot, tmp_path: Path) -> None:
    model = BoardModel(QueueClient("http://127.0.0.1:9"), clock=lambda: NOW)
    model.languages = ["mn", "zh", "en"]
    window = BoardWindow(model, lang="zh")
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    assert window.mongol.isVisible() and window.mongol.text() == tr("no_calls", "mn")
    model._on_event(call(1))
    window.refresh()
    assert window.number.text() == "A012" and "5号窗口" in window.where.text()
    band = window.mongol.text()
    assert band.split("\n") == [tr("now_calling", "mn"), TEXT_MN]
    columns = window.mongol.columns()
    assert len(columns.columns) >= 2 and not columns.elided
    # Mongolian first: the band is left of the number, inside the calling panel
    assert window.mongol.geometry().right() < window.number.geometry().left()
    assert window.mongol.height() > 500, "a tall band: the columns are long"
    window.grab().save(str(tmp_path / "board-mn.png"))
    model.languages = ["zh", "en"]
    window.refresh()
    assert not window.mongol.isVisible()


def test_recent_calls_show_the_counters_mongolian_names(qtbot: QtBot) -> None:
    from kiosk import sample_staff
    from kiosk.sample_hall import load_hall_sample
    from ui.staff.board import BoardLabel
    from ui.widgets.mongol import MongolianText

    hall = load_hall_sample(Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml")
    names_mn = {c.code: c.name_mn for c in hall.counters}
    model = sample_staff.board_model((), "calling", hall, ("mn", "zh", "en"))
    window = BoardWindow(model, lang="zh")
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitUntil(lambda: any(r.isVisible() for r in window.rows.rows))
    shown = [(row, call) for row, call in zip(window.rows.rows, model.board.history, strict=True)
             if row.isVisible()]
    assert len(shown) >= 3
    for row, call in shown:
        number, name = row.findChildren(BoardLabel)
        band = row.findChild(MongolianText)
        assert number.text() == call.number and name.text() == call.counter_name
        assert band is not None and band.text() == names_mn[call.counter]
        assert band.isVisible() and not band.columns().elided
        # Mongolian first: between the number and the Chinese name, as high as the number
        assert number.geometry().right() < band.geometry().left()
        assert band.geometry().right() < name.geometry().left()
        assert band.height() == number.sizeHint().height()
    # a hall without Mongolian: the same rows without bands
    model.languages = ["zh", "en"]
    window.refresh()
    assert not any(row.findChild(MongolianText) for row in window.rows.rows)


class HallClient(QueueClient):
    """A server that answers GET /hall with `hall` (no services, no counters)."""

    def __init__(self, hall: wire.HallOut) -> None:
        super().__init__("http://127.0.0.1:9")
        self._hall = hall

    def hall(self) -> wire.HallOut:  # type: ignore[override]
        return self._hall

    def services(self) -> list[wire.ServiceInfo]:  # type: ignore[override]
        return []

    def counters(self) -> list[wire.CounterState]:  # type: ignore[override]
        return []


def _mongolian(text: str) -> bool:
    return any("\u1800" <= ch <= "\u18af" for ch in text)


def horizontal_mongolian(window: QWidget) -> list[str]:
    """Shown labels whose text holds Mongolian letters (drawn along the line), and the notice
    strip's line when it does."""
    out = [f"QLabel({w.text()!r})" for w in window.findChildren(QLabel)
           if w.isVisibleTo(window) and _mongolian(w.text())]
    out += [f"Marquee({m.text!r})" for m in window.findChildren(Marquee) if _mongolian(m.text)]
    return out


def test_the_halls_notice_reaches_the_board(qtbot: QtBot, tmp_path: Path) -> None:
    """No notice in the terminal file: the board shows the hall's from GET /hall, the Chinese
    and English along the line, the Mongolian (a hall that lists mn) in whole-word columns of
    the strip's height; nothing Mongolian is written along a line. A terminal's notice wins."""
    from kiosk.sample_hall import load_hall_sample

    hall = load_hall_sample(Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml").hall
    assert hall.notice and hall.notice_en and _mongolian(hall.notice_mn)
    model = BoardModel(HallClient(hall), clock=lambda: NOW)
    window = BoardWindow(model, lang="zh")
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    assert window.notice.text == "" and window.notice.columns() is None  # before GET /hall
    model._load_hall()
    qtbot.waitUntil(lambda: window.notice.text != "", timeout=5000)
    strip = window.notice
    assert strip.text.split("\n") == [hall.notice, hall.notice_en]  # mn, zh, en: Chinese first
    assert strip.mongolian == hall.notice_mn
    columns = strip.columns()
    assert columns is not None and not columns.elided and len(columns.columns) >= 3
    assert columns.length <= strip.height() and columns.font.pixelSize() >= 20
    words = hall.notice_mn.split()
    for line in columns.columns:  # whole words only: a word cut across columns loses its forms
        shown = hall.notice_mn[line.textStart():line.textStart() + line.textLength()].split()
        assert all(w in words for w in shown), shown
    assert not horizontal_mongolian(window)
    strip.grab().save(str(tmp_path / "notice-mn.png"))

    # a hall without Mongolian: one line, no columns, and a short strip again
    tall = strip.height()
    model.languages = ["zh", "en"]
    window.refresh()
    assert strip.text == f"{hall.notice}    {hall.notice_en}" and strip.columns() is None
    assert strip.height() < tall
    model.languages = ["zh"]  # only the languages the hall lists
    window.refresh()
    assert strip.text == hall.notice

    own = BoardWindow(model, lang="zh", notice="本屏公告")
    qtbot.addWidget(own)
    model.languages = ["mn", "zh", "en"]
    own.refresh()
    assert own.notice.text == "本屏公告" and own.notice.columns() is None
