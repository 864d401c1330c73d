"""Service search by Chinese text and pinyin, categories, zone counts and the offline cache."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kiosk import sample
from kiosk.catalog import Catalog
from kiosk.sample_hall import load_hall_sample
from queue_server import wire
from tests.procs import ROOT


def catalog() -> Catalog:
    return Catalog(sample.services())


def test_pinyin_initials_full_pinyin_and_chinese() -> None:
    c = catalog()
    assert [s.name for s in c.search("qykb")] == ["企业开办"]
    assert [s.name for s in c.search("QY")][:2] == ["企业开办", "企业简易注销"]
    # the two named 不动产… first, then the third of the category 不动产登记 (an outside check:
    # "bdc" did not find 二手房转移登记)
    assert [s.name for s in c.search("bdc")] == ["不动产抵押登记", "不动产一般登记", "二手房转移登记"]
    assert [s.name for s in c.search("tuishui")] == ["退税"]
    assert [s.name for s in c.search("用水")] == ["用水报装"]
    assert c.search("zzzz") == []
    assert len(c.search("  ")) == len(c.services)


def test_categories_keep_the_server_order() -> None:
    c = catalog()
    assert c.categories()[:3] == ["咨询导办", "商事登记", "不动产登记"]
    assert [s.code for s in c.in_category("商事登记")] == ["company-setup", "company-deregister"]
    assert len(c.in_category(None)) == len(c.services)


def test_zone_waiting_counts_at_the_first_zone() -> None:
    waiting = catalog().zone_waiting()
    assert set(waiting) == {"consult", "intake", "approval", "pickup"}
    assert sum(waiting.values()) == sum(s.waiting for s in sample.services())


def test_zone_waiting_counts_every_zone_a_server_reports() -> None:
    """Tickets gone on to approval or pickup count in those zones, as on the board (the
    kiosk showed 后台审批 0 while one waited there)."""
    services = sample.services()
    first = services[0].model_copy(update={"waiting": 2, "waiting_by_zone": {
        services[0].route[0]: 2, "approval": 1, "pickup": 3}})
    rest = [s.model_copy(update={"waiting": 0, "waiting_by_zone": {}}) for s in services[1:]]
    waiting = Catalog([first, *rest]).zone_waiting()
    assert waiting["approval"] == 1 and waiting["pickup"] == 3
    assert waiting[services[0].route[0]] == 2


def test_cache_round_trip_and_a_broken_cache(tmp_path: Path) -> None:
    """At night a service's `calls_from` is a datetime, and the save failed every time
    ("datetime is not JSON serializable"): a kiosk restarted at night with the server away
    had no papers to show. The hall is kept too (its time zone, languages, name)."""
    path = tmp_path / "cache" / "services.json"
    night = [s.model_copy(update={"calls_from": datetime(2026, 12, 8, 0, 30, tzinfo=UTC)})
             for s in catalog().services]
    hall = wire.HallOut(id="hjhq", name="杭锦后旗政务服务中心", timezone="Asia/Shanghai",
                        announce="请{number}号到{counter}办理", day_starts="00:00",
                        languages=["mn", "zh"])
    Catalog(night).save(path, "杭锦后旗政务服务中心", hall)
    loaded = Catalog.load(path)
    assert loaded is not None
    again, name, kept = loaded
    assert name == "杭锦后旗政务服务中心" and kept == hall
    assert again.services == night
    catalog().save(path, "杭锦后旗政务服务中心")  # no hall known yet
    unknown = Catalog.load(path)
    assert unknown is not None and unknown.hall is None
    path.write_text("{not json", encoding="utf-8")
    assert Catalog.load(path) is None
    assert Catalog.load(tmp_path / "missing.json") is None


def test_a_category_finds_its_services_after_the_names() -> None:
    """Pinyin initials, full pinyin, Chinese and English of a service's category find it, after
    every service whose own name matches; a single letter or letters inside a category's
    pinyin do not (they would find too much)."""
    c = Catalog(load_hall_sample(ROOT / "examples" / "hjhq.toml").services)
    for query in ("bdc", "BDCDJ", "budongchan", "不动产", "不动产登记"):
        found = [s.code for s in c.search(query)]
        assert found[-1] == "property-transfer" and len(found) == 3, (query, found)
    assert [s.category for s in c.search("sdqn")] == ["水电气暖"] * 4
    assert [s.code for s in c.search("ssdj")] == ["company-setup", "company-deregister"]
    assert "property-transfer" not in {s.code for s in c.search("b")}
    assert "company-setup" not in {s.code for s in c.search("sd")}  # 商事登记: s-s-d-j


def test_category_names_in_the_kiosks_language() -> None:
    hall = load_hall_sample(ROOT / "examples" / "hjhq.toml")
    c = Catalog(hall.services)
    assert c.categories()[:3] == ["咨询导办", "商事登记", "不动产登记"]
    assert [c.category_name(x, "en") for x in c.categories()[:3]] == [
        "Consultation", "Business", "Real estate"]
    assert c.category_name("商事登记", "zh") == "商事登记"
    assert c.category_name("商事登记", "mn") == "商事登记"  # the hall gave no Mongolian form
    plain = Catalog(sample.services())  # a hall without English category names
    assert plain.category_name(plain.categories()[0], "en") == plain.categories()[0]


def test_english_names_are_searched_by_word() -> None:
    """An English visitor types what the screen shows: "water" finds Water connection."""
    c = Catalog(load_hall_sample(ROOT / "examples" / "hjhq.toml").services)
    assert [s.code for s in c.search("water")] == ["water-connect"]
    assert [s.code for s in c.search("WATER")] == ["water-connect"]
    assert [s.code for s in c.search("Water conn")] == ["water-connect"]
    assert [s.code for s in c.search("waterconn")] == ["water-connect"]  # no space key
    # by name first, then by the category's English name (Real estate)
    assert [s.code for s in c.search("estate")] == ["property-mortgage", "property-general",
                                                    "property-transfer"]
    assert [s.code for s in c.search("mortgage")] == ["property-mortgage"]
    assert c.search("xylophone") == []
    assert [s.code for s in c.search("qykb")] == ["company-setup"]  # pinyin still first


def test_the_english_search_hint_names_english() -> None:
    from ui.i18n import tr

    assert "English" in tr("search_hint", "en") and "qykb" in tr("search_hint", "en")
