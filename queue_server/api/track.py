"""The public status page behind `track_url` (the QR code on a ticket): plain HTML, Chinese
first, that fits a phone: the number, where it stands (people ahead and the estimated wait, or
the counter it is called to), the journey through the zones, the promised deadline, whether the
case is ready for pickup and how it is delivered. No name, no ID number, no staff. It follows
the ticket live through `/api/v1/track/{id}/events` (a small inline script; no outside
resources) and reloads when something changed.

In a hall that lists Mongolian the card opens with a band of traditional Mongolian (the hall's,
the service's and the counter's names), written as it is written: CSS `writing-mode:
vertical-lr` (top to bottom, columns left to right), in Noto Sans Mongolian served by this
server at `/fonts/mongolian.ttf` (a hall's LAN is offline: no outside fonts); the band also
says where the ticket stands and the main instruction, in the words of ui/locale/mn.po. The
journey's table (heads, zones, outcomes, deadlines; the time under the zone, for the width), the
rating form (levels, reasons, comment, button, messages, thank-you), the mail card and the
offline banner have smaller bands of their own, the kiosk's words where it has them.

Opened from the ticket's own QR code (`?c=`, its rating code) the page offers 好差评 of the
latest called stage until it is rated (扫码评价: a rating pad refuses a visit of an earlier day).
A bank branch's application forwarded to the hall says so, with the branch and its old number.
The branch's own ticket leads on to the hall's page, but for the holder of its code while the
stage served at the branch is still to be rated: that page rates the branch's stage (with the
branch ticket's code, never the hall's) and links on to the hall's. The page has no
Content-Security-Policy; its two small scripts are inline. Its Mongolian words and bands are in
`track_bands`, its rating form in `track_rating`."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.api.ratelimit import throttle
from queue_server.api.routes import base_url, store_of
from queue_server.api.track_bands import (
    MN,
    MnWord,
    banded,
    beside,
    mn_band,
    mn_line,
    mongolian_card,
)
from queue_server.api.track_rating import LEVELS, RATE, rating_card
from queue_server.domain.stages import FINAL
from queue_server.usecases import public

__all__ = ["LEVELS", "MN", "MnWord", "router"]
router = APIRouter()
STATUS = {"waiting": ("等候中", "Waiting"), "called": ("已叫号,请到窗口", "Called: go to the counter"),
          "serving": ("办理中", "Being served"), "done": ("已办结", "Done"),
          "rejected": ("不予受理", "Not accepted"), "no_show": ("过号", "Missed the call"),
          "ready": ("已办结,待取件", "Ready for pickup"),
          "forwarded": ("已转交大厅", "Forwarded to the hall"),
          "supplement": ("待补正材料", "Papers needed")}
# What a stage of the journey says (an outcome, or where an open stage stands): Chinese,
# English and the key of its Mongolian in MN.
STAGE_WORDS = {"done": ("办结", "Done", "done"),
               "next": ("转下一环节", "On to the next stage", "next_zone"),
               "rejected": ("不予受理", "Not accepted", "rejected"),
               "no_show": ("过号", "Missed the call", "no_show"),
               "transferred": ("转办", "Transferred", "transferred"),
               "forwarded": ("转大厅", "Forwarded to the hall", "forwarded"),
               "supplement": ("退回补正", "Sent back for papers", "supplement"),
               "papers_due": ("待递交补正材料", "Waiting for the papers", "supplement"),
               "approval": ("审批中", "In approval", "approval"),
               "waiting": ("等候中", "Waiting", "waiting"),
               "called": ("已叫号", "Called", "called"),
               "serving": ("办理中", "Being served", "serving"),
               "mailed": ("已寄出", "Mailed", "mail_sent")}
# The journey's columns: Chinese, English, the key of their Mongolian.
COLUMNS = (("环节", "Stage", "col_zone"), ("办理情况", "Progress", "col_state"),
           ("时间", "Time", "col_time"))
STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;
background:#f3f6f9;color:#1b2733}main{max-width:30em;margin:0 auto;padding:1em}
h1{font-size:1.15em;margin:.2em 0 .6em}.card{background:#fff;border-radius:10px;
padding:1em;margin-bottom:1em;box-shadow:0 1px 3px #0002}.n{font-size:3.2em;font-weight:700;
color:#b3261e;letter-spacing:.05em}.st{font-size:1.3em;font-weight:700}.en{color:#5a6b7b;
font-size:.85em}.hl{background:#fff4d6;border-left:4px solid #e0a000;padding:.6em}
.ok{background:#e3f6e8;border-left:4px solid #2e9b4f;padding:.6em}.note{background:#e8f0fa;
border-left:4px solid #1d5fa8;padding:.6em}table{width:100%;
border-collapse:collapse;font-size:.9em}td{padding:.35em .2em;border-bottom:1px solid #e4e9ee;
vertical-align:top}td:first-child,td:last-child{white-space:nowrap}.st .en{display:block;font-size:.6em;font-weight:400}
@font-face{font-family:"Kuaiban Mongolian";src:url("/fonts/mongolian.ttf") format("truetype")}
.bi{display:flex;gap:1em;align-items:flex-start}.bi>.main{flex:1;min-width:0}
.mn{writing-mode:vertical-lr;font-family:"Kuaiban Mongolian","Noto Sans Mongolian",serif;
font-size:1.05em;line-height:1.5;max-height:15em;color:#1b2733;border-right:1px solid #e4e9ee;
padding-right:.6em}.mn b{color:#b3261e}.mn b.st{color:#1b2733;font-size:1em}
#offline{position:sticky;top:0;z-index:9;background:#b3261e;color:#fff;font-weight:700;
padding:.6em 1em}#offline .en{color:#fde7e5;display:block}#offline[hidden]{display:none}
.lv{display:grid;gap:.4em;margin:.6em 0}.lv label,.why label{display:flex;gap:.6em;
align-items:center;min-height:44px;padding:0 .6em;border:1px solid #c4d0dc;border-radius:8px}
.lv label:has(input:checked){border-color:#1d5fa8;background:#e8f0fa}.lv .en,.why .en{margin-left:auto}
.why{border:0;padding:0;margin:.6em 0;display:grid;gap:.4em}
.why[hidden]{display:none}.why legend{font-weight:700;margin-bottom:.3em}.why label{font-size:.95em}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5em;border:1px solid #b8c4d0;
border-radius:8px}.go{display:block;width:100%;min-height:48px;margin-top:.6em;border:0;
border-radius:8px;background:#1d5fa8;color:#fff;font:inherit;font-weight:700}
.go .en{color:#dbe8f7;display:block}.go[disabled]{background:#a9b6c3}
.err{background:#fde7e5;border-left:4px solid #b3261e;padding:.6em}.err .en{display:block}
.mn.s{font-size:.8em;max-height:7.5em;padding-right:.4em;line-height:1.4}
th{text-align:left;font-weight:700;padding:.3em .2em;border-bottom:2px solid #c4d0dc;
vertical-align:bottom}#journey .en,#journey .when{display:block}#journey .bi{gap:.4em}
#journey.mnj td{white-space:normal}#journey td .mn{max-height:9em}
.jt .mn{max-height:4.5em}#journey.mnj td:first-child{width:48%}#mail .mn{max-height:12em}#journey .when{color:#1b2733}
.mw{flex:none;min-width:2.6em;margin-right:.2em}.why legend .main .en{display:block}.lv .mn{max-height:7em}.why legend .bi{gap:.6em}
.go .bi{justify-content:center;align-items:center;gap:.8em}
.go .mn{color:#fff;border-right-color:#dbe8f7}#offline .mn{color:#fff;border-right-color:#f3a9a4}
.card .bi+.bi,.card .bi+form{margin-top:.5em}#rate-msg .bi{gap:.6em}
.late{color:#b3261e;font-weight:700}"""
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title><style>{style}</style></head>
<body>{offline}<main><h1>{hall}</h1>{body}</main>{script}</body></html>"""
OFFLINE = ('无法连接服务器,正在重试…<span class="en">Cannot reach the server, retrying…</span>')
# The page follows the ticket's stream and reloads as soon as the stream says anything other
# than the version it shows: the stream's first message (the state when it opened, which may
# already differ from the page's), any later change, and the first message after a reconnect;
# not while a rating is being filled in (it reloads once that is sent). A stream that fails
# while the server does not answer shows the banner until the stream is back; one the browser
# gave up on reloads the page once the server answers again.
LIVE = """<script>(function(){if(!window.EventSource)return;var shown=%s;
var off=document.getElementById("offline");function banner(on){off.hidden=!on}
var es=new EventSource(%s);es.onopen=function(){banner(false)};
es.onmessage=function(m){var v;banner(false);try{v=JSON.parse(m.data)}catch(e){return}
if(v.version!==shown){if(document.querySelector("#rate-form.dirty")){window.kbStale=true;
return}es.close();location.reload()}};
function check(){var closed=es.readyState===2;fetch("/api/v1/health",{cache:"no-store"})
.then(function(r){if(r.status>=500)throw r;if(closed)location.reload()})
.catch(function(){banner(true);if(closed)setTimeout(check,3000)})}
es.onerror=check})();</script>"""
def _time(moment: datetime | None, tz: str, fmt: str = "%m月%d日 %H:%M") -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt) if moment else ""


def rejection_reason(view: wj.TicketView) -> str | None:
    """The reason the counter gave for not accepting the application (不予受理), if any."""
    ended = [st for st in view.journey if st.outcome == "rejected"]
    return ended[-1].reason if ended else None


def supplement_words(view: wj.TicketView) -> str:
    """补正: every paper to bring (一次性告知), where to bring them and that the time limit
    stopped meanwhile; the papers' Mongolian in a band beside their list."""
    sup = view.supplement
    assert sup is not None
    zone = escape(sup.zone_name)
    items = "".join(f"<li>{escape(p.name)}" + (f' <span class="en">{escape(p.name_en)}</span>'
                                                if p.name_en else "") + "</li>"
                    for p in sup.papers)
    # the papers' Mongolian under their list, a column each (a band beside the list squeezed
    # it to four characters a line at a phone's width: an outside check)
    mongolian = mn_band(view, [escape(p.name_mn) for p in sup.papers if p.name_mn])
    note = (f'<p class="note" id="supplement-note">审批人员说明:{escape(sup.note)}'
            f'<br><span class="en">The officer\'s note: {escape(sup.note)}</span></p>'
            if sup.note else "")
    head = ((f'已签到:叫号后请到{zone}窗口递交以下补正材料。', "Checked in: when called, hand "
             "these papers in at the intake counter.") if sup.checked_in else (
            f'审批需要补正材料:请一次备齐以下材料,到大厅自助机刷身份证或扫描号票二维码签到,到{zone}'
            '窗口递交。补正期间不计入办结时限。', "The approval needs more papers: bring all of "
            "these, check in at a kiosk in the hall with your ID card or your ticket's QR code, "
            "and hand them in at the intake counter. The time limit stops until they are in."))
    return (f'<div id="supplement"><p class="hl">{head[0]}<br><span class="en">{head[1]}'
            "</span></p>" + ("" if sup.checked_in else _bring_by(view, sup))
            + (f'<ul class="papers">{items}</ul>{mongolian}' if items else "") + note
            + "</div>")


