"""限时办结 on the counter pad: a `case.alert` event for the counter holding the case becomes a
notice (number, state, deadline); other counters' alerts and other events do not."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.counter_view import case_alert_text
from queue_server import wire

AT = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


def alert(**payload: object) -> wire.Event:
    return wire.Event.model_validate({"id": 9, "type": "case.alert", "at": AT, "hall": "t1",
                                      "ticket": "x", "number": "B001", "service": "case",
                                      "deadline": "2026-12-04T15:59:59+00:00",
                                      "zone": "approval", **payload})


def test_the_holding_counter_gets_the_alert_in_both_languages() -> None:
    text = case_alert_text(alert(kind="overdue", counter="W03", staff="s002"), "W03")
    assert text is not None
    assert text.startswith("限时办结：B001 已超期") and "Deadline: B001 overdue" in text
    local = datetime(2026, 12, 4, 15, 59, 59, tzinfo=UTC).astimezone().strftime("%m-%d %H:%M")
    assert local in text
    assert "今日到期" in (case_alert_text(alert(kind="due_today", counter="W03"), "W03") or "")
    # in the hall's time, whatever the pad's own zone (a pad set to UTC said 15:59)
    hall = case_alert_text(alert(kind="overdue", counter="W03"), "W03", (),
                           ZoneInfo("Asia/Shanghai"))
    assert hall is not None and "12-04 23:59" in hall


def test_other_counters_and_other_events_get_nothing() -> None:
    assert case_alert_text(alert(kind="overdue", counter="W04"), "W03") is None
    assert case_alert_text(alert(kind="overdue", counter=None), "W03") is None
    called = wire.Event.model_validate({"id": 1, "type": "ticket.called", "at": AT,
                                        "hall": "t1", "counter": "W03"})
    assert case_alert_text(called, "W03") is None


def test_a_queued_case_s_alert_goes_to_the_approval_counters_that_may_call_it() -> None:
    """`counter` is null while the case waits: the approval counters serving its service are
    told (none was before, so no pad ever showed such an alert)."""
    queued = alert(kind="overdue", counter=None)
    text = case_alert_text(queued, "W03", {"case"})
    assert text is not None and text.startswith("限时办结：B001 已超期")
    assert case_alert_text(queued, "W03", {"other"}) is None
    assert case_alert_text(alert(kind="overdue", counter="W04"), "W03", {"case"}) is None


def test_papers_not_brought_in_time_are_said_to_the_posts_of_the_service() -> None:
    """逾期未补正: the case waits in intake for its holder (`zone` intake, no counter); the
    approval posts of its service are told, with the end of the hall's period for papers."""
    lapsed = alert(kind="papers_overdue", counter=None, zone="intake")
    text = case_alert_text(lapsed, "W03", {"case"}, ZoneInfo("Asia/Shanghai"))
    assert text == ("限时办结：B001 逾期未补正（时限 12-04 23:59） / Deadline: B001 papers not "
                    "brought (by 12-04 23:59)")
    assert case_alert_text(lapsed, "W03", {"other"}) is None
