"""HTTP endpoints of supervision under `/api/v1` (docs/api.md): the live hall, approval cases
(限时办结) and a staff member's own cases (全程盯办), the ratings ledger, the follow-up steps of
bad ratings, staff appeals, and every one of those tables, and 数据指标's figures, as CSV or
XLSX (`/export/{name}`).
For the console's cookie (changes need its CSRF token), a supervisor's or admin's staff
session, or an administrator token (`?hall=`); the `mine` endpoints are a counter pad's."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from queue_server import wire
from queue_server.api import export
from queue_server.api.export import Column, col
from queue_server.api.http_errors import ERROR_RESPONSES
from queue_server.api.routes import RowId, Who, hall_of, store_of
from queue_server.domain.clock import parse_day
from queue_server.domain.errors import Invalid, NotFound
from queue_server.domain.figures import Filter
from queue_server.usecases import appeals, cases, faults, figures, followups, ledger, live
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.wire_console import (
    AppealDecision,
    AppealIn,
    AppealOut,
    CaseRow,
    FaultRow,
    LiveHall,
    MyCaseRow,
    Period,
    RatingRow,
    StepIn,
    VerifyIn,
)

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


def period_of(request: Request) -> Period:
    """`from`, `to` (YYYY-MM-DD business days), `level` (repeatable), `zone`, `service`,
    `counter`, `staff` from the query string."""
    q = request.query_params
    try:
        days = {k: parse_day(q[k]) if q.get(k) else None for k in ("from", "to")}
        levels = [int(v) for v in q.getlist("level") if v]
    except ValueError as exc:
        raise Invalid("bad_filter", "日期须为 YYYY-MM-DD,等级为 1–5 / dates are YYYY-MM-DD, "
                      "levels 1–5") from exc
    if any(not 1 <= v <= 5 for v in levels):
        raise Invalid("bad_filter", "等级为 1–5 / levels are 1–5")
    return Period(date_from=days["from"], date_to=days["to"], level=levels,
                  zone=q.get("zone") or None, service=q.get("service") or None,
                  counter=q.get("counter") or None, staff=q.get("staff") or None)


@router.get("/console/live", response_model=LiveHall)
def live_hall(request: Request, principal: Who) -> LiveHall:
    return live.live(store_of(request), principal, hall_of(principal, request))


@router.get("/console/faults", response_model=list[FaultRow])
def device_faults(request: Request, principal: Who) -> list[FaultRow]:
    """(v1.2) The terminals' device faults of the last `hours` (24; 1–168), newest first."""
    return faults.recent_faults(store_of(request), principal, hall_of(principal, request),
                                _hours(request))


def _hours(request: Request) -> int:
    text = request.query_params.get("hours") or "24"
    if not re.fullmatch(r"[0-9]{1,3}", text):  # not int()'s " 3", "+5", "1_0" or "５"
        raise Invalid("bad_hours", "hours 须为 1–168 的整数 / hours must be a whole number 1–168")
    return int(text)


@router.get("/cases", response_model=list[CaseRow])
def approval_cases(request: Request, principal: Who) -> list[CaseRow]:
    return cases.approval_cases(store_of(request), principal, hall_of(principal, request))


@router.get("/cases/mine", response_model=list[MyCaseRow])
def my_cases(request: Request, principal: Who) -> list[MyCaseRow]:
    return cases.my_cases(store_of(request), principal)


@router.get("/ratings", response_model=list[RatingRow])
def ratings(request: Request, principal: Who) -> list[RatingRow]:
    return ledger.ratings(store_of(request), principal, hall_of(principal, request),
                          period_of(request))


@router.get("/evaluations/mine", response_model=list[RatingRow])
def my_ratings(request: Request, principal: Who) -> list[RatingRow]:
    return ledger.my_ratings(store_of(request), principal)


@router.get("/followups", response_model=list[wire.FollowupOut])
def followup_list(request: Request, principal: Who, open: bool = True, late: bool = False
                  ) -> list[wire.FollowupOut]:
    hall = principal.hall or request.query_params.get("hall")
    return followups.followups(store_of(request), principal, open, hall, late)


@router.post("/followups/{item_id}/verify", response_model=wire.FollowupOut)
def verify(request: Request, principal: Who, item_id: RowId, body: VerifyIn
           ) -> wire.FollowupOut:
    return followups.act(store_of(request), followups.verify_in, principal, item_id,
                         body.valid, body.note)