def _bring_by(view: wj.TicketView, sup: wj.SupplementView) -> str:
    """补正期限: the date to bring the papers by (the hall's period), or that it passed; in
    the hall's Mongolian too, in the kiosk's words."""
    if sup.bring_by is None:
        return ""
    local = sup.bring_by.astimezone(ZoneInfo(view.timezone))
    zh, en = month_day(local)
    key = "papers_by_passed" if sup.lapsed else "papers_by"
    # the date unbroken in its column (a band broke it after "2027-")
    mn = [mn_line(key, d=f"{local:%Y-%m-%d}".replace("-", "\u2060-\u2060"))]
    if sup.lapsed:
        line = (f'<p class="hl" id="bring-by">补正期限({zh})已过:审批部门可依现有材料作出决定,请尽快'
                f'递交。<br><span class="en">The date to bring them by ({en}) has passed: the '
                "approval may be decided on the papers it has. Bring them soon.</span></p>")
    else:
        line = (f'<p id="bring-by">请于 <b>{zh}(含)</b>前递交(补正期限)。<br><span class="en">'
                f"Bring them by <b>{en}</b> (that day included).</span></p>")
    # its Mongolian under it, as the papers' (beside it, it squeezed the line to a column)
    return line + mn_band(view, mn, small=True)


