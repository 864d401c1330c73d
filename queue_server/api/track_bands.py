"""The status page's traditional Mongolian (a hall that lists mn): its words (`MN`, the kiosk's
where it has them) and the vertical bands that carry them beside the Chinese: a card's, a
line's, a table cell's or a button's. Written as Mongolian is written: CSS `writing-mode:
vertical-lr`, in the font the server serves."""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from queue_server import wire_journey as wj


class MnWord(NamedTuple):
    """A line of traditional Mongolian: A STARTING TRANSLATION, as ui/locale/mn.po is, fuzzy
    (needs review by a native reader) until a reader has checked it and set fuzzy to False.
    `po` names the kiosk's entry of mn.po whose words these are (tests/phone check they still
    are); None: this page's own. The phone page's MN table (phone/app.js) says the same."""

    mn: str
    fuzzy: bool
    po: str | None


MN = {
    "waiting": MnWord("ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠶᠢᠭ\u180eᠠ", True, "status_waiting"),  # 等候中
    "called": MnWord("ᠳᠠᠭᠤᠳᠠᠭᠳᠠᠪᠠ", True, "status_called"),  # 已叫号
    "serving": MnWord("ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠪᠠᠶᠢᠨ\u180eᠠ", True, "status_serving"),  # 办理中
    "done": MnWord("ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ", True, "status_done"),  # 已办结
    "rejected": MnWord("ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", True, "status_rejected"),  # 不予受理
    "no_show": MnWord("ᠳ\u180bᠤᠭᠠᠷ ᠥᠩᠭᠡᠷᠡᠪᠡ", True, "status_no_show"),  # 过号
    "forwarded": MnWord("ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠳᠡᠵᠡᠢ", True, "status_forwarded"),  # 已转交大厅
    # 审批中 (as the phone page's `approval`, this page's own)
    "approval": MnWord("ᠬᠢᠨᠠᠨ ᠪᠠᠲᠤᠯᠠᠵᠤ ᠪᠠᠶᠢᠨ\u180eᠠ", True, None),
    # 已办结,请留意出件窗口叫号 / 已办结,待取件
    "ready": MnWord("ᠬᠡᠷᠡᠭ ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ᠂ ᠪᠢᠴᠢᠭ ᠠᠪᠬᠤ ᠳᠠᠭᠤᠳᠠᠯᠭ\u180eᠠ\u202fᠶᠢ ᠬᠦᠯᠢᠶᠡᠭᠡᠷᠡᠢ",
                    True, "ck_pickup"),
    # 待补正材料 (materials to be supplemented: the page's own)
    "supplement": MnWord("ᠪᠢᠴᠢᠭ ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠡᠷᠡᠭᠲᠡᠢ", True, None),
    "papers_by": MnWord("ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ: {d}", True, "papers_by"),  # 补正期限:{d}(含)前
    "papers_by_passed": MnWord("ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ({d}) ᠥᠩᠭᠡᠷᠡᠭᠰᠡᠨ", True,
                               "papers_by_passed"),  # 补正期限 {d} 已过
    "closed": MnWord("ᠲᠦᠷ ᠵᠣᠭᠰᠣᠭᠠᠭᠰᠠᠨ", True, "closed_now"),  # 今日已下班 (closed now)
    "ahead": MnWord("ᠡᠮᠦᠨ\u180eᠡ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠤᠢ", True, "ahead"),  # 前面
    "people": MnWord("{n} ᠬᠦᠮᠦᠨ", True, "people"),  # {n} 人
    "please_go": MnWord("{counter}\u202fᠳᠤ ᠢᠷᠡᠭᠡᠷᠡᠢ", True, "please_go"),  # 请到 {counter}
    "forwarded_head": MnWord("ᠲᠠᠨ ᠤ ᠬᠡᠷᠡᠭ ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠳᠡᠵᠡᠢ", True,
                             "forwarded_head"),  # 您的申请已转交大厅
    # 查询办件进度 (the branch's page: on to the hall's)
    "follow": MnWord("ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠶᠠᠪᠤᠴᠠ\u202fᠶᠢ ᠠᠰᠠᠭᠤᠬᠤ", True, "ask_status"),
    "rate_title": MnWord("ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢ ᠦᠨᠡᠯᠡᠬᠦ", True, "rate_title"),  # 服务评价
    "thanks": MnWord("ᠪᠠᠶᠠᠷᠯᠠᠯ\u180eᠠ", True, "thanks"),  # 感谢您的评价
    "already_rated": MnWord("ᠡᠨᠡ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ ᠨᠢᠭᠡᠨᠲᠡ ᠦᠨᠡᠯᠡᠭᠳᠡᠭᠰᠡᠨ", True,
                            "already_rated"),  # 已评价
    # The rating form, in the words of the kiosk's rating screen and the pad's
    "level_5": MnWord("ᠮᠠᠰᠢ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", True, "level_5"),  # 非常满意
    "level_4": MnWord("ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", True, "level_4"),  # 满意
    "level_3": MnWord("ᠶᠡᠷᠦᠩᠬᠡᠢ\u202fᠪᠡᠷ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", True, "level_3"),  # 基本满意
    "level_2": MnWord("ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", True, "level_2"),  # 不满意
    "level_1": MnWord("ᠮᠠᠰᠢ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", True, "level_1"),  # 非常不满意
    "reason_slow": MnWord("ᠬᠡᠷᠡᠭ ᠪᠦᠲᠦᠭᠡᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ᠤᠷᠲᠤ", True, "reason_slow"),  # 办理时间长
    "reason_attitude": MnWord("ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢᠨ ᠬᠠᠨᠳᠤᠯᠭ\u180eᠠ ᠮᠠᠭᠤ", True,
                              "reason_attitude"),  # 服务态度差
    "reason_unclear": MnWord("ᠮᠡᠳᠡᠭᠳᠡᠯ ᠲᠣᠳᠣᠷᠬᠠᠢ ᠦᠭᠡᠢ", True, "reason_unclear"),  # 告知不清楚
    "reason_repeat": MnWord("ᠣᠯᠠᠨ ᠤᠳᠠᠭ\u180eᠠ ᠶᠠᠪᠤᠭᠰᠠᠨ", True, "reason_repeat"),  # 多次跑腿
    "reason_wait": MnWord("ᠬᠦᠯᠢᠶᠡᠯᠭᠡ ᠤᠷᠲᠤ", True, "reason_wait"),  # 排队时间长
    "reason_other": MnWord("ᠪᠤᠰᠤᠳ", True, "reason_other"),  # 其他
    # 请对本次服务作出评价
    "choose_level": MnWord("ᠡᠨᠡ ᠤᠳᠠᠭ\u180eᠠ\u202fᠶᠢᠨ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢ ᠦᠨᠡᠯᠡᠭᠡᠷᠡᠢ", True,
                           "choose_level"),
    # 请选择不满意的原因(必选)
    "choose_reasons": MnWord("ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ ᠰᠢᠯᠲᠠᠭᠠᠨ\u202fᠢ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ (ᠵᠠᠪᠠᠯ)", True,
                             "choose_reasons"),
    # 请选择不满意的原因 (the form's message: none chosen)
    "reasons_required": MnWord("ᠳᠣᠷ\u180eᠠ ᠬᠠᠶᠠᠵᠠ ᠨᠢᠭᠡ ᠰᠢᠯᠲᠠᠭᠠᠨ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ", True,
                               "reasons_required"),
    # 意见或建议(选填) (opinion or request, not required: this page's own, as the phone page's)
    "comment": MnWord("ᠰᠠᠨᠠᠯ ᠬᠦᠰᠡᠯᠲᠡ (ᠵᠠᠪᠠᠯ ᠪᠢᠰᠢ)", True, None),
    "submit": MnWord("ᠦᠨᠡᠯᠡᠯ\u202fᠢ ᠢᠯᠡᠭᠡᠬᠦ", True, "submit"),  # 提交评价
    "error": MnWord("ᠪᠦᠲᠦᠭᠰᠡᠨ ᠦᠭᠡᠢ᠂ ᠳᠠᠬᠢᠨ ᠣᠷᠣᠯᠳᠣᠭᠠᠷᠠᠢ", True, "error"),  # 出错了,请重试
    # 无法连接服务器,正在重试…
    "offline": MnWord("ᠰᠦᠯᠵᠢᠶ\u180eᠡ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ — ᠳᠠᠬᠢᠨ ᠬᠣᠯᠪᠣᠵᠤ ᠪᠠᠶᠢᠨ\u180eᠠ", True,
                      "board_offline"),
    # The journey: its heading, its columns, the zones and what became of each stage
    "journey": MnWord("ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠶᠠᠪᠤᠴᠠ", True, "ask_status"),  # 办理进度 (the case's progress)
    "col_zone": MnWord("ᠬᠡᠰᠡᠭ", True, "zone"),  # 环节
    "col_state": MnWord("ᠪᠠᠶᠢᠳᠠᠯ", True, "status"),  # 办理情况
    "col_time": MnWord("ᠴᠠᠭ", True, None),  # 时间 (time: the phone page's)
    "zone_consult": MnWord("ᠯᠠᠪᠯᠠᠬᠤ ᠵᠢᠭᠠᠨ ᠵᠠᠯᠠᠬᠤ", True, "zone_consult"),  # 综合咨询导办
    "zone_intake": MnWord("ᠨᠢᠭᠡ ᠴᠣᠩᠬᠣ\u202fᠪᠠᠷ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠬᠤ", True, "zone_intake"),  # 一窗受理
    "zone_approval": MnWord("ᠬᠢᠨᠠᠨ ᠪᠠᠲᠤᠯᠠᠬᠤ", True, "zone_approval"),  # 后台审批
    "zone_pickup": MnWord("ᠪᠢᠴᠢᠭ ᠬᠦᠯᠢᠶᠡᠯᠭᠡᠨ ᠥᠭᠬᠦ", True, "zone_pickup"),  # 出件
    "next_zone": MnWord("ᠳᠠᠷᠠᠭᠠᠬᠢ ᠬᠡᠰᠡᠭ\u202fᠲᠦ ᠰᠢᠯᠵᠢᠭᠦᠯᠬᠦ", True, "next_zone"),  # 转下一环节
    "transferred": MnWord("ᠰᠢᠯᠵᠢᠭᠦᠯᠬᠦ", True, "transfer"),  # 转办
    "deadline": MnWord("ᠠᠮᠠᠯᠠᠭᠰᠠᠨ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ: {d}", True, "deadline"),  # 限 {d} 办结
    "late": MnWord("ᠠᠮᠠᠯᠠᠭᠰᠠᠨ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ᠬᠡᠲᠦᠷᠡᠪᠡ", True, None),  # 已超过承诺办结时间
    # The mail card (证照寄送), as the phone page's: sent by post; sent (已寄出); sent once the
    # case is done, the parcel's number shows here (办结后寄出,寄出后这里显示快递单号)
    "by_mail": MnWord("ᠰᠢᠤᠳᠠᠨ\u202fᠢᠶᠠᠷ ᠢᠯᠡᠭᠡᠬᠦ", True, None),
    "mail_sent": MnWord("ᠢᠯᠡᠭᠡᠪᠡ", True, None),
    "mail_after": MnWord("ᠬᠡᠷᠡᠭ ᠳᠠᠭᠤᠰᠤᠭᠰᠠᠨ\u202fᠤ ᠳᠠᠷᠠᠭ\u180eᠠ ᠢᠯᠡᠭᠡᠨ\u180eᠡ᠂ ᠢᠯᠡᠭᠡᠮᠵᠢ\u202fᠶᠢᠨ "
                         "ᠳ\u180bᠤᠭᠠᠷ ᠡᠨᠳᠡ ᠭᠠᠷᠤᠨ\u180eᠠ", True, None),
}


