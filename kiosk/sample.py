"""Sample data for rendering every kiosk screen without a server or devices (`--screens DIR`):
the example hall's services, a masked card, a ticket, inquiry results, a camera frame and a
scanned page. `sample_flow(role)` builds a kiosk that never connects, `stage(flow, state)` puts
it into a state as a citizen would find it (variant "paper_out": the printer out of paper). (The staff roles' samples: `kiosk.sample_staff`.)"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.config import TerminalConfig
from kiosk.flow import KioskFlow
from kiosk.runtime import build_kiosk
from kiosk.sample_hall import HallSample
from kiosk.scanning import Frame
from kiosk.session import CardView, CitizenData, Page
from kiosk.tasks import TaskRunner
from queue_server import wire

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 9, 41, tzinfo=TZ)

_SERVICES = [
    ("consult", "综合咨询导办", "咨询导办", "Z", ["consult"], False, None, []),
    ("company-setup", "企业开办", "商事登记", "A", ["intake", "approval", "pickup"], True, 1,
     ["公司登记(备案)申请书", "法定代表人、董事、监事、经理任职文件", "公司章程", "住所使用证明"]),
    ("company-deregister", "企业简易注销", "商事登记", "B", ["intake", "approval", "pickup"], True,
     3, ["简易注销登记申请书", "全体投资人承诺书", "营业执照正、副本"]),
    ("property-mortgage", "不动产抵押登记", "不动产登记", "C", ["intake", "approval", "pickup"],
     True, 1, ["不动产登记申请书", "申请人身份证明", "不动产权证书", "主债权合同", "抵押合同"]),
    ("property-general", "不动产一般登记", "不动产登记", "D", ["intake", "approval", "pickup"],
     True, 1, ["不动产登记申请书", "申请人身份证明", "不动产权属来源证明"]),
    ("property-transfer", "二手房转移登记", "不动产登记", "E",
     ["consult", "intake", "approval", "pickup"], True, 2,
     ["不动产登记申请书", "买卖双方身份证明", "不动产权证书", "房屋买卖合同", "婚姻状况证明",
      "完税凭证"]),
    ("power-low-voltage", "低压用电报装", "水电气暖", "F", ["intake", "approval"], True, 10,
     ["用电人有效身份证明", "用电地址物业权属证明"]),
    ("water-connect", "用水报装", "水电气暖", "G", ["intake", "approval"], False, 4,
     ["电子版图纸(非居民用户)"]),
    ("gas-connect", "用气报装", "水电气暖", "H", ["intake", "approval"], False, 15,
     ["小区电子版设计图(住宅小区开发商)"]),
    ("heating-connect", "用暖报装", "水电气暖", "J", ["intake", "approval"], False, 10,
     ["暖通和建筑图纸"]),
    ("tax-invoice", "新办企业发票申领", "纳税服务", "K", ["intake"], True, None,
     ["新办纳税人套餐综合报告(申请)表"]),
    ("tax-refund", "退税", "纳税服务", "L", ["intake", "approval"], True, 2, ["退(抵)税申请表"]),
    ("medical-claim", "医保一体化报销", "社会保障", "M", ["intake", "approval", "pickup"], True, 5,
     ["医疗费用发票", "费用明细清单", "出院小结"]),
    ("certificate-pickup", "证照领取", "出件", "P", ["pickup"], True, None, ["受理通知书"]),
]
BANK_SERVICES = ("company-setup", "property-mortgage", "power-low-voltage", "water-connect")
HALL_NAME = "杭锦后旗政务服务中心"
BRANCH_NAME = "中国农业银行杭锦后旗支行 政银合作便民服务点"


def services(role: str = "kiosk") -> list[wire.ServiceInfo]:
    out = []
    for i, (code, name, cat, prefix, route, card, limit, papers) in enumerate(_SERVICES):
        if role == "bank" and code not in BANK_SERVICES:
            continue
        out.append(wire.ServiceInfo(
            code=code, name=name, category=cat, prefix=prefix, route=route, materials=papers,
            requires_id_card=card, time_limit_workdays=limit, waiting=(i * 7) % 13,
            estimated_wait_s=((i * 7) % 13) * 240, open=True))
    return out


def ticket(role: str = "kiosk") -> wire.TicketIssued:
    return wire.TicketIssued(
        id="t-sample", number="A023", service="company-setup", zone="intake", ahead=4,
        estimated_wait_s=960, issued_at=NOW, track_url="http://192.168.1.10:8750/t/8KQ2ZP4M",
        hall_name=BRANCH_NAME if role == "bank" else HALL_NAME, service_name="企业开办",
        priority=True, priority_reason="elderly", masked_name="王*", masked_id="150************1234")


def hall_ticket() -> wire.TicketIssued:
    """The parent hall's ticket a bank branch's application became (POST /tickets/{id}/forward)."""
    return wire.TicketIssued(
        id="t-hall", number="A001", service="company-setup", zone="intake", ahead=2,
        estimated_wait_s=480, issued_at=NOW, track_url="http://192.168.1.10:8750/t/3HJ7QW2X",
        hall="hjhq", hall_name=HALL_NAME, service_name="企业开办",
        hall_name_en="Hanggin Rear Banner Government Service Center")


def results() -> list[wire.TicketOut]:
    done = wire.StageOut(zone="intake", counter="W05", called_at=NOW, started_at=NOW,
                         ended_at=NOW + timedelta(minutes=12), outcome="next")
    return [
        wire.TicketOut(id="t1", number="A023", service="company-setup", service_name="企业开办",
                       status="waiting", zone="approval", issued_at=NOW, journey=[done],
                       deadline=NOW + timedelta(days=1)),
        wire.TicketOut(id="t2", number="C007", service="property-mortgage",
                       service_name="不动产抵押登记", status="done", zone="pickup",
                       counter="W13", issued_at=NOW - timedelta(days=2), journey=[
                           done.model_copy(update={"rated": True}),
                           wire.StageOut(zone="pickup", counter="W13", ended_at=NOW,
                                         outcome="done")]),
        # 补正: sent back yesterday for two papers, waiting for its holder to bring them
        wire.TicketOut(id="t3", number="A011", service="company-setup", service_name="企业开办",
                       status="supplement", zone="intake", issued_at=NOW - timedelta(days=1),
                       deadline=NOW + timedelta(days=1), arrival_required=True, journey=[
                           done, wire.StageOut(zone="approval", counter="H01", called_at=NOW,
                                               ended_at=NOW, outcome="supplement",
                                               papers=["公司章程", "住所使用证明"],
                                               papers_by=NOW + timedelta(days=27),
                                               reason="章程须全体股东签字")]),
    ]


def card(priority: bool = True) -> CardView:
    return CardView(masked_name="王*", masked_number="150************1234",
                    age=76 if priority else 41, priority=priority)


def page_image(width: int = 640, height: int = 880) -> bytes:
    """A JPEG of a plain form: title bar and text lines (what a corrected page looks like)."""
    import cv2
    import numpy as np

    img = np.full((height, width, 3), 250, np.uint8)
    cv2.rectangle(img, (60, 60), (width - 60, 120), (60, 60, 60), -1)
    for y in range(170, height - 80, 44):
        cv2.line(img, (60, y), (width - 60 - (y * 37) % 200, y), (90, 90, 90), 6)
    ok, jpeg = cv2.imencode(".jpg", img)
    return bytes(jpeg) if ok else b""


def camera_frame(width: int = 640, height: int = 480) -> tuple[int, int, bytes]:
    """A desk with a tilted sheet of paper, as the document camera's preview shows it."""
    import cv2
    import numpy as np

    img = np.full((height, width, 3), (70, 95, 120), np.uint8)
    quad = np.array([[150, 60], [500, 90], [470, 440], [120, 410]], np.int32)
    cv2.fillConvexPoly(img, quad, (245, 245, 245))
    for i in range(8):
        y = 130 + i * 36
        cv2.line(img, (175, y), (440, y + 4), (80, 80, 80), 4)
    return width, height, img.tobytes()


