"""The approval and pickup counter pads and what they read of their queue, against a real server
process (real clock) of a hall of their own, with real Qt offscreen:

- a deadline (限时办结) is said in the hall's working days, as the server counts them: a case due
  one working day after today, past seven closed days, is "剩 1 个工作日", not 8 days or more;
- an approval pad that starts today lists the overdue case whose `case.alert` went out yesterday
  (before the pad ran: the events it replays are today's), asking the server at login, and asks
  again when its link comes back after an outage;
- the pickup pad's 待寄出 (N) is a count the server answers without unsealing an address; the
  list itself is asked for only when the staff open it.

The cases are seeded through the use cases before the server starts, the overdue one with the
clock twenty days back and its alerts scanned with the clock a day back (as tests/ui/staff/
test_counter_cases.py and the console's browser test make cases late)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from kiosk import counter_words as words
from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from kiosk.counter_view import CaseAlert
from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.db.models import Ticket
from queue_server.db.store import Store
from queue_server.domain.clock import utcnow
from queue_server.usecases import cases, counters, delivery
from server_process.hall import HallProcess
from tests.queue_server.supervision_seed import SetClock, serve, staff, take
from tests.ui.staff.test_counter_cases import with_dialog
from ui.staff.counter_pad import CounterWindow
from ui.staff.mail import MailDialog

pytestmark = pytest.mark.timeout(120)
PIN = "246810"
TZ = ZoneInfo("Asia/Shanghai")
ADDRESS = "内蒙古巴彦淖尔市杭锦后旗陕坝镇光明街 88 号"
CLOSED = 7  # the hall is closed the next seven days (a week: a weekend among them)
HALL_TOML = """
[hall]
id = "q1"
name = "限时办结测试中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{{number}}号到{{counter}}办理"
open_days = "every_day"
closed_days = [{closed}]

[[services]]
code = "case"
name = "企业开办"
prefix = "B"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 1

[[services]]
code = "quick"
name = "食品经营许可"
prefix = "Q"
route = ["intake", "approval"]
time_limit_workdays = 1

[[services]]
code = "parcel"
name = "证照寄送件"
prefix = "P"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 3
mail_delivery = true

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["case", "quick", "parcel"]

[[counters]]
code = "W03"
name = "审批1"
zone = "approval"
services = ["case", "quick"]

[[counters]]
code = "W05"
name = "审批2"
zone = "approval"
services = ["parcel"]

[[counters]]
code = "W04"
name = "出件窗口"
zone = "pickup"
services = ["case", "parcel"]
""" + "".join(f"""
[[staff]]
id = "{s}"
name = "员工{s[-1]}"
role = "staff"
""" for s in ("s001", "s002", "s003", "s004"))


def today() -> date:
    return utcnow().astimezone(TZ).date()


class Recorder(QueueClient):
    """The pad's client, noting the path of every request it makes (a spy on our own client,
    the HTTP real)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.paths: list[str] = []

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        self.paths.append(f"{method} {path}")
        return super().request(method, path, **kw)


class QueueHall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        closed = ", ".join(f'"{today() + timedelta(days=n)}"' for n in range(1, CLOSED + 1))
        super().__init__(tmp, HALL_TOML.format(closed=closed))
        for s in ("s001", "s002", "s003", "s004"):
            self.set_pin(s, PIN)
        self.pads = {code: self.enrol("counter", f"pad-{code}", counter=code)
                     for code in ("W03", "W04")}
        clock = SetClock(utcnow() - timedelta(days=20))
        store = Store(self.db, clock=clock)
        try:
            # taken in twenty days ago (due a working day later); its alerts went out yesterday
            self.late = take(store, "q1")
            assert serve(store, "q1", "W01", "s001") == self.late
            clock.now = utcnow() - timedelta(days=1)
            assert cases.scan_alerts(store) >= 1
            clock.now = utcnow()  # today: due the first working day after the closed week
            self.quick = take(store, "q1", "quick")
            assert serve(store, "q1", "W01", "s001") == self.quick
            self.parcels = [self._mailed(store) for _ in range(2)]
        finally:
            store.close()

    @staticmethod
    def _mailed(store: Store) -> str:
        """A case whose holder chose mail, taken in and approved today: ready, to be mailed."""
        ticket, desk = take(store, "q1", "parcel"), staff("q1", "W01", "s001")
        assert counters.call_next(store, desk, "W01", "").id == ticket
        counters.start(store, desk, "W01", "")
        delivery.choose(store, desk, ticket, wj.DeliveryIn(method="mail", recipient="张三",
                                                           address=ADDRESS))
        counters.finish(store, desk, "W01", wire.FinishIn(outcome="next"), "")
        assert serve(store, "q1", "W05", "s003") == ticket
        return ticket

    def get(self, path: str, token: str) -> Any:
        resp = httpx.get(f"{self.url}/api/v1{path}", timeout=5,
                         headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueHall]:
    server = QueueHall(tmp_path_factory.mktemp("queue"))
    server.start()
    yield server
    server.stop()


