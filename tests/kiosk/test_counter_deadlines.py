"""The counter pad's words for a deadline (办结时限) in the hall's dates, for a mail case leaving
approval, and for the tickets transferred to the counter."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk import counter_words as words
from queue_server import wire

TZ = ZoneInfo("Asia/Shanghai")
# 2026-12-04 23:59:59 in Beijing
DUE = datetime(2026, 12, 4, 15, 59, 59, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def test_where_a_deadline_stands_by_the_hall_s_dates() -> None:
    assert words.deadline_text(DUE, False, at("2026-12-02T09:00"), TZ, "zh") == (
        "12-04 23:59 · 剩 2 天", "left")
    assert words.deadline_text(DUE, False, at("2026-12-04T09:00"), TZ, "zh") == (
        "12-04 23:59 · 今日到期", "due_today")
    # 01:00 in Beijing is still the day before in UTC: the hall's date counts
    assert words.deadline_text(DUE, False, at("2026-12-07T01:00"), TZ, "zh") == (
        "12-04 23:59 · 已超期 3 天", "overdue")
    assert words.deadline_text(DUE, True, at("2026-12-05T00:30"), TZ, "en") == (
        "12-04 23:59 · overdue by 1 d (provisional)", "overdue")


def ticket(**kw: object) -> wire.TicketOut:
    return wire.TicketOut.model_validate({"id": "t", "number": "A002", "service": "s",
                                          "zone": "pickup", "issued_at": DUE, **kw})


def test_a_mail_case_leaving_approval_is_to_be_mailed() -> None:
    assert words.where_went("finish", ticket(status="ready", delivery="mail"), "zh") == \
        "A002 待寄送"
    assert words.where_went("finish", ticket(status="ready", delivery="mail"), "en") == \
        "A002: to be mailed"
    assert words.where_went("finish", ticket(status="ready", delivery="pickup"), "zh") == \
        "A002 待取件"


def test_tickets_transferred_to_the_counter_are_named_in_words() -> None:
    assert words.service_name(None, "_transferred", "zh") == "转给本窗口"
    assert words.service_name(None, "_transferred", "en") == "Transferred to this counter"


def test_papers_not_brought_in_time_read_with_the_period_s_date() -> None:
    """A line of the approval post's list for a case whose papers did not come in the hall's
    period (逾期未补正): the server's word and the period's end, in the hall's dates."""
    assert words.case_state_text(DUE, "papers_overdue", TZ, "zh", short=True) == "逾期未补正 · 12-04"
    assert words.case_state_text(DUE, "papers_overdue", TZ, "en", short=True) == \
        "papers not brought · 12-04"