def _forwarded(view: wj.TicketView) -> str:
    """A bank branch's application in the hall: who passed it on, its old number, and that
    nobody needs to come while the hall takes it in (a remote application has no holder in
    the queue)."""
    source = view.forwarded_from
    if source is None:
        return ""
    branch = escape(source.hall_name or "合作网点")
    branch_en = escape(source.hall_name_en or "the bank branch")
    old = escape(source.number)
    line = (f'<p class="note" id="forwarded">已由 {branch} 转交大厅办理(原号 {old},'
            f"现号 {escape(view.number)})")
    en = f"Forwarded by {branch_en} to the hall (was {old}, now {escape(view.number)})"
    if view.zone == "intake" and view.status in ("waiting", "called", "serving"):
        line += ",无需到大厅等候;大厅受理后会通知您。"
        en += ": no need to come and wait; you will be told once the hall has taken it in."
    return line + f'<br><span class="en">{en}</span></p>'


def _onward(view: wj.TicketView) -> str:
    """The bank branch's own ticket (shown to rate the branch's stage): where the case went
    on, with a link to the hall's page (without this ticket's code: it proves nothing there)."""
    to = view.forwarded_to
    if to is None:
        return ""
    hall, hall_en = escape(to.hall_name or "大厅"), escape(to.hall_name_en or "the hall")
    number = escape(to.number)
    return (f'<p class="note" id="onward">已转交 {hall} 办理,现号 {number}。'
            f'<a href="/t/{quote(to.ticket, safe="")}">查看大厅办理进度</a>'
            f'<br><span class="en">Forwarded to {hall_en}, now number {number}: '
            "follow it there.</span></p>")


