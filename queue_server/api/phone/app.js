/* The hall's phone page: book, cancel, see a booking, take a number, follow it and rate its
   service (好差评, with the rating code kept from taking it). Plain script, no library, no outside resource; talks only to this server's /api/v1.
   A hall whose languages list mn gets traditional Mongolian beside the Chinese, as the status
   page /t shows it: a vertical band (writing-mode: vertical-lr, the font the server serves)
   at the left of the hall's name, the headings, the services' names, the main lines of
   "my number" and every fixed text (labels, buttons, notes, empty lists; not the dates and
   times inside the pickers' buttons, whose headings have it). Mongolian is never written
   along a line. */
"use strict";
(function () {
  var params = new URLSearchParams(location.search);
  var HALL = params.get("hall");
  var view = document.getElementById("view");
  var hall = null;
  var stream = null;

  function h(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function two(zh, en) { return h(zh) + '<span class="en">' + h(en) + "</span>"; }

  /* Traditional Mongolian: A STARTING TRANSLATION, as ui/locale/mn.po is. Every entry is
     fuzzy (needs review by a native reader) until a reader of traditional Mongolian has
     checked it and set fuzzy to false. `po` names the kiosk's entry of ui/locale/mn.po whose
     words these are (tests/phone check they still are); an entry without it is this page's
     own. The Chinese each one stands beside is in its comment. */
  var MN = {
    title: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ · ᠳ\u180bᠤᠭᠠᠷ ᠠᠪᠬᠤ", fuzzy: true},  /* 预约与取号 (appointment · take a number) */
    book: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ ᠬᠢᠬᠦ", fuzzy: true},  /* 预约办事 (make an appointment) */
    take_number: {mn: "ᠳ\u180bᠤᠭᠠᠷ ᠠᠪᠬᠤ", fuzzy: true, po: "take_number"},  /* 远程取号 / 取号 */
    my_booking: {mn: "ᠲᠠᠨ\u202fᠤ ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ", fuzzy: true, po: "ans_appointment_not_today"},  /* 我的预约 (your appointment) */
    my_number: {mn: "ᠲᠠᠨ\u202fᠤ ᠳ\u180bᠤᠭᠠᠷ", fuzzy: true, po: "your_number"},  /* 我的号 */
    choose_service: {mn: "ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ", fuzzy: true, po: "choose_service"},  /* 选择事项 */
    waiting: {mn: "ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠶᠢᠭ\u180eᠠ", fuzzy: true, po: "status_waiting"},  /* 等候中 */
    called: {mn: "ᠳᠠᠭᠤᠳᠠᠭᠳᠠᠪᠠ", fuzzy: true, po: "status_called"},  /* 已叫号 */
    serving: {mn: "ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠪᠠᠶᠢᠨ\u180eᠠ", fuzzy: true, po: "status_serving"},  /* 办理中 */
    done: {mn: "ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ", fuzzy: true, po: "status_done"},  /* 已办结 */
    rejected: {mn: "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "status_rejected"},  /* 不予受理 */
    no_show: {mn: "ᠳ\u180bᠤᠭᠠᠷ ᠥᠩᠭᠡᠷᠡᠪᠡ", fuzzy: true, po: "status_no_show"},  /* 过号 */
    approval: {mn: "ᠬᠢᠨᠠᠨ ᠪᠠᠲᠤᠯᠠᠵᠤ ᠪᠠᠶᠢᠨ\u180eᠠ", fuzzy: true},  /* 审批中 (as the approval counters' ᠬᠢᠨᠠᠨ ᠪᠠᠲᠤᠯᠠᠬᠤ of examples/hjhq.toml) */
    ready: {mn: "ᠬᠡᠷᠡᠭ ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ᠂ ᠪᠢᠴᠢᠭ ᠠᠪᠬᠤ", fuzzy: true, po: "ck_pickup"},  /* 已办结,待取件 */
    ready_pickup: {mn: "ᠬᠡᠷᠡᠭ ᠪᠡᠶᠡᠯᠡᠭᠦᠯᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ᠂ ᠪᠢᠴᠢᠭ ᠠᠪᠬᠤ ᠳᠠᠭᠤᠳᠠᠯᠭ\u180eᠠ\u202fᠶᠢ ᠬᠦᠯᠢᠶᠡᠭᠡᠷᠡᠢ", fuzzy: true, po: "ck_pickup"},  /* 已办结,请留意出件窗口叫号 */
    ahead: {mn: "ᠡᠮᠦᠨ\u180eᠡ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠤᠢ", fuzzy: true, po: "ahead"},  /* 前面 */
    people: {mn: "{n} ᠬᠦᠮᠦᠨ", fuzzy: true, po: "people"},  /* {n} 人 */
    home: {mn: "ᠡᠬᠢᠨ ᠨᠢᠭᠤᠷ", fuzzy: true, po: "home"},  /* 首页 */
    cancel: {mn: "ᠦᠭᠡᠶᠢᠰᠭᠡᠬᠦ", fuzzy: true, po: "cancel"},  /* 取消预约 (cancel) */
    error: {mn: "ᠪᠦᠲᠦᠭᠰᠡᠨ ᠦᠭᠡᠢ᠂ ᠳᠠᠬᠢᠨ ᠣᠷᠣᠯᠳᠣᠭᠠᠷᠠᠢ", fuzzy: true, po: "error"},  /* 出错了,请重试 */
    offline: {mn: "ᠰᠦᠯᠵᠢᠶ\u180eᠡ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ — ᠳᠠᠬᠢᠨ ᠬᠣᠯᠪᠣᠵᠤ ᠪᠠᠶᠢᠨ\u180eᠠ", fuzzy: true, po: "board_offline"},  /* 无法连接服务器，正在重试… */
    status: {mn: "ᠪᠠᠶᠢᠳᠠᠯ", fuzzy: true, po: "status"},  /* 状态 */
    closed: {mn: "ᠲᠦᠷ ᠵᠣᠭᠰᠣᠭᠠᠭᠰᠠᠨ", fuzzy: true, po: "closed_now"},  /* 今日休息 / 现在不可取号 */
    forwarded: {mn: "ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠳᠡᠵᠡᠢ", fuzzy: true, po: "status_forwarded"},  /* 已转交大厅 */
    supplement: {mn: "ᠪᠢᠴᠢᠭ ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠡᠷᠡᠭᠲᠡᠢ", fuzzy: true},  /* 待补正材料 (the papers must be supplemented; as /t says it) */
    forwarded_head: {mn: "ᠲᠠᠨ ᠤ ᠬᠡᠷᠡᠭ ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠳᠡᠵᠡᠢ", fuzzy: true, po: "forwarded_head"},  /* 您的申请已转交大厅 */
    bank: {mn: "ᠪᠠᠩᠬᠢ", fuzzy: true, po: "branch_tag"},  /* 合作网点 (the bank: a branch without a Mongolian name) */
    forwarded_from: {mn: "{branch} ᠡᠴᠡ ᠰᠢᠯᠵᠢᠭᠦᠯᠦᠭᠳᠡᠭᠰᠡᠨ᠂ ᠡᠮᠦᠨᠡᠬᠢ ᠳ\u180bᠤᠭᠠᠷ {old}", fuzzy: true},  /* 由 {branch} 转交(原号 {old}) (forwarded from {branch}, earlier number {old}) */
    no_wait: {mn: "ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠬᠦᠯᠢᠶᠡᠬᠦ ᠬᠡᠷᠡᠭ ᠦᠭᠡᠢ", fuzzy: true},  /* 无需到大厅等候 (no need to wait in the hall) */
    arrive: {mn: "ᠲᠠᠨᠬᠢᠮ ᠳᠤ ᠢᠷᠡᠭᠡᠳ ᠪᠦᠷᠢᠳᠬᠡᠭᠡᠷᠡᠢ᠂ ᠪᠦᠷᠢᠳᠬᠡᠭᠰᠡᠨ\u202fᠦ ᠳᠠᠷᠠᠭ\u180eᠠ ᠳᠠᠭᠤᠳᠠᠭᠳᠠᠨ\u180eᠠ", fuzzy: true},  /* 请到大厅自助机签到,签到后才会叫号 (come to the hall and check in; you are called after that) */
    watch_call: {mn: "ᠳᠠᠭᠤᠳᠠᠯᠭ\u180eᠠ\u202fᠶᠢ ᠬᠦᠯᠢᠶᠡᠭᠡᠷᠡᠢ", fuzzy: true, po: "ck_arrival"},  /* 请留意叫号 (wait for your call) */
    deadline: {mn: "ᠠᠮᠠᠯᠠᠭᠰᠠᠨ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ: {d}", fuzzy: true, po: "deadline"},  /* 承诺办结时间:{d} */
    followup: {mn: "ᠲᠠᠨᠬᠢᠮ {n} ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ ᠲᠦ ᠬᠢᠨᠠᠨ\u180eᠠ", fuzzy: true},  /* 大厅将在 {n} 个工作日内核实您的意见并与您联系 (the hall looks into it within {n} working days) */
    late: {mn: "ᠠᠮᠠᠯᠠᠭᠰᠠᠨ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ᠬᠡᠲᠦᠷᠡᠪᠡ", fuzzy: true},  /* 已超过承诺办结时间 (past the promised date) */
    follow_case: {mn: "ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠶᠠᠪᠤᠴᠠ\u202fᠶᠢ ᠠᠰᠠᠭᠤᠬᠤ", fuzzy: true, po: "ask_status"},  /* 办件进度页 / 查看办件进度 */
    by_mail: {mn: "ᠰᠢᠤᠳᠠᠨ\u202fᠢᠶᠠᠷ ᠢᠯᠡᠭᠡᠬᠦ", fuzzy: true},  /* 证照寄送 (sent by post) */
    opening_hours: {mn: "ᠠᠵᠢᠯᠯᠠᠬᠤ ᠴᠠᠭ", fuzzy: true},  /* 办公时间 (working hours) */
    choose_day: {mn: "ᠡᠳᠦᠷ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ", fuzzy: true},  /* 选择日期 (choose the day) */
    choose_time: {mn: "ᠴᠠᠭ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ", fuzzy: true},  /* 选择时段 (choose the time) */
    no_slots: {mn: "ᠡᠨᠡ ᠡᠳᠦᠷ ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ ᠦᠭᠡᠢ", fuzzy: true},  /* 当天不可预约 (no bookings this day) */
    none_offered: {mn: "ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "no_match"},  /* 暂无可办理的事项 (none found) */
    name: {mn: "ᠣᠪᠣᠭ ᠨᠡᠷ\u180eᠡ", fuzzy: true},  /* 姓名 (name) */
    id_number: {mn: "ᠪᠡᠶᠡ\u202fᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠯ\u202fᠦᠨ ᠳ\u180bᠤᠭᠠᠷ", fuzzy: true},  /* 身份证号码 (ID card number) */
    mobile: {mn: "ᠭᠠᠷ ᠤᠲᠠᠰᠤ\u202fᠶᠢᠨ ᠳ\u180bᠤᠭᠠᠷ", fuzzy: true},  /* 手机号(选填) (mobile phone number) */
    look_up: {mn: "ᠠᠰᠠᠭᠤᠬᠤ", fuzzy: true, po: "desk_search"},  /* 查询 */
    enter_code: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ\u202fᠶᠢᠨ ᠺᠣᠳ\u202fᠢ ᠣᠷᠤᠭᠤᠯᠬᠤ", fuzzy: true, po: "checkin_code"},  /* 输入预约码查询 (enter the booking code) */
    no_booking: {mn: "ᠲᠠᠨ\u202fᠤ ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "ans_appointment_unknown"},  /* 本机没有预约记录 (no booking found) */
    no_number: {mn: "ᠳ\u180bᠤᠭᠠᠷ ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "ans_unknown_ticket"},  /* 本机没有取号记录 (no number found) */
    checkin_card: {mn: "ᠪᠡᠶᠡ ᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠯ ᠢᠶᠡᠨ ᠬᠡᠷᠡᠭᠯᠡᠬᠦ", fuzzy: true, po: "checkin_card_bank"},  /* 到大厅后在自助机刷身份证 (use your ID card) */
    checkin_qr: {mn: "ᠪᠤᠶᠤ ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ\u202fᠶᠢᠨ ᠪᠤᠶᠤ ᠳ\u180bᠤᠭᠠᠷ\u202fᠤᠨ ᠲᠠᠰᠤᠯᠪᠤᠷᠢ\u202fᠶᠢᠨ QR ᠺᠣᠳ\u202fᠢ ᠵᠢᠷᠤᠭ ᠠᠪᠠᠭᠤᠷ\u202fᠤᠨ ᠳᠣᠣᠷ\u180eᠠ ᠪᠠᠷᠢᠭᠠᠷᠠᠢ", fuzzy: true, po: "checkin_qr"},  /* 或把此二维码对准高拍仪签到 */
    service: {mn: "ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ", fuzzy: true, po: "service"},  /* 事项 */
    time: {mn: "ᠴᠠᠭ", fuzzy: true},  /* 时间 (time) */
    checkin_time: {mn: "ᠪᠦᠷᠢᠳᠬᠡᠯ\u202fᠦᠨ ᠴᠠᠭ", fuzzy: true, po: "ans_sub_appointment_too_early"},  /* 签到时间 */
    booked_by: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭᠰᠠᠨ ᠬᠦᠮᠦᠨ", fuzzy: true},  /* 预约人 (the person who booked) */
    bk_booked: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭᠰᠠᠨ", fuzzy: true},  /* 已预约 (booked) */
    bk_cancelled: {mn: "ᠦᠭᠡᠶᠢᠰᠭᠡᠭᠰᠡᠨ", fuzzy: true},  /* 已取消 (cancelled) */
    bk_checked_in: {mn: "ᠪᠦᠷᠢᠳᠬᠡᠵᠡᠢ", fuzzy: true, po: "ck_appointment"},  /* 已签到 */
    bk_late: {mn: "ᠲᠣᠬᠢᠷᠠᠯᠴᠠᠭ\u180eᠠ\u202fᠶᠢᠨ ᠴᠠᠭ ᠥᠩᠭᠡᠷᠡᠵᠡᠢ", fuzzy: true, po: "ck_late"},  /* 迟到签到 */
    bk_missed: {mn: "ᠢᠷᠡᠭᠰᠡᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "no_show"},  /* 未到 */
    waiting_now: {mn: "{n} ᠬᠦᠮᠦᠨ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠶᠢᠨ\u180eᠠ", fuzzy: true, po: "waiting_in"},  /* 现在等候 {n} 人 */
    minutes: {mn: "ᠪᠠᠷᠠᠭ {n} ᠮᠢᠨᠦᠲ", fuzzy: true, po: "minutes"},  /* 约 {n} 分钟 */
    rate_title: {mn: "ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢ ᠦᠨᠡᠯᠡᠬᠦ", fuzzy: true, po: "rate_title"},  /* 好差评 (服务评价) */
    choose_level: {mn: "ᠡᠨᠡ ᠤᠳᠠᠭ\u180eᠠ\u202fᠶᠢᠨ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢ ᠦᠨᠡᠯᠡᠭᠡᠷᠡᠢ", fuzzy: true, po: "choose_level"},  /* 请对本次服务作出评价 */
    level_5: {mn: "ᠮᠠᠰᠢ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", fuzzy: true, po: "level_5"},  /* 非常满意 */
    level_4: {mn: "ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", fuzzy: true, po: "level_4"},  /* 满意 */
    level_3: {mn: "ᠶᠡᠷᠦᠩᠬᠡᠢ\u202fᠪᠡᠷ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ", fuzzy: true, po: "level_3"},  /* 基本满意 */
    level_2: {mn: "ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "level_2"},  /* 不满意 */
    level_1: {mn: "ᠮᠠᠰᠢ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ", fuzzy: true, po: "level_1"},  /* 非常不满意 */
    choose_reasons: {mn: "ᠰᠡᠳᠬᠢᠯ ᠬᠠᠨᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ ᠰᠢᠯᠲᠠᠭᠠᠨ\u202fᠢ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ (ᠵᠠᠪᠠᠯ)", fuzzy: true, po: "choose_reasons"},  /* 请选择不满意的原因(必选) */
    reason_slow: {mn: "ᠬᠡᠷᠡᠭ ᠪᠦᠲᠦᠭᠡᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ᠤᠷᠲᠤ", fuzzy: true, po: "reason_slow"},  /* 办理时间长 */
    reason_attitude: {mn: "ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢᠨ ᠬᠠᠨᠳᠤᠯᠭ\u180eᠠ ᠮᠠᠭᠤ", fuzzy: true, po: "reason_attitude"},  /* 服务态度差 */
    reason_unclear: {mn: "ᠮᠡᠳᠡᠭᠳᠡᠯ ᠲᠣᠳᠣᠷᠬᠠᠢ ᠦᠭᠡᠢ", fuzzy: true, po: "reason_unclear"},  /* 告知不清楚 */
    reason_repeat: {mn: "ᠣᠯᠠᠨ ᠤᠳᠠᠭ\u180eᠠ ᠶᠠᠪᠤᠭᠰᠠᠨ", fuzzy: true, po: "reason_repeat"},  /* 多次跑腿 */
    reason_wait: {mn: "ᠬᠦᠯᠢᠶᠡᠯᠭᠡ ᠤᠷᠲᠤ", fuzzy: true, po: "reason_wait"},  /* 排队时间长 */
    reason_other: {mn: "ᠪᠤᠰᠤᠳ", fuzzy: true, po: "reason_other"},  /* 其他 */
    reasons_required: {mn: "ᠳᠣᠷ\u180eᠠ ᠬᠠᠶᠠᠵᠠ ᠨᠢᠭᠡ ᠰᠢᠯᠲᠠᠭᠠᠨ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ", fuzzy: true, po: "reasons_required"},  /* 请选择不满意的原因(至少一项) */
    submit: {mn: "ᠦᠨᠡᠯᠡᠯ\u202fᠢ ᠢᠯᠡᠭᠡᠬᠦ", fuzzy: true, po: "submit"},  /* 提交评价 */
    thanks: {mn: "ᠪᠠᠶᠠᠷᠯᠠᠯ\u180eᠠ", fuzzy: true, po: "thanks"},  /* 感谢您的评价 */
    already_rated: {mn: "ᠡᠨᠡ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ ᠨᠢᠭᠡᠨᠲᠡ ᠦᠨᠡᠯᠡᠭᠳᠡᠭᠰᠡᠨ", fuzzy: true, po: "already_rated"},  /* 已评价 */
    comment: {mn: "ᠰᠠᠨᠠᠯ ᠬᠦᠰᠡᠯᠲᠡ (ᠵᠠᠪᠠᠯ ᠪᠢᠰᠢ)", fuzzy: true},  /* 意见或建议(选填) (opinion or request, not required; as /t says it) */
    mail_sent: {mn: "ᠢᠯᠡᠭᠡᠪᠡ", fuzzy: true},  /* 已寄出 (sent; as /t says it) */
    materials: {mn: "ᠪᠡᠯᠡᠳᠬᠡᠬᠦ ᠪᠠᠷᠢᠮᠲᠠ ᠪᠢᠴᠢᠭ (ᠪᠦᠷᠢᠨ ᠵᠢᠭᠰᠠᠭᠠᠯᠲᠠ)", fuzzy: true, po: "materials"},  /* 一次性告知:请携带以下材料 */
    papers_by: {mn: "ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ: {d}", fuzzy: true, po: "papers_by"},  /* 补正期限:{d}(含)前 (bring them by) */
    papers_by_passed: {mn: "ᠮᠠᠲ᠋ᠧᠷᠢᠶᠠᠯ ᠨᠥᠬᠥᠬᠦ ᠬᠤᠭᠤᠴᠠᠭ\u180eᠠ ({d}) ᠥᠩᠭᠡᠷᠡᠭᠰᠡᠨ", fuzzy: true, po: "papers_by_passed"},  /* 补正期限 {d} 已过 */
    mail_after: {mn: "ᠬᠡᠷᠡᠭ ᠳᠠᠭᠤᠰᠤᠭᠰᠠᠨ\u202fᠤ ᠳᠠᠷᠠᠭ\u180eᠠ ᠢᠯᠡᠭᠡᠨ\u180eᠡ᠂ ᠢᠯᠡᠭᠡᠮᠵᠢ\u202fᠶᠢᠨ ᠳ\u180bᠤᠭᠠᠷ ᠡᠨᠳᠡ ᠭᠠᠷᠤᠨ\u180eᠠ", fuzzy: true},  /* 办结后寄出,寄出后这里显示快递单号 (sent once done; the parcel's number shows here; as /t says it) */
  };
  var MONGOLIAN = false;  /* the hall lists mn: set when its data comes */
  /* `key`'s words with its placeholder filled: `n` for the one it has ({n}, {d}), or an
     object for several ({branch}, {old}). */
  function mw(key, n) {
    var text = MN[key].mn;
    if (n !== null && typeof n === "object") {
      return text.replace(/\{(\w+)\}/g, function (m, k) { return n[k] == null ? "" : String(n[k]); });
    }
    return text.replace(/\{\w+\}/, n == null ? "" : String(n));
  }
  /* A vertical band of Mongolian lines (HTML, already escaped), or "" (no mn, nothing to say). */
  function band(lines) {
    lines = (lines || []).filter(Boolean);
    if (!MONGOLIAN || !lines.length) { return ""; }
    return '<div class="mn" lang="mn-Mong">' + lines.join("<br>") + "</div>";
  }
  /* `inner` in an element of `tag` and `attrs`; with a band, the band at its left. */
  function beside(tag, attrs, lines, inner) {
    var b = band(lines);
    if (!b) { return "<" + tag + attrs + ">" + inner + "</" + tag + ">"; }
    var cls = attrs.match(/ class="([^"]*)"/);
    attrs = cls ? attrs.replace(cls[0], ' class="' + cls[1] + ' bi"') : attrs + ' class="bi"';
    return "<" + tag + attrs + ">" + b + '<div class="zh">' + inner + "</div></" + tag + ">";
  }
  /* `inner` with a band at its left, in a block of its own (a label, a table cell's words);
     just `inner` without one. */
  function banded(lines, inner) {
    var b = band(lines);
    return b ? '<div class="bi">' + b + '<div class="zh">' + inner + "</div></div>" : inner;
  }
  function heading(inner, lines) {
    var b = band(lines);
    return b ? '<div class="heading bi">' + b + '<h2 class="zh">' + inner + "</h2></div>"
      : "<h2>" + inner + "</h2>";
  }
  /* The English form of a service's name where the hall has one (its name_en), else its code. */
  function en(s) { return (s && (s.name_en || s.code)) || ""; }

  /* -- the server out of reach: a banner, a probe every few seconds, and the screen read
     again once the server answers (a form keeps what was typed; its message goes). */
  var OFFLINE = {code: "offline", message: "无法连接服务器，正在重试… / Cannot reach the server, retrying…"};
  var probing = null, again = false;
  function lost(reroute) {
    if (reroute) { again = true; }
    document.getElementById("offline").hidden = false;
    if (!probing) { probing = setTimeout(probe, 2000); }
  }
  function probe() {
    fetch("/api/v1/health", {cache: "no-store"}).then(function (resp) {
      if (resp.status >= 500) { throw new Error("not yet"); }
      probing = null;
      document.getElementById("offline").hidden = true;
      Array.prototype.forEach.call(document.querySelectorAll(".err[data-code=offline]"), function (n) { n.remove(); });
      if (!hall) { boot(); } else if (again) { again = false; route(); }
    }).catch(function () { probing = setTimeout(probe, 3000); });
  }
  function api(path, body) {
    var url = "/api/v1" + path;
    if (HALL) { url += (url.indexOf("?") < 0 ? "?" : "&") + "hall=" + encodeURIComponent(HALL); }
    var init = {headers: {"Accept": "application/json"}};
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).catch(function () { lost(false); throw OFFLINE; }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) {
          var e = (data && data.error) || {code: "http_" + resp.status, message: "出错了 / error"};
          throw e;
        }
        return data;
      });
    });
  }
  function fail(err) {
    var msg = (err && err.message) || "网络错误,请重试 / network error, try again";
    var code = (err && err.code) || "";
    var parts = msg.split(" / ");  /* the API's "中文 / English": one line each */
    var text = parts.length === 2 ? two(parts[0], parts[1]) : h(msg);
    var key = (err && err.mn) || (code === "offline" ? "offline" : "error");  /* its Mongolian */
    return beside("div", ' class="err" role="alert" data-code="' + h(code) + '"', [h(mw(key))], text);
  }
  /* A screen that could not be read: shown, and read again when the server answers. */
  function failScreen(title, err, lines) {
    if (err && err.code === "offline") { again = true; }
    show((title ? heading(title, lines) : "") + fail(err));
  }
  function store(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function remember(key, value) {
    var items = store(key).filter(function (v) { return v !== value; });
    items.unshift(value);
    try { localStorage.setItem(key, JSON.stringify(items.slice(0, 10))); } catch (e) { /* private mode */ }
  }
  /* The rating code (the `c` of its track_url) of each number taken on this phone: the
     holder's proof for 好差评 from here, as the ticket's QR code is on /t. Kept for the numbers
     "my numbers" keeps, no more. */
  function ratingCodes() {
    try {
      var m = JSON.parse(localStorage.getItem("kb.rating") || "{}");
      return m && typeof m === "object" && !Array.isArray(m) ? m : {};
    } catch (e) { return {}; }
  }
  function ratingCode(id) {
    var m = ratingCodes(), c = Object.prototype.hasOwnProperty.call(m, id) ? m[id] : null;
    return typeof c === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(c) ? c : null;
  }
  function keepRatingCode(id, url) {
    var c = /[?&]c=([A-Za-z0-9_-]+)/.exec(url || "");
    if (!c) { return; }
    var all = ratingCodes(), kept = {};
    store("kb.tickets").forEach(function (t) { if (all[t]) { kept[t] = all[t]; } });
    kept[id] = c[1];
    try { localStorage.setItem("kb.rating", JSON.stringify(kept)); } catch (e) { /* private mode */ }
  }
  function tz() { return (hall && hall.timezone) || "Asia/Shanghai"; }
  function fmt(iso, opts) {
    var o = Object.assign({timeZone: tz(), hour12: false}, opts);
    return new Intl.DateTimeFormat("zh-CN", o).format(new Date(iso));
  }
  function hm(iso) { return fmt(iso, {hour: "2-digit", minute: "2-digit"}); }
  function day(iso) { return fmt(iso, {month: "long", day: "numeric", weekday: "short"}); }
  function localDate(offsetDays, from) {  /* `from`: an instant (ISO) instead of now */
    var d = new Date((from ? Date.parse(from) : Date.now()) + offsetDays * 86400000);
    var parts = new Intl.DateTimeFormat("en-CA", {timeZone: tz(), year: "numeric",
      month: "2-digit", day: "2-digit"}).format(d);
    return parts;  /* YYYY-MM-DD */
  }
  function show(html) { view.innerHTML = html; window.scrollTo(0, 0); }
  function svc(code) {
    return (hall.services || []).filter(function (s) { return s.code === code; })[0];
  }

  /* -- screens ------------------------------------------------------------------------ */
  /* Today's opening hours, in words (the hall's; a service may take numbers from the phone
     within shorter hours of its own). */
  function hoursToday(lang) {
    var en = lang === "en";
    if (!hall.open_today) { return en ? "closed today" : "今日休息"; }
    return hall.opening_hours.join(en ? ", " : "、") || (en ? "all day" : "全天");
  }
  function home() {
    var mine = store("kb.tickets").length;
    show(beside("div", ' class="card" id="hours"', [h(mw("opening_hours")), hall.open_today ? "" : h(mw("closed"))],
      "<b>" + two("办公时间", "Opening hours") + "</b>" + two(hoursToday(), hoursToday("en"))) +
      '<div class="grid">' +
      beside("a", ' class="btn" href="#/book"', [h(mw("book"))], two("预约办事", "Book a visit")) +
      beside("a", ' class="btn" href="#/remote"', [h(mw("take_number"))], two("远程取号", "Take a number")) +
      beside("a", ' class="btn alt" href="#/mine"', [h(mw("my_booking"))], two("我的预约", "My bookings")) +
      beside("a", ' class="btn alt" href="#/numbers"', [h(mw("my_number"))],
        two("我的号" + (mine ? "(" + mine + ")" : ""), "My numbers")) +
      "</div>");
  }

  function serviceList(kind) {
    var items = (hall.services || []).filter(function (s) { return kind === "book" ? s.booking : s.remote; });
    var title = kind === "book" ? two("选择预约事项", "Choose a service to book") : two("选择取号事项", "Choose a service");
    if (!items.length) {
      return show(heading(title, [h(mw("choose_service"))]) +
        beside("div", ' class="muted"', [h(mw("none_offered"))], two("暂无可办理的事项", "No service offers this")));
    }
    var rows = items.map(function (s) {
      /* each line in one language: the Chinese beside the name, the English under it */
      var zh = kind === "book" ? "每段 " + s.slot_minutes + " 分钟"
        : (s.remote_open ? "等候 " + s.waiting + " 人" : "现在不可取号 · " + hoursToday());
      var english = kind === "book" ? s.slot_minutes + "-minute slots"
        : (s.remote_open ? s.waiting + " waiting" : "not now · " + hoursToday("en"));
      return beside("a", ' href="#/' + kind + "/" + encodeURIComponent(s.code) + '"', [h(s.name_mn)],
        "<b>" + h(s.name) + '</b> <span class="muted">' + h(zh) + '</span><span class="en">' +
        h(en(s)) + " · " + h(english) + "</span>");
    });
    show(heading(title, [h(mw("choose_service"))]) + '<div class="list">' + rows.join("") + "</div>");
  }

  /* The holder's name, ID number and phone, and the button (`key`: its Mongolian). */
  function cardForm(button, key) {
    return beside("label", ' for="name"', [h(mw("name"))], two("姓名", "Name")) +
      '<input id="name" autocomplete="name" maxlength="30" required>' +
      beside("label", ' for="idn"', [h(mw("id_number"))], two("身份证号码", "ID number")) +
      '<input id="idn" autocomplete="off" maxlength="24" inputmode="text" required>' +
      beside("label", ' for="phone"', [h(mw("mobile"))], two("手机号(选填,用于办结通知)", "Mobile (optional, for notices)")) +
      '<input id="phone" type="tel" autocomplete="tel" maxlength="20">' +
      '<div id="msg"></div>' + beside("button", ' class="btn" id="go"', [h(mw(key))], button);
  }
  function cardValues() {
    var v = {name: document.getElementById("name").value.trim(),
      number: document.getElementById("idn").value.replace(/\s+/g, "").toUpperCase(),  /* typed in groups */
      phone: document.getElementById("phone").value.trim()};
    if (!v.name || v.number.length < 15) { return null; }
    return v;
  }

  /* 一次性告知: the papers to bring for service `s` (its `materials`), or "". */
  function materials(s) {
    var list = (s && s.materials) || [];
    if (!list.length) { return ""; }
    return beside("div", ' class="note" id="materials"', [h(mw("materials"))], "<b>" + two("一次性告知:请携带以下材料", "Papers to bring (complete list)") + "</b><ul>" +
      list.map(function (m) { return "<li>" + h(m) + "</li>"; }).join("") + "</ul>");
  }

  function book(code) {
    var s = svc(code);
    if (!s || !s.booking) { return serviceList("book"); }
    var chosen = {date: localDate(0), start: null};
    var dayButtons = [];
    for (var i = 0; i <= s.book_ahead_days; i++) {
      var d = localDate(i);
      var closed = hall.open_dates && hall.open_dates.length && hall.open_dates.indexOf(d) < 0;
      dayButtons.push('<button data-day="' + d + '"' + (closed ? ' class="rest"' : "") + ">" + h(day(d + "T12:00:00Z")) +
        (closed ? '<span class="en">休息日 closed</span>' : "") + "</button>");
    }
    show(heading(two(s.name, "Book: " + en(s)), [h(s.name_mn), h(mw("book"))]) + '<div class="card">' +
      beside("div", ' class="pick"', [h(mw("choose_day"))], "<b>" + two("选择日期", "Day") + "</b>") +
      '<div class="days" id="days">' + dayButtons.join("") + "</div>" +
      beside("div", ' class="pick"', [h(mw("choose_time"))], "<b>" + two("选择时段", "Time") + "</b>") +
      '<div class="slots" id="slots"></div></div>' +
      '<div class="card" id="form" hidden>' + materials(s) + cardForm(two("确认预约", "Book"), "book") + "</div>");
    function pickDay(d) {
      chosen.date = d; chosen.start = null;
      Array.prototype.forEach.call(document.querySelectorAll("#days button"), function (b) {
        b.classList.toggle("on", b.getAttribute("data-day") === d);
      });
      document.getElementById("form").hidden = true;
      var box = document.getElementById("slots");
      box.innerHTML = '<span class="muted">…</span>';
      api("/slots?service=" + encodeURIComponent(code) + "&date=" + d).then(function (slots) {
        // a day tapped meanwhile: its list is the one shown (an earlier day's answer, arriving
        // late, put that day's times under the later day's button)
        if (chosen.date !== d) { return; }
        var now = Date.now();
        if (!slots.length) {
          var rest = hall.open_dates && hall.open_dates.length && hall.open_dates.indexOf(d) < 0;
          box.innerHTML = rest ? beside("div", ' class="muted none"', [h(mw("closed"))], two("休息日,不办公", "Closed that day"))
            : beside("div", ' class="muted none"', [h(mw("no_slots"))], two("当天不可预约", "No slots that day"));
          return;
        }
        box.innerHTML = slots.map(function (x) {
          var left = x.capacity - x.booked, past = new Date(x.start).getTime() <= now;
          var off = left <= 0 || past;
          return "<button data-start=\"" + h(x.start) + "\"" + (off ? " disabled" : "") + ">" +
            h(hm(x.start) + "–" + hm(x.end)) + '<span class="en">' +
            (past ? "已过 past" : left <= 0 ? "约满 full" : "余 " + left) + "</span></button>";
        }).join("");
      }).catch(function (e) {
        if (e.code === "offline") { again = true; }
        if (chosen.date === d) { box.innerHTML = fail(e); }
      });
    }
    document.getElementById("days").onclick = function (ev) {
      var b = ev.target.closest("button"); if (b) { pickDay(b.getAttribute("data-day")); }
    };
    document.getElementById("slots").onclick = function (ev) {
      var b = ev.target.closest("button"); if (!b || b.disabled) { return; }
      chosen.start = b.getAttribute("data-start");
      Array.prototype.forEach.call(document.querySelectorAll("#slots button"), function (x) {
        x.classList.toggle("on", x === b);
      });
      document.getElementById("form").hidden = false;
    };
    document.getElementById("form").onclick = function (ev) {
      if (!ev.target.closest("#go")) { return; }
      var v = cardValues(), msg = document.getElementById("msg");
      if (!chosen.start) { msg.innerHTML = fail({message: "请先选择时段 / Choose a time first"}); return; }
      if (!v) { msg.innerHTML = fail({message: "请填写姓名和身份证号码 / fill in name and ID number"}); return; }
      var body = {service: code, start: chosen.start, id_card: {number: v.number, name: v.name}};
      if (v.phone) { body.phone = v.phone; }
      var go = ev.target.closest("#go");
      go.disabled = true;
      api("/appointments", body).then(function (a) {
        remember("kb.codes", a.code);
        location.hash = "#/a/" + encodeURIComponent(a.code);
      }).catch(function (e) {
        go.disabled = false;
        if (e.code === "slot_full") {  /* taken meanwhile: the slots as they are now, none chosen */
          pickDay(chosen.date);
          e = {code: e.code, message: "该时段已约满，请另选时段 / That time is full: choose another"};
          document.getElementById("form").hidden = false;
        }
        msg.innerHTML = fail(e);
      });
    };
    pickDay(chosen.date);
  }

  var STATUS = {booked: ["已预约", "Booked"], cancelled: ["已取消", "Cancelled"],
    checked_in: ["已签到", "Checked in"], late: ["迟到签到", "Checked in late"], missed: ["未到", "Missed"]};

  function booking(code) {
    api("/appointments/" + encodeURIComponent(code)).then(function (a) {
      var st = STATUS[a.status] || [a.status, a.status];
      function row(key, zh, english, value, attrs) {  /* a detail: its label, band beside it */
        return "<tr><td>" + banded([h(mw(key))], two(zh, english)) + "</td><td" + (attrs || "") + ">" + value + "</td></tr>";
      }
      var stWord = MN["bk_" + a.status] ? [h(mw("bk_" + a.status))] : [];
      var html = heading(two("我的预约", "My booking"), [h(mw("my_booking"))]) + '<div class="card">' +
        '<div class="code" id="code">' + h(a.code) + "</div>" +
        (a.status === "booked" ? '<img class="qr" alt="预约二维码" src="/m/qr.svg?a=' + encodeURIComponent(a.code) + '">' +
          beside("div", ' class="muted" id="checkin-note"', [h(mw("checkin_card")), h(mw("checkin_qr"))],
            two("到大厅后在自助机刷身份证,或把此二维码对准高拍仪签到。", "At the hall, check in at a kiosk with your ID card or show this QR code to its camera.")) : "") +
        '<table id="details">' +
        row("service", "事项", "Service", banded([h((svc(a.service) || {}).name_mn)], h(a.service_name || a.service) +
          ((svc(a.service) || {}).name_en ? '<span class="en">' + h(svc(a.service).name_en) + "</span>" : ""))) +
        row("time", "时间", "Time", h(day(a.start) + " " + hm(a.start) + "–" + hm(a.end))) +
        row("checkin_time", "签到时间", "Check-in", h(hm(a.checkin_from) + "–" + hm(a.checkin_until))) +
        row("booked_by", "预约人", "Booked by", h(a.masked_name || "")) +
        row("status", "状态", "Status", banded(stWord, two(st[0], st[1])), ' id="status"') + "</table>" +
        (a.status === "booked" ? materials(svc(a.service)) : "") + "</div>";
      if (a.track_url) {
        html += beside("a", ' class="btn alt" href="' + h(a.track_url) + '"', [h(mw("follow_case"))], two("查看办件进度", "Follow the case"));
      }
      if (a.status === "booked") {
        html += beside("div", ' class="card" id="cancel-card"', [h(mw("cancel"))],
          '<label for="cidn">' + two("取消预约:输入身份证号码", "Cancel: your ID number") +
          '</label><input id="cidn" maxlength="24"><div id="msg"></div>' +
          '<button class="btn danger" id="cancel">' + two("取消预约", "Cancel booking") + "</button>");
      }
      show(html);
      var btn = document.getElementById("cancel");
      if (btn) {
        btn.onclick = function () {
          var n = document.getElementById("cidn").value.replace(/\s+/g, "").toUpperCase(), msg = document.getElementById("msg");
          if (!/^[0-9]{15}([0-9]{2}[0-9X])?$/.test(n)) {  /* checked here, before anything is sent */
            msg.innerHTML = fail({code: "id_number", message: "请输入预约时填写的身份证号码(15 或 18 位) / Enter the ID number used for the booking (15 or 18 characters)"});
            return;
          }
          btn.disabled = true;
          api("/appointments/" + encodeURIComponent(code) + "/cancel", {id_number: n})
            .then(function () { booking(code); })
            .catch(function (e) {
              btn.disabled = false;
              if (e.code === "appointment_unknown") {  /* a wrong number: the API does not say which */
                e = {code: e.code, message: "预约码或身份证号码不符 / The code or ID number does not match"};
              }
              msg.innerHTML = fail(e);
            });
        };
      }
    }).catch(function (e) { failScreen(two("我的预约", "My booking"), e, [h(mw("my_booking"))]); });
  }

  function mine() {
    var codes = rows("kb.codes", function (c) { return "/appointments/" + encodeURIComponent(c); }, function (a) {
      var st = STATUS[a.status] || [a.status, a.status];
      return [[h((svc(a.service) || {}).name_mn), MN["bk_" + a.status] ? h(mw("bk_" + a.status)) : ""],
        "<b>" + h(a.service_name || a.service) + '</b> <span class="muted">· ' + h(st[0]) + "</span>" +
        '<span class="en">' + h((en(svc(a.service)) || a.service) + " · " + st[1]) + "</span>" +
        "<div>" + h(day(a.start) + " " + hm(a.start) + "–" + hm(a.end)) + '</div><span class="en">' + h(a.code) + "</span>"];
    });
    var list = codes.map(function (c, i) { return '<a id="kb.codes-' + i + '" href="#/a/' + encodeURIComponent(c) + '">' + h(c) + "</a>"; });
    show(heading(two("我的预约", "My bookings"), [h(mw("my_booking"))]) + '<div class="list" id="bookings">' + (list.join("") ||
      beside("div", ' class="muted"', [h(mw("no_booking"))], two("本机没有预约记录", "No booking on this phone"))) + "</div>" +
      '<div class="card">' + beside("label", ' for="code"', [h(mw("enter_code"))], two("输入预约码查询", "Look up a code")) +
      '<input id="code" maxlength="11">' + beside("button", ' class="btn" id="find"', [h(mw("look_up"))], two("查询", "Look up")) + "</div>");
    document.getElementById("find").onclick = function () {
      var c = document.getElementById("code").value.trim();
      if (c) { location.hash = "#/a/" + encodeURIComponent(c); }
    };
  }

  function remote(code) {
    var s = svc(code);
    if (!s || !s.remote) { return serviceList("remote"); }
    var note = s.remote_checkin ? two("取号后请到大厅自助机签到,签到后才会叫号。", "Check in at a kiosk in the hall; you are called after check-in.")
      : two("取号后即排队,请留意叫号。", "You queue at once; watch for your call.");
    var wait = Math.round(s.estimated_wait_s / 60);
    show(heading(two(s.name, "Take a number: " + en(s)), [h(s.name_mn), h(mw("take_number"))]) + '<div class="card">' +
      beside("div", ' id="queue"', [h(mw("waiting_now", s.waiting)), h(mw("minutes", wait))],
        two("现在等候 " + s.waiting + " 人,约 " + wait + " 分钟", s.waiting + " waiting")) +
      beside("div", ' class="muted"', [h(mw(s.remote_checkin ? "arrive" : "watch_call"))], note) + materials(s) +
      (s.remote_open ? cardForm(two("取号", "Take a number"), "take_number") : beside("div", ' class="warn" id="closed"', [h(mw("closed"))],
        two("现在不在远程取号时间内。办公时间:" + hoursToday(), "Not open for numbers now. Opening hours: " + hoursToday("en")))) + "</div>");
    var go = document.getElementById("go");
    if (!go) { return; }
    go.onclick = function () {
      var v = cardValues(), msg = document.getElementById("msg");
      if (!v) { msg.innerHTML = fail({message: "请填写姓名和身份证号码 / fill in name and ID number"}); return; }
      var body = {service: code, id_card: {number: v.number, name: v.name}};
      if (v.phone) { body.phone = v.phone; }
      go.disabled = true;
      api("/remote-tickets", body).then(function (t) {
        remember("kb.tickets", t.id);
        keepRatingCode(t.id, t.track_url);
        location.hash = "#/t/" + encodeURIComponent(t.id);
      }).catch(function (e) { msg.innerHTML = fail(e); go.disabled = false; });
    };
  }

  var TSTATUS = {waiting: ["等候中", "Waiting"], called: ["已叫号", "Called"], serving: ["办理中", "Being served"],
    done: ["已办结", "Done"], rejected: ["不予受理", "Not accepted"], no_show: ["过号", "Missed"],
    ready: ["已办结,待取件", "Ready for pickup"], forwarded: ["已转交大厅", "Forwarded to the hall"],
    supplement: ["待补正材料", "Papers needed"]};
  var FINAL = ["done", "rejected", "no_show", "forwarded"];
  var OPEN = ["waiting", "called", "serving"];

  /* A bank branch's application the hall takes in without its holder (转大厅): nobody needs
     to come while it is in intake, and no counter is theirs to go to. */
  function handedOn(t) { return !!t.forwarded_from && t.zone === "intake" && OPEN.indexOf(t.status) >= 0; }

  /* Who passed the application on and the number it had there, as /t says it; below the
     ticket's card, the width of the screen, with its own band. */
  function forwardedNote(t) {
    var from = t.forwarded_from;
    if (!from) { return ""; }
    var was = "(原号 " + from.number + ",现号 " + t.number + ")", wasEn = " (was " + from.number + ", now " + t.number + ")";
    var zh = "已由 " + (from.hall_name || "合作网点") + " 转交大厅办理" + was;
    var english = "Forwarded by " + (from.hall_name_en || "the bank branch") + " to the hall" + wasEn;
    if (handedOn(t)) {
      zh += ",无需到大厅等候;大厅受理后会通知您。";
      english += ": no need to come and wait; you will be told once the hall has taken it in.";
    }
    var lines = [h(mw("forwarded_from", {branch: from.hall_name_mn || mw("bank"), old: from.number}))];
    if (handedOn(t)) { lines.push(h(mw("no_wait"))); }
    return beside("div", ' class="note" id="forwarded"', lines, two(zh, english));
  }

  /* When a number taken while the hall is closed is called, [Chinese, English], in the hall's
     time: 今天/明天 for today and tomorrow, else the date (as /t says it). */
  function callsFrom(iso) {
    var at = hm(iso), days = Math.round((Date.parse(localDate(0, iso)) - Date.parse(localDate(0))) / 86400000);
    if (days <= 0) { return ["现在不叫号,今天 " + at + " 起叫号", "Not calling now: calling starts today at " + at]; }
    if (days === 1) { return ["今日已下班,明天 " + at + " 起叫号", "Closed now: calling starts tomorrow at " + at]; }
    var md = monthDay(iso);
    return ["今日已下班," + md[0] + " " + at + " 起叫号", "Closed now: calling starts on " + md[1] + " at " + at];
  }

  /* A date as the pages say it, in the hall's time: ["1月6日", "06 Jan"] (as /t). */
  function monthDay(iso) {
    return [fmt(iso, {month: "numeric", day: "numeric"}).replace(/\//, "月") + "日",
      new Intl.DateTimeFormat("en-GB", {timeZone: tz(), day: "2-digit", month: "short"}).format(new Date(iso))];
  }

  /* 补正: every paper to bring at once (一次性告知), where, and that the time limit stopped
     meanwhile (as /t says it). */
  function supplementNote(sup) {
    var items = (sup.papers || []).map(function (p) {
      return "<li>" + h(p.name) + (p.name_en ? ' <span class="en">' + h(p.name_en) + "</span>" : "") + "</li>";
    }).join("");
    /* the papers' Mongolian under their list, a column each (beside it, it squeezed the list) */
    var mn = (sup.papers || []).filter(function (p) { return p.name_mn; }).map(function (p) { return h(p.name_mn); });
    var html = '<div class="warn" id="supplement">' + (sup.checked_in
      ? two("已签到:叫号后请到" + sup.zone_name + "窗口递交以下补正材料。", "Checked in: when called, hand these papers in at the intake counter.")
      : two("审批需要补正材料:请一次备齐以下材料,到大厅自助机刷身份证或出示下方二维码签到,到" + sup.zone_name + "窗口递交。补正期间不计入办结时限。",
        "The approval needs more papers: bring all of these, check in at a kiosk with your ID card or the QR code below, and hand them in at the intake counter. The time limit stops until they are in."));
    if (sup.bring_by && !sup.checked_in) { html += bringBy(sup); }
    if (items) { html += '<ul class="papers">' + items + "</ul>" + band(mn); }
    if (sup.note) { html += two("审批人员说明:" + sup.note, "The officer's note: " + sup.note); }
    return html + "</div>";
  }

  /* A date in a Mongolian band, as the kiosk says it (2026-03-10), unbroken in its column
     (a band broke it after "2027-"): word joiners around its hyphens. */
  function mnDate(iso) { return localDate(0, iso).replace(/-/g, "\u2060-\u2060"); }

  /* 补正期限: the date to bring the papers by (the hall's period), or that it passed (as /t). */
  function bringBy(sup) {
    var day = monthDay(sup.bring_by), md = day[0], en = day[1];
    var mn = [h(mw(sup.lapsed ? "papers_by_passed" : "papers_by", mnDate(sup.bring_by)))];
    var line = sup.lapsed
      ? '<p class="hl" id="bring-by">' + two("补正期限(" + md + ")已过:审批部门可依现有材料作出决定,请尽快递交。",
        "The date to bring them by (" + en + ") has passed: the approval may be decided on the papers it has. Bring them soon.") + "</p>"
      : '<p id="bring-by">' + two("请于 " + md + "(含)前递交(补正期限)。", "Bring them by " + en + " (that day included).") + "</p>";
    return line + band(mn);  /* under it, as the papers' band (beside it, it squeezed the line) */
  }

  /* What the citizen should do now: the same cases, in the same words, as the status page /t. */
  function ticketWhere(t) {
    var qr = '<img class="qr" alt="二维码" src="/m/qr.svg?t=' + encodeURIComponent(t.id) + '">';
    if (t.zone === "approval" && OPEN.indexOf(t.status) >= 0) {  /* told only when a message will go */
      return '<div class="note" id="approval">' + two("后台审批中,无需在大厅等候;" + (t.notified ? "办结后会通知您。" : "办结后可在本页查看。"),
        "In back-office approval: no need to wait in the hall; " + (t.notified ? "you will be told when it is ready." : "this page shows when it is ready.")) + "</div>";
    }
    if (handedOn(t)) { return ""; }  /* forwardedNote says it: the hall takes the papers in */
    if ((t.status === "called" || t.status === "serving") && t.counter_name) {
      return '<p class="big" id="go-to">' + two("请到 " + t.counter_name + " 办理", "Go to " + (t.counter_name_en || t.counter_name)) + "</p>";
    }
    if (t.supplement && !t.supplement.checked_in) { return supplementNote(t.supplement) + qr; }
    if (t.arrival_required) {
      return '<div class="warn" id="arrive">' + two("请到大厅自助机签到(刷身份证或出示下方二维码),签到后才会叫号。",
        "Check in at a kiosk (ID card or the QR code below); you are called after that.") + "</div>" + qr;
    }
    if (t.status === "rejected") {
      var rejected = (t.journey || []).filter(function (st) { return st.outcome === "rejected"; });
      var why = rejected.length ? rejected[rejected.length - 1].reason : null;
      return why ? '<div class="warn" id="reason">' + two("不予受理的理由:" + why, "Why it was not accepted: " + why) + "</div>" : "";
    }
    if (t.status === "ready") {
      return '<div class="ok" id="ready">' + two("已办结,可以取件:请到大厅自助机刷身份证或扫描下方二维码取出件号。",
        "Ready: collect a pickup number at a kiosk with your ID card or the QR code below.") + "</div>" + qr;
    }
    var html = t.supplement ? supplementNote(t.supplement) : "";  /* checked in with the papers */
    if (t.ready) {
      html += '<div class="ok" id="ready">' + two("已办结,请留意出件窗口叫号。", "Ready: the pickup counter will call this number.") + "</div>";
    }
    if (t.status === "waiting" && t.calls_from) {  /* taken while the hall is closed */
      var cf = callsFrom(t.calls_from);
      html += '<p class="warn" id="calls-from">' + two(cf[0], cf[1]) + "</p>";
    } else if (t.status === "waiting" && t.ahead === 0) {
      html += '<p class="big" id="ahead">' + two("即将叫号", "Next: you will be called soon") + "</p>";
    } else if (t.status === "waiting" && t.ahead != null) {
      var minutes = Math.round((t.estimated_wait_s || 0) / 60);
      html += '<p class="big" id="ahead">' + two("前面 " + t.ahead + " 人 · 约 " + minutes + " 分钟",
        t.ahead + " ahead · about " + minutes + " min") + "</p>";
    }
    return html;
  }

  /* The main lines of "my number" in Mongolian: the service, where the ticket stands (in bold),
     the counter it is called to (in red, as on /t) or the people ahead. */
  function ticketBand(t) {
    var key = TSTATUS[t.status] && MN[t.status] ? t.status : "";  /* a status MN has a word for */
    if (t.zone === "approval" && OPEN.indexOf(t.status) >= 0) { key = "approval"; }
    else if (handedOn(t) && t.status === "waiting") { key = "forwarded"; }
    else if (t.ready && t.status === "waiting") { key = "ready_pickup"; }
    var lines = [h(t.service_name_mn), key ? "<b>" + h(mw(key)) + "</b>" : ""];
    if (key === "approval") { lines.push(h(mw("no_wait"))); }
    else if (handedOn(t)) {  /* no counter to go to, nobody ahead: the note below says why */
      if (key !== "forwarded") { lines.push(h(mw("forwarded_head"))); }
    }
    else if ((t.status === "called" || t.status === "serving") && t.counter_name_mn) {
      lines.push('<b class="to">' + h(t.counter_name_mn) + "</b>");
    } else if (t.supplement && !t.supplement.checked_in) {  /* the papers' own band is beside their list */
    } else if (t.arrival_required) {
      lines.push(h(mw("arrive")));
    } else if (key === "waiting" && t.calls_from) {  /* closed now: no wait to tell */
      lines.push(h(mw("closed")));
    } else if (key === "waiting" && t.ahead != null) {  /* as ticketWhere says it */
      lines.push(h(mw("ahead") + " " + mw("people", t.ahead)));
    }
    if (t.deadline) { lines.push(h(mw("deadline", mnDate(t.deadline)))); }
    if (t.late) { lines.push(h(mw("late"))); }  /* the promised date missed (the server's `late`) */
    return lines;
  }

  /* `rate`: the rating card (or ""); `code`: the number's rating code, which the status
     page's link carries too (it offers the rating as the ticket's QR code does). */
  function ticketHtml(t, rate, code) {
    var st = TSTATUS[t.status] || [t.status, t.status];
    if (t.zone === "approval" && OPEN.indexOf(t.status) >= 0) { st = ["审批中", "In approval: being examined"]; }
    else if (handedOn(t) && t.status === "waiting") { st = ["已转交大厅,待受理", "Forwarded: waiting for the hall"]; }
    else if (handedOn(t)) { st = ["大厅受理中", "Being taken up at the hall"]; }  /* nobody is called */
    var called = t.zone !== "approval" && !handedOn(t) && (t.status === "called" || t.status === "serving");
    var html = '<div class="muted">' + h(t.service_name) +
      (t.service_name_en && t.service_name_en !== t.service_name ? '<span class="en">' + h(t.service_name_en) + "</span>" : "") +
      '</div><div class="num" id="number">' + h(t.number) + '</div><div class="big" id="tstatus">' + two(st[0], st[1]) + "</div>" +
      ticketWhere(t);
    if (t.deadline) {
      var when = {year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit"};
      var dueEn = new Intl.DateTimeFormat("en-GB", Object.assign({timeZone: tz(), hour12: false}, when)).format(new Date(t.deadline));
      var stopped = t.supplement ? ["(补正期间暂停计时,材料补齐后顺延)", " (stopped while papers are missing: it moves on by the days they take)"] : ["", ""];
      html += '<p id="deadline">' + two("承诺办结时间:" + fmt(t.deadline, when) + (t.deadline_provisional ? "(暂定:当年节假日安排未公布)" : "") + stopped[0],
        "Promised completion: " + dueEn + (t.deadline_provisional ? " (provisional)" : "") + stopped[1]) + "</p>";
      if (t.late) {  /* "open": still in approval past it; "done": decided after it */
        html += '<p id="late" class="late">' + (t.late === "open"
          ? two("已超过承诺办结时间,大厅正在督办", "Past the promised date: the hall is following it up")
          : two("晚于承诺时间办结", "Completed after the promised date")) + "</p>";
      }
    }
    html = beside("div", ' class="card' + (called ? " called" : "") + '" id="ticket"', ticketBand(t), html) + forwardedNote(t) + (rate || "");
    var d = t.delivery;
    if (d && d.method === "mail") {
      html += beside("div", ' class="card" id="delivery"', [h(mw("by_mail")), h(mw(d.tracking ? "mail_sent" : "mail_after"))], "<b>" + two("证照寄送", d.tracking ? "Mailed" : "By mail") + "</b>" +
        (d.tracking ? two("已寄出:" + (d.carrier || "") + " " + d.tracking, "Sent: " + (d.carrier || "") + " " + d.tracking)
          : two("办结后寄出,寄出后这里显示快递单号。", "Mailed once done; the tracking number will show here.")));
    }
    var link = t.track_url + (code ? "?c=" + encodeURIComponent(code) : "");
    return html + beside("a", ' class="btn alt" href="' + h(link) + '"', [h(mw("follow_case"))], two("办件进度页", "Status page"));
  }

  /* 好差评 from the phone (扫码评价), as /t offers it to the ticket's QR code: asked with the
     number's rating code, the view says whether its latest called stage may be rated
     (rating_state "open"; not while the ticket is called to a counter, as on /t). Then the
     five levels, the reasons of a bad rating (one at least for 1–2), a comment, and 已评价. */
  var LEVELS = [[5, "非常满意", "Very satisfied"], [4, "满意", "Satisfied"], [3, "基本满意", "Fairly satisfied"],
    [2, "不满意", "Dissatisfied"], [1, "非常不满意", "Very dissatisfied"]];
  var REASONS = [["slow", "办理时间长", "Took too long"], ["attitude", "服务态度差", "Unfriendly service"],
    ["unclear", "告知不清楚", "Unclear information"], ["repeat", "多次跑腿", "Had to come back again"],
    ["wait", "排队时间长", "Long wait"], ["other", "其他", "Other"]];
  var ratedHere = {};  /* stages rated on this page: a view the stream sent before is not offered again */
  function rateStage(t) {  /* the latest stage met in person: never approval's back office */
    var called = (t.journey || []).filter(function (st) { return st.called_at && st.zone !== "approval"; });
    return called[called.length - 1] || null;
  }
  /* What the rating card shows: "" (none), "rated:<id>" or "open:<the stage>": a card drawn
     again with the same key keeps what was chosen and typed. */
  function rateKey(t) {
    var st = rateStage(t), stage = st ? t.id + "/" + st.zone + "/" + st.called_at : "";
    if (t.rating_state === "rated" || (t.rating_state === "open" && ratedHere[stage])) { return "rated:" + t.id; }
    var atCounter = (t.status === "called" || t.status === "serving") && t.zone !== "approval";
    return t.rating_state === "open" && !atCounter && st ? "open:" + stage : "";
  }
  function ratedBox(how, days) {  /* `days`: a follow-up opened, verified within so many working days */
    var words = {thanks: ["感谢您的评价!已评价", "Thank you: your rating was sent."],
      again: ["此项服务已评价过(每项服务只评一次)", "This service was rated already (once only)."],
      rated: ["已评价", "Rated already: thank you."]}[how];
    return beside("div", ' class="ok" id="rated"', how === "thanks" ? [h(mw("thanks")), h(mw("already_rated"))]
      : [h(mw("already_rated"))], two(words[0], words[1])) + (days ? beside("div", ' class="note" id="followup"',
      [h(mw("followup", days))],  /* with its band: it stood Chinese alone beside a Mongolian card */
      two("大厅将在 " + days + " 个工作日内核实您的意见并与您联系。", "The hall will look into it and get back to you within " + days + " working days.")) : "");
  }
  function choice(type, name, value, key, zh, english) {  /* a level or a reason: a row to tap */
    var b = band([h(mw(key))]);
    return '<label class="opt' + (b ? " bi" : "") + '"><input type="' + type + '" name="' + name + '" value="' +
      value + '">' + b + '<span class="zh">' + two(zh, english) + "</span></label>";
  }
  function rateCard(t) {
    var key = rateKey(t);
    if (!key) { return ""; }
    var attrs = ' class="card" id="rate" data-ticket="' + h(t.id) + '" data-key="' + h(key) + '"';
    if (key.indexOf("rated:") === 0) { return "<div" + attrs + ">" + ratedBox("rated") + "</div>"; }
    var st = rateStage(t), where = [st.zone_name, st.counter_name].filter(Boolean).join(" ");
    return "<div" + attrs + ">" +
      beside("div", ' class="rate-head"', [h(mw("rate_title")), h(mw("choose_level"))], "<b>" +
        two("好差评", "Rate the service") + "</b>" + two("请对本次服务(" + where + ")作出评价", "How was the service?")) +
      '<div class="levels">' + LEVELS.map(function (l) {
        return choice("radio", "level", l[0], "level_" + l[0], l[1], l[2]);
      }).join("") + "</div>" +
      '<fieldset id="why" hidden><legend>' + banded([h(mw("choose_reasons"))],
        two("请选择不满意的原因(必选)", "Why? Choose at least one")) + "</legend>" + REASONS.map(function (r) {
        return choice("checkbox", "reason", r[0], "reason_" + r[0], r[1], r[2]);
      }).join("") + "</fieldset>" +
      beside("label", ' for="rcomment"', [h(mw("comment"))], two("意见或建议(选填)", "Comment (optional)")) +
      '<textarea id="rcomment" maxlength="500" rows="3"></textarea><div id="rate-msg"></div>' +
      beside("button", ' class="btn" id="rate-go"', [h(mw("submit"))], two("提交评价", "Send the rating")) + "</div>";
  }
  /* The form of the card just drawn: POST /track/{id}/evaluation with the number's code. */
  function rateForm(t, code) {
    var card = document.getElementById("rate"), go = document.getElementById("rate-go");
    if (!card || !go) { return; }
    var st = rateStage(t), stage = t.id + "/" + st.zone + "/" + st.called_at;
    var msg = document.getElementById("rate-msg"), why = document.getElementById("why");
    function level() { var x = card.querySelector("input[name=level]:checked"); return x ? +x.value : 0; }
    function ended(how, days) {
      ratedHere[stage] = true;
      card.removeAttribute("data-sending");
      card.setAttribute("data-key", "rated:" + t.id);
      card.innerHTML = ratedBox(how, days);
    }
    card.addEventListener("change", function () {  /* a choice made: the message about it goes */
      var l = level();
      why.hidden = !(l && l <= 2);
      if (!go.disabled) { msg.innerHTML = ""; }
    });
    go.onclick = function () {
      var l = level(), reasons = Array.prototype.map.call(card.querySelectorAll("input[name=reason]:checked"),
        function (x) { return x.value; });
      if (!l) {
        msg.innerHTML = fail({code: "level", mn: "choose_level", message: "请选择满意程度 / Choose how satisfied you are"});
        return;
      }
      if (l <= 2 && !reasons.length) {
        msg.innerHTML = fail({code: "reasons", mn: "reasons_required", message: "请至少选择一项不满意的原因 / Choose at least one reason"});
        return;
      }
      var body = {c: code, level: l, reasons: l <= 2 ? reasons : []}, text = document.getElementById("rcomment").value.trim();
      if (text) { body.comment = text; }
      go.disabled = true;
      msg.innerHTML = "";
      card.setAttribute("data-sending", "1");  /* kept on the screen until the answer comes */
      api("/track/" + encodeURIComponent(t.id) + "/evaluation", body).then(function (r) { ended("thanks", r && r.followup_days); })
        .catch(function (e) {
          go.disabled = false;
          card.removeAttribute("data-sending");
          if (e.code === "already_rated") { ended("again"); return; }
          if (e.code === "proof_required") {  /* the code kept here is not this number's */
            e = {code: e.code, message: "本机保存的评价码无效,无法在此评价;请到大厅自助机刷身份证评价 / This phone's rating code was not accepted: rate at a kiosk in the hall with your ID card"};
          } else if (e.code === "offline") {
            e = {code: e.code, message: "无法连接服务器,评价未提交,请稍后再试 / Cannot reach the server: the rating was not sent; try again later"};
          }
          msg.innerHTML = fail(e);
        });
    };
  }

  function follow(id) {
    var lastStatus = null, code = ratingCode(id);
    var withCode = code ? "?c=" + encodeURIComponent(code) : "";
    function paint(t) {
      /* a call to a counter only: a back-office approval post "calls" the case, not its holder */
      if (lastStatus && lastStatus !== t.status && t.status === "called" && t.zone !== "approval" && !handedOn(t) && navigator.vibrate) { navigator.vibrate([300, 100, 300]); }
      lastStatus = t.status;
      var old = document.getElementById("rate"), y = window.scrollY;
      if (old && old.getAttribute("data-ticket") !== t.id) { old = null; }  /* another number's */
      show(heading(two("我的号", "My number"), [h(mw("my_number"))]) + ticketHtml(t, code ? rateCard(t) : "", code));
      var card = document.getElementById("rate");
      /* The same card, or one being sent (the stream may tell of the rating before its answer
         does): the card stays as it is, with what was chosen and typed. */
      if (old && card && (old.getAttribute("data-key") === card.getAttribute("data-key") || old.hasAttribute("data-sending"))) {
        card.parentNode.replaceChild(old, card);
        window.scrollTo(0, y);
      } else {
        rateForm(t, code);
      }
    }
    /* A bank branch's ticket forwarded to the hall: the case goes on as the hall's ticket. */
    function onward(t) {
      if (!t.forwarded_to) { return false; }
      remember("kb.tickets", t.forwarded_to.ticket);
      location.replace("#/t/" + encodeURIComponent(t.forwarded_to.ticket));
      return true;
    }
    api("/track/" + encodeURIComponent(id) + withCode).then(function (t) {
      if (onward(t)) { return; }
      paint(t);
      if (FINAL.indexOf(t.status) >= 0 || !window.EventSource) { return; }
      var es = stream = new EventSource("/api/v1/track/" + encodeURIComponent(id) + "/events" + withCode);
      es.onmessage = function (ev) {
        var v;
        try { v = JSON.parse(ev.data); } catch (e) { return; /* a partial message */ }
        if (onward(v)) { es.close(); return; }
        paint(v);
        if (FINAL.indexOf(v.status) >= 0) { es.close(); }  /* the stream ends here: no reconnecting */
      };
      /* An error is a restart, a dropped stream or the server gone; only the last shows the
         banner. A stream the browser gave up on is opened again by following anew. */
      es.onerror = function () {
        var closed = es.readyState === 2;
        fetch("/api/v1/health", {cache: "no-store"}).then(function (resp) {
          if (resp.status >= 500) { throw new Error("not yet"); }
          if (closed) { setTimeout(function () { if (stream === es) { route(); } }, 5000); }
        }).catch(function () { lost(closed && stream === es); });
      };
    }).catch(function (e) { failScreen(two("我的号", "My number"), e, [h(mw("my_number"))]); });
  }

  /* A row of "my numbers" / "my bookings": a link whose words come when the server answers
     (`fill` gives them; an answer that fails leaves a plain placeholder, never the raw id). */
  function rows(key, make, fill) {
    return store(key).map(function (k, i) {
      api(make(k)).then(function (x) {
        var a = document.getElementById(key + "-" + i), row = fill(x);
        if (a) { a.outerHTML = beside("a", ' id="' + a.id + '" href="' + h(a.getAttribute("href")) + '"', row[0], row[1]); }
      }).catch(function () { /* gone or out of reach: the placeholder stays */ });
      return k;
    });
  }
  function numbers() {
    var ids = rows("kb.tickets", function (id) { return "/track/" + encodeURIComponent(id); }, function (t) {
      var st = TSTATUS[t.status] || [t.status, t.status];
      var key = MN[t.status] ? t.status : "";
      if (t.zone === "approval" && OPEN.indexOf(t.status) >= 0) { st = ["审批中", "In approval"]; key = "approval"; }
      return [[h(t.service_name_mn), key ? h(mw(key)) : ""], "<b>" + h(t.number) + "</b> " + h(t.service_name) + ' <span class="muted">· ' + h(st[0]) + "</span>" +
        '<span class="en">' + h(t.service_name_en || t.service_name) + " · " + h(st[1]) + "</span>"];
    });
    show(heading(two("我的号", "My numbers"), [h(mw("my_number"))]) + '<div class="list" id="numbers">' + (ids.map(function (id, i) {
      return beside("a", ' id="kb.tickets-' + i + '" href="#/t/' + encodeURIComponent(id) + '"', [h(mw("my_number"))], two("号码 " + (i + 1), "Number " + (i + 1)));
    }).join("") || beside("div", ' class="muted"', [h(mw("no_number"))], two("本机没有取号记录", "No number on this phone"))) + "</div>");
  }

  function route() {
    if (stream) { stream.close(); stream = null; }
    var hash = location.hash || "#/";
    var qr = hash.match(/^#a=([A-Za-z0-9-]+)$/);
    if (qr) { location.replace("#/a/" + qr[1]); return; }
    var parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
    var screens = {"": home, book: function () { return parts[1] ? book(parts[1]) : serviceList("book"); },
      remote: function () { return parts[1] ? remote(parts[1]) : serviceList("remote"); },
      a: function () { return booking(parts[1] || ""); }, mine: mine, numbers: numbers,
      t: function () { return follow(parts[1] || ""); }};
    (screens[parts[0]] || home)();
  }

  /* The page's fixed parts in a hall that lists mn: the offline banner and the footer's links
     get their band too. */
  function mongolianChrome() {
    var off = document.getElementById("offline");
    off.classList.add("bi");
    off.innerHTML = band([h(mw("offline"))]) + '<div class="zh">' + off.innerHTML + "</div>";
    var keys = {"#/": "home", "#/mine": "my_booking", "#/numbers": "my_number"};
    Array.prototype.forEach.call(document.querySelectorAll("footer a"), function (a) {
      var key = keys[a.getAttribute("href")];
      if (!key) { return; }
      a.classList.add("bi");
      a.innerHTML = band([h(mw(key))]) + '<span class="zh">' + a.innerHTML + "</span>";
    });
  }

  function boot() {
    api("/public/hall").then(function (data) {
      hall = data;
      MONGOLIAN = (data.languages || []).indexOf("mn") >= 0;
      document.getElementById("hall").textContent = data.name;
      var top = band([h(data.name_mn), '<span class="sub">' + h(mw("title")) + "</span>"]);
      if (top) {
        var head = document.getElementById("top");
        head.classList.add("bi");
        head.insertAdjacentHTML("afterbegin", top);
      }
      document.title = data.name + " · 预约与取号";
      if (MONGOLIAN) { mongolianChrome(); }
      window.addEventListener("hashchange", route);
      route();
    }).catch(function (e) { show(fail(e)); });
  }
  boot();
})();