@router.post("/followups/{item_id}/rectify", response_model=wire.FollowupOut)
def rectify(request: Request, principal: Who, item_id: RowId, body: StepIn) -> wire.FollowupOut:
    return followups.act(store_of(request), followups.rectify_in, principal, item_id, body.note)


@router.post("/followups/{item_id}/reply", response_model=wire.FollowupOut)
def reply(request: Request, principal: Who, item_id: RowId, body: StepIn) -> wire.FollowupOut:
    return followups.act(store_of(request), followups.reply_in, principal, item_id, body.note)


@router.post("/followups/{item_id}/close", response_model=wire.FollowupOut)
def close_followup(request: Request, principal: Who, item_id: RowId, body: wire.FollowupClose
                   ) -> wire.FollowupOut:
    """The contract's one-shot close: every remaining step done with the note."""
    return followups.act(store_of(request), followups.close_in, principal, item_id, body.note)


@router.post("/evaluations/{evaluation_id}/appeal", status_code=201, response_model=AppealOut)
def appeal(request: Request, principal: Who, evaluation_id: RowId, body: AppealIn
           ) -> AppealOut:
    return appeals.file(store_of(request), principal, evaluation_id, body.reason)


@router.get("/appeals", response_model=list[AppealOut])
def appeal_list(request: Request, principal: Who, status: str | None = None
                ) -> list[AppealOut]:
    return appeals.appeals(store_of(request), principal, hall_of(principal, request), status)


@router.post("/appeals/{appeal_id}/decide", response_model=AppealOut)
def decide(request: Request, principal: Who, appeal_id: RowId, body: AppealDecision
           ) -> AppealOut:
    return appeals.decide(store_of(request), principal, appeal_id, body.upheld, body.note)


# -- exports ---------------------------------------------------------------------------------
Fetch = Callable[[Request, Principal, str], Sequence[Any]]


def _figures(request: Request, principal: Principal, hall: str) -> list[dict[str, Any]]:
    """数据指标's export: `from`, `to`, `zone`, `service`, `counter`, `staff` as for
    /reports/kpi, `by` (zone, service, counter or staff; counter by default) as the page."""
    require_supervisor(principal)
    q = request.query_params
    period = figures.period_of(hall, q.get("from"), q.get("to"))
    flt = Filter(q.get("zone") or None, q.get("service") or None, q.get("counter") or None,
                 q.get("staff") or None)
    return figures.figures_table(store_of(request), principal, period, flt,
                                 q.get("by") or "counter")


def _pct(key: str) -> Callable[[Any], Any]:
    return lambda row: None if row.get(key) is None else round(100 * row[key], 1)


def _fig(key: str, part: str | None = None) -> Callable[[Any], Any]:
    return lambda row: row.get(key) if part is None else (row.get(key) or {}).get(part)


FIGURES = [
    col("分组", "Group", lambda x: x["key"] if x["key"] is not None else "全部 / All"),
    col("名称", "Name", lambda x: x["name"] if x["key"] is not None else ""),
    col("取号", "Tickets", _fig("tickets")), col("办结", "Done", _fig("done")),
    col("转大厅", "Forwarded", _fig("forwarded")), col("退件", "Rejected", _fig("rejected")),
    col("未到", "No-shows", _fig("no_show")), col("在办", "Open", _fig("open")),
    col("办结率(%)", "Completion (%)", _pct("completion_rate")),
    col("按时办结率(%)", "On time (%)", _pct("on_time_rate")),
    col("超期在办", "Overdue open", _fig("overdue_open")),
    col("评价", "Ratings", _fig("ratings")),
    col("好评率(%)", "Satisfaction (%)", _pct("satisfaction_rate")),
    # a window's or person's own ratings (the stages they handled), by counter or staff only
    col("本窗口/本人评价", "Own ratings", _fig("own_ratings")),
    col("本窗口/本人好评率(%)", "Own satisfaction (%)", _pct("own_satisfaction_rate")),
    col("等候中位(秒)", "Wait p50 (s)", _fig("wait_s", "p50")),
    col("等候P90(秒)", "Wait p90 (s)", _fig("wait_s", "p90")),
    col("办理中位(秒)", "Service p50 (s)", _fig("service_s", "p50")),
    col("办理P90(秒)", "Service p90 (s)", _fig("service_s", "p90")),
]


