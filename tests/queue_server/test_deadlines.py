"""Where a deadline stands: overdue, due today, soon (in working days), on track."""

from __future__ import annotations

from datetime import UTC, datetime

from queue_server.domain.deadlines import case_state, is_late

TZ = "Asia/Shanghai"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_states_by_local_date_and_working_days() -> None:
    friday = at("2026-12-04T10:00:00+08:00")
    assert case_state(at("2026-12-04T09:59:59+08:00"), friday, TZ, 1) == "overdue"
    assert case_state(at("2026-12-04T23:59:59+08:00"), friday, TZ, 1) == "due_today"
    # the next working day after Friday is Monday: Monday is "soon", Tuesday is not
    assert case_state(at("2026-12-07T23:59:59+08:00"), friday, TZ, 1) == "soon"
    assert case_state(at("2026-12-08T23:59:59+08:00"), friday, TZ, 1) == "on_track"
    assert case_state(at("2026-12-08T23:59:59+08:00"), friday, TZ, 2) == "soon"
    assert case_state(at("2026-12-07T23:59:59+08:00"), friday, TZ, 0) == "on_track"
    # 16:30 UTC on the 3rd is already the 4th in Beijing
    assert case_state(at("2026-12-04T23:59:59+08:00"),
                      datetime(2026, 12, 3, 16, 30, tzinfo=UTC), TZ, 0) == "due_today"


def test_a_step_is_late_when_done_or_still_open_past_its_deadline() -> None:
    due = at("2026-12-04T23:59:59+08:00")
    assert not is_late(due, None, at("2026-12-04T12:00:00+08:00"))
    assert is_late(due, None, at("2026-12-05T00:00:00+08:00"))
    assert is_late(due, at("2026-12-05T09:00:00+08:00"), at("2026-12-05T10:00:00+08:00"))
    assert not is_late(due, at("2026-12-04T09:00:00+08:00"), at("2026-12-09T10:00:00+08:00"))
