"""The counter pad's words in its one active language: one side of a server's "中文 / English"
message, the names of services, papers, counters and zones as the hall configured them in that
language (`name_en`, `materials_en`; Chinese where a form is missing), the zones a ticket still
has to walk, the status line that says where a ticket went after an action, and the words of
证照寄送 (how a finished case reaches its holder) and of a bank branch's forwarded application;
a case's deadline (办结时限) and where it stands, and the staff member's own cases (全程盯办) and
ratings (申诉)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, tzinfo

from queue_server import wire

ZONE_NAMES = wire.ZONE_NAMES
STATUS_WORDS = {"waiting": ("等候中", "waiting"), "called": ("已呼叫", "called"),
                "serving": ("办理中", "being served"), "done": ("已办结", "done"),
                "rejected": ("不予受理", "rejected"), "no_show": ("过号", "no-show"),
                "ready": ("待取件", "ready for pickup"), "on_hold": ("已挂起", "on hold"),
                "forwarded": ("已转出", "forwarded"),
                "supplement": ("已退回补正，待办事人递交材料", "sent back for papers: waits for "
                               "its holder to bring them")}
# the server's count of tickets transferred to this very counter (CounterState.waiting's key)
TRANSFERRED_KEY = "_transferred"
TRANSFERRED = ("转给本窗口", "Transferred to this counter")
# a 401 to a staff session: the server's "令牌无效或已过期" is jargon at a counter
SESSION_EXPIRED = "登录已过期，请重新登录 / Your login has expired; please log in again"


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


_HAN = "\u3400-\u9fff"
_HALF_AFTER_HAN = re.compile(f"(?<=[{_HAN}）])\\s*([,:;])\\s*")
_HALF_PARENS = re.compile(f"\\(([^()]*[{_HAN}][^()]*)\\)")
_FULL = {",": "，", ":": "：", ";": "；"}


def zh_punctuation(text: str) -> str:
    """Chinese punctuation in a Chinese sentence: a comma, colon or semicolon after a Chinese
    character, and brackets around Chinese words, full-width ("请先重呼 2 次,然后(如需要)过号"
    -> "请先重呼 2 次，然后（如需要）过号"). The server's messages use the half-width forms."""
    text = _HALF_PARENS.sub(lambda m: f"（{m.group(1)}）", text)
    return _HALF_AFTER_HAN.sub(lambda m: _FULL[m.group(1)], text)


def in_language(text: str, lang: str) -> str:
    """One language of a "中文 / English" sentence (a server's error, a notice); a text without
    the separator is left as it is (but for its Chinese punctuation)."""
    zh, sep, en = text.partition(" / ")
    if not sep:
        return zh_punctuation(text) if lang != "en" else text
    if lang != "en":
        return zh_punctuation(zh.strip())
    en = en.strip()
    return en[:1].upper() + en[1:]


def service_name(svc: wire.ServiceInfo | None, code: str, lang: str) -> str:
    if code == TRANSFERRED_KEY:
        return pick(TRANSFERRED, lang)
    if svc is None:
        return code
    return (svc.name_en or svc.name) if lang == "en" else svc.name


def materials(svc: wire.ServiceInfo | None, lang: str) -> list[str]:
    if svc is None:
        return []
    return list(svc.materials_en or svc.materials) if lang == "en" else list(svc.materials)


def counter_name(counter: wire.CounterInfo | wire.CounterState, lang: str) -> str:
    return (counter.name_en or counter.name) if lang == "en" else counter.name


def zone_name(zone: str, lang: str) -> str:
    return pick(ZONE_NAMES.get(zone, (zone, zone)), lang)


def zones_left(route: Sequence[str], zone: str) -> list[str]:
    """The zones of `route` after `zone`: what 转下一环节 would still walk."""
    return list(route)[list(route).index(zone) + 1:] if zone in route else []


# what an undo takes back, by the outcome of the finish it undoes (the undo button says it too)
UNDONE = {"done": ("办结", "finish"), "next": ("转下一环节", "move on"),
          "rejected": ("不予受理", "rejection"), "supplement": ("补正", "papers request")}


