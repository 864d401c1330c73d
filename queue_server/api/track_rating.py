"""The status page's 好差评 form: for the holder of the ticket's QR code (`?c=`, its rating code),
the five levels, the reasons of a bad one, a comment; sent by a small inline script to
`POST /api/v1/track/{id}/evaluation`, whose thank-you (a <template> the server rendered)
takes the form's place. Each word with its Mongolian band where the hall lists mn."""

from __future__ import annotations

from html import escape

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.api.track_bands import banded, beside, mn_band, mn_line

LEVELS = {5: ("非常满意", "Very satisfied"), 4: ("满意", "Satisfied"),
          3: ("基本满意", "Fairly satisfied"), 2: ("不满意", "Dissatisfied"),
          1: ("非常不满意", "Very dissatisfied")}
# The 好差评 form: sent to POST /api/v1/track/{id}/evaluation with the QR code's `c`; the
# thank-you (a <template> the server rendered) takes the form's place.
RATE = """<script>(function(){var f=document.getElementById("rate-form");if(!f)return;
var url=%s,code=%s,mn=%s,why=document.getElementById("why"),
msg=document.getElementById("rate-msg");
function level(){var x=f.querySelector("input[name=level]:checked");return x?+x.value:0}
function el(tag,cls,text){var e=document.createElement(tag);e.className=cls;
if(text)e.textContent=text;return e}
function say(text,key){var p=String(text).split(" / "),box=msg,line=mn[key||"error"];
msg.replaceChildren();if(line){var b=el("span","mn s",line);b.lang="mn-Mong";box=el("span",
"main");msg.append(el("span","bi"));msg.firstChild.append(b,box)}box.append(p[0]);
if(p[1])box.append(el("span","en",p[1]));msg.hidden=false}
function done(n){var card=document.getElementById("rate");var t=document.getElementById(
"rate-thanks");card.replaceChildren(t.content.cloneNode(true));if(n){var p=el("p","note",
"大厅将在 "+n+" 个工作日内核实您的意见并与您联系。");p.id="followup";p.append(document.createElement("br"),el("span","en",
"The hall will look into it and get back to you within "+n+" working days."));card.append(p)}
if(window.kbStale)location.reload()}
f.addEventListener("input",function(){f.classList.add("dirty");var l=level();
why.hidden=!(l&&l<=2)});
f.addEventListener("submit",function(ev){ev.preventDefault();var l=level();
if(!l){say("请选择满意程度 / Choose how satisfied you are","level");return}
var rs=[].map.call(f.querySelectorAll("input[name=reason]:checked"),function(x){
return x.value});if(l<=2&&!rs.length){say(
"请选择不满意的原因 / Choose at least one reason","reasons");return}
var body={c:code,level:l,reasons:l<=2?rs:[]},t=f.comment.value.trim();
if(t)body.comment=t;var go=document.getElementById("rate-go");go.disabled=true;
fetch(url,{method:"POST",headers:{"Content-Type":"application/json",
"Accept":"application/json"},body:JSON.stringify(body)}).then(function(r){
return r.json().catch(function(){return{}}).then(function(d){var e=d.error||{};
if(r.ok||e.code==="already_rated"){done(r.ok&&d.followup_days);return}go.disabled=false;
say(e.message||"出错了,请重试 / Something went wrong: try again")})}).catch(function(){
go.disabled=false;say("无法连接服务器,评价未提交,请稍后再试 / Cannot reach the server: the "
+"rating was not sent; try again later","offline")})
})})();</script>"""


def _rated_card(view: wj.TicketView, fresh: bool) -> str:
    if fresh:
        return beside(view, [mn_line("thanks"), mn_line("already_rated")],
                       '<b>感谢您的评价!</b> 已评价<br><span class="en">Thank you: your rating '
                       "was sent.</span>", "p", ' class="ok" id="rated"', small=True)
    return beside(view, [mn_line("already_rated")], '已评价<br><span class="en">Rated '
                   "already: thank you.</span>", "p", ' class="ok" id="rated"', small=True)


def _choice(view: wj.TicketView, kind: str, value: str, key: str, zh: str, en: str) -> str:
    """One of the form's choices (a level, a reason): a row to tap, its band beside the box."""
    required = " required" if kind == "radio" else ""
    name = "level" if kind == "radio" else "reason"
    band = mn_band(view, [mn_line(key)], "span", small=True)
    band = f'<span class="mw">{band}</span>' if band else ""  # of one width: the Chinese aligned
    return (f'<label><input type="{kind}" name="{name}" value="{value}"{required}>{band} {zh}'
            f'<span class="en">{en}</span></label>')


def rating_card(view: wj.TicketView) -> str:
    """好差评 of the latest stage called in person (never approval's back office: the server
    rates the same), for the holder (the QR code's `c` proved it); not while at a counter."""
    if view.rating_state == "rated":
        return f'<div class="card" id="rate">{_rated_card(view, False)}</div>'
    at_counter = view.status in ("called", "serving") and view.zone != "approval"
    if view.rating_state != "open" or at_counter:  # rated once served, not on the way
        return ""
    stage = next((st for st in reversed(view.journey)
                  if st.called_at is not None and st.zone != "approval"), None)
    where = escape(" ".join(x for x in (stage.zone_name, stage.counter_name) if x)
                   if stage else "")
    levels = "".join(_choice(view, "radio", str(n), f"level_{n}", zh, en)
                     for n, (zh, en) in LEVELS.items())
    reasons = "".join(_choice(view, "checkbox", code, f"reason_{code}", zh, en)
                      for code, (zh, en) in wire.BAD_REASONS.items())
    legend = banded(view, [mn_line("choose_reasons")], '请选择不满意的原因(必选)<span '
                     'class="en">Why? Choose at least one</span>')
    form = (beside(view, [mn_line("rate_title"), mn_line("choose_level")],
                    '<b>好差评</b> <span class="en">Rate the service</span>'
                    f"<p>请对本次服务({where})作出评价<br>"
                    '<span class="en">How was the service?</span></p>', "div", small=True)
            + f'<form id="rate-form" novalidate><div class="lv">{levels}</div>'
            f'<fieldset class="why" id="why" hidden><legend>{legend}</legend>{reasons}'
            "</fieldset>"
            + beside(view, [mn_line("comment")], '意见或建议(选填) <span class="en">Comment '
                      "(optional)</span>", "label", ' for="comment"', small=True)
            + '<textarea id="comment" name="comment" maxlength="500" rows="3"></textarea>'
            '<p id="rate-msg" class="err" role="alert" hidden></p>'
            '<button type="submit" class="go" id="rate-go">'
            + banded(view, [mn_line("submit")], '提交评价<span class="en">Send the rating'
                      "</span>")
            + "</button></form>"
            f'<template id="rate-thanks">{_rated_card(view, True)}</template>')
    return f'<div class="card" id="rate">{form}</div>'
