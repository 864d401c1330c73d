"""Every table of the console as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read the Chinese) or XLSX (openpyxl): a header row "中文 / English", times in the hall's local
time, lists joined. A text cell that a spreadsheet would run as a formula (it starts with = + -
@ or a control character: a citizen's comment can) is written with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.wire import BAD_REASONS, LEVELS, ZONE_NAMES

Getter = Callable[[Any], Any]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    get: Getter


def col(zh: str, en: str, key: str | Getter) -> Column:
    if callable(key):
        return Column(zh, en, key)
    name: str = key
    return Column(zh, en, lambda row: getattr(row, name))


def zone(value: str | None) -> str:
    return ZONE_NAMES.get(value or "", (value or "", ""))[0]


# Chinese labels of codes a supervisor reads (the JSON keeps the codes; so does the console's
# live page, which shows the same labels)
CHANNELS = {"kiosk": "自助终端", "pad": "评价器", "bank": "银行网点", "web": "手机/网页"}
KINDS = {"kiosk": "自助终端", "bank": "银行网点终端", "counter": "窗口终端", "display": "叫号屏",
         "pad": "评价器"}
DEVICES = {"printer": "打印机", "idcard": "身份证读卡器", "camera": "扫码摄像头",
           "display": "显示屏", "pad": "评价器", "scanner": "高拍仪", "link": "终端连接"}
DEVICE_STATES = {"paper_out": "缺纸", "paper_low": "纸将用完", "cover_open": "仓盖未关",
                 "offline": "离线", "error": "故障", "fault": "故障", "jam": "卡纸",
                 "reader_fault": "故障", "unplugged": "未连接", "missing": "未连接"}


def channel(value: str) -> str:
    return CHANNELS.get(value, value)


def kind(value: str) -> str:
    return KINDS.get(value, value)


def problem(text: str) -> str:
    """ "printer: paper_out" (live.py's form) as "打印机缺纸"; an unknown part stays as it is."""
    device, _, state = text.partition(": ")
    return f"{DEVICES.get(device, device)}{DEVICE_STATES.get(state, ':' + state)}"


def level(value: int) -> str:
    return f"{value} {LEVELS.get(value, ('', ''))[0]}"


def reasons(values: list[str]) -> str:
    return "、".join(BAD_REASONS.get(v, (v, v))[0] for v in values)


def _cell(value: Any, tz: ZoneInfo) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows_of(columns: Sequence[Column], items: Sequence[Any], tz: str) -> list[list[Any]]:
    zone_info = ZoneInfo(tz)
    return [[_cell(c.get(item), zone_info) for c in columns] for item in items]


def to_csv(columns: Sequence[Column], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{c.zh} / {c.en}" for c in columns])
    for row in rows:
        writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else
                         v.isoformat() if isinstance(v, date) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, columns: Sequence[Column], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([f"{c.zh} / {c.en}" for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i, c in enumerate(columns, start=1):
        width = max([len(c.zh) * 2 + len(c.en) + 3]
                    + [len(str(r[i - 1])) + 2 for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(i)].width = min(width, 60)
        if any(isinstance(r[i - 1], datetime) for r in rows[:5]):
            for cell in sheet[get_column_letter(i)][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
