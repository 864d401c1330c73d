"""The words of every role's screens (the citizen kiosk, the counter pad, the call board, the
rating pad), Chinese first, English second: one table, one `tr(key, lang, **fields)`. A missing
key shows the key itself, so a gap is visible, not a crash. `pick(pair, lang)` takes one language
of a (zh, en) pair (the words of levels, reasons and zones come in pairs).

Other languages (traditional Mongolian, "mn") come from gettext files (`ui.locale`, keyed by the
same keys): `tr(key, "mn")` answers the translation, or the Chinese where the file has none, so
a gap shows Chinese, never an empty label. The composition root may point `use_translations` at
a hall's own folder of `.po` files."""

from __future__ import annotations

from pathlib import Path

from kiosk.pad import BAD_REASONS, LEVELS
from ui import locale

TEXT: dict[str, tuple[str, str]] = {
    # frame
    "lang_switch": ("English", "中文"),
    "elderly_on": ("长者模式", "Senior mode"),
    "senior_btn": ("长者模式 · 大字 语音", "Senior mode: large text, spoken"),
    "elderly_off": ("标准模式", "Standard mode"),
    "back": ("返回", "Back"),
    "home": ("首页", "Home"),
    "branch_tag": ("政银合作 · 政务服务就近办", "Government services at this bank branch"),
    "countdown": ("无操作，{n} 秒后返回首页\n触摸屏幕继续办理", "No activity: back to start in {n} s\nTouch the screen to continue"),
    # attract
    "welcome": ("欢迎办事", "Welcome"),
    "touch_start": ("点击开始取号", "Touch to take a number"),
    "waiting_in": ("等候 {n} 人", "{n} waiting"),
    "ask_status": ("查询办件进度", "Check my ticket or case"),
    "rate_service": ("服务评价", "Rate a service"),
    "motto": ("进一个门 · 排一次队 · 取一次号 · 交一套材料", "One door · one queue · one number · one set of papers"),
    "checkin_btn": ("预约签到 · 取件", "Check in · collect"),
    "checkin_btn_bank": ("预约签到", "Check in"),  # a bank branch hands out no licences
    # check-in (a booking, a number from the phone, a case ready for pickup)
    "checkin_title": ("预约签到 · 远程取号签到 · 取件", "Check in · collect a ready case"),
    "checkin_card": ("刷身份证签到 / 取件", "Use my ID card"),
    "checkin_title_bank": ("预约签到 · 远程取号签到", "Check in a booking or a number"),
    "checkin_card_bank": ("刷身份证签到", "Check in with my ID card"),
    "checkin_code": ("或输入预约码", "Or type the code"),
    "checkin_qr": ("也可将预约二维码或号票二维码对准高拍仪", "Or hold the booking's or the ticket's QR code under the camera"),
    "code_ok": ("确认签到", "OK"),
    "erase": ("删除", "Del"),
    "code_incomplete": ("预约码为 10 位，请核对", "A booking code has 10 characters"),
    "take_normal": ("取普通号", "Take a normal number"),
    "try_again": ("重新签到", "Try again"),
    "ans_appointment_too_early": ("还未到签到时间", "Too early to check in"),
    "ans_appointment_not_today": ("您的预约不是今天", "Your booking is not for today"),
    "ans_appointment_unknown": ("没有找到您的预约", "No booking found"),
    "ans_appointment_used": ("此预约已签到", "This booking is already checked in"),
    "ans_used_number": ("您已用此预约取号，号码是 {number}", "Your number from this booking: {number}"),
    "ans_sub_appointment_used": ("请凭此号等候叫号，无需再取号", "Wait for this number; no need for another"),
    "ans_number_expired": ("此号已过期", "This number has expired"),
    "ans_nothing_to_collect": ("此号无需签到", "Nothing to check in for this ticket"),
    "ans_unknown_ticket": ("没有找到此号", "Ticket not found"),
    "ans_error": ("签到未成功", "Check-in did not work"),
    "ans_sub_appointment_too_early": ("请在签到时间内再来签到，或取普通号", "Come back within the check-in time, or take a normal number"),
    "ans_sub_appointment_not_today": ("请在预约当天按时签到，现在无需取号", "Check in on that day, on time; no number is needed now"),
    "ans_sub_appointment_unknown": ("请核对预约码，或刷身份证签到；也可以取普通号", "Check the code or use your ID card; or take a normal number"),
    "ans_sub_error": ("请咨询工作人员", "Please ask the staff"),
    "ck_appointment": ("预约签到成功，优先叫号", "Checked in: called with priority"),
    "ck_late": ("预约已过时，按普通号排队", "Late: a normal number"),
    "ck_pickup": ("办件已办结，请等候出件叫号", "Ready: wait for the pickup call"),
    "ck_arrival": ("已签到，请等候叫号", "Checked in: wait for your call"),
    "ck_supplement": ("已签到，叫号后递交补正材料", "Checked in: hand in your papers when called"),
    # the green channel (绿色通道)
    "priority_btn": ("优先通道", "Priority lane"),
    "priority_title": ("请选择优先原因", "Why should you be served first?"),
    "priority_note": ("请在窗口出示相关证件，由工作人员核实", "Show proof at the counter: the staff will check it"),
    "priority_none": ("不需要优先", "No priority"),
    "priority_chosen": ("已选择优先：{reason}（窗口核实）", "Priority: {reason} (checked at the counter)"),
    "priority_refused": ("此优先原因不能在自助机申报，请咨询工作人员", "This reason cannot be declared here; please ask the staff"),
    # services
    "choose_service": ("请选择办理事项", "Choose a service"),
    "all": ("全部", "All"),
    "search": ("搜索", "Search"),
    "search_hint": ("输入拼音首字母，如 qykb", "English or pinyin initials: water, qykb"),
    "clear": ("清空", "Clear"),
    "no_match": ("没有找到，请换个关键字", "Nothing found; try another word"),
    "page": ("第 {p}/{n} 页", "Page {p} of {n}"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "closed_now": ("暂停办理", "Not available now"),
    # detail
    "materials": ("一次性告知：请准备以下材料", "Papers to bring (complete list)"),
    "no_materials": ("无需准备材料", "No papers needed"),
    "ahead": ("前面等候", "People ahead"),
    "people": ("{n} 人", "{n}"),
    "est_wait": ("预计等候", "Estimated wait"),
    "minutes": ("约 {n} 分钟", "about {n} min"),
    "time_limit": ("承诺时限 {n} 个工作日", "Promised within {n} working days"),
    "needs_card": ("本事项需刷身份证取号", "This service needs your ID card"),
    "take_number": ("取号", "Take a number"),
    "take_with_card": ("刷身份证取号", "Take a number with ID card"),
    "at_the_bottom": ("按钮在屏幕下方", "the buttons are at the bottom of the screen"),
    "take_ticket_said": ("请取走号票", "Please take your ticket"),
    "senior_on_said": ("已进入长者模式，字更大，屏幕会读出提示", "Senior mode: larger text, and the screen reads its prompts aloud"),
    "card_priority_hint": ("{age} 岁以上老人刷身份证自动优先", "Aged {age}+: use your ID card for priority"),
    "scan_first": ("先扫描材料预审", "Scan papers for pre-review first"),
    "remaining": ("今日剩余 {n} 个号", "{n} numbers left today"),
    "remaining_then": ("当日剩余 {n} 个号", "{n} numbers left that day"),
    # ID card
    "put_card": ("请将身份证放在读卡区", "Place your ID card on the reader"),
    "card_wait": ("正在等待身份证… {n} 秒", "Waiting for the card… {n} s"),
    "card_read": ("已读取：{name}  {number}", "Card read: {name}  {number}"),
    "priority_yes": ("您将享受优先服务", "You will be served with priority"),
    "cancel": ("取消", "Cancel"),
    # scanning
    "scan_title": ("材料扫描（预审）", "Scan papers (pre-review)"),
    "scan_hint": ("请将材料正面朝上平放在高拍仪下", "Lay the paper face up under the camera"),
    "capture": ("拍摄", "Capture"),
    "pages_n": ("已扫描 {n} 页", "Pages scanned: {n}"),
    "finish_scan": ("完成，取号", "Done, take a number"),
    "keep": ("保留此页", "Keep this page"),
    "retake": ("重拍", "Retake"),
    "review_title": ("请确认扫描效果", "Check the scanned page"),
    # issuing and ticket
    "issuing": ("正在取号，请稍候…", "Taking your number…"),
    "your_number": ("您的号码", "Your number"),
    "go_zone": ("请到 {zone} 等候叫号", "Please wait for your call at {zone}"),
    # a number taken while the hall is closed: {when} is 08:30, or the day and time
    "calls_from": ("大厅 {when} 开始叫号", "Calling starts at {when}"),
    "after_hours": ("已下班，自助服务照常", "Closed now; self-service is open"),
    "staff_from": ("现在无人值守，工作人员 {when} 上班", "No staff now: they are here from {when}"),
    # a bank branch's application gone on to the hall (转大厅)
    "forwarded_head": ("您的申请已转交大厅", "Your application went to the hall"),
    "forwarded_to": ("您的申请已转交 {hall} {zone}，号码 {number}；扫描二维码查看进度", "Your application went to {hall}, {zone}, number {number}; scan the QR code to follow it"),
    "forwarding": ("正在把材料转交大厅…", "Sending your papers on to the hall…"),
    "printing": ("号票打印中，请取走号票", "Printing your ticket — please take it"),
    "printed": ("号票已打印，请取走号票", "Ticket printed — please take it"),
    "print_failed": ("打印机故障，请用手机拍下本页号码和二维码", "Printer fault: please photograph this number and QR code"),
    "print_failed_paper_out": ("打印机缺纸，请用手机拍下本页号码和二维码", "Out of paper: please photograph this number and QR code"),
    # the printer stopped in the middle of the ticket (paper ran out half-way): the number was
    # issued, is on screen, and is said again here; no second number is taken
    "print_interrupted_paper_out": ("打印中途缺纸，号票可能不完整。您的号码是 {number}", "Paper ran out: the ticket may be incomplete. Your number: {number}"),
    "print_interrupted": ("打印中断，号票可能不完整。您的号码是 {number}", "Printing stopped: the ticket may be incomplete. Your number: {number}"),
    # printing the same ticket again, once the printer is back (never a second number)
    "reprint_btn": ("重新打印", "Print again"),
    "reprint_wait_paper": ("装纸后可重打", "Add paper"),
    "reprint_wait": ("恢复后可重打", "Not ready"),
    # before a number is taken, while the printer cannot print (flow.printer_problem)
    "printer_notice_paper_out": ("打印机缺纸，号码将显示在屏幕上，请用手机拍照", "The printer is out of paper: your number will be shown on screen — take a photo"),
    "printer_notice_down": ("打印机暂停使用，号码将显示在屏幕上，请用手机拍照", "The printer is not working: your number will be shown on screen — take a photo"),
    "reader_notice_down": ("读卡器暂不可用：需刷身份证的事项暂不能在此取号", "The ID card reader is not working: services that need an ID card cannot be taken here now"),
    "scan_track": ("扫码查看进度", "Scan to follow your turn"),
    "priority_ticket": ("优先", "Priority"),
    "upload_sending": ("材料上传中…", "Uploading your papers…"),
    "upload_sent": ("材料已提交预审", "Papers sent for pre-review"),
    "upload_forwarded": ("材料已转交大厅一窗受理", "Papers forwarded to the hall's intake"),
    "upload_failed": ("材料上传失败，请到窗口出示原件", "Papers not sent; please show the originals at the counter"),
    "done_btn": ("完成", "Done"),
    # inquiry and rating
    "ask_title": ("查询办件进度", "Check a ticket or case"),
    "ask_hint": ("请将号票或受理通知书上的二维码对准摄像头", "Hold the QR code of your ticket or receipt to the camera"),
    "ask_card": ("刷身份证查询", "Use ID card instead"),
    "rate_card": ("刷身份证评价", "Use ID card to rate"),
    "rate_title": ("服务评价", "Rate the service"),
    "results": ("查询结果", "What we found"),
    "status_waiting": ("等候中", "Waiting"),
    "status_called": ("已叫号", "Called"),
    "status_serving": ("办理中", "Being served"),
    "status_done": ("已办结", "Completed"),
    "status_rejected": ("不予受理", "Rejected"),
    "status_no_show": ("已过号", "Missed"),
    "status_forwarded": ("已转交大厅", "Forwarded to the hall"),
    "status_ready": ("已办结，待取件", "Ready for pickup"),
    "supplement_btn": ("补正", "Request papers"),
    "status_supplement": ("待补正材料", "Papers needed"),
    "clock_stopped": ("（补正期间暂停计时）", " (stopped for the papers)"),
    "papers_needed": ("请一次备齐：{papers}", "Bring all of: {papers}"),
    "papers_by": ("补正期限：{d}（含）前", "Bring them by: {d} (that day included)"),
    "papers_by_passed": ("补正期限 {d} 已过，请尽快递交", "The date to bring them by ({d}) has passed: bring them soon"),
    "deadline": ("承诺办结：{d}", "Due: {d}"),
    "rate_btn": ("评价", "Rate"),
    "choose_level": ("请您对本次服务作出评价", "How was the service?"),
    "choose_reasons": ("请选择不满意的原因（必选）", "Please choose why (required)"),
    "submit": ("提交评价", "Submit"),
    "thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "thanks_sub": ("您的意见将督促我们改进服务", "Your opinion helps us improve"),
    # offline
    "offline_title": ("暂停取号", "Numbers paused"),
    "offline_body": ("系统正在恢复，请稍候或咨询工作人员。\n以下材料清单仍可查看。", "The system is reconnecting; please wait or ask the staff.\nThe papers lists below can still be read."),
    "reconnecting": ("正在自动重连…", "Reconnecting…"),
    "resume_pending": ("正在重新连接，连上后继续为您取号", "Reconnecting: your number is taken once it answers"),
    # admin
    "admin_title": ("设备管理", "Device administration"),
    "admin_pin": ("请输入管理密码", "Enter the admin PIN"),
    "unlock": ("确定", "OK"),
    "quit_app": ("退出程序", "Quit app"),
    "refresh": ("刷新", "Refresh"),
    "server": ("服务器", "Server"),
    "server_online": ("在线", "online"),
    "server_offline": ("离线", "offline"),
    "device": ("设备", "Device"),
    "health": ("状态", "Health"),
    "idcard": ("身份证阅读器", "ID card reader"),
    "printer": ("号票打印机", "Ticket printer"),
    "camera": ("高拍仪", "Document camera"),
    # notices (short messages for the citizen)
    "offline": ("网络中断，暂停取号", "Network down: numbers paused"),
    "card_timeout": ("未检测到身份证，请重试", "No card detected; please try again"),
    "reader_fault": ("读卡器暂不可用，请咨询工作人员", "Card reader unavailable; please ask the staff"),
    "card_unreadable": ("此证件无法读取，请换一张证件或咨询工作人员",
                        "This card could not be read; try another or ask the staff"),
    "no_reader": ("本机未配备读卡器，请到咨询台办理", "No card reader here; please ask at the desk"),
    "camera_fault": ("高拍仪暂不可用", "Document camera unavailable"),
    "no_document": ("未识别到材料，请放平后重拍", "No page found; lay it flat and try again"),
    "id_card_refused": ("请勿扫描身份证，身份证请刷读卡器", "Please do not photograph ID cards; use the reader"),
    "scanning": ("正在处理…", "Processing…"),
    "page_kept": ("已保存，可继续扫描下一页", "Saved; scan the next page or finish"),
    "too_many_pages": ("页数已达上限", "Page limit reached"),
    "sold_out": ("今日号已发完", "No numbers left today"),
    "closed": ("该事项暂停办理", "This service is not available now"),
    "papers_due": ("您的此项申请正在等待补正材料，无需重新取号：请回首页点“签到”刷身份证递交", "Your application waits for its papers: no new number; check in with your ID card"),
    "issue_refused": ("取号未成功，请咨询工作人员", "Could not take a number; please ask the staff"),
    "qr_unknown": ("无法识别该二维码", "This QR code is not ours"),
    "nothing_found": ("没有查到相关办件", "Nothing found"),
    "level_required": ("请先选择一个评价等级（从非常满意到非常不满意），再点提交", "Please choose a rating level first (from very satisfied to very dissatisfied), then submit"),
    "reasons_required": ("请至少选择一项原因", "Please choose at least one reason"),
    "already_rated": ("该服务已评价", "Already rated"),
    "error": ("操作未成功，请重试", "That did not work; please try again"),
    "admin_wrong": ("密码错误", "Wrong PIN"),
    "admin_locked": ("错误次数过多，请稍后再试", "Too many tries; try later"),
    "admin_no_pin": ("未设置管理密码", "No admin PIN configured"),
    # staff screens (shared: back, people, submit, thanks above)
    # call display
    "now_calling": ("正在呼叫", "Now calling"),
    "please_go": ("请到 {counter} 办理", "Please go to {counter}"),
    "recall": ("重复呼叫", "Called again"),
    "recent": ("最近呼叫", "Recent calls"),
    "waiting": ("等候人数", "Waiting"),
    "no_calls": ("请留意叫号，注意保管好您的号票", "Please keep your ticket and watch for your number"),
    "board_offline": ("离线 / Offline — 正在重新连接 / reconnecting", "Offline / 离线 — reconnecting"),
    "board_refused": ("服务器拒绝了本屏的令牌（已吊销或不是本厅的），请管理员重新登记 / The server "
                      "refused this board's token: ask the administrator to enrol it again",
                      "The server refused this board's token (revoked, or another hall's): ask "
                      "the administrator to enrol it again / 服务器拒绝了本屏的令牌,请管理员重新登记"),
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
    "counter_papers": ("材料清单", "Papers"),
    "scanned": ("已扫描材料", "Scanned papers"),
    "no_scans": ("无扫描件", "No scans"),
    "priority": ("优先", "Priority"),
    "declared": ("群众自报,请核实", "declared by the citizen: please check"),
    "declared_check": ("群众自报,请核实", "declared: to check"),
    "confirmed": ("已核实", "confirmed"),
    "not_confirmed": ("核实不符", "not confirmed"),
    "confirm": ("核实属实", "Confirm"),
    "deny": ("核实不符", "Not so"),
    "identity": ("身份", "Identity"),
    "waited": ("已等候 {m} 分钟", "Waited {m} min"),
    "waited_label": ("等候时长", "Waited"),
    "counter_minutes": ("{m} 分钟", "{m} min"),
    "counter_hours": ("{h} 小时 {m} 分钟", "{h} h {m} min"),
    "counter_days": ("{d} 天 {h} 小时", "{d} d {h} h"),
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
    "sending": ("正在提交，请稍候…", "Sending your rating…"),
    "pad_thanks_sub": ("您的意见将帮助我们改进服务", "Your opinion helps us serve you better"),
    "pad_error": ("评价未能提交", "The rating could not be sent"),
    # the counter's safeguards (ui/staff/safeguards.py)
    "desk_hold": ("挂起", "Hold"),
    "desk_call_number": ("叫指定号", "Call number"),
    "desk_undo": ("撤销办结 {number}（{s}）", "Undo {number} ({s})"),
    "desk_held": ("已挂起", "On hold"),
    "desk_take_back": ("取回 {number}", "Take back {number}"),
    "waiting_in_all": ("等候人数（共 {n} 人）", "Waiting ({n} in all)"),
    "cases_in_all": ("待办案件（共 {n} 件）", "Cases to work ({n} in all)"),
    "waiting_more": ("其余 {n} 项", "{n} more services"),
    "desk_number": ("号码，如 A012", "Number, e.g. A012"),
    "desk_search": ("查询", "Search"),
    "desk_call_here": ("在本窗口叫号", "Call here"),
    "desk_cancel": ("取消", "Cancel"),
    "desk_done_anyway": ("仍然办结", "Finish anyway"),
    "desk_next_instead": ("转下一环节", "On to next zone"),
    "desk_confirm_done": ("{number}（{service}）还有环节未办：{zones}。\n确定在此办结，不再转下一环节？", "{number} ({service}) still has zones to go: {zones}.\nFinish it here instead of moving it on?"),
    "desk_logout_anyway": ("仍然退出", "Log out anyway"),
    "desk_confirm_logout": ("{number} 还在本窗口（{status}）。\n退出后它会留在本窗口，确定退出？", "{number} is still at this counter ({status}).\nIt stays here after you log out. Log out?"),
}

ELDERLY_REASONS = {
    "elderly": ("老年人", "Elderly"), "disabled": ("残疾人", "Disabled"),
    "pregnant": ("孕妇", "Pregnant"), "appointment": ("预约", "Appointment"),
    "staff": ("工作人员标记", "Marked by staff"), "serviceman": ("军人依法优先", "Serviceman"),
    "green": ("绿色通道", "Green channel"),
}
STATUS = {
    "waiting": ("等候中", "Waiting"), "called": ("已呼叫", "Called"),
    "serving": ("办理中", "Being served"), "done": ("已办结", "Done"),
    "rejected": ("不予受理", "Rejected"), "no_show": ("过号", "No-show"),
    "ready": ("待取件", "Ready for pickup"), "supplement": ("待补正", "Papers needed"),
}
# 不予受理: the usual reasons, offered to pick and then complete (the citizen's page shows it).
REJECT_REASONS = [("材料不齐全,需补齐:", "Papers missing: "),
                  ("材料不符合法定形式:", "Papers not in the required form: "),
                  ("不属于本事项受理范围", "Not within this service's scope"),
                  ("申请人不符合办理条件:", "The applicant does not meet the conditions: ")]
PAUSE_REASONS = [("午休", "Lunch break"), ("会议", "Meeting"), ("系统故障", "System fault"),
                 ("临时离开", "Away for a moment")]

ZONES: dict[str, tuple[str, str]] = {
    "consult": ("综合咨询导办", "Consultation"),
    "intake": ("一窗受理", "One-window intake"),
    "approval": ("后台审批", "Back-office approval"),
    "pickup": ("出件", "Pickup"),
}


_FOLDER: list[Path | None] = [None]
_CATALOGS: dict[str, dict[str, str]] = {}


def use_translations(folder: str | Path | None) -> None:
    """Read translation files from `folder` first (a hall's own), then the shipped ones."""
    _FOLDER[0] = Path(folder) if folder else None
    _CATALOGS.clear()


def translations(lang: str) -> dict[str, str]:
    if lang not in _CATALOGS:
        _CATALOGS[lang] = locale.load(lang, _FOLDER[0])
    return _CATALOGS[lang]


def all_keys() -> dict[str, tuple[str, str]]:
    """Every fixed word a translation file may give: the table, the rating levels and the
    reasons of a bad rating, and the zones' names."""
    return {**TEXT, **{f"level_{n}": pair for n, pair in LEVELS.items()},
            **{f"reason_{code}": pair for code, pair in BAD_REASONS.items()},
            **{f"zone_{zone}": pair for zone, pair in ZONES.items()}}


# the keys `tr` finds outside TEXT (all_keys' other parts)
_OTHER_KEYS = ("level_", "reason_", "zone_")


# English for exactly one, where the plural form above would read "1 working days".
EN_ONE = {
    "time_limit": "Promised within {n} working day",
    "remaining": "{n} number left today",
    "remaining_then": "{n} number left that day",
    "waiting_more": "{n} more service",
}


def tr(key: str, lang: str = "zh", **fields: object) -> str:
    pair = all_keys().get(key) if key.startswith(_OTHER_KEYS) else TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if lang == "en" and fields.get("n") == 1 and key in EN_ONE:
        text = EN_ONE[key]
    if lang not in ("zh", "en"):
        text = translations(lang).get(key, text)
    return text.format(**fields) if fields else text


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def zone_name(zone: str, lang: str) -> str:
    pair = ZONES.get(zone, (zone, zone))
    return pair[1] if lang == "en" else pair[0]