def where_went(action: str, answer: wire.TicketOut | None, lang: str,
               counters: Sequence[wire.CounterInfo] = (),
               services: dict[str, wire.ServiceInfo] | None = None, undone: str = "") -> str:
    """The status line after `action` on ticket `answer`: "A012 已转至 后台审批" (a finish moved
    it on: the zone), "B001 已转至 不动产抵押登记" (a transfer: the service, and the counter
    when it went to one), "A012 已撤销转下一环节，继续办理" (`undone`: the outcome undone)."""
    if answer is None:
        return ""
    n, en = answer.number, lang == "en"
    if action == "transfer" and answer.status == "waiting":
        svc = (services or {}).get(answer.service)
        what = service_name(svc, answer.service, lang) if svc else (
            answer.service_name or answer.service)
        target = next((c for c in counters if c.code == answer.counter), None)
        if answer.counter:
            where = f"{counter_name(target, lang) if target else answer.counter}"
            if en:
                return f"{n} moved to {where} ({answer.counter}): {what}"
            return f"{n} 已转给 {where}（{answer.counter}），办理 {what}"
        return f"{n} moved to {what}" if en else f"{n} 已转至 {what}"
    if action == "finish" and answer.status == "waiting":
        target = next((c for c in counters if c.code == answer.counter), None)
        to = counter_name(target, lang) if target else zone_name(answer.zone, lang)
        return f"{n} moved to {to}" if en else f"{n} 已转至 {to}"
    if action == "undo-finish":
        what = pick(UNDONE.get(undone, UNDONE["done"]), lang)
        return f"{n}: {what} undone, serving again" if en else f"{n} 已撤销{what}，继续办理"
    if action == "requeue":
        return pick(REQUEUE_CALLED if answer.status == "called" else REQUEUED,
                    lang).format(number=n)
    if action == "take-back":
        return f"{n} taken back" if en else f"{n} 已取回"
    if action == "finish" and answer.status == "ready" and answer.delivery == "mail":
        return f"{n}: to be mailed" if en else f"{n} 待寄送"  # its holder chose mail
    if action in ("finish", "no-show", "hold", "supplement"):
        status = pick(STATUS_WORDS.get(answer.status, (answer.status, answer.status)), lang)
        return f"{n}: {status}" if en else f"{n} {status}"
    return ""


def found_line(tickets: Sequence[wire.TicketOut], number: str, lang: str,
               services: dict[str, wire.ServiceInfo]) -> str:
    """The answer of a number search as one line."""
    if not tickets:
        return f"No ticket {number} today" if lang == "en" else f"今天没有 {number} 号"
    t = tickets[0]
    status = pick(STATUS_WORDS.get(t.status, (t.status, t.status)), lang)
    where = zone_name(t.zone, lang) + (f" · {t.counter}" if t.counter else "")
    return f"{t.number} · {service_name(services.get(t.service), t.service, lang)} · " \
           f"{status} · {where}"


# A write (a call, a transfer, a finish...) the server did not answer in time: it may have
# run, or may still run once the server catches up (unlike a refused connection: it did not)
UNKNOWN_OUTCOME = ("服务器没有及时回答，这次操作可能稍后生效，请看屏幕 / The server did not answer "
                   "in time: this may still take effect later; watch the screen")
# a staff id locked after failed PINs (429 staff_locked), or too many logins (rate_limited)
LOCKED_WORDS = {"staff_locked": ("密码错误次数过多，请 {n} 秒后再试",
                                 "Too many failed attempts: try again in {n} s"),
                "rate_limited": ("登录过于频繁，请 {n} 秒后再试",
                                 "Too many logins: try again in {n} s")}


def locked_text(code: str, seconds: int, lang: str) -> str:
    return pick(LOCKED_WORDS.get(code, LOCKED_WORDS["staff_locked"]), lang).format(n=seconds)


# a counter as the transfer list shows it (GET /counters): nobody signed in, paused, closed
COUNTER_STATE_WORDS = {"unstaffed": ("无人", "nobody signed in"), "paused": ("暂停", "paused"),
                       "closed": ("停用", "closed")}
TRANSFER_ASK = {
    "unstaffed": ("{counter} 现在无人登录。{number} 转过去后只在那里等候，等有人登录该窗口才会被叫到"
                  "（本窗口可用“叫指定号”叫回）。\n仍然转过去？",
                  "Nobody is signed in at {counter}. {number} would wait there until someone "
                  "signs in (this counter can call it back by its number).\nTransfer it "
                  "anyway?"),
    "paused": ("{counter} 已暂停。{number} 转过去后要等该窗口恢复才会被叫到（本窗口可用“叫指定号”"
               "叫回）。\n仍然转过去？",
               "{counter} is paused. {number} would wait there until it resumes (this counter "
               "can call it back by its number).\nTransfer it anyway?"),
}
TRANSFER_ANYWAY = ("仍然转移", "Transfer anyway")


