"""What the ticket screen and the look-up list say: an English visitor's service name in English
too; a number taken at night says when calling starts (not "0 ahead, about 0 min"); a bank
branch's application forwarded to the hall names the hall and its number and no longer sends
the citizen to wait at the branch; a forwarded ticket in the look-up list says so and offers no
rating; a status the kiosk does not know does not break the list; a bank branch shows its own
zones and no pickup words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk import sample
from kiosk.inquiry import rateable
from kiosk.sample_hall import load_hall_sample
from queue_server import wire
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts

HALL = Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml"


def _window(qtbot: Any, qapp: Any, role: str = "kiosk",
            size: tuple[int, int] = (1080, 1920)) -> tuple[Any, KioskWindow]:
    apply_fonts(qapp)
    flow = sample.sample_flow(role, load_hall_sample(HALL))
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(*size)
    window.show()
    return flow, window


def _texts(widget: Any) -> str:
    return "\n".join(w.text() for w in widget.findChildren(QLabel) + widget.findChildren(
        QPushButton) if w.isVisibleTo(widget))


def test_an_english_ticket_names_the_service_in_english_too(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp)
    sample.stage(flow, "ticket", lang="en")
    settle(QApplication.instance())
    screen = window.screens["ticket"]
    assert screen.service.text() == "企业开办\nCompany setup"  # Chinese first
    sample.stage(flow, "ticket", lang="zh")
    settle(QApplication.instance())
    assert screen.service.text() == "企业开办"


def test_a_night_number_says_when_calling_starts(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp)
    screen = window.screens["ticket"]
    for lang, words in (("zh", "大厅 08:30 开始叫号"), ("en", "Calling starts at 08:30")):
        sample.stage(flow, "ticket", lang=lang, variant="night")
        settle(QApplication.instance())
        assert words in screen.facts.text()
        assert "预计等候" not in screen.facts.text() and "Estimated wait" not in screen.facts.text()
    # opening tomorrow: with the day
    ticket = flow.data.ticket
    flow.data.ticket = ticket.model_copy(update={"calls_from": ticket.calls_from + timedelta(days=1)})
    flow.changed.emit()
    settle(QApplication.instance())
    assert "Calling starts at 08:30 on 2026-11-26" in screen.facts.text()


def test_a_forwarded_application_names_the_hall_and_its_number(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp, "bank")
    screen = window.screens["ticket"]
    sample.stage(flow, "ticket")
    settle(QApplication.instance())
    hall = flow.data.forwarded
    assert hall is not None
    assert screen.number.text() == hall.number == "A001"
    assert "已转交 杭锦后旗政务服务中心 一窗受理" in screen.facts.text()
    assert "号码 A001" in screen.facts.text()
    assert "等候叫号" not in _texts(screen)  # nobody calls it at the branch
    assert screen.qr.text == hall.track_url
    # while the papers are on their way: not sent to wait at the branch either
    flow.data.forwarded, flow.data.upload_state = None, "sending"
    flow.changed.emit()
    settle(QApplication.instance())
    assert "转交大厅" in screen.facts.text() and "等候叫号" not in _texts(screen)


def _forwarded() -> wire.TicketOut:
    branch = wire.StageOut(zone="intake", counter="N01", called_at=sample.NOW,
                           ended_at=sample.NOW, outcome="forwarded")
    return wire.TicketOut(
        id="t9", number="N003", service="company-setup", service_name="企业开办",
        status="forwarded", zone="intake", issued_at=sample.NOW, journey=[branch],
        forwarded_to=wire.ForwardedTo(ticket="t10", number="A001", hall="hjhq",
                                      hall_name="杭锦后旗政务服务中心", track_url="http://h/t/t10"))


def test_a_forwarded_ticket_in_the_look_up_list(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp, "bank")
    odd = _forwarded().model_copy(update={"id": "t11", "number": "N004", "status": "paused_x",
                                          "forwarded_to": None, "journey": []})
    for lang, status in (("zh", "已转交大厅"), ("en", "Forwarded to the hall")):
        sample.stage(flow, "result", lang=lang)
        flow.data.results = [_forwarded(), odd]
        flow.changed.emit()
        settle(QApplication.instance())
        screen = window.screens["result"]
        shown = _texts(screen)
        assert status in shown and "A001" in shown and "杭锦后旗政务服务中心" in shown
        assert "已办结" not in shown and "Completed" not in shown
        assert "paused_x" in shown  # a status this kiosk does not know: as the server wrote it
        rate = "评价" if lang == "zh" else "Rate"
        assert not [b for b in screen.findChildren(QPushButton) if b.text() == rate]
    assert not rateable(_forwarded())
    flow.inquiry.start_rating("t9")
    assert flow.state == "result"  # no rating screen for it


def test_a_bank_branch_shows_its_own_zones_and_no_pickup_words(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp, "bank")
    zones = {c.zone for c in flow.link.hall.counters}  # type: ignore[union-attr]
    assert zones == {"intake"}
    for variant in ("", "pickup"):
        for state in ("attract", "checkin", "ticket"):
            sample.stage(flow, state, variant=variant)
            settle(QApplication.instance())
            shown = _texts(window.screens[state])
            for word in ("综合咨询导办", "后台审批", "出件", "取件"):
                assert word not in shown, (state, variant, word)
    sample.stage(flow, "attract")
    settle(QApplication.instance())
    assert "一窗受理" in _texts(window.screens["attract"])
    # the hall's own kiosk keeps its four zones
    hall_flow, hall_window = _window(qtbot, qapp)
    sample.stage(hall_flow, "attract")
    settle(QApplication.instance())
    shown = _texts(hall_window.screens["attract"])
    assert all(z in shown for z in ("综合咨询导办", "一窗受理", "后台审批", "出件"))


def test_a_service_at_night_says_when_calling_starts_before_a_number_is_taken(
        qtbot: Any, qapp: Any) -> None:
    """The 24-hour room at night: a service's detail said 预计等候 0 分钟 and 今日剩余 300 个号,
    both untrue for a number called tomorrow; with the list's `calls_from` it says when
    calling starts and counts that day's numbers (an hour past the opening, an old list: as
    by day)."""
    flow, window = _window(qtbot, qapp)
    screen = window.screens["detail"]
    catalog = flow.link.catalog
    day = catalog.services
    for lang, starts, left in (("zh", "开始叫号", "当日剩余"), ("en", "Calling starts at",
                                                           "left that day")):
        sample.stage(flow, "detail", lang=lang)
        service = flow.service
        assert service is not None and service.remaining_today is not None
        opens = flow.now().replace(microsecond=0) + timedelta(hours=10)  # the sample's clock
        catalog.replace([s.model_copy(update={"calls_from": opens}) if s.code == service.code
                         else s for s in day])
        flow.changed.emit()
        settle(QApplication.instance())
        assert starts in screen.facts.text() and left in screen.facts.text(), screen.facts.text()
        assert "预计等候" not in screen.facts.text() and "Estimated" not in screen.facts.text()
        # a list read before the doors opened, looked at after: as by day
        catalog.replace([s.model_copy(update={"calls_from": opens - timedelta(hours=11)})
                         if s.code == service.code else s for s in day])
        flow.changed.emit()
        settle(QApplication.instance())
        assert starts not in screen.facts.text() and left not in screen.facts.text()


def test_the_home_screen_at_night_says_the_hall_is_closed(qtbot: Any, qapp: Any) -> None:
    """At 22:30 the home screen of the 24-hour room looked as by day: its motto's line says
    the counters are closed and when calling starts, senior mode included."""
    flow, window = _window(qtbot, qapp)
    screen = window.screens["attract"]
    catalog = flow.link.catalog
    day = catalog.services
    opens = flow.now().replace(microsecond=0) + timedelta(hours=10)
    for elderly in (False, True):
        sample.stage(flow, "attract", elderly=elderly)
        catalog.replace([s.model_copy(update={"calls_from": opens}) for s in day])
        flow.changed.emit()
        settle(QApplication.instance())
        assert "已下班" in screen.motto.text() and "开始叫号" in screen.motto.text()
        assert screen.motto.isVisible()
    catalog.replace(day)
    sample.stage(flow, "attract")
    settle(QApplication.instance())
    assert "已下班" not in screen.motto.text()


def test_an_unplugged_card_reader_is_said_before_a_service_is_chosen(qtbot: Any,
                                                                     qapp: Any) -> None:
    """The reader unplugged at night: nothing said until the citizen had chosen a service,
    read its papers and pressed 刷身份证取号. The home, services and detail screens say it, as
    they say the printer's paper is out."""
    flow, window = _window(qtbot, qapp)
    assert flow.has_device("idcard")
    for state in ("attract", "services", "detail"):
        sample.stage(flow, state)
        flow.device_health = {"printer": "online", "idcard": "offline"}
        flow.changed.emit()
        settle(QApplication.instance())
        assert "读卡器暂不可用" in window.printer_notice.text(), state
        assert window.notice_room.isVisible()
    flow.device_health = {"printer": "paper_out", "idcard": "offline"}  # both, a line each
    flow.changed.emit()
    settle(QApplication.instance())
    assert window.printer_notice.text().count("\n") == 1
    flow.device_health = {"printer": "online", "idcard": "online"}
    flow.changed.emit()
    settle(QApplication.instance())
    assert not window.notice_room.isVisible()