def sample_flow(role: str, hall: HallSample | None = None) -> KioskFlow:
    """A kiosk (or bank) flow online with the sample services (or `hall`'s), that never calls a
    server."""
    config = TerminalConfig(role=role, server="http://127.0.0.1:1", admin_pin_hash="")
    flow = build_kiosk(config, cache_path=Path("/nonexistent/kuaiban-sample.json"))
    link = flow.link
    if hall is None:
        link.catalog.replace(services(role))
        link.hall_name = BRANCH_NAME if role == "bank" else HALL_NAME
    else:
        offered, info = hall.services, hall.hall
        if role == "bank" and hall.outposts:  # a bank terminal is enrolled at an outpost
            info = hall.outposts[0]
            codes = hall.outpost_services.get(info.id, [])
            offered = [s for s in offered if s.code in codes] or offered
        elif role == "bank":
            offered = [s for s in offered if s.code in BANK_SERVICES] or offered
        link.catalog.replace(offered)
        link.hall, link.hall_name = info, info.name
    link.url = "http://192.168.1.10:8750"
    link.online = True
    flow.now = lambda: NOW  # type: ignore[method-assign]
    return flow


def stage(flow: KioskFlow, state: str, *, elderly: bool = False, lang: str = "zh",
          variant: str = "", online: bool = True) -> None:
    """Put a kiosk flow into `state` with sample data (no server call, no device); `online`
    False shows the server gone."""
    flow.link.online = online
    flow.runner.invalidate()
    flow.idle.countdown = None
    data = CitizenData(service="company-setup", card=card() if variant != "nocard" else None)
    data.pages = [Page(page_image(), 640, 880)] if state in ("scan", "ticket") else []
    data.pending = Page(page_image(), 640, 880) if state == "review" else None
    data.ticket = ticket(flow.role)
    if flow.role == "bank" and flow.link.hall is not None:  # the outpost's name, as the server's
        data.ticket.hall_name = flow.link.hall.name
    data.print_state = {"failed": "failed", "paper_out": "failed", "paper_ran_out": "failed",
                        "reprint": "failed", "printing": "printing"}.get(variant, "printed")
    data.upload_state = "forwarded" if flow.role == "bank" else "sent"
    if flow.role == "bank":  # the branch's application went on to the hall: its ticket
        data.forwarded = hall_ticket()
    data.results = results()
    data.rate_ticket = data.results[1]
    data.level = 2 if variant == "low" else (5 if state == "rate" else None)
    data.reasons = ["wait", "unclear"] if variant == "low" else []
    data.card_purpose = "rate" if variant == "rate" else "ask"
    if variant == "search":
        data.query, data.keyboard = "bdc", True
    _journey(data, state, variant)
    flow.data, flow.lang, flow.elderly, flow.page = data, lang, elderly, 0
    flow.state, flow.notice = state, {"failed": "", "offline": "offline"}.get(variant, "")
    w, h, bgr = camera_frame()
    flow.scanning.last = Frame(w, h, bgr) if state in ("scan", "ask", "checkin") else None
    # the printer out of paper ("paper_out"): warned before the number, named after it; the
    # paper ran out half-way through the ticket ("paper_ran_out"), then was refilled ("reprint")
    out = variant in ("paper_out", "paper_ran_out")
    flow.device_health = {"printer": "paper_out" if out else "online"}
    flow.ticketing.print_problem = "paper_out" if out or variant == "reprint" else ""
    flow.ticketing.print_interrupted = variant in ("paper_ran_out", "reprint")
    flow.admin.health = {"idcard": "online", "printer": "paper_out", "camera": "online"}
    flow.admin.errors = {"printer": "paper out (DLE EOT 4: 0x72)"}
    if variant == "countdown":
        flow.idle.countdown = 7
    flow.card.deadline = time.monotonic() + 25  # the card screen's seconds left
    flow.changed.emit()