def counter_label(code: str, name: str, state: str | None, lang: str) -> str:
    """A counter in the transfer list: "W06 6号窗口 综合受理（无人）"."""
    label = f"{code} {name}"
    if state in COUNTER_STATE_WORDS:
        said = pick(COUNTER_STATE_WORDS[state], lang)
        label += f" ({said})" if lang == "en" else f"（{said}）"
    return label


# 叫指定号 of a ticket that does not wait here: why, plainly, by what became of it
PASSED = ("{number} 已过号", "{number} was passed (no-show)")
PASSED_READY = ("{number} 已过号，待取件", "{number} was passed and waits for pickup")
READY = ("{number} 待取件，尚未到号", "{number} is ready but not checked in")
# 过号重排: a number passed in another zone is put back by a counter of that zone
PASSED_ELSEWHERE = ("{number} 在{zone}过号，请到{zone}窗口重新排队", "{number} was passed in "
                    "{zone}: a counter there puts it back in the queue")
PASSED_NOT_SERVED = ("{number} 已过号，本窗口不办理{service}", "{number} was passed; this "
                     "counter does not serve {service}")
# ... and one passed in this counter's zone: call it here now, or 顺延 (back in the queue,
# ahead of everyone who took a number after it); while a citizen is at the counter, 顺延 only
REQUEUE_ASK = ("{number} 已过号（{when}）。\n群众回来了？\n· 在本窗口叫号：现在就叫\n"
               "· 重新排队：排在后来的号前面",
               "{number} was passed ({when}).\nIs the citizen back?\n· Call here now: at once\n"
               "· Back in the queue: before later numbers")
REQUEUE_ASK_BUSY = ("{number} 已过号（{when}）。\n群众回来了？\n· 重新排队：排在后来的号前面，\n"
                    "  本窗口办完当前群众后即可叫到",
                    "{number} was passed ({when}).\nIs the citizen back?\n· Back in the queue: "
                    "before later numbers,\n  called once this citizen is served")
REQUEUE_CALL_BTN = ("在本窗口叫号", "Call here now")
REQUEUE_BTN = ("重新排队", "Back in the queue")
REQUEUED = ("{number} 已重新排队，排在后来的号前面", "{number} is back in the queue, before later "
            "numbers")
REQUEUE_CALLED = ("{number} 过号重排，已在本窗口叫号", "{number} (passed) called again at this "
                  "counter")
ARRIVE_ASK = ("{said}。\n群众已到窗口？到号后在本窗口叫号。", "{said}.\nIs the citizen here? "
              "Check them in and call the number at this counter.")
ARRIVE_BTN = ("到号并叫号", "Check in and call")
NOT_HERE = ("{number} 不在本环节等候：{status} · {where}", "{number} is not waiting here: "
            "{status} · {where}")


def requeue_question(ticket: wire.TicketOut, can_call: bool, lang: str, tz: tzinfo) -> str:
    """过号重排's question: the number, when and where it was passed, and what may be done."""
    passed = ticket.journey[-1] if ticket.journey else None
    when = passed.ended_at.astimezone(tz).strftime("%H:%M") if passed and passed.ended_at \
        else ""
    if passed is not None and passed.counter:
        when = f"{when} · {passed.counter}" if when else passed.counter
    text = pick(REQUEUE_ASK if can_call else REQUEUE_ASK_BUSY, lang)
    if not when:
        text = text.replace("（{when}）", "").replace(" ({when})", "")
    return text.format(number=ticket.number, when=when)


def missed_call_text(ticket: wire.TicketOut, lang: str) -> tuple[str, bool]:
    """Why ticket `number` cannot be called here, and whether checking its holder in (到号)
    would queue it again: a passed (过号) or ready case held at pickup waits for its holder."""
    passed = any(s.outcome == "no_show" for s in ticket.journey[-2:])
    n = ticket.number
    if ticket.status == "ready" and ticket.arrival_required:
        return pick(PASSED_READY if passed else READY, lang).format(number=n), True
    if ticket.status == "no_show":
        zone = zone_name(ticket.zone, lang)
        return pick(PASSED_ELSEWHERE, lang).format(number=n, zone=zone), False
    status = pick(STATUS_WORDS.get(ticket.status, (ticket.status, ticket.status)), lang)
    where = zone_name(ticket.zone, lang) + (f" · {ticket.counter}" if ticket.counter else "")
    return pick(NOT_HERE, lang).format(number=n, status=status, where=where), False