def month_day(when: datetime) -> tuple[str, str]:
    """A date as the pages say it: "1月6日", "06 Jan" (`when` in the hall's time)."""
    return f"{when.month}月{when.day}日", when.strftime("%d %b")


def calls_from_words(calls_from: datetime, tz: str, now: datetime) -> tuple[str, str]:
    """When a number taken while the hall is closed is called (Chinese, English), in the hall's
    time: 今天/明天 for today and tomorrow, else the date."""
    zone = ZoneInfo(tz)
    when, today = calls_from.astimezone(zone), now.astimezone(zone).date()
    hm = when.strftime("%H:%M")
    if when.date() == today:
        return f"现在不叫号,今天 {hm} 起叫号", f"Not calling now: calling starts today at {hm}"
    head, head_en = "今日已下班", "Closed now"
    if (when.date() - today).days == 1:
        return f"{head},明天 {hm} 起叫号", f"{head_en}: calling starts tomorrow at {hm}"
    zh, en = month_day(when)
    return f"{head},{zh} {hm} 起叫号", f"{head_en}: calling starts on {en} at {hm}"


def _where(view: wj.TicketView, now: datetime | None = None) -> str:
    """The one line that says what the citizen should do now (`now`: for 今天/明天)."""
    remote = view.forwarded_from is not None and view.zone == "intake"
    if view.zone == "approval" and view.status in ("waiting", "called", "serving"):
        told = ("办结后会通知您。", " you will be told when it is ready.") if view.notified \
            else ("办结后可在本页查看。", " this page shows when it is ready.")
        return (f'<p id="approval">后台审批中,无需在大厅等候;{told[0]}<br><span class="en">'
                f"In back-office approval: no need to wait in the hall;{told[1]}</span></p>")
    if remote and view.status in ("waiting", "called", "serving"):
        return ""  # _forwarded says it: the hall takes the papers in without the holder
    if view.status in ("called", "serving") and view.counter_name:
        where_en = view.counter_name_en or view.counter_name
        return (f'<p class="hl">请到 <b>{escape(view.counter_name)}</b> 办理'
                f'<br><span class="en">Please go to {escape(where_en)}</span></p>')
    if view.supplement is not None and not view.supplement.checked_in:
        return supplement_words(view)
    if view.arrival_required:
        return ('<p class="hl">请到大厅后在自助机刷身份证签到,签到后才会叫号。'
                '<br><span class="en">Check in at a kiosk in the hall with your ID card; the '
                'number is called after check-in.</span></p>')
    if view.status == "ready":
        return ('<p class="ok">已办结,可以取件:请到大厅自助机刷身份证取出件号。'
                '<br><span class="en">Ready: collect a pickup number at a kiosk with your ID '
                'card.</span></p>')
    if view.status == "rejected":
        reason = rejection_reason(view)
        return ('<p class="hl">不予受理' + (f":{escape(reason)}" if reason else "")
                + '<br><span class="en">Not accepted' + (f": {escape(reason)}" if reason else "")
                + "</span></p>")
    # checked in with the papers sent for: which, then the wait as for any number
    line = supplement_words(view) if view.supplement is not None else ""
    if view.ready:
        line = ('<p class="ok">已办结,请留意出件窗口叫号。<br><span class="en">Ready: the pickup '
                "counter will call this number.</span></p>")
    if view.status == "waiting" and view.calls_from is not None:
        zh, en = calls_from_words(view.calls_from, view.timezone, now or view.issued_at)
        line += f'<p class="hl" id="calls-from">{zh}<br><span class="en">{en}</span></p>'
    elif view.status == "waiting" and view.ahead == 0:
        line += '<p id="ahead"><b>即将叫号</b><br><span class="en">Next: you will be called soon</span></p>'
    elif view.status == "waiting" and view.ahead is not None:
        minutes = round((view.estimated_wait_s or 0) / 60)
        line += (f'<p id="ahead">前面还有 <b>{view.ahead}</b> 人,预计等候约 <b>{minutes}</b> 分钟'
                 f'<br><span class="en">{view.ahead} ahead, about {minutes} min</span></p>')
    return line


