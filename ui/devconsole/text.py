"""The words of the device console, Chinese first, English second; one language at a time."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "title": ("设备控制台", "Device console"),
    "subtitle": ("演示与培训：操作模拟设备", "Demos and training: the simulated devices"),
    "lang_switch": ("English", "中文"),
    "reader": ("身份证阅读器", "ID card reader"),
    "put_on": ("放上", "Put on"),
    "take_away": ("拿走", "Remove"),
    "reader_empty": ("读卡器上没有证件", "No card on the reader"),
    "reader_has": ("读卡器上：{name}", "On the reader: {name}"),
    "reader_cycle": ("（轮流放卡）", " (cards in turn)"),
    "camera": ("高拍仪", "Document camera"),
    "code_hint": ("预约码、票号或链接", "Booking code, ticket number or link"),
    "show": ("出示", "Show"),
    "show_ticket": ("出示票上二维码", "Show its QR"),
    "no_tickets": ("（还没有打印的票）", "(no ticket printed yet)"),
    "camera_scene": ("桌面上：{scene}", "On the desk: {scene}"),
    "camera_code": ("高拍仪下：二维码", "Under the camera: a QR code"),
    "printer": ("打印机", "Ticket printer"),
    "paper_out_btn": ("缺纸", "Paper out"),
    "paper_low_btn": ("纸将尽", "Paper low"),
    "refill_btn": ("加纸", "Refill"),
    "cover_open_btn": ("打开盖子", "Open cover"),
    "cover_close_btn": ("合上盖子", "Close cover"),
    "printer_state": ("纸：{paper} · 盖：{cover} · 已打印 {jobs} 张",
                      "Paper: {paper} · cover: {cover} · {jobs} printed"),
    "pad": ("评价器", "Rating pad"),
    "pad_hint": ("按键（评价页显示时有效）", "Press a key (counts while the rating page is up)"),
    "ticket": ("打印的票", "Printed ticket"),
    "ticket_of": ("第 {job} 张 · {number}", "Job {job} · {number}"),
    "not_running_short": ("未连接（终端还没有打开它）", "not running (its terminal has not opened it)"),
    # what an action did
    "card_on": ("已放上 {name} 的证件", "{name}'s card is on the reader"),
    "card_off": ("已拿走证件", "The card is taken away"),
    "qr_shown": ("高拍仪下：{what}", "Under the camera: {what}"),
    "booking_shown": ("高拍仪下：预约码 {code} 的二维码", "Under the camera: booking {code}"),
    "ticket_shown": ("高拍仪下：{number} 号票的二维码", "Under the camera: ticket {number}'s QR"),
    "camera_clear": ("高拍仪下已清空", "Nothing under the camera"),
    "paper_out": ("打印机缺纸", "The printer is out of paper"),
    "paper_low": ("打印机纸将尽", "The printer's paper is low"),
    "paper_ok": ("已加纸", "Paper refilled"),
    "cover_open": ("打印机盖已打开", "The printer's cover is open"),
    "cover_closed": ("打印机盖已合上", "The printer's cover is closed"),
    "pressed": ("评价器：按下 {level}", "Rating pad: {level} pressed"),
    "not_running": ("{device}未连接：它的终端窗口开着吗？", "The {device} is not running: is its terminal open?"),
    "refused": ("{device}拒绝：{reason}", "The {device} refused: {reason}"),
    "no_such_ticket": ("没有打印过 {number} 号票", "No ticket {number} was printed"),
    "not_a_code": ("“{text}”不是预约码、票号或链接", "“{text}” is no booking code, ticket number or link"),
}
DEVICES = {"idcard": ("读卡器", "card reader"), "printer": ("打印机", "printer"),
           "camera": ("高拍仪", "camera"), "pad": ("评价器", "rating pad")}
PAPER = {"ok": ("正常", "ok"), "low": ("将尽", "low"), "out": ("缺纸", "out")}
COVER = {"open": ("开", "open"), "closed": ("关", "closed")}
SCENES = {"page": ("材料", "a page"), "idcard": ("身份证", "an ID card"), "blank": ("空", "nothing"),
          "clutter": ("杂物", "clutter"), "sheet": ("标定页", "the calibration sheet"),
          "picture": ("二维码", "a QR code")}
LEVELS = {1: ("非常不满意", "very poor"), 2: ("不满意", "poor"), 3: ("基本满意", "fair"),
          4: ("满意", "good"), 5: ("非常满意", "very good")}


def tr(key: str, lang: str, **fields: object) -> str:
    pair = TEXT.get(key, (key, key))
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fields) if fields else text


def word(table: dict[object, tuple[str, str]], key: object, lang: str) -> str:
    pair = table.get(key, (str(key), str(key)))
    return pair[1] if lang == "en" else pair[0]