# 不予受理: a reason that ends at a template's colon ("材料不齐全，需补齐：") says nothing yet
REASON_UNFINISHED = ("请在“：”后写明具体内容", "Complete the reason after the colon")


def reason_unfinished(reason: str) -> bool:
    """A rejection's reason still to be written: blank, or a template up to its colon."""
    text = reason.strip()
    return not text or text[-1] in ":："


# 证照寄送: the holder's choice as the pad shows it, and what to fix before it can be recorded
DELIVERY_WORDS = {"pickup": ("到厅领取", "collect at the hall"), "mail": ("邮寄", "by mail"),
                  None: ("未选择", "not chosen yet")}
DELIVERY_PROBLEMS = {
    "method": "请选择领取方式 / Choose how the result reaches the citizen",
    "recipient": "邮寄须填写收件人 / Enter the recipient for mail delivery",
    "address": "请填写完整的邮寄地址（至少 5 个字） / Enter the full postal address "
               "(5 characters or more)",
    "phone": "手机号格式不正确 / The phone number is not valid",
}
DELIVERY_NOT_NOW = ("现在不能记录：须在受理窗口办理中的号 / Not now: only for a ticket being "
                    "served at an intake counter")
# where the application came from, beside its number
ORIGIN_WORDS = {"branch": ("银行网点转来", "From a bank branch"), "remote": ("远程", "Remote")}


MAIL_WORDS = {
    "tracking": "运单号为 6-40 位字母或数字 / The tracking number is 6-40 letters or digits",
    "carrier": "请填写寄递公司 / Enter the carrier",
    "not_pickup": "只有出件窗口寄出证照 / Only a pickup counter mails results",
}


def mail_dispatched(number: str, carrier: str, tracking: str, lang: str) -> str:
    if lang == "en":
        return f"{number}: mailed by {carrier}, tracking {tracking}"
    return f"{number} 已交寄 {carrier}，运单号 {tracking}"


def delivery_problem(field: str) -> str:
    """What to fix in the delivery dialog, by the field at fault (never quoting the text)."""
    return DELIVERY_PROBLEMS.get(field, DELIVERY_PROBLEMS["address"])


def delivery_recorded(number: str, method: str, lang: str) -> str:
    how = pick(DELIVERY_WORDS.get(method, DELIVERY_WORDS[None]), lang)
    return f"{number}: delivery recorded, {how}" if lang == "en" else f"{number} 已记录领取方式：{how}"


# 办结时限: where a deadline stands. 限时办结 is promised in working days, so the count is the
# server's (`workdays_left`, on the hall's calendar: the pad has none). Without it (a server
# before v1.2) the pad counts calendar days and says 天, never 工作日.
DEADLINE_WORDS = {"overdue": ("已超期 {n} 天", "overdue by {n} d"),
                  "due_today": ("今日到期", "due today"),
                  "left": ("剩 {n} 天", "{n} d left"),
                  "provisional": ("暂定", "provisional")}
WORKDAY_WORDS = {"overdue": ("已超期 {n} 个工作日", "overdue by {n} working days"),
                 "left": ("剩 {n} 个工作日", "{n} working days left")}
WORKDAY_ONE = {"overdue": "overdue by 1 working day", "left": "1 working day left"}
# where a case stands by the server's word alone (GET /cases/mine gives no count)
CASE_STATE_WORDS = {"overdue": ("已超期", "overdue"), "due_today": ("今日到期", "due today"),
                    "soon": ("即将到期", "due soon"), "on_track": ("未到期", "on track"),
                    "papers_overdue": ("逾期未补正", "papers not brought")}


def deadline_state(deadline: datetime, now: datetime, tz: tzinfo) -> tuple[str, int]:
    """("overdue", days past) | ("due_today", 0) | ("left", days to go), by the hall's dates."""
    due, today = deadline.astimezone(tz).date(), now.astimezone(tz).date()
    if now > deadline:
        return "overdue", max(1, (today - due).days)
    if due <= today:
        return "due_today", 0
    return "left", (due - today).days


