"""The public tracking page behind `track_url` (the QR code on a ticket): plain Chinese HTML
with the number, status, zone and deadline only; no name, no ID number, no counter staff."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from queue_server.api.ratelimit import throttle
from queue_server.usecases import tickets
from queue_server.wire import ZONE_NAMES

router = APIRouter()
STATUS = {"waiting": "等候中", "called": "已叫号,请到窗口", "serving": "办理中", "done": "已办结",
          "rejected": "不予受理", "no_show": "过号"}
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:30em;margin:2em auto;padding:0 1em}}
.n{{font-size:3em;font-weight:bold}} td{{padding:.3em 1em .3em 0}}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""


@router.get("/t/{ticket_id}", response_class=HTMLResponse, include_in_schema=False)
def track(request: Request, ticket_id: str) -> HTMLResponse:
    throttle(request, "public")  # no token: the id is the secret, so guessing is limited
    found = tickets.public_view(request.app.state.store, ticket_id)
    if found is None:
        body = "<p>没有找到此号,请核对二维码。<br>Ticket not found.</p>"
        return HTMLResponse(PAGE.format(title="办件查询", body=body), status_code=404)
    ticket, hall = found
    rows = [("号码", f'<span class="n">{escape(ticket.number)}</span>'),
            ("状态", STATUS.get(ticket.status, ticket.status)),
            ("区域", ZONE_NAMES.get(ticket.zone, (ticket.zone,))[0])]
    if ticket.deadline is not None:
        local = ticket.deadline.astimezone(ZoneInfo(hall.timezone))
        rows.append(("承诺办结时间", local.strftime("%Y年%m月%d日 %H:%M")))
    table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    body = f"<p>{escape(hall.name)}</p><table>{table}</table>"
    return HTMLResponse(PAGE.format(title="办件查询", body=body),
                        headers={"Cache-Control": "no-store"})