def _delivery(view: wj.TicketView) -> str:
    """The mail card (证照寄送): how the papers come, and once sent, the parcel's number."""
    d = view.delivery
    if d is None or d.method != "mail":
        return ""
    if d.tracking:
        sent = f"{escape(d.carrier or '')} {escape(d.tracking)}".strip()
        inner = ('<b>证照寄送</b> <span class="en">Mailed</span><br>'
                 f"已寄出:{sent}<br><span class=\"en\">Sent: {sent}, "
                 f"{_time(d.handed_at, view.timezone, '%Y-%m-%d %H:%M')}</span>")
        lines = [mn_line("by_mail"), mn_line("mail_sent")]
    else:
        inner = ('<b>证照寄送</b> <span class="en">By mail</span><br>'
                 '办结后寄出,寄出后这里显示快递单号。<br><span class="en">Mailed once done; the '
                 'tracking number will show here.</span>')
        lines = [mn_line("by_mail"), mn_line("mail_after")]
    return beside(view, lines, inner, "div", ' class="card" id="mail"', small=True)


def _stage_word(view: wj.TicketView, st: wj.StageView, last: bool) -> str:
    """What a stage of the journey says (a key of STAGE_WORDS, or ""): its outcome, or where
    it stands while open. A last stage finished `next` (the end of its service's route) of a
    case that ended is 办结; a pickup done by post is 已寄出."""
    if st.zone == "pickup" and st.outcome == "done" and view.delivery \
            and view.delivery.tracking:
        return "mailed"
    if st.outcome == "next" and last and view.status in FINAL:
        return "done"
    if st.outcome:
        return st.outcome if st.outcome in STAGE_WORDS else ""
    if st.ended_at is not None:
        return ""
    if st.zone == "approval":
        return "approval"
    if last and view.status == "supplement":
        return "papers_due"
    if st.called_at is None:
        return "waiting"
    return "called" if last and view.status == "called" else "serving"