ANSWERS = {
    "too_early": ("appointment_too_early", "还未到签到时间，请于 09:30–10:15 签到 / too early: "
                  "check in between 09:30 and 10:15"),
    "unknown": ("appointment_unknown", "没有找到此预约，请核对预约码 / no such appointment"),
    "used": ("appointment_used", "此预约已签到取号,号码 A023 / this booking is already checked "
             "in: number A023"),
    "not_today": ("appointment_not_today", "您的预约在 11月26日 09:00,不是今天,请当天 08:30–09:15 "
                  "签到 / your booking is on 2026-11-26 at 09:00, not today: check in that day "
                  "between 08:30 and 09:15"),
}


def _journey(data: CitizenData, state: str, variant: str) -> None:
    """Check-in, its answers and the green channel, as a citizen would meet them."""
    if state == "checkin":
        data.code = "K7QM3X"
    if state == "answer":
        data.answer = ANSWERS.get(variant, ANSWERS["unknown"])
        data.answer_number = "A023" if variant == "used" else ""  # the server's `number`
    if variant == "priority":
        data.priority_reason = "serviceman"
    if state == "ticket" and variant == "night" and data.ticket is not None:
        # taken at 04:41; the hall opens at 08:30 (`calls_from` of the server's answer)
        data.ticket = data.ticket.model_copy(update={
            "ahead": 0, "estimated_wait_s": 0, "issued_at": NOW.replace(hour=4, minute=41),
            "calls_from": NOW.replace(hour=8, minute=30)})
    if state == "ticket" and variant in ("appointment", "late", "pickup"):
        data.checkin = variant
        ticket = data.ticket
        assert ticket is not None
        update: dict[str, object] = {"priority": variant == "appointment",
                                     "priority_reason": "appointment" if variant ==
                                     "appointment" else None,
                                     "appointment_late": variant == "late"}
        if variant == "pickup":
            update |= {"number": "A005", "zone": "pickup", "ahead": 1,
                       "estimated_wait_s": 120}
        data.ticket = ticket.model_copy(update=update)


def idle_runner() -> TaskRunner:
    return TaskRunner(max_threads=1)
