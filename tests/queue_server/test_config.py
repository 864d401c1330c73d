"""The hall configuration: the examples load; every mistake is refused naming the file, the
key and the reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config, parse_config
from tests.procs import ROOT, TEST_HALL

GOOD = TEST_HALL.read_text(encoding="utf-8")


def test_examples_and_test_hall_load() -> None:
    hjhq = load_config(ROOT / "examples" / "hjhq.toml")
    assert hjhq.hall.id == "hjhq" and hjhq.outposts and hjhq.hall.priority_age == 70
    cfg = parse_config(GOOD)
    assert cfg.hall.priority_cap == 2 and cfg.outposts[0].counters[0].code == "N01"
    assert cfg.service("case").category == "商事登记"


BROKEN = [
    ('zone = "approval"', 'zone = "backroom"', "counters #3 (W03).zone", "unknown zone"),
    ('prefix = "B"', 'prefix = "A"', "services #2 (case).prefix",
     "duplicate prefix 'A': services #1 (general) has it too"),
    ('prefix = "B"', 'prefix = "b1"', "services #2 (case).prefix", "pattern"),
    ('services = ["case"]\n\n[[counters]]\ncode = "W04"',
     'services = ["general"]\n\n[[counters]]\ncode = "W04"', "counters #3 (W03).services",
     "does not pass zone 'approval'"),
    ('day_starts = "00:00"', 'day_starts = "24:00"', "hall.day_starts", "bad time"),
    ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "hall.timezone",
     "unknown time zone"),
    ('route = ["intake", "approval", "pickup"]', 'route = ["intake", "intake"]',
     "services #2 (case).route", "twice"),
    ('role = "supervisor"', 'role = "boss"', "staff #3 (s003).role", "role must be"),
    ('services = ["general", "case"]\n\n[[outposts.counters]]',
     'services = ["general", "nope"]\n\n[[outposts.counters]]', "outposts #1 (bank1).services",
     "unknown service 'nope'"),
    ('daily_cap = 5', 'daily_cap = 0', "services #2 (case).daily_cap",
     "greater than or equal"),
    ('id = "s004"', 'id = "s001"', "staff #4 (s001).id", "duplicate id 's001': staff #1 (s001)"),
    ('announce = "请{number}号到{counter}办理"', 'announce = "请{name}办理"', "hall.announce",
     "may use only"),
    ('priority_cap = 2', 'priority_cap = 2\ncolour = "red"', "hall.colour", "unknown key"),
    ('[hall]', '[hall', "", "not valid TOML"),
    ('[hall]', "a = " + "[" * 5000 + "]" * 5000 + "\n[hall]", "", "nested too deeply"),
]


@pytest.mark.parametrize(("old", "new", "key", "reason"), BROKEN,
                         ids=[b[2] or "toml" for b in BROKEN])
def test_mistakes_are_refused_with_file_key_and_reason(old: str, new: str, key: str,
                                                       reason: str, tmp_path: Path) -> None:
    assert old in GOOD
    path = tmp_path / "hall.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.file == str(path)
    assert err.value.key == key
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{path}:")
    chinese, _, english = err.value.reason.partition(" / ")  # Chinese first, then English
    assert re.match(r"[\u4e00-\u9fff]", chinese) and re.match(r"[A-Za-z]", english)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_languages_need_every_name() -> None:
    """A hall that lists a language must name everything in it; Chinese is always there."""
    hjhq = (ROOT / "examples" / "hjhq.toml").read_text(encoding="utf-8")
    cfg = parse_config(hjhq)
    assert cfg.hall.languages == ["mn", "zh", "en"] and cfg.service("company-setup").name_en
    assert cfg.service("company-setup").name_mn and cfg.hall.name_mn
    water = cfg.service("water-connect").name_mn or ""
    with pytest.raises(ConfigError) as err:
        parse_config(hjhq.replace(f'name_mn = "{water}"\n', ""))
    assert err.value.key == "services #8 (water-connect).name_mn"
    assert "languages lists 'mn'" in err.value.reason
    without = hjhq.replace('name_en = "Company setup"\n', "")
    with pytest.raises(ConfigError) as err:
        parse_config(without)
    assert err.value.key == "services #2 (company-setup).name_en"
    for bad, reason in (('["en"]', "Chinese"), ('["zh", "fr"]', "unknown language"),
                        ('["zh", "zh"]', "twice")):
        with pytest.raises(ConfigError) as err:
            parse_config(hjhq.replace('languages = ["mn", "zh", "en"]', f"languages = {bad}"))
        assert err.value.key == "hall.languages" and reason in err.value.reason
    short = hjhq.replace('"Tax payment receipt"]', "]")
    with pytest.raises(ConfigError) as err:
        parse_config(short)
    assert err.value.key == "services #6 (property-transfer).materials_en"
    assert "5 items for 6" in err.value.reason
    assert parse_config(GOOD).hall.languages == ["zh"]  # a hall without the key: Chinese only


JOURNEY = (ROOT / "tests" / "queue_server" / "data" / "journey.toml").read_text(encoding="utf-8")
JOURNEY_BROKEN = [
    ('opening_hours = ["08:30-12:00", "14:30-17:30"]', 'opening_hours = ["08:30-12:00", "11:30-13:00"]',
     "hall.opening_hours", "overlap"),
    ('opening_hours = ["08:30-12:00", "14:30-17:30"]', 'opening_hours = ["8:30-12"]',
     "hall.opening_hours", "HH:MM-HH:MM"),
    ('open_days = "workdays"', 'open_days = "sometimes"', "hall.open_days", "workdays"),
    ('missed_limit = 3', 'missed_limit = -1', "hall.appointments.missed_limit", "greater"),
    ('hours = ["09:00-12:00", "14:30-16:30"]', 'hours = ["12:00-09:00"]',
     "services #1 (case).booking.hours", "end must come after"),
    ('slot_minutes = 30', 'slot_minutes = 30\ndays = ["mon", "someday"]',
     "services #1 (case).booking.days", "unknown weekday"),
    ('capacity = 2', 'capacity = 0', "services #1 (case).booking.capacity", "greater"),
    ('route = ["intake"]', 'route = ["intake"]\nmail_delivery = true',
     "services #2 (general).mail_delivery", "no pickup zone"),
    ('checkin = false', 'checkin = false\ncolour = 1', "services #2 (general).remote.colour",
     "unknown key"),
]


@pytest.mark.parametrize(("old", "new", "key", "reason"), JOURNEY_BROKEN,
                         ids=[b[2] + ":" + b[3] for b in JOURNEY_BROKEN])
def test_journey_mistakes_are_refused(old: str, new: str, key: str, reason: str) -> None:
    assert parse_config(JOURNEY).service("case").booking is not None
    assert old in JOURNEY
    with pytest.raises(ConfigError) as err:
        parse_config(JOURNEY.replace(old, new, 1), "journey.toml")
    assert err.value.key == key and reason in err.value.reason


def test_a_category_has_one_name_in_each_language() -> None:
    hjhq = (ROOT / "examples" / "hjhq.toml").read_text(encoding="utf-8")
    cfg = parse_config(hjhq)
    business = [s for s in cfg.services if s.category == "商事登记"]
    assert len(business) == 2 and {s.category_en for s in business} == {"Business"}
    assert all(s.category_mn is None for s in cfg.services)  # optional: Chinese where missing
    cases = [  # (changed text, key, reason)
        (hjhq.replace('category = "咨询导办"\n', "", 1), "services #1 (consult).category_en",
         "该事项没有 category / the service has no category"),
        (hjhq.replace('category_en = "Business"', 'category_en = "Trade"', 1),
         "services #3 (company-deregister).category_en",
         "商事登记 在这里是 'Business',在 services #2 (company-setup) 是 'Trade' / 商事登记 is "
         "'Business' here but 'Trade' in services #2 (company-setup)"),
    ]
    for text, key, reason in cases:
        with pytest.raises(ConfigError) as err:
            parse_config(text, "hjhq.toml")
        assert (err.value.key, err.value.reason) == (key, reason)


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ("time_limit_workdays = 2", 'time_limit_workdays = "2"',
     "services #2 (case).time_limit_workdays",
     '应为整数(不加引号),写的是 "2" / expected a whole number (no quotes), got "2"'),
    ("requires_id_card = true", 'requires_id_card = "yes"', "services #2 (case).requires_id_card",
     '应为 true 或 false(不加引号),写的是 "yes" / expected true or false (no quotes), got "yes"'),
    ("priority_cap = 2", "priority_cap = 2.0", "hall.priority_cap",
     "应为整数(不加引号),写的是 2.0 / expected a whole number (no quotes), got 2.0"),
    ('materials = ["申请书"]', 'materials = "申请书"', "services #2 (case).materials",
     '应为列表 [...],写的是 "申请书" / expected a list [...], got "申请书"'),
])
def test_wrong_types_are_refused_not_converted(old: str, new: str, key: str, reason: str) -> None:
    """Strict: a number in quotes is a mistake to show, not a value to guess."""
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "hall.toml")
    line = GOOD[:GOOD.index(old)].count("\n") + 1
    assert (err.value.key, err.value.reason, err.value.line) == (key, reason, line)
    assert str(err.value) == f"hall.toml:{line}: {key}: {reason}"
    assert parse_config(GOOD).hall.closed_days[0].isoformat() == "2026-12-31"  # a string date


def test_a_missing_key_points_at_its_block() -> None:
    text = GOOD.replace('name = "企业开办"\n', "", 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "hall.toml")
    second = [n for n, ln in enumerate(text.splitlines(), 1) if ln == "[[services]]"][1]
    assert (err.value.key, err.value.line) == ("services #2 (case).name", second)
    assert err.value.reason == "缺少此键 / missing"
    bad = GOOD.replace("[hall]", "[hall", 1)
    with pytest.raises(ConfigError) as err:
        parse_config(bad, "hall.toml")
    assert err.value.line == 3 and err.value.reason.startswith("不是有效的 TOML / not valid TOML")