def mn_line(key: str, **fill: str) -> str:
    """MN[key]'s words (escaped), with their placeholders ({d}, {n}) filled."""
    text = MN[key].mn
    for name, value in fill.items():
        text = text.replace("{" + name + "}", value)
    return escape(text)


def mn_band(view: wj.TicketView, lines: list[str], tag: str = "div", small: bool = False) -> str:
    """A vertical band of Mongolian `lines` (HTML, escaped), or "" (no mn, nothing to say)."""
    lines = [x for x in lines if x]
    if "mn" not in view.languages or not lines:
        return ""
    cls = "mn s" if small else "mn"
    return f'<{tag} class="{cls}" lang="mn-Mong">' + "<br>".join(lines) + f"</{tag}>"


def beside(view: wj.TicketView, lines: list[str], inner: str, tag: str = "div",
            attrs: str = "", small: bool = False) -> str:
    """`inner` in an element `tag` with `attrs`; with a band of `lines`, the band at its left."""
    band = mn_band(view, lines, "span" if tag in ("span", "label", "p") else "div", small)
    if not band:
        return f"<{tag}{attrs}>{inner}</{tag}>"
    if ' class="' in attrs:
        attrs = attrs.replace(' class="', ' class="bi ', 1)
    else:
        attrs += ' class="bi"'
    box = "span" if tag in ("span", "label", "p") else "div"
    return f'<{tag}{attrs}>{band}<{box} class="main">{inner}</{box}></{tag}>'


def banded(view: wj.TicketView, lines: list[str], inner: str) -> str:
    """`inner` with a small band at its left (a table cell's words, a button's), in a block
    of its own; just `inner` without one."""
    if not mn_band(view, lines):
        return inner
    return beside(view, lines, inner, "span", small=True)


def mongolian_card(view: wj.TicketView, card: str, status: list[str] | None = None) -> str:
    """The first card with a vertical Mongolian band at its left, when the hall lists mn."""
    lines = [escape(x) for x in (view.hall_name_mn, view.service_name_mn) if x]
    lines += status or []
    band = mn_band(view, lines)
    if not band:
        return card
    return card.replace('<div class="card">', f'<div class="card bi">{band}<div class="main">',
                        1).removesuffix("</div>") + "</div></div>"
