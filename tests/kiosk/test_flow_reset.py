"""Idle reset forgets the citizen; the offline path pauses numbers, keeps the papers lists
readable from the cache, and recovers by itself when the server returns."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from kiosk import states as st
from tests.kiosk.conftest import MakeFlow, present_card
from tests.kiosk.hall import PIN, Hall

ZHANG = ("150826194811050019", "张宝山")


def strings_in(obj: Any, seen: set[int] | None = None, depth: int = 0) -> list[str | bytes]:
    """Every str and bytes reachable from `obj` through our own objects and containers."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 8:
        return []
    seen.add(id(obj))
    if isinstance(obj, str | bytes):
        return [obj]
    out: list[str | bytes] = []
    if isinstance(obj, dict):
        items = list(obj.keys()) + list(obj.values())
    elif isinstance(obj, list | tuple | set | frozenset):
        items = list(obj)
    elif dataclasses.is_dataclass(obj) or hasattr(obj, "model_dump") or type(obj).__module__.startswith("kiosk"):
        items = list(vars(obj).values())
    else:
        return []
    for item in items:
        out += strings_in(item, seen, depth + 1)
    return out


def test_idle_reset_forgets_every_personal_datum(make_flow: MakeFlow, qtbot: Any) -> None:
    flow = make_flow(camera="sim://camera?seed=2&scene=page")
    flow.start()
    flow.choose_service("company-setup")
    flow.set_language("en")
    flow.set_elderly(True)
    flow.take_number(scan_first=True)
    present_card(flow, 1)
    qtbot.waitUntil(lambda: flow.state == st.SCAN, timeout=20000)
    flow.scanning.capture()
    qtbot.waitUntil(lambda: flow.state == st.REVIEW, timeout=25000)
    flow.scanning.keep()
    page, card = flow.data.pages[0].jpeg, flow.data.card
    assert card is not None and card.masked_name.startswith("张") and "*" in card.masked_name
    secrets = (ZHANG[0], ZHANG[1], card.masked_name, card.masked_number, page)
    found = strings_in(flow)
    assert all(s in found for s in secrets)  # the walker does see them while the citizen is here
    flow.idle.idle_ms, flow.idle.countdown_s = 100, 2
    flow.idle._tick.setInterval(50)
    flow.touch()
    qtbot.waitUntil(lambda: flow.countdown is not None, timeout=3000)
    qtbot.waitUntil(lambda: flow.state == st.ATTRACT, timeout=3000)
    left = strings_in(flow)
    for secret in secrets:
        assert not any(secret in s for s in left if type(s) is type(secret)), secret
    assert flow.lang == "zh" and not flow.elderly and flow.data.service is None
    assert flow.scanning.last is None


def test_a_touch_during_the_countdown_keeps_the_citizen(make_flow: MakeFlow, qtbot: Any) -> None:
    flow = make_flow()
    flow.start()
    flow.choose_service("water-connect")
    flow.idle.idle_ms, flow.idle.countdown_s = 100, 30
    flow.touch()
    qtbot.waitUntil(lambda: flow.countdown is not None, timeout=3000)
    flow.touch()
    assert flow.countdown is None and flow.state == st.DETAIL


def test_senior_mode_gives_every_step_twice_the_time(make_flow: MakeFlow, qtbot: Any) -> None:
    """Senior mode had the same 60 s, 10 s countdown, 20 s ticket screen and 30 s for the card
    as anyone, while its spoken papers list alone took up to 30 s (an outside check)."""
    from kiosk.idle import SENIOR_PATIENCE

    flow = make_flow()
    flow.start()
    flow.choose_service("water-connect")
    standard = flow.idle._idle.interval()
    flow.set_elderly(True)
    flow.touch()
    assert flow.idle._idle.interval() == standard * SENIOR_PATIENCE == 2 * standard
    flow.idle.idle_ms = 50
    flow.touch()
    qtbot.waitUntil(lambda: flow.countdown is not None, timeout=3000)
    assert flow.countdown == flow.idle.countdown_s * SENIOR_PATIENCE
    flow.touch()
    flow.set_elderly(False)
    flow.idle.idle_ms = 60_000
    flow.touch()
    assert flow.idle._idle.interval() == 60_000


@pytest.mark.slow
def test_server_away_pauses_numbers_and_comes_back(make_flow: MakeFlow, qtbot: Any,
                                                   hall: Hall) -> None:
    flow = make_flow()
    flow.link._retry.setInterval(300)
    flow.start()
    assert flow.state == st.SERVICES
    hall.kill()
    try:
        qtbot.waitUntil(lambda: flow.state == st.OFFLINE, timeout=25000)
        assert not flow.online
        flow.offline_detail("company-setup")  # the cached papers list is still readable
        assert flow.state == st.DETAIL and flow.service is not None
        assert "公司章程" in flow.service.materials
        flow.take_number()
        assert flow.state == st.DETAIL and flow.data.ticket is None  # no number while away
        flow.back()
        assert flow.state == st.OFFLINE
    finally:
        hall.start()
    qtbot.waitUntil(lambda: flow.state == st.ATTRACT and flow.online, timeout=20000)


def test_cached_papers_survive_a_restart_without_server(make_flow: MakeFlow, qtbot: Any,
                                                        hall: Hall, tmp_path: Any) -> None:
    first = make_flow()
    cache = first.link.cache_path
    qtbot.waitUntil(lambda: cache is not None and cache.exists(), timeout=5000)
    from kiosk.catalog import Catalog

    loaded = Catalog.load(cache)
    assert loaded is not None
    catalog, name, hall = loaded
    assert name == "测试政务服务中心" and hall is not None and hall.name == name
    assert [s.code for s in catalog.services] == [s.code for s in first.link.catalog.services]


def test_attract_waiting_counts_follow_the_event_stream(make_flow: MakeFlow, qtbot: Any,
                                                         hall: Hall) -> None:
    flow = make_flow()
    before = flow.zone_waiting()["intake"]
    changed: list[int] = []
    flow.changed.connect(lambda: changed.append(1))
    hall.api("POST", "/tickets", hall.kiosk_token, {"service": "water-connect"},
             {"Idempotency-Key": "live-count"})
    qtbot.waitUntil(lambda: flow.zone_waiting()["intake"] == before + 1, timeout=20000)
    assert changed  # the attract screen was told to redraw


def test_services_reload_when_a_counter_pauses(make_flow: MakeFlow, qtbot: Any,
                                               hall: Hall) -> None:
    """A paused counter changes who is served and the estimated waits: the kiosk reloads its
    services on `counter.paused` as on the queue's own events (wire.WAITING_EVENTS)."""
    flow = make_flow()
    seen: list[str] = []
    flow.link.event.connect(lambda e: seen.append(e.type))
    staff = hall.api("POST", "/auth/login", hall.counter_token,
                     {"staff": "s001", "pin": PIN, "counter": "W01"}).json()["token"]
    # caught up with today's events (staff.login changes no count) and no reload pending
    qtbot.waitUntil(lambda: "staff.login" in seen and not flow.link._refresh.isActive(),
                    timeout=20000)
    armed: list[bool] = []
    flow.link.event.connect(lambda e: e.type == "counter.paused"
                            and armed.append(flow.link._refresh.isActive()))
    reloaded: list[int] = []
    flow.link.servicesChanged.connect(lambda: reloaded.append(1))
    try:
        assert hall.api("POST", "/counters/W01/pause", staff, {"reason": "test"}).status_code == 200
        qtbot.waitUntil(lambda: armed == [True] and bool(reloaded), timeout=20000)
    finally:
        hall.api("POST", "/counters/W01/resume", staff, {})