def _step_columns(step: str) -> list[Column]:
    """A follow-up step's record as columns: when it was done, by whom, and its note (核实:
    with whether the complaint was founded)."""
    zh, en = followups.STEP_NAMES[step]

    def of(item: Any) -> Any:
        return next((s for s in item.steps if s.step == step), None)

    def note(item: Any) -> str | None:
        found = of(item)
        if found is None or found.note is None:
            # an item closed before the steps were recorded kept its answer on the item
            return item.note if step == "reply" and item.closed_at else None
        if found.valid is None:
            return found.note
        return ("属实:" if found.valid else "不属实:") + found.note

    return [col(f"{zh}时间", f"{en.capitalize()} at", lambda x: getattr(of(x), "done_at", None)),
            col(f"{zh}人", f"{en.capitalize()} by", lambda x: getattr(of(x), "done_by", None)),
            col(f"{zh}情况", f"{en.capitalize()} note", note)]


STATE = {"overdue": "已超期", "due_today": "今日到期", "soon": "即将到期", "on_track": "正常",
         "serving": "办理中", "called": "已叫号", "open": "空闲", "idle": "空闲(有人等候)",
         "paused": "暂停", "closed": "未登录", "ok": "正常", "problem": "故障",
         "offline": "离线", "never": "从未连接", "upheld": "成立", "rejected": "不成立",
         "supplement": "待补正(暂停计时)"}
STEP = {k: v[0] for k, v in followups.STEP_NAMES.items()}
TABLES: dict[str, tuple[str, Fetch, list[Column]]] = {
    "queues": ("等候", lambda r, p, h: live.live(store_of(r), p, h).queues, [
        col("功能区", "Zone", lambda x: export.zone(x.zone)), col("事项", "Service", "service_name"),
        col("等候人数", "Waiting", "waiting"), col("最长等候(秒)", "Longest wait (s)", "longest_wait_s"),
        col("开放窗口", "Counters open", "counters_open")]),
    "counters": ("窗口", lambda r, p, h: live.live(store_of(r), p, h).counters, [
        col("窗口", "Counter", "code"), col("名称", "Name", "name"),
        col("功能区", "Zone", lambda x: export.zone(x.zone)),
        col("状态", "State", lambda x: STATE.get(x.state, x.state)), col("工号", "Staff", "staff"),
        col("姓名", "Staff name", "staff_name"), col("当前号", "Number", "number"),
        col("叫号时间", "Called at", "since"), col("可叫人数", "Waiting", "waiting"),
        col("待本窗口", "Held here", "held")]),
    "terminals": ("终端", lambda r, p, h: live.live(store_of(r), p, h).terminals, [
        col("终端", "Terminal", "name"), col("类型", "Kind", lambda x: export.kind(x.kind)), col("大厅", "Hall", "hall"),
        col("状态", "State", lambda x: STATE.get(x.state, x.state)),
        col("设备问题", "Problems", lambda x: [export.problem(p) for p in x.problems]), col("最近心跳", "Last seen", "last_seen")]),
    "faults": ("设备故障", lambda r, p, h: faults.recent_faults(store_of(r), p, h, _hours(r)), [
        col("终端", "Terminal", "terminal"), col("类型", "Kind", lambda x: export.kind(x.kind)),
        col("大厅", "Hall", "hall_name"),
        col("故障", "Fault", lambda x: export.problem(f"{x.device}: {x.state}")),
        col("开始", "Began", lambda x: x.began_at or "早于所查时段"),
        col("恢复", "Ended", lambda x: x.ended_at or "仍未恢复"),
        col("次数", "Times", "times")]),
    "cases": ("限时办结", lambda r, p, h: cases.approval_cases(store_of(r), p, h), [
        col("号码", "Number", "number"), col("事项", "Service", "service_name"),
        col("申请人", "Applicant", "masked_name"), col("进入审批", "Entered", "entered_at"),
        col("办结时限", "Deadline", "deadline"),
        col("状态", "State", lambda x: STATE.get(x.state, x.state)),
        col("承办窗口", "Counter", "counter"), col("承办人", "Held by", "staff_name"),
        col("受理人", "Taken in by", "intake_staff_name"),
        col("待办窗口", "Waiting at", "waiting_at"),
        col("窗口无人值守", "Post unstaffed", "unstaffed"),
        col("退回补正", "Sent back", "asked_at"), col("退回窗口", "Sent back by", "asked_by"),
        col("补正材料", "Papers", lambda x: "、".join(x.papers) if x.papers else None),
        col("补正期限", "Bring by", "bring_by"), col("逾期未补正", "Papers late", "lapsed")]),
    "ratings": ("好差评", lambda r, p, h: ledger.ratings(store_of(r), p, h, period_of(r)), [
        col("评价时间", "Rated at", "rated_at"), col("号码", "Number", "number"),
        col("事项", "Service", "service_name"), col("功能区", "Zone", lambda x: export.zone(x.zone)),
        col("窗口", "Counter", "counter"), col("工号", "Staff", "staff"),
        col("姓名", "Staff name", "staff_name"), col("渠道", "Channel", lambda x: export.channel(x.channel)),
        col("评价", "Level", lambda x: export.level(x.level)),
        col("原因", "Reasons", lambda x: export.reasons(x.reasons)),
        col("意见", "Comment", "comment"),
        col("回访", "Follow-up", lambda x: STEP.get(x.followup_step or "", "")),
        col("逾期", "Late", "followup_late"),
        col("申诉", "Appeal", lambda x: STATE.get(x.appeal or "", x.appeal or ""))]),
    "followups": ("差评回访", lambda r, p, h: followups.followups(
        store_of(r), p, r.query_params.get("open", "true") != "false", h), [
        col("评价时间", "Rated at", "rated_at"), col("号码", "Number", "number"),
        col("评价", "Level", lambda x: export.level(x.level)),
        col("原因", "Reasons", lambda x: export.reasons(x.reasons)),
        col("窗口", "Counter", "counter"), col("工号", "Staff", "staff"),
        col("当前步骤", "Step", lambda x: STEP.get(x.step, x.step)),
        col("当前期限", "Due", lambda x: None if x.closed_at else x.due_at),
        col("逾期", "Late", "late"), col("办结时间", "Closed at", "closed_at"),
        # what each step recorded, who and when: the record a province's audit asks for
        # (the item's own note is the reply's: once its column "回复 / Reply" repeated it)
        *(c for step in ("verify", "rectify", "reply") for c in _step_columns(step))]),
    "appeals": ("申诉", lambda r, p, h: appeals.appeals(
        store_of(r), p, h, r.query_params.get("status")), [
        col("申诉时间", "Filed at", "filed_at"), col("号码", "Number", "number"),
        col("评价", "Level", lambda x: export.level(x.level)), col("工号", "Staff", "staff"),
        col("姓名", "Staff name", "staff_name"), col("理由", "Reason", "reason"),
        col("结果", "Status", lambda x: STATE.get(x.status, "待裁决")),
        col("裁决人", "Decided by", "decided_by"), col("裁决意见", "Decision", "decision_note")]),
    "figures": ("数据指标", _figures, FIGURES),
}