def _journey(view: wj.TicketView) -> str:
    """The journey's table: each stage's zone (and its number), what became of it (and the
    deadline it had), and when. In a hall that lists mn each cell has its band, and the time
    goes under the zone (three columns with bands do not fit a phone's width)."""
    mn = "mn" in view.languages
    rows = []
    for n, st in enumerate(view.journey):
        when = _time(st.ended_at or st.called_at, view.timezone, "%m-%d %H:%M")
        key = _stage_word(view, st, n == len(view.journey) - 1)
        zh, en, word = STAGE_WORDS[key] if key else ("", "", "")
        extra = f"({escape(st.number)})" if st.number else ""
        zone_en = wire.ZONE_NAMES.get(st.zone, (st.zone, st.zone_name))[1]
        zone = f'{escape(st.zone_name)}{extra}<span class="en">{escape(zone_en)}</span>'
        if mn and when:
            zone += f'<span class="when">{when}</span>'
        lines = [mn_line(word) if word else ""]
        what = f'{zh}<span class="en">{en}</span>' if zh else ""
        if st.deadline and st.zone == "approval":  # (a case back from 补正 carries it)
            due = _time(st.deadline, view.timezone, "%m-%d")
            what += f'限 {due} 办结<span class="en">due {due}</span>'
            lines.append(mn_line("deadline", d=due))
        zone_word = mn_line(f"zone_{st.zone}") if f"zone_{st.zone}" in MN else ""
        rows.append(f"<tr><td>{banded(view, [zone_word], zone)}</td>"
                    f"<td>{banded(view, lines, what)}</td>" + ("" if mn else f"<td>{when}</td>")
                    + "</tr>")
    columns: list[tuple[str, str, list[str]]] = [(zh, en, []) for zh, en, _ in COLUMNS]
    if mn:  # two columns, the time under the zone: the first head says both
        (zone_zh, zone_en, zone_mn), (state_zh, state_en, state_mn), (time_zh, time_en,
                                                                      time_mn) = COLUMNS
        columns = [(f"{zone_zh} · {time_zh}", f"{zone_en}, {time_en}",
                    [mn_line(zone_mn), mn_line(time_mn)]),
                   (state_zh, state_en, [mn_line(state_mn)])]
    heads = "".join("<th>" + banded(view, lines, f'{zh}<span class="en">{en}</span>') + "</th>"
                    for zh, en, lines in columns)
    title = beside(view, [mn_line("journey")],
                    '<b>办理进度</b> <span class="en">Journey</span>', "div", ' class="jt"',
                    small=True)
    table = ' class="mnj"' if mn else ""
    return (f'<div class="card">{title}<table id="journey"{table}><thead><tr>{heads}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div>')