Pad = tuple[CounterModel, CounterWindow, Recorder]


@pytest.fixture
def pads(qtbot: QtBot, hall: QueueHall) -> Iterator[Callable[[str, str], Pad]]:
    """`open(counter, staff)`: a logged-in pad at 1366x768 on a recording client."""
    opened: list[Pad] = []

    def open_pad(code: str, staff_id: str) -> Pad:
        client = Recorder(hall.url, hall.pads[code])
        model = CounterModel(client, code, heartbeat_s=0)
        window = CounterWindow(model, "zh")
        window.resize(1366, 768)
        window.show()
        window.staff_id.setText(staff_id)
        window.pin.setText(PIN)
        window.login_btn.click()
        qtbot.waitUntil(lambda: model.state is not None and not model.busy, timeout=10000)
        opened.append((model, window, client))
        return model, window, client

    yield open_pad
    for model, window, _client in opened:
        model.stop()
        window.close()
        window.deleteLater()


def number_of(hall: QueueHall, ticket: str) -> str:
    store = Store(hall.db)  # (it only reads, beside the running server)
    try:
        with store.read() as s:
            row = s.get(Ticket, ticket)
            assert row is not None
            return row.number
    finally:
        store.close()


def test_an_approval_pad_started_today_lists_the_case_that_became_overdue_before(
        qtbot: QtBot, hall: QueueHall, pads: Callable[[str, str], Pad], tmp_path: Path) -> None:
    number = number_of(hall, hall.late)
    store = Store(hall.db)
    try:
        alerts = [e for e in store.fetch_events("q1", 0, 10_000)
                  if e["type"] == "case.alert" and e.get("ticket") == hall.late]
    finally:
        store.close()
    # the scenario: its only alert went out before today, so no event of today tells the pad
    assert alerts and all(datetime.fromisoformat(str(e["at"])).astimezone(TZ).date() < today()
                          for e in alerts), alerts
    model, window, client = pads("W03", "s002")
    qtbot.waitUntil(lambda: number in window.deadlines.text(), timeout=10000)
    assert "GET /counters/W03/deadlines" in client.paths
    assert [a.number for a in model.deadline_alerts()] == [number]
    [row] = hall.get("/counters/W03/deadlines", model.client.staff_token)
    assert row["ticket"] == hall.late and row["state"] == "overdue"
    late = -row["workdays_left"]  # as the server counts them on the hall's calendar
    assert late >= 1 and f"已超期 {late} 个工作日" in window.deadlines.text()
    assert "限时办结 · 1 件" in window.deadlines.text() and window.deadlines.isVisible()
    window.grab().save(str(tmp_path / "approval-started-today.png"))
    assert window.height() <= 768

    # the link goes and comes back: the pad asks again (what fell due meanwhile is listed)
    client.paths.clear()
    hall.kill()
    qtbot.waitUntil(lambda: not model.online, timeout=30000)
    hall.start()
    qtbot.waitUntil(lambda: model.online and "GET /counters/W03/deadlines" in client.paths,
                    timeout=30000)
    qtbot.waitUntil(lambda: not model.busy, timeout=5000)
    assert number in window.deadlines.text()


def test_the_deadline_of_the_case_called_is_in_working_days(
        qtbot: QtBot, hall: QueueHall, pads: Callable[[str, str], Pad]) -> None:
    model, window, _client = pads("W03", "s002")
    number = number_of(hall, hall.quick)
    model.call_number(number)
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.deadline is not None
    due = model.current.deadline.astimezone(TZ).date()
    assert (due - today()).days > CLOSED  # a week closed: eight calendar days or more...
    assert model.current.workdays_left == 1  # ...and one working day
    details = window.ticket.details.text()
    assert "办结时限" in details and "剩 1 个工作日" in details, details
    assert f"剩 {(due - today()).days} 天" not in details
    model.start()
    qtbot.waitUntil(lambda: not model.busy and model.current is not None
                    and model.current.status == "serving", timeout=5000)
    model.finish("next")  # the last zone of its route: done
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


def test_the_pickup_pad_counts_the_cases_to_mail_without_listing_them(
        qtbot: QtBot, hall: QueueHall, pads: Callable[[str, str], Pad]) -> None:
    model, window, client = pads("W04", "s004")
    qtbot.waitUntil(lambda: window.mail_btn.text() == "证照寄送 · 待寄出 (2)", timeout=10000)
    assert "GET /counters/W04/to-mail-count" in client.paths
    assert "GET /deliveries/to-mail" not in client.paths  # no address unsealed to count
    shown: list[int] = []

    def look(dlg: MailDialog) -> None:
        qtbot.waitUntil(lambda: dlg.cases.count() == 2, timeout=5000)
        shown.append(dlg.cases.count())
        assert ADDRESS in dlg.cases.item(0).text()

    with_dialog(MailDialog, window.mail_btn.click, look)
    assert shown == [2] and "GET /deliveries/to-mail" in client.paths  # opened: listed
    assert model.to_mail == 2


