"""The counter pad's pure rules (kiosk/counter.py): which actions a counter may take, and how the
current ticket is shown."""

from datetime import UTC, datetime, timedelta

from kiosk.counter import allowed_actions, ticket_view
from queue_server import wire

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_actions_follow_the_current_ticket() -> None:
    assert allowed_actions(None, False) == {"call-next", "call", "pause"}
    assert allowed_actions("called", False) == {"recall", "no-show", "start", "transfer", "pause",
                                                "hold"}
    assert allowed_actions("serving", False) == {"finish", "transfer", "pause", "hold"}
    assert allowed_actions(None, True) == {"resume"}
    assert "call-next" not in allowed_actions("serving", True)


def test_ticket_view_has_papers_priority_and_time_waited_until_called() -> None:
    svc = wire.ServiceInfo(code="company", name="企业开办", prefix="A", route=["intake"],
                           materials=["公司章程", "住所使用证明"])
    t = wire.TicketOut(id="t1", number="A012", service="company", status="called", zone="intake",
                       issued_at=NOW - timedelta(minutes=30), priority=True,
                       priority_reason="elderly", masked_name="王*",
                       journey=[wire.StageOut(zone="intake", called_at=NOW - timedelta(minutes=5))])
    v = ticket_view(t, {"company": svc}, NOW)
    assert (v.number, v.service_name, v.waited_min) == ("A012", "企业开办", 25)
    assert v.materials == ["公司章程", "住所使用证明"]
    assert v.priority and v.priority_reason == "elderly" and v.masked_name == "王*"


def test_ticket_view_of_an_unknown_service_still_shows() -> None:
    t = wire.TicketOut(id="t2", number="Z001", service="gone", status="serving", zone="intake",
                       issued_at=NOW - timedelta(minutes=3))
    v = ticket_view(t, {}, NOW)
    assert (v.service_name, v.materials, v.waited_min) == ("gone", [], 3)


def test_ticket_view_in_english_with_the_zones_left() -> None:
    svc = wire.ServiceInfo(code="company", name="企业开办", prefix="A",
                           route=["intake", "approval", "pickup"], materials=["公司章程"],
                           name_en="Company setup", materials_en=["Articles of association"])
    t = wire.TicketOut(id="t3", number="A013", service="company", service_name="企业开办",
                       status="serving", zone="intake", issued_at=NOW)
    v = ticket_view(t, {"company": svc}, NOW, "en")
    assert (v.service_name, v.materials) == ("Company setup", ["Articles of association"])
    assert v.zones_left == ["approval", "pickup"]
    assert ticket_view(t, {"company": svc}, NOW).service_name == "企业开办"


def test_the_deadline_shows_while_the_approval_runs_not_at_pickup() -> None:
    """A case approved in time read "已超期 N 个工作日" at the pickup counter days later: the
    approval's time limit is shown while it runs."""
    svc = wire.ServiceInfo(code="company", name="企业开办", prefix="A",
                           route=["intake", "approval", "pickup"])
    due = NOW - timedelta(days=3)  # approved on the day; collected three days after
    for zone, shown in (("approval", due), ("pickup", None)):
        t = wire.TicketOut(id="t4", number="A014", service="company", status="called",
                           zone=zone, issued_at=NOW - timedelta(days=5), deadline=due,
                           workdays_left=-3)
        assert ticket_view(t, {"company": svc}, NOW).deadline == shown, zone