def _status(view: wj.TicketView) -> tuple[str, str, str]:
    """The status words (Chinese, English) and the key of their Mongolian in MN."""
    zh, en = STATUS.get(view.status, (view.status, view.status))
    key = view.status if view.status in MN else ""
    if view.zone == "approval" and view.status in ("waiting", "called", "serving"):
        # a back-office post "calls" the case: nobody is called to a counter
        zh, en, key = "审批中", "In approval: being examined", "approval"
    elif view.forwarded_from is not None and view.zone == "intake" and view.status == "waiting":
        zh, en, key = "已转交大厅,待受理", "Forwarded: waiting for the hall", "forwarded"
    elif view.forwarded_from is not None and view.zone == "intake" and view.status in (
            "called", "serving"):  # taken up from the papers the branch sent: nobody is called
        zh, en, key = "大厅受理中", "Being taken up at the hall", "forwarded"
    elif view.status in ("ready", "supplement"):
        key = view.status
    return zh, en, key


def render(view: wj.TicketView, now: datetime | None = None) -> str:
    zh, en, key = _status(view)
    service = escape(view.service_name)
    if view.service_name_en and view.service_name_en != view.service_name:
        service += f' <span class="en">{escape(view.service_name_en)}</span>'
    head = (f'<div class="card"><div>{service}</div>'
            f'<div class="n">{escape(view.number)}</div>'
            f'<div class="st">{zh} <span class="en">{en}</span></div>'
            f"{_forwarded(view)}{_onward(view)}{_where(view, now)}")
    if view.deadline is not None:
        note = ("(暂定:当年节假日安排未公布)" if view.deadline_provisional else "")
        due_en = _time(view.deadline, view.timezone, "%Y-%m-%d %H:%M")
        note_en = " (provisional)" if view.deadline_provisional else ""
        if view.supplement is not None:  # moved on once intake takes the papers
            note += "(补正期间暂停计时,材料补齐后顺延)"
            note_en += " (stopped while papers are missing: it moves on by the days they take)"
        due = view.deadline.astimezone(ZoneInfo(view.timezone))  # as the phone page says it
        head += (f"<p>承诺办结时间:{due.year}年{month_day(due)[0]} {due:%H:%M}"
                 f'{note}<br><span class="en">Promised completion: {due_en}{note_en}</span></p>')
    if view.late is not None:  # the page read as if all were well (an outside check)
        late = ("已超过承诺办结时间,大厅正在督办", "Past the promised date: the hall is "
                "following it up") if view.late == "open" else (
                "晚于承诺时间办结", "Completed after the promised date")
        head += f'<p class="late">{late[0]}<br><span class="en">{late[1]}</span></p>'
    head += "</div>"
    return (mongolian_card(view, head, _mn_lines(view, key)) + rating_card(view) + _delivery(view)
            + _journey(view))


def _mn_lines(view: wj.TicketView, key: str) -> list[str]:
    """The band's lines after the hall's and the service's names: the status (bold) and the
    main instruction, as the phone page's band says them."""
    lines = [f'<b class="st">{escape(MN[key].mn)}</b>'] if key else []
    remote = view.forwarded_from is not None and view.zone == "intake"
    if view.forwarded_to is not None:
        lines.append(escape(MN["follow"].mn))
    elif remote and key != "forwarded" and view.status in ("waiting", "called", "serving"):
        lines.append(escape(MN["forwarded_head"].mn))
    elif key in ("called", "serving") and view.counter_name_mn:
        go = escape(MN["please_go"].mn).split("{counter}", 1)
        lines.append(f'{go[0]}<b>{escape(view.counter_name_mn)}</b>{go[1]}')
    elif key == "waiting" and view.calls_from is not None:
        lines.append(escape(MN["closed"].mn))  # the hall is closed now: no wait to tell
    elif key == "waiting" and view.ahead is not None and not view.arrival_required:
        lines.append(escape(MN["ahead"].mn + " " + MN["people"].mn.replace("{n}",
                                                                          str(view.ahead))))
    if view.late is not None:
        lines.append(escape(MN["late"].mn))
    return lines