def test_at_night_the_words_that_send_to_the_staff_say_when_they_are_here(
        qtbot: Any, qapp: Any) -> None:
    """At 22:30 the offline screen and the card reader's fault said 请咨询工作人员 in an empty
    room (an outside check): while the hall is closed they say when the staff are here."""
    flow, window = _window(qtbot, qapp)
    catalog = flow.link.catalog
    day = catalog.services
    opens = flow.now().replace(hour=8, minute=30, second=0, microsecond=0) + timedelta(days=1)
    sample.stage(flow, "offline", variant="offline")
    catalog.replace([s.model_copy(update={"calls_from": opens}) for s in day])
    flow.changed.emit()
    settle(QApplication.instance())
    body = window.screens["offline"].body.text()
    assert f"工作人员 {opens.month}月{opens.day}日 08:30 上班" in body, body
    assert body.index("上班") < body.index("材料清单")  # beside "ask the staff", not after
    sample.stage(flow, "detail")
    catalog.replace([s.model_copy(update={"calls_from": opens}) for s in day])
    flow.notice = "reader_fault"
    flow.changed.emit()
    settle(QApplication.instance())
    assert "请咨询工作人员\n现在无人值守，工作人员" in window.notice.text()
    catalog.replace(day)  # by day: as before
    flow.changed.emit()
    settle(QApplication.instance())
    assert window.notice.text() == "读卡器暂不可用，请咨询工作人员"


