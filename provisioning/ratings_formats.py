"""Formats of the ratings export (`provisioning export-ratings`), one adapter each: a province
whose 好差评 platform wants another format adds a class with `name`, `suffixes` and `write`, and
one entry in `FORMATS`. The records are the contract's (queue_server.usecases.ratings_export)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, BinaryIO, Protocol

from queue_server.wire import BAD_REASONS, LEVELS, ZONE_NAMES

CHANNELS = {"pad": "评价器", "kiosk": "自助终端", "bank": "合作网点"}


class RatingsFormat(Protocol):
    name: str
    suffixes: tuple[str, ...]

    def write(self, records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
        """Write the records; answers how many."""
        ...


class JsonLines:
    """CONTRACT.md §1: one JSON object a line with exactly the contract's fields."""

    name, suffixes = "jsonl", (".jsonl",)

    def write(self, records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
        n = 0
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            n += 1
        return n


class ProvinceCsv:
    """An example of a province's own format: CSV with Chinese headings and the official words
    of the levels (非常满意 … 非常不满意), channels, zones and reasons; UTF-8 with a BOM."""

    name, suffixes = "csv-zh", (".csv",)
    HEADER = ("大厅", "事项", "办件编号", "评价渠道", "区域", "窗口", "工作人员", "评价等级",
              "评价等级名称", "差评原因", "评价内容", "评价时间")

    def write(self, records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(self.HEADER)
        n = 0
        for r in records:
            writer.writerow([
                r["hall"], r["service"], r["ticket"], CHANNELS.get(r["channel"], r["channel"]),
                ZONE_NAMES.get(r["zone"], (r["zone"],))[0], r["counter"] or "", r["staff"] or "",
                r["level"], LEVELS[int(r["level"])][0],
                "、".join(BAD_REASONS.get(x, (x,))[0] for x in r["reasons"]),
                r["comment"] or "", r["rated_at"]])
            n += 1
        out.write(("\ufeff" + text.getvalue()).encode("utf-8"))
        return n


FORMATS: dict[str, RatingsFormat] = {f.name: f for f in (JsonLines(), ProvinceCsv())}


def by_suffix(suffix: str) -> RatingsFormat | None:
    return next((f for f in FORMATS.values() if suffix.lower() in f.suffixes), None)
