"""Sample data of the staff roles for `--screens DIR` (the citizen kiosk's: `kiosk.sample`): a
counter pad, a call board and a rating pad in each state their screens show, built on clients
that are never called (no server, no devices).

The scanned pages a counter pad shows are pictures, which the caller draws (`page(i)` gives the
JPEG of page i): kiosk knows no painting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from kiosk.counter_view import ticket_view
from kiosk.display import BoardModel, Call
from kiosk.pad import RatingModel
from kiosk.sample_hall import HallSample
from kiosk.staff_runner import OFFLINE_TEXT
from queue_server import wire

TZ = timezone(timedelta(hours=8))
COUNTER_NOW = datetime(2026, 11, 25, 10, 12, tzinfo=TZ)
BOARD_NOW = datetime(2026, 11, 25, 9, 41, 7, tzinfo=TZ)
HALL_NAME = "杭锦后旗政务服务中心"
NOTICE = ("温馨提示：请凭号票按顺序办理，过号请重新取号。办理企业开办请携带公司章程及住所使用证明。"
          " Please keep your ticket; a missed number must take a new one.")
COUNTER_STATES = ("login", "login-error", "idle", "called", "serving", "paused", "paused-serving",
                  "error", "nobody", "offline", "after-finish")
BOARD_STATES = ("idle", "calling", "recall", "offline")
PAD_STATES = ("idle", "rate", "reasons", "reasons-chosen", "sending", "thanks", "error")
LOGIN_ERROR = "工号或密码错误 / Wrong staff ID or PIN"
WRONG_COUNTER = "当前号码不在本窗口 / This ticket is not at this counter"
NOBODY = "暂无等候的群众 / Nobody is waiting"
MOVED_ON = "A012 已转至 后台审批 / A012 moved to Back-office approval"


def _nowhere() -> QueueClient:
    return QueueClient("http://127.0.0.1:9")


def counter_model(state: str, page: Callable[[int], bytes],
                  hall: HallSample | None = None) -> CounterModel:
    """A counter pad in `state` (one of COUNTER_STATES), staff 王丽 logged in but for login: W01
    of the sample, or the first intake counter of `hall` with its services."""
    me = hall.counter("intake") if hall else wire.CounterInfo(
        code="W01", name="1号窗口", zone="intake", services=["company-setup", "real-estate"])
    model = CounterModel(_nowhere(), me.code, clock=lambda: COUNTER_NOW)
    model.hall = hall.hall if hall else None
    if state.startswith("login"):
        if state == "login-error":
            model.last_error = LOGIN_ERROR
        return model
    model.client.staff_token, model.staff_name = "sample", "王丽"
    if hall is None:
        services: list[dict[str, object]] = [
            {"code": "company-setup", "name": "企业开办", "prefix": "A", "route": ["intake"],
             "materials": ["公司登记(备案)申请书", "公司章程", "住所使用证明", "法定代表人身份证件"]},
            {"code": "real-estate", "name": "不动产登记", "prefix": "B", "route": ["intake"]}]
        model.services = {str(s["code"]): wire.ServiceInfo.model_validate(s) for s in services}
        model.counters = [wire.CounterInfo(code="W02", name="2号窗口", zone="intake")]
    else:
        model.services = {s.code: s for s in hall.services}
        model.counters = [c for c in hall.counters if c.code != me.code]
    first = model.services[me.services[0]]
    waiting = {code: (i * 5 + 6) % 11 for i, code in enumerate(me.services)}
    current = None
    if state in ("called", "serving", "paused-serving"):
        current = wire.TicketOut(
            id="t1", number=f"{first.prefix}012", service=first.code,
            status="called" if state == "called" else "serving", zone="intake", counter="W01",
            issued_at=COUNTER_NOW - timedelta(minutes=23), priority=state == "called",
            priority_reason="elderly" if state == "called" else None, masked_name="王*",
            masked_id="150************1234", documents=3)
    model.state = wire.CounterState(code=me.code, name=me.name, zone=me.zone,
                                    services=list(me.services),
                                    paused=state.startswith("paused"), pause_reason="午休",
                                    staff="s001", staff_name="王丽", current=current,
                                    waiting=waiting if hall else
                                    {"company-setup": 6, "real-estate": 2},
                                    name_en=me.name_en)
    if state == "after-finish":  # a finish just moved A012 on; A009 waits on hold here
        model.state.held = [wire.HeldTicket(id="t0", number=f"{first.prefix}009",
                                            service=first.code)]
        model.undo_number, model.undo_remaining = f"{first.prefix}012", 8
        model.undo_outcome = "next"  # (转下一环节: the undo says what it takes back)
    model.online = state != "offline"
    if current is not None:
        model.current = ticket_view(current, model.services, COUNTER_NOW)
        if state != "called":
            model.current.documents = [
                wire.DocumentOut(id=i, ticket="t1", page=i, content_type="image/jpeg", size=1,
                                 created_at=COUNTER_NOW) for i in (1, 2, 3)]
            model.thumbnails = {i: page(i) for i in (1, 2, 3)}
    return model


# A sample call in traditional Mongolian (the example hall's announce_mn with window 1:
# "A007 dugaar ta 1 düger čongqo-du iregerei"); sample text, not a reviewed translation.
WINDOW1_MN = "1 \u1833\u1826\u182d\u1821\u1837 \u1834\u1823\u1829\u182c\u1823"
CALL_MN = ("A007 \u1833\u180b\u1824\u182d\u1820\u1837 \u1832\u1820 " + WINDOW1_MN
           + "\u202f\u1833\u1824 \u1822\u1837\u1821\u182d\u1821\u1837\u1821\u1822")


def board_model(zones: tuple[str, ...], state: str, hall: HallSample | None = None,
                languages: tuple[str, ...] = ("zh",)) -> BoardModel:
    """A board for `zones` (empty: the whole hall) in `state` (one of BOARD_STATES), with the
    sample's counters or `hall`'s, in a hall of `languages` (with "mn": the calls carry their
    Mongolian sentence)."""
    model = BoardModel(_nowhere(), zones, clock=lambda: BOARD_NOW)
    model.hall_name, model.online = (hall.hall.name if hall else HALL_NAME), state != "offline"
    model.languages = list(languages)
    model.hall = hall.hall if hall is not None else None  # the counters' names in each language
    b = model.board
    if state == "idle":
        return model
    calls = [("A007", "W01", "1号窗口", "intake"), ("B012", "W03", "3号窗口", "intake"),
             ("C003", "Z01", "咨询台1", "consult"), ("A006", "W02", "2号窗口", "intake"),
             ("D021", "P01", "出件1号窗口", "pickup"), ("B011", "W04", "4号窗口", "intake")]
    if hall is not None:  # the longest names of each zone: what a board must hold
        ranked = sorted(hall.counters, key=lambda c: -len(c.name))
        calls = [(f"{hall.service(c.services[0]).prefix}{7 + i:03d}", c.code, c.name, c.zone)
                 for i, c in enumerate(ranked[:8])]
    calls = [c for c in calls if not zones or c[3] in zones]
    b.history = [Call(n, c, name, z, BOARD_NOW) for n, c, name, z in calls[1:]]
    n, c, name, z = calls[0]
    texts = {"mn": CALL_MN} if "mn" in languages and n == "A007" else {}
    b.current = Call(n, c, name, z, BOARD_NOW, recall=state == "recall",
                     masked_name="王*" if state != "offline" else None, texts=texts)
    b.waiting = ([("一窗受理", 14), ("综合咨询导办", 5), ("出件", 3)] if not zones else
                 [("企业开办", 6), ("不动产登记", 5), ("社保业务", 3)])
    if hall is not None and zones:
        b.waiting = [(s.name, (i * 7) % 13 + 1) for i, s in enumerate(hall.services)
                     if s.route[0] in zones]
    return model


def rating_model(state: str, hall: HallSample | None = None) -> RatingModel:
    """A rating pad in `state` (one of PAD_STATES), at W01 or `hall`'s first intake counter."""
    me = hall.counter("intake") if hall else wire.CounterInfo(code="W01", name="1号窗口",
                                                             zone="intake")
    model = RatingModel(_nowhere(), me.code)
    if state != "idle":
        model.ticket_id, model.number, model.counter_name = "t1", "A012", me.name
    if state in ("reasons", "reasons-chosen"):
        model.level = 2
        model.reasons = ["slow", "unclear"] if state == "reasons-chosen" else []
    if state == "error":
        model.level = 4
        model.error = OFFLINE_TEXT
    model.state = state.split("-")[0]
    return model
