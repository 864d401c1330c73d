"""The monthly bulletin as files: one table layout (`table_rows`) written as CSV (UTF-8 with a
BOM, so Excel reads the Chinese), XLSX (openpyxl) or PDF (fpdf2 with Debian's Noto Sans CJK
embedded as a subset: no outside service, no browser). Pure formatting: bytes out."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from queue_server.domain.errors import Invalid
from queue_server.usecases.bulletin import SECTIONS, Bulletin

COLUMNS = (("tickets", "取号"), ("done", "办结"), ("rejected", "退件"), ("no_show", "未到"),
           ("open", "在办"), ("completion_rate", "办结率"), ("on_time_rate", "按时办结率"),
           ("overdue_open", "超期在办"), ("ratings", "评价数"), ("satisfaction_rate", "好评率"),
           ("wait_p50", "等候中位(秒)"), ("wait_p90", "等候P90(秒)"),
           ("service_p50", "办理中位(秒)"), ("service_p90", "办理P90(秒)"))
HEADER = ["分组 / Group", "名称 / Name", *[zh for _, zh in COLUMNS]]
FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
         Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"))
CJK_SC = 2  # Noto Sans CJK SC in the collection


def _cell(figs: dict[str, Any], name: str) -> Any:
    if name.startswith(("wait_", "service_")):
        kind, pct = name.rsplit("_", 1)
        return figs[f"{kind}_s"][pct]
    value = figs[name]
    return round(value, 4) if isinstance(value, float) else value


OWN = {"ratings": "own_ratings", "satisfaction_rate": "own_satisfaction_rate"}
OWN_NOTE = ("窗口、工作人员各行的评价数与好评率只计本窗口、本人办理环节的评价 / for counters and "
            "staff, ratings and satisfaction count the ratings of the stages they handled")


def table_rows(b: Bulletin) -> list[list[Any]]:
    rows = [["全厅 / Hall", b.hall_name, *[_cell(b.overall, c) for c, _ in COLUMNS]]]
    for dim, title in SECTIONS:
        own = dim in ("counter", "staff")  # a row's own stages' ratings (v1.2 own_*)
        rows += [[title, f"{r['name']}",
                  *[_cell(r, OWN.get(c, c) if own else c) for c, _ in COLUMNS]]
                 for r in b.sections[dim]]
    return rows


def star_rows(b: Bulletin) -> list[list[Any]]:
    out: list[list[Any]] = []
    for title, found in (("红星岗 / Red-star window", b.red_star),
                         ("微笑之星 / Smile star", b.smile_star)):
        out += [[title, c["name"], c["served"], c["ratings"], round(c["satisfaction_rate"], 4),
                 round(c["very_satisfied_rate"], 4)] for c in found]
    return out


STAR_HEADER = ["称号 / Title", "名称 / Name", "办理环节", "评价数", "好评率", "非常满意占比"]


def title_of(b: Bulletin) -> str:
    return f"{b.hall_name} {b.month} 月通报 / Monthly bulletin ({b.first} – {b.last})"


def to_csv(b: Bulletin) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([title_of(b)])
    w.writerow(HEADER)
    w.writerows(table_rows(b))
    w.writerow([OWN_NOTE])
    w.writerow([])
    w.writerow(STAR_HEADER)
    w.writerows(star_rows(b))
    w.writerow([b.rule])
    if b.warning:
        w.writerow([f"警告 / WARNING: {b.warning}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(b: Bulletin) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "月通报"
    sheet.append([title_of(b)])
    sheet.append(HEADER)
    for row in table_rows(b):
        sheet.append(row)
    sheet.append([OWN_NOTE])
    stars = book.create_sheet("红星岗 微笑之星")
    stars.append(STAR_HEADER)
    for row in star_rows(b):
        stars.append(row)
    stars.append([])
    stars.append([b.rule])
    if b.warning:
        sheet.append([f"警告 / WARNING: {b.warning}"])
    for col in "BCDEFGHIJKLMNOP":
        sheet.column_dimensions[col].width = 12
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _font() -> Path:
    for path in FONTS:
        if path.is_file():
            return path
    raise Invalid("no_cjk_font", "缺少中文字体,请安装 fonts-noto-cjk / the Noto CJK font is "
                  "missing: apt-get install fonts-noto-cjk")


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def _table(pdf: Any, header: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[float]) -> None:
    pdf.set_font("cjk", size=7)
    for label, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, label, border=1, align="C")
    pdf.ln()
    for row in rows:
        for value, width in zip(row, widths, strict=True):
            pdf.cell(width, 5, _fmt(value)[:30], border=1, align="L" if width > 20 else "R")
        pdf.ln()


def to_pdf(b: Bulletin) -> bytes:
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter chats at INFO

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("cjk", fname=str(_font()), collection_font_number=CJK_SC)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 9, title_of(b), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    pdf.cell(0, 5, f"截至 / as of {b.as_of_local or b.as_of};目标:好评率 ≥ 92%,办结率 ≥ 97%",
             new_x="LMARGIN", new_y="NEXT")
    if b.warning:
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 5, f"警告 / WARNING: {b.warning}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    _table(pdf, ["分组", "名称", *[zh for _, zh in COLUMNS]], table_rows(b),
           [22, 48, *[14.9] * len(COLUMNS)])
    pdf.set_font("cjk", size=7)
    pdf.cell(0, 4.5, OWN_NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 7, "红星岗 / 微笑之星 候选 / candidates", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, STAR_HEADER, star_rows(b) or [["本月无人符合条件 / none this month", "", "",
                                                "", "", ""]], [60, 40, 25, 25, 25, 25])
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(0, 4.5, b.rule)
    return bytes(pdf.output())


WRITERS = {".csv": to_csv, ".xlsx": to_xlsx, ".pdf": to_pdf}
MEDIA = {".csv": "text/csv; charset=utf-8", ".pdf": "application/pdf",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(b: Bulletin, suffix: str) -> bytes:
    writer = WRITERS.get(suffix.lower())
    if writer is None:
        raise Invalid("bad_format", "文件须为 .xlsx、.csv 或 .pdf / the file must end in .xlsx, "
                      ".csv or .pdf")
    return writer(b)