@router.get("/export/{name}", responses={200: {"content": {
    "text/csv": {}, export.XLSX_TYPE: {}}}})
def export_table(request: Request, principal: Who, name: str, format: str = "xlsx") -> Response:
    """One of the console's tables (`queues`, `counters`, `terminals`, `cases`, `ratings`,
    `followups`, `appeals`, `figures`) with the same filters as its JSON endpoint."""
    if name not in TABLES:
        raise NotFound("unknown_table", f"没有表 {name} / no table {name}: "
                       f"{', '.join(TABLES)}")
    if format not in ("csv", "xlsx"):
        raise Invalid("bad_format", "format 只能是 csv 或 xlsx / format is csv or xlsx")
    title, fetch, columns = TABLES[name]
    hall = hall_of(principal, request)
    store = store_of(request)
    items = fetch(request, principal, hall)
    with store.read() as s:
        info = load_hall(s, hall)
    rows = export.rows_of(columns, items, info.timezone if info else "Asia/Shanghai")
    tz = ZoneInfo(info.timezone if info else "Asia/Shanghai")
    stamp = store.clock().astimezone(tz).strftime("%Y%m%d-%H%M")  # the hall's time
    filename = f"{name}-{hall}-{stamp}.{format}"
    if format == "csv":
        body, media = export.to_csv(columns, rows), "text/csv; charset=utf-8"
    else:
        body, media = export.to_xlsx(title, columns, rows), export.XLSX_TYPE
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})
