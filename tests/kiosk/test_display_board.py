"""The call board's pure state (kiosk/display.py `Board`): current call, recent calls, recalls,
zone filtering, day rollover and waiting counts."""

from datetime import UTC, datetime

from kiosk.display import Board
from queue_server import wire

AT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def ev(id_: int, type_: str = "ticket.called", **payload: object) -> wire.Event:
    return wire.Event.model_validate({"id": id_, "type": type_, "at": AT.isoformat(),
                                      "hall": "hjhq", **payload})


def called(id_: int, number: str, counter: str = "W01", zone: str = "intake",
           type_: str = "ticket.called") -> wire.Event:
    return ev(id_, type_, number=number, counter=counter, counter_name=f"{counter}窗口",
              zone=zone, ticket=f"t{id_}")


def test_new_call_becomes_current_and_pushes_the_last_into_history() -> None:
    b = Board()
    assert b.apply(called(1, "A001"))
    assert b.apply(called(2, "B001", "W02"))
    assert b.current is not None and (b.current.number, b.current.counter_name) == ("B001",
                                                                                  "W02窗口")
    assert [c.number for c in b.history] == ["A001"]
    assert b.last_id == 2


def test_recall_of_the_current_number_stays_current_and_is_marked() -> None:
    b = Board()
    b.apply(called(1, "A001"))
    b.apply(called(2, "A001", type_="ticket.recalled"))
    assert b.current is not None and b.current.recall and b.history == []


def test_history_keeps_each_number_once_and_a_bounded_length() -> None:
    b = Board(keep=3)
    for i, n in enumerate(["A1", "A2", "A3", "A4", "A2", "A5"], start=1):
        b.apply(called(i, n, f"W{i:02d}"))
    assert [c.number for c in b.history] == ["A2", "A4", "A3"]
    assert b.current is not None and b.current.number == "A5"


def test_history_keeps_a_line_a_counter() -> None:
    """One busy counter calling one number after another filled the six lines of 最近呼叫,
    and the other counters' numbers left the board while their holders were on the way
    (the display's duty officer, an outside check): each counter keeps its latest call."""
    b = Board(keep=6)
    b.apply(called(1, "B001", "W02"))
    for i, n in enumerate(["A001", "A002", "A003", "A004", "A005", "A006", "A007"], start=2):
        b.apply(called(i, n, "W01"))
    # W01's line is its current call (正在呼叫), B001 still under 最近呼叫
    assert [(c.number, c.counter) for c in b.history] == [("B001", "W02")]
    assert b.current is not None and b.current.number == "A007"
    b.apply(called(9, "B002", "W02"))  # W02's line moves up to the current call
    assert [(c.number, c.counter) for c in b.history] == [("A007", "W01")]


def test_zone_board_ignores_calls_of_other_zones() -> None:
    b = Board(zones=("pickup",))
    assert not b.apply(called(1, "A001", zone="intake"))
    assert b.current is None
    assert b.apply(called(2, "D001", "P01", zone="pickup"))
    assert not b.apply(ev(3, "ticket.issued", number="A002"))
    assert b.last_id == 3


def test_the_hall_board_neither_shows_nor_says_back_office_calls() -> None:
    """Approval posts call cases to work on them, not citizens to a counter."""
    hall = Board()
    assert not hall.apply(called(1, "B001", "H01", zone="approval"))
    assert hall.current is None
    assert hall.apply(called(2, "B001", "P01", zone="pickup"))
    back_office = Board(zones=("approval",))
    assert back_office.apply(called(3, "B002", "H01", zone="approval"))


def test_day_rollover_clears_the_board() -> None:
    b = Board()
    b.apply(called(1, "A001"))
    b.apply(called(2, "A002"))
    assert b.apply(ev(3, "day.rolled"))
    assert b.current is None and b.history == []


def counter(code: str, zone: str, waiting: dict[str, int]) -> wire.CounterState:
    return wire.CounterState(code=code, name=code, zone=zone, services=list(waiting),
                             waiting=waiting)


def test_waiting_per_zone_for_the_hall_and_per_service_for_a_zone() -> None:
    counters = [counter("W01", "intake", {"company": 4, "estate": 2}),
                counter("W02", "intake", {"company": 4}),
                counter("P01", "pickup", {"company": 1})]
    names = {"company": "企业开办", "estate": "不动产登记"}
    hall = Board()
    hall.set_waiting(counters, names)
    assert hall.waiting == [("一窗受理", 6), ("出件", 1)]
    zone = Board(zones=("intake",))
    zone.set_waiting(counters, names)
    assert zone.waiting == [("企业开办", 4), ("不动产登记", 2)]
    more = [counter("W01", "intake", {"company": 1, "estate": 7}),
            counter("P01", "pickup", {"company": 9})]
    hall.set_waiting(more, names)  # more people: the chips keep the configured order
    assert hall.waiting == [("一窗受理", 8), ("出件", 9)]
    zone.set_waiting(more, names)
    assert zone.waiting == [("企业开办", 1), ("不动产登记", 7)]



def test_the_back_office_and_tickets_sent_to_a_counter_are_counted_as_people_waiting() -> None:
    """The display's duty officer, an outside check: the hall board counted the approval queue
    as people waiting in the hall, and a zone board showed the server's key "_transferred"."""
    counters = [counter("W01", "intake", {"company": 4, "_transferred": 1}),
                counter("W02", "intake", {"company": 4, "_transferred": 2}),
                counter("H01", "approval", {"company": 30})]
    names = {"company": "企业开办"}
    hall = Board()
    hall.set_waiting(counters, names)
    assert hall.waiting == [("一窗受理", 7)]  # 4 in the queue, 3 sent to W01 and W02
    zone = Board(zones=("intake",))
    zone.set_waiting(counters, names)
    assert zone.waiting == [("企业开办", 4), ("转窗口办理", 3)]
    back = Board(zones=("approval",))  # the back office's own screen shows its queue
    back.set_waiting(counters, names)
    assert back.waiting == [("企业开办", 30)]


def test_a_call_whose_ticket_left_the_counter_is_no_longer_shown_as_called() -> None:
    """A003 missed (过号), or A007 handed out minutes ago, stood large as "now calling"."""
    b = Board()
    b.apply(called(1, "A001"))
    b.apply(called(2, "A002", "W02"))
    assert not b.apply(ev(3, "ticket.no_show", number="A001", counter="W01"))  # not current
    assert b.apply(ev(4, "ticket.no_show", number="A002", counter="W02"))
    assert b.current is None and [c.number for c in b.history] == ["A002", "A001"]
    b.apply(called(5, "A003"))
    assert not b.apply(ev(6, "ticket.finished", number="A003", counter="W09"))  # elsewhere
    assert b.apply(ev(7, "ticket.finished", number="A003", counter="W01", outcome="done"))
    assert b.current is None and [c.number for c in b.history][:1] == ["A003"]


def test_the_board_leaves_out_a_bank_branch_s_applications() -> None:
    """等候人数 counted the applications a bank branch forwarded, their holders at home: the
    counter state's `waiting_away` says how many of `waiting` they are."""
    b = Board(zones=("intake",))
    state = wire.CounterState(code="W02", name="2号窗口", zone="intake", services=["case"],
                              waiting={"case": 3}, waiting_away={"case": 1})
    b.set_waiting([state], {"case": "企业开办"})
    assert b.waiting == [("企业开办", 2)]
    hall = Board()
    hall.set_waiting([state], {"case": "企业开办"})
    assert dict(hall.waiting)["一窗受理"] == 2
