"""The public status page behind `track_url` (the QR code on a ticket): plain HTML, Chinese
first, that fits a phone: the number, where it stands (people ahead and the estimated wait, or
the counter it is called to), the journey through the zones, the promised deadline, whether the
case is ready for pickup and how it is delivered. No name, no ID number, no staff. It follows
the ticket live through `/api/v1/track/{id}/events` (a small inline script; no outside
resources) and reloads when something changed.

In a hall that lists Mongolian the card opens with a band of traditional Mongolian (the hall's,
the service's and the counter's names), written as it is written: CSS `writing-mode:
vertical-lr` (top to bottom, columns left to right), in Noto Sans Mongolian served by this
server at `/fonts/mongolian.ttf` (a hall's LAN is offline: no outside fonts)."""

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

from queue_server import wire_journey as wj
from queue_server.api.ratelimit import throttle
from queue_server.api.routes import base_url, store_of
from queue_server.domain.stages import FINAL
from queue_server.usecases import public

router = APIRouter()
STATUS = {"waiting": ("等候中", "Waiting"), "called": ("已叫号,请到窗口", "Called: go to the counter"),
          "serving": ("办理中", "Being served"), "done": ("已办结", "Done"),
          "rejected": ("不予受理", "Not accepted"), "no_show": ("过号", "Missed the call"),
          "ready": ("已办结,待取件", "Ready for pickup"),
          "forwarded": ("已转交大厅", "Forwarded to the hall")}
OUTCOMES = {"done": "办结", "next": "转下一环节", "rejected": "不予受理", "no_show": "过号",
            "transferred": "转办", "forwarded": "转大厅"}
STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;
background:#f3f6f9;color:#1b2733}main{max-width:30em;margin:0 auto;padding:1em}
h1{font-size:1.15em;margin:.2em 0 .6em}.card{background:#fff;border-radius:10px;
padding:1em;margin-bottom:1em;box-shadow:0 1px 3px #0002}.n{font-size:3.2em;font-weight:700;
color:#b3261e;letter-spacing:.05em}.st{font-size:1.3em;font-weight:700}.en{color:#5a6b7b;
font-size:.85em}.hl{background:#fff4d6;border-left:4px solid #e0a000;padding:.6em}
.ok{background:#e3f6e8;border-left:4px solid #2e9b4f;padding:.6em}table{width:100%;
border-collapse:collapse;font-size:.9em}td{padding:.35em .2em;border-bottom:1px solid #e4e9ee;
vertical-align:top}td:first-child,td:last-child{white-space:nowrap}.st .en{display:block;font-size:.6em;font-weight:400}
@font-face{font-family:"Kuaiban Mongolian";src:url("/fonts/mongolian.ttf") format("truetype")}
.bi{display:flex;gap:1em;align-items:flex-start}.bi>.main{flex:1}
.mn{writing-mode:vertical-lr;font-family:"Kuaiban Mongolian","Noto Sans Mongolian",serif;
font-size:1.05em;line-height:1.5;max-height:15em;color:#1b2733;border-right:1px solid #e4e9ee;
padding-right:.6em}.mn b{color:#b3261e}"""
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body><main><h1>{hall}</h1>{body}</main>{script}</body></html>"""
# The page follows the ticket's stream and reloads as soon as the stream says anything other
# than the version it shows: the stream's first message (the state when it opened, which may
# already differ from the page's), any later change, and the first message after a reconnect.
LIVE = """<script>(function(){if(!window.EventSource)return;var shown=%s;
var es=new EventSource(%s);es.onmessage=function(m){var v;try{v=JSON.parse(m.data)}
catch(e){return}if(v.version!==shown){es.close();location.reload()}}})();</script>"""


def _time(moment: datetime | None, tz: str, fmt: str = "%m月%d日 %H:%M") -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt) if moment else ""


def rejection_reason(view: wj.TicketView) -> str | None:
    """The reason the counter gave for not accepting the application (不予受理), if any."""
    ended = [st for st in view.journey if st.outcome == "rejected"]
    return ended[-1].reason if ended else None


def _where(view: wj.TicketView) -> str:
    """The one line that says what the citizen should do now."""
    if view.zone == "approval" and view.status in ("waiting", "called", "serving"):
        return ('<p>后台审批中,无需在大厅等候;办结后会通知您。<br><span class="en">In back-office '
                "approval: no need to wait in the hall; you will be told when it is ready."
                "</span></p>")
    if view.status in ("called", "serving") and view.counter_name:
        where_en = view.counter_name_en or view.counter_name
        return (f'<p class="hl">请到 <b>{escape(view.counter_name)}</b> 办理'
                f'<br><span class="en">Please go to {escape(where_en)}</span></p>')
    if view.arrival_required:
        return ('<p class="hl">请到大厅后在自助机签到(刷身份证或出示本页二维码),签到后才会叫号。'
                '<br><span class="en">Check in at a kiosk in the hall (ID card or this QR '
                'code); the number is called after check-in.</span></p>')
    if view.status == "ready":
        return ('<p class="ok">已办结,可以取件:请到大厅自助机刷身份证或扫描本页二维码取出件号。'
                '<br><span class="en">Ready: collect a pickup number at a kiosk with your ID '
                'card or this QR code.</span></p>')
    if view.status == "rejected":
        reason = rejection_reason(view)
        return ('<p class="hl">不予受理' + (f":{escape(reason)}" if reason else "")
                + '<br><span class="en">Not accepted' + (f": {escape(reason)}" if reason else "")
                + "</span></p>")
    line = ""
    if view.ready:
        line = ('<p class="ok">已办结,请留意出件窗口叫号。<br><span class="en">Ready: the pickup '
                "counter will call this number.</span></p>")
    if view.status == "waiting" and view.ahead is not None:
        minutes = round((view.estimated_wait_s or 0) / 60)
        line += (f"<p>前面还有 <b>{view.ahead}</b> 人,预计等候约 <b>{minutes}</b> 分钟"
                 f'<br><span class="en">{view.ahead} ahead, about {minutes} min</span></p>')
    return line


def _delivery(view: wj.TicketView) -> str:
    d = view.delivery
    if d is None or d.method != "mail":
        return ""
    if d.tracking:
        return (f'<div class="card"><b>证照寄送</b> <span class="en">Mailed</span><br>'
                f"已寄出:{escape(d.carrier or '')} {escape(d.tracking)}"
                f'<br><span class="en">sent {_time(d.handed_at, view.timezone)}</span></div>')
    return ('<div class="card"><b>证照寄送</b> <span class="en">By mail</span><br>'
            '办结后寄出,寄出后这里显示快递单号。<br><span class="en">Mailed once done; the '
            'tracking number will show here.</span></div>')


def _journey(view: wj.TicketView) -> str:
    rows = []
    for st in view.journey:
        when = _time(st.ended_at or st.called_at, view.timezone, "%m-%d %H:%M")
        what = OUTCOMES.get(st.outcome or "", "进行中" if st.ended_at is None else "")
        if st.zone == "pickup" and st.outcome == "done" and view.delivery \
                and view.delivery.tracking:
            what = "已寄出"
        extra = f"({escape(st.number)})" if st.number else ""
        due = f"<br>限 {_time(st.deadline, view.timezone, '%m-%d')} 办结" if st.deadline else ""
        rows.append(f"<tr><td>{escape(st.zone_name)}{extra}</td><td>{escape(what)}{due}</td>"
                    f"<td>{when}</td></tr>")
    return ('<div class="card"><b>办理进度</b> <span class="en">Journey</span>'
            f'<table>{"".join(rows)}</table></div>')


def render(view: wj.TicketView) -> str:
    zh, en = STATUS.get(view.status, (view.status, view.status))
    if view.zone == "approval" and view.status == "waiting":
        zh, en = "审批中", "In approval"
    service = escape(view.service_name)
    if view.service_name_en and view.service_name_en != view.service_name:
        service += f' <span class="en">{escape(view.service_name_en)}</span>'
    head = (f'<div class="card"><div>{service}</div>'
            f'<div class="n">{escape(view.number)}</div>'
            f'<div class="st">{zh} <span class="en">{en}</span></div>{_where(view)}')
    if view.deadline is not None:
        note = ("(暂定:当年节假日安排未公布)" if view.deadline_provisional else "")
        head += (f"<p>承诺办结时间:{_time(view.deadline, view.timezone, '%Y年%m月%d日 %H:%M')}"
                 f'{note}<br><span class="en">promised completion</span></p>')
    head += "</div>"
    return _mongolian(view, head) + _delivery(view) + _journey(view)


def _mongolian(view: wj.TicketView, card: str) -> str:
    """The first card with a vertical Mongolian band at its left, when the hall lists mn."""
    if "mn" not in view.languages:
        return card
    lines = [escape(x) for x in (view.hall_name_mn, view.service_name_mn) if x]
    if view.counter_name_mn:
        lines.append(f"<b>{escape(view.counter_name_mn)}</b>")
    if not lines:
        return card
    band = '<div class="mn" lang="mn-Mong">' + "<br>".join(lines) + "</div>"
    return card.replace('<div class="card">', f'<div class="card bi">{band}<div class="main">',
                        1).removesuffix("</div>") + "</div></div>"


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


@router.get("/t/{ticket_id}", response_class=HTMLResponse, include_in_schema=False)
def track(request: Request, ticket_id: str) -> HTMLResponse:
    throttle(request, "public")  # no token: the id is the secret, so guessing is limited
    view = public.ticket_view(store_of(request), ticket_id, base_url(request))
    if view is None:
        body = "<p>没有找到此号,请核对二维码。<br>Ticket not found.</p>"
        return HTMLResponse(PAGE.format(title="办件查询", style=STYLE, hall="办件查询",
                                        body=body, script=""), status_code=404)
    if view.forwarded_to is not None:  # a bank branch's ticket: the case goes on in the hall
        return RedirectResponse(f"/t/{quote(view.forwarded_to.ticket, safe='')}",
                                status_code=303, headers={"Cache-Control": "no-store"})
    live = ""
    if view.status not in FINAL:
        live = LIVE % (json.dumps(view.version),
                       json.dumps(f"/api/v1/track/{quote(view.id, safe='')}/events"))
    page = PAGE.format(title=f"{escape(view.number)} 办件查询", style=STYLE,
                       hall=escape(view.hall_name), body=render(view), script=live)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
