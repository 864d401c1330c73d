"""The journey's sections (`queue_server.config_journey`) say their refusals Chinese first, then
English, at their source, and `parse_config` puts the file's line and the block (by number and
code) before them as for every other key."""

from __future__ import annotations

import re

import pytest

from queue_server.config import ConfigError, parse_config
from queue_server.config_journey import check_ranges, parse_range
from tests.procs import ROOT

JOURNEY = (ROOT / "tests" / "queue_server" / "data" / "journey.toml").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_first(reason: str) -> None:
    zh, sep, en = reason.partition(" / ")
    assert sep and CJK.match(zh) and not CJK.search(en) and re.match(r"[A-Za-z]", en), reason


@pytest.mark.parametrize(("ranges", "zh", "en"), [
    (["8:30-12"], "时间段 '8:30-12' 格式不对", "use HH:MM-HH:MM"),
    (["12:00-09:00"], "结束须晚于开始", "the end must come after the start"),
    (["20:00-24:30"], "结束最晚为 24:00", "ends at 24:00 at the latest"),
    (["14:00-18:00", "08:30-12:00", "11:30-13:00"], "'08:30-12:00' 与 '11:30-13:00' 重叠",
     "time ranges '08:30-12:00' and '11:30-13:00' overlap"),
])
def test_time_ranges_are_refused_in_both_languages_at_their_source(
        ranges: list[str], zh: str, en: str) -> None:
    with pytest.raises(ValueError) as err:
        check_ranges(ranges)
    said = str(err.value)
    assert zh in said.split(" / ")[0] and en in said.split(" / ")[1], said
    _chinese_first(said)
    assert parse_range("08:30-24:00") == (510, 1440)  # the day's end is a valid end


@pytest.mark.parametrize(("old", "new", "key", "needle", "said"), [
    ('checkin = false', 'checkin = false\nhours = ["08:00-09:00", "08:30-10:00"]',
     "services #2 (general).remote.hours", 'hours = ["08:00-09:00", "08:30-10:00"]',
     "时间段 '08:00-09:00' 与 '08:30-10:00' 重叠"),
    ('slot_minutes = 30', 'slot_minutes = 30\ndays = ["mon", "someday"]',
     "services #1 (case).booking.days", 'days = ["mon", "someday"]', "未知的星期 'someday'"),
    ('open_days = "workdays"', 'open_days = "workdays"\n\n[hall.notify]\nwebhook = "ftp://x"',
     "hall.notify.webhook", 'webhook = "ftp://x"', "网址 'ftp://x' 不对"),
    ('[services.remote]\ncheckin = false', 'remote = { hours = ["18:00-24:30"] }',
     "services #2 (general).remote.hours", 'remote = { hours = ["18:00-24:30"] }',
     "时间段 '18:00-24:30' 的结束最晚为 24:00"),
])
def test_journey_refusals_name_line_block_and_reason_chinese_first(
        old: str, new: str, key: str, needle: str, said: str) -> None:
    assert old in JOURNEY
    text = JOURNEY.replace(old, new, 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "journey.toml")
    line = text.splitlines().index(needle) + 1
    assert (err.value.key, err.value.line) == (key, line)
    assert str(err.value).startswith(f"journey.toml:{line}: {key}: {said}"), str(err.value)
    _chinese_first(err.value.reason)