def deadline_text(deadline: datetime, provisional: bool, now: datetime, tz: tzinfo,
                  lang: str, workdays_left: int | None = None) -> tuple[str, str]:
    """"12-04 17:30 · 剩 2 个工作日" (the hall's local time) and its state (overdue, due_today,
    left); a deadline on a calendar year not yet imported says it is provisional. The days are
    the server's working days (`workdays_left`: below 0 overdue), else calendar days."""
    state, days = deadline_state(deadline, now, tz)
    said = pick(DEADLINE_WORDS[state], lang)
    if workdays_left is not None and state != "due_today":
        days = max(1, -workdays_left) if state == "overdue" else max(0, workdays_left)
        said = (WORKDAY_ONE[state] if lang == "en" and days == 1 else
                pick(WORKDAY_WORDS[state], lang))
    text = f"{deadline.astimezone(tz):%m-%d %H:%M} · {said.format(n=days)}"
    if provisional:
        text += f" ({pick(DEADLINE_WORDS['provisional'], lang)})"
    return text, state


# the same, short, for a line of the approval counter's list (about 300 px at 18 px: a
# five-letter number and 12 working days late fit, in both languages)
SHORT_WORDS = {"overdue": ("已超期 {n} 个工作日", "{n} workdays late"),
               "due_today": ("今日到期", "due today"),
               "left": ("剩 {n} 个工作日", "{n} workdays left"),
               "provisional": ("暂定", "prov.")}
SHORT_ONE = {"overdue": "1 workday late", "left": "1 workday left"}


def deadline_short(deadline: datetime, provisional: bool, now: datetime, tz: tzinfo,
                   lang: str, workdays_left: int, dated: bool = True) -> tuple[str, str]:
    """"已超期 3 个工作日 · 12-04" (the server's working days, the deadline's date in the hall's
    time zone; without it when not `dated`) and its state (overdue, due_today, left)."""
    state, _days = deadline_state(deadline, now, tz)
    days = max(1, -workdays_left) if state == "overdue" else max(0, workdays_left)
    said = (SHORT_ONE[state] if lang == "en" and days == 1 and state in SHORT_ONE else
            pick(SHORT_WORDS[state], lang)).format(n=days)
    text = f"{said} · {deadline.astimezone(tz):%m-%d}" if dated else said
    if provisional:
        text += f" ({pick(SHORT_WORDS['provisional'], lang)})"
    return text, state


def case_state_text(deadline: datetime, state: str, tz: tzinfo, lang: str,
                    short: bool = False, dated: bool = True) -> str:
    """"12-04 23:59 · 已超期": a deadline and the server's word for where it stands; `short`:
    "已超期 · 12-04", as a line of the approval counter's list says it (just "已超期" when not
    `dated`)."""
    word = pick(CASE_STATE_WORDS.get(state, (state, state)), lang)
    if short:
        return f"{word} · {deadline.astimezone(tz):%m-%d}" if dated else word
    return f"{deadline.astimezone(tz):%m-%d %H:%M} · {word}"


# 全程盯办 and 我的评价 (the staff member's own cases and ratings, at the pad)
APPEAL_WORDS = {None: ("未申诉", "not appealed"), "open": ("申诉中", "appeal pending"),
                "upheld": ("申诉成立", "appeal upheld"),
                "rejected": ("申诉未成立", "appeal rejected")}
APPEAL_PROBLEMS = {
    "short": "请填写申诉理由（至少 2 个字） / Enter the reason for the appeal (2 characters or more)",
    "pick": "请先选中一条可申诉的评价 / Choose a rating that can be appealed first",
}


def appeal_filed(number: str, lang: str) -> str:
    return (f"Appeal against the rating of {number} filed; a supervisor will decide"
            if lang == "en" else f"{number} 的评价已提交申诉，等待主管审核")


def case_where(status: str, zone: str, counter: str | None, lang: str,
               counters: Sequence[wire.CounterInfo] = ()) -> str:
    """Where a case is now, for 我的办件: "后台审批 · 审批1 · 办理中"."""
    where = zone_name(zone, lang)
    target = next((c for c in counters if c.code == counter), None)
    if target is not None:
        where += f" · {counter_name(target, lang)}"
    elif counter:
        where += f" · {counter}"
    return f"{where} · {pick(STATUS_WORDS.get(status, (status, status)), lang)}"
