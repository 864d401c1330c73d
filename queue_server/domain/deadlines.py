"""Where a promised deadline stands (限时办结 and the steps of a bad rating's follow-up): pure
functions of the deadline, the hall's clock and its working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.workdays import Due, WorkCalendar, add_workdays, deadline

OVERDUE, DUE_TODAY, SOON, ON_TRACK = "overdue", "due_today", "soon", "on_track"
# 逾期未补正: a case sent back for papers whose holder has not brought them by the hall's period
PAPERS_OVERDUE = "papers_overdue"


def case_state(deadline: datetime, now: datetime, tz: str, soon_workdays: int,
               calendar: WorkCalendar | None = None) -> str:
    """`overdue` past the deadline; `due_today` when it falls on today's local date; `soon`
    when it falls within the next `soon_workdays` working days; else `on_track`."""
    if deadline < now:
        return OVERDUE
    zone = ZoneInfo(tz)
    today, due = now.astimezone(zone).date(), deadline.astimezone(zone).date()
    if due <= today:
        return DUE_TODAY
    if soon_workdays > 0 and due <= add_workdays(today, soon_workdays,
                                                 calendar or WorkCalendar())[0]:
        return SOON
    return ON_TRACK


def _workdays_after(first: date, last: date, calendar: WorkCalendar) -> int:
    """The working days in (first, last]."""
    return sum(calendar.is_workday(first + timedelta(days=n))
               for n in range(1, (last - first).days + 1))


def workdays_left(deadline: datetime, now: datetime, tz: str, calendar: WorkCalendar) -> int:
    """Where `deadline` stands in the hall's working days (限时办结 is promised in them): the
    working days after today up to its date (a case due Monday seen on Friday: 1), 0 when it
    falls today, and past it minus the working days since its date up to today (at least -1:
    seen on the Saturday after a Friday deadline it is overdue, by less than a working day).
    Dates are the hall's local ones."""
    zone = ZoneInfo(tz)
    today, due = now.astimezone(zone).date(), deadline.astimezone(zone).date()
    if deadline < now:
        return -max(1, _workdays_after(due, today, calendar))
    if due <= today:
        return 0
    return _workdays_after(today, due, calendar)


def is_late(due: datetime, done: datetime | None, now: datetime) -> bool:
    """A step is late when it was done after its deadline, or is still open past it."""
    return (done or now) > due


def resumed(due: Due, since: datetime, now: datetime, tz: str, calendar: WorkCalendar) -> Due:
    """补正时间不计入办结时限: the promised date of a case back from 补正 moves on by the working
    days it waited for its papers, those after the day it was sent back up to the day they came
    (sent back on Monday, papers in on Wednesday: two). Papers in the same day move nothing."""
    zone = ZoneInfo(tz)
    waited = _workdays_after(since.astimezone(zone).date(), now.astimezone(zone).date(),
                             calendar)
    if waited <= 0:
        return due
    moved = deadline(due.at.astimezone(zone).date(), waited, tz, calendar)
    return Due(moved.at, due.provisional or moved.provisional)


def papers_by(asked_on: date, workdays: int, tz: str, calendar: WorkCalendar) -> Due | None:
    """补正期限: the end of the `workdays`-th working day after the business day a case was
    sent back for papers (`asked_on`; sent back on Monday with 5: the Monday after, 23:59:59),
    by which its holder is asked to bring them; None when the hall sets no period (0)."""
    if workdays <= 0:
        return None
    return deadline(asked_on, workdays, tz, calendar)