def _script_json(value: str) -> str:
    """A string as a JavaScript literal that cannot end the inline <script>."""
    return json.dumps(value).replace("<", "\\u003c")


@lru_cache(maxsize=1)
def mongolian_font() -> Path | None:
    """Noto Sans Mongolian on this machine (fontconfig's answer, else Debian's path)."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=mn-cn", "file", "family"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        found = sorted(line.split(":", 1)[0] for line in out.splitlines() if ".tt" in line)
        found.sort(key=lambda f: "NotoSansMongolian" not in f)
        for file in found:
            if Path(file).is_file():
                return Path(file)
    debian = Path("/usr/share/fonts/truetype/noto/NotoSansMongolian-Regular.ttf")
    return debian if debian.is_file() else None


@router.get("/fonts/mongolian.ttf", include_in_schema=False, response_model=None)
def font(request: Request) -> FileResponse | JSONResponse:
    path = mongolian_font()
    if path is None:
        return JSONResponse({"error": {"code": "font_missing", "message": "Noto Sans Mongolian "
                             "is not installed on the server (apt-get install fonts-noto-core)"}},
                            status_code=404)
    return FileResponse(path, media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=86400"})


def not_found() -> HTMLResponse:
    """The friendly page for a ticket that is not there (or an address that is no ticket's)."""
    body = ('<div class="card"><p>没有找到此号,请核对二维码。<br><span class="en">Ticket not found: '
            "check the QR code.</span></p></div>")
    return HTMLResponse(PAGE.format(title="办件查询", style=STYLE, hall="办件查询", offline="",
                                    body=body, script=""), status_code=404,
                        headers={"Cache-Control": "no-store"})


@router.get("/t/{ticket_id}", response_class=HTMLResponse, include_in_schema=False,
            response_model=None)
def track(request: Request, ticket_id: str, c: str | None = None
          ) -> HTMLResponse | RedirectResponse:
    throttle(request, "public")  # no token: the id is the secret, so guessing is limited
    store = store_of(request)
    view = public.ticket_view(store, ticket_id, base_url(request), c)
    if view is None:
        return not_found()
    if view.forwarded_to is not None and view.rating_state != "open":
        # A bank branch's ticket: the case goes on in the hall; its code stays behind (it
        # rates only the branch's stage, here, while that is open; the hall's ticket has its own).
        return RedirectResponse(f"/t/{quote(view.forwarded_to.ticket, safe='')}",
                                status_code=303, headers={"Cache-Control": "no-store"})
    script = ""
    if view.status not in FINAL:
        script = LIVE % (_script_json(view.version),
                         _script_json(f"/api/v1/track/{quote(view.id, safe='')}/events"))
    if view.rating_state == "open" and c:
        said = {"level": "choose_level", "reasons": "reasons_required", "error": "error",
                "offline": "offline"}
        words = {k: MN[v].mn for k, v in said.items()} if "mn" in view.languages else {}
        script += RATE % (_script_json(f"/api/v1/track/{quote(view.id, safe='')}/evaluation"),
                          _script_json(c), json.dumps(words).replace("<", "\\u003c"))
    offline = beside(view, [mn_line("offline")], OFFLINE, "div",
                      ' id="offline" role="alert" hidden', small=True) if script else ""
    page = PAGE.format(title=f"{escape(view.number)} 办件查询", style=STYLE,
                       hall=escape(view.hall_name), offline=offline,
                       body=render(view, store.clock()), script=script)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/t", include_in_schema=False)
@router.get("/t/{rest:path}", include_in_schema=False)
def no_ticket(request: Request, rest: str = "") -> HTMLResponse:
    """An address under /t/ that is no ticket's id (empty, or with more path): the same page
    as an unknown id, never the API's JSON error."""
    throttle(request, "public")
    return not_found()