def test_a_tap_on_a_number_of_the_list_calls_that_very_case(
        qtbot: QtBot, hall: QueueHall, pads: Callable[[str, str], Pad]) -> None:
    """Numbers start again each day: the list says the day a number was taken when it is not
    today's, and a tap on it calls that case (by its id), not today's of the same number."""
    model, window, client = pads("W03", "s002")
    number = number_of(hall, hall.late)
    qtbot.waitUntil(lambda: number in window.deadlines.text(), timeout=10000)
    [alert] = model.deadline_alerts()
    assert alert.day is not None and alert.day < today()
    text = window.deadlines.text()
    assert f"{number} ({alert.day:%m-%d})</a>" in text and "点号码叫号" in text
    window.deadlines.linkActivated.emit(hall.late)
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.id == hall.late
    assert "POST /counters/W03/call" in client.paths
    qtbot.waitUntil(lambda: "点号码叫号" not in window.deadlines.text(), timeout=5000)
    assert number in window.deadlines.text()  # held here now: listed, not to be called


def test_deadline_words_in_working_days() -> None:
    due = datetime(2026, 3, 10, 15, 59, 59, tzinfo=ZoneInfo("UTC"))  # Tue 23:59:59 in Beijing
    friday = datetime(2026, 3, 6, 10, tzinfo=TZ)
    assert words.deadline_text(due, False, friday, TZ, "zh", 1) == (
        "03-10 23:59 · 剩 1 个工作日", "left")
    assert words.deadline_text(due, False, friday, TZ, "en", 1)[0] == (
        "03-10 23:59 · 1 working day left")
    later = datetime(2026, 3, 16, 9, tzinfo=TZ)
    assert words.deadline_text(due, True, later, TZ, "zh", -4) == (
        "03-10 23:59 · 已超期 4 个工作日 (暂定)", "overdue")
    assert words.deadline_text(due, False, later, TZ, "en", -4)[0] == (
        "03-10 23:59 · overdue by 4 working days")
    # past the deadline by less than a working day (its Wednesday's first hour): still 1
    assert words.deadline_text(due, False, datetime(2026, 3, 11, 0, 30, tzinfo=TZ), TZ, "zh",
                               0)[0] == "03-10 23:59 · 已超期 1 个工作日"
    assert words.deadline_text(due, False, datetime(2026, 3, 10, 9, tzinfo=TZ), TZ, "zh",
                               0)[0] == "03-10 23:59 · 今日到期"
    assert words.case_state_text(due, "soon", TZ, "zh") == "03-10 23:59 · 即将到期"
    # the approval counter's list says it short (the date only: its card is ~300 px wide)
    assert words.deadline_short(due, False, later, TZ, "zh", -4) == (
        "已超期 4 个工作日 · 03-10", "overdue")
    assert words.deadline_short(due, True, later, TZ, "en", -1)[0] == "1 workday late · 03-10 (prov.)"
    assert words.deadline_short(due, False, datetime(2026, 3, 10, 9, tzinfo=TZ), TZ, "en",
                                0)[0] == "due today · 03-10"


def test_a_number_of_today_s_business_day_is_shown_without_its_day(qtbot: QtBot) -> None:
    """A 24-hour hall whose day starts at 04:00 numbers 02:30 with yesterday's day: the pad
    compares a number's day with the hall's business day, not the calendar's date."""
    at = datetime(2026, 12, 4, 2, 30, tzinfo=TZ)
    model = CounterModel(QueueClient("http://127.0.0.1:9", "t"), "H01", heartbeat_s=0,
                         clock=lambda: at)
    model.hall = wire.HallOut(id="q1", name="二十四小时厅", timezone="Asia/Shanghai",
                              announce="", day_starts="04:00")

    def alert(day: date) -> CaseAlert:
        return CaseAlert("t1", "A007", "case", "soon", None, None, day=day)

    assert model.case_number(alert(date(2026, 12, 3))) == "A007"  # taken at 01:00: yesterday's
    assert model.case_number(alert(date(2026, 12, 4))) == "A007 (12-04)"  # not begun yet
    assert model.case_number(alert(date(2026, 12, 2))) == "A007 (12-02)"
    model.hall = model.hall.model_copy(update={"day_starts": "00:00"})
    assert model.case_number(alert(date(2026, 12, 4))) == "A007"
    assert model.case_number(alert(date(2026, 12, 3))) == "A007 (12-03)"