def test_a_bank_branch_s_long_name_stays_on_one_line_back_home(qtbot: Any, qapp: Any) -> None:
    """The bank kiosk's name, fitted on one line at start, wrapped mid-word (政银合作便民服 /
    务点) once the kiosk came back from the ticket screen, where the bar had more room: it is
    fitted again at the room the home screen's bar leaves it."""
    flow, window = _window(qtbot, qapp, "bank", (1920, 1080))
    for state in ("attract", "services", "ticket", "attract"):
        sample.stage(flow, state)
        settle(QApplication.instance())
        line = window.hall.fontMetrics().lineSpacing()
        assert window.hall.heightForWidth(window.hall.width()) <= line * 1.5, state


def test_the_priority_hint_says_the_hall_s_own_age(qtbot: Any, qapp: Any) -> None:
    """A service's screen said 70 岁以上 whatever age the hall gives priority from."""
    flow, window = _window(qtbot, qapp)
    assert flow.link.hall is not None
    plain = next(s.code for s in flow.link.catalog.services if not s.requires_id_card
                 and s.materials)  # a card is not needed: the hint is the priority's

    def detail(lang: str) -> str:
        sample.stage(flow, "detail", lang=lang)
        flow.data.service = plain
        flow.emit_changed()
        settle(QApplication.instance())
        return _texts(window.screens["detail"])

    for age in (70, 65):
        flow.link.hall.priority_age = age
        assert f"{age} 岁以上老人刷身份证自动优先" in detail("zh")
    assert "Aged 65+" in detail("en")
