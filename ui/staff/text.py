"""The words of the staff-side screens (counter pad, call display, rating pad), Chinese and
English. `tr(key, lang)` answers one language; `both(key)` answers "中文 / English" for boards
that face everyone."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # call display
    "now_calling": ("正在呼叫", "Now calling"),
    "please_go": ("请到 {counter} 办理", "Please go to {counter}"),
    "recall": ("重复呼叫", "Called again"),
    "recent": ("最近呼叫", "Recent calls"),
    "waiting": ("等候人数", "Waiting"),
    "people": ("{n} 人", "{n}"),
    "no_calls": ("请留意叫号，注意保管好您的号票", "Please keep your ticket and watch for your number"),
    "offline": ("离线 / Offline — 正在重新连接 / reconnecting", "Offline / 离线 — reconnecting"),
    "whole_hall": ("全大厅", "Whole hall"),
    # counter pad
    "login_title": ("工作人员登录", "Staff login"),
    "staff_id": ("工号", "Staff ID"),
    "pin": ("密码", "PIN"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "counter": ("窗口", "Counter"),
    "zone": ("区域", "Zone"),
    "current": ("当前号码", "Current ticket"),
    "none_current": ("暂无办理中的号码", "No ticket at this counter"),
    "call_next": ("叫号", "Call next"),
    "recall_btn": ("重呼", "Recall"),
    "no_show": ("过号", "No-show"),
    "start": ("开始办理", "Start"),
    "done": ("办结", "Done"),
    "next_zone": ("转下一环节", "On to next zone"),
    "rejected": ("不予受理", "Reject"),
    "transfer": ("转移", "Transfer"),
    "pause": ("暂停", "Pause"),
    "resume": ("恢复", "Resume"),
    "paused": ("已暂停：{reason}", "Paused: {reason}"),
    "busy": ("处理中…", "Working…"),
    "auto_call": ("办结后自动叫号（秒）", "Auto-call after finish (s)"),
    "auto_in": ("{s} 秒后自动叫号", "Auto-call in {s} s"),
    "service": ("事项", "Service"),
    "materials": ("材料清单", "Papers"),
    "scanned": ("已扫描材料", "Scanned papers"),
    "no_scans": ("无扫描件", "No scans"),
    "priority": ("优先", "Priority"),
    "identity": ("身份", "Identity"),
    "waited": ("已等候 {m} 分钟", "Waited {m} min"),
    "waited_label": ("等候时长", "Waited"),
    "minutes": ("{m} 分钟", "{m} min"),
    "status": ("状态", "Status"),
    "reason": ("原因", "Reason"),
    "reject_reason": ("请填写不予受理的原因", "Why is it rejected?"),
    "pause_reason": ("暂停原因", "Reason for the pause"),
    "to_service": ("转到事项", "To service"),
    "to_counter": ("转到窗口", "To counter"),
    "nobody": ("暂无等候的群众", "Nobody is waiting"),
    "shortcuts": ("F1 叫号 · F2 重呼 · F3 过号 · F4 开始 · F5 办结 · F6 转下一环节 · F7 不予受理 · "
                  "F8 转移 · F9 暂停/恢复 · F10 退出",
                  "F1 call · F2 recall · F3 no-show · F4 start · F5 done · F6 next zone · "
                  "F7 reject · F8 transfer · F9 pause/resume · F10 log out"),
    "open_full": ("双击查看原图", "Double-click to open full size"),
    # rating pad
    "pad_idle": ("欢迎评价我们的服务", "Please rate our service"),
    "pad_idle_sub": ("办结后可在此评价", "You can rate here when your business is done"),
    "pad_rate": ("请为本次服务评价", "How was our service today?"),
    "pad_ticket": ("号码 {number} · {counter}", "Ticket {number} · {counter}"),
    "pad_reasons": ("请选择不满意的原因（可多选）", "Please tell us what went wrong (one or more)"),
    "submit": ("提交评价", "Submit"),
    "sending": ("正在提交，请稍候…", "Sending your rating…"),
    "back": ("返回", "Back"),
    "thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "thanks_sub": ("您的意见将帮助我们改进服务", "Your opinion helps us serve you better"),
    "pad_error": ("评价未能提交", "The rating could not be sent"),
}

ELDERLY_REASONS = {
    "elderly": ("老年人", "Elderly"), "disabled": ("残疾人", "Disabled"),
    "pregnant": ("孕妇", "Pregnant"), "appointment": ("预约", "Appointment"),
    "staff": ("工作人员标记", "Marked by staff"),
}
STATUS = {
    "waiting": ("等候中", "Waiting"), "called": ("已呼叫", "Called"),
    "serving": ("办理中", "Being served"), "done": ("已办结", "Done"),
    "rejected": ("不予受理", "Rejected"), "no_show": ("过号", "No-show"),
}
PAUSE_REASONS = [("午休", "Lunch break"), ("会议", "Meeting"), ("系统故障", "System fault"),
                 ("临时离开", "Away for a moment")]


def tr(key: str, lang: str = "zh", **values: object) -> str:
    zh, en = TEXT[key]
    return (en if lang == "en" else zh).format(**values)


def both(key: str, **values: object) -> str:
    zh, en = TEXT[key]
    return f"{zh.format(**values)} / {en.format(**values)}"


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]
