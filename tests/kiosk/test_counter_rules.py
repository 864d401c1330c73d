"""The counter pad's pure rules (kiosk/counter.py): which actions a counter may take, and how the
current ticket is shown."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk import counter_words as words
from kiosk.counter_view import allowed_actions, requeue_offer, ticket_view
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


def test_chinese_sentences_use_chinese_punctuation() -> None:
    """The server writes "," ":" "(" in its Chinese messages, and so did the pad's own words
    ("A001 已记录领取方式:邮寄"): the pad shows the full-width forms, English as it was."""
    said = "窗口的当前号已变化,请看清后再叫号 / the counter's ticket changed, look first"
    assert words.in_language(said, "zh") == "窗口的当前号已变化，请看清后再叫号"
    assert words.in_language(said, "en") == "The counter's ticket changed, look first"
    assert words.zh_punctuation("号码格式不对: 'A1'") == "号码格式不对：'A1'"
    assert words.zh_punctuation("请填写完整的邮寄地址(至少 5 个字)") == "请填写完整的邮寄地址（至少 5 个字）"
    assert words.zh_punctuation("A012 已转至 后台审批 · 12:30 (W01)") == (
        "A012 已转至 后台审批 · 12:30 (W01)")  # nothing Chinese around: left as it is
    assert words.delivery_recorded("A001", "mail", "zh") == "A001 已记录领取方式：邮寄"
    assert words.mail_dispatched("A001", "EMS", "EA1234567", "zh") == (
        "A001 已交寄 EMS，运单号 EA1234567")


def test_a_transfer_names_the_service_and_the_counter() -> None:
    """"B001 已转至 一窗受理" named the zone, after a transfer to 不动产抵押登记."""
    svc = wire.ServiceInfo(code="mortgage", name="不动产抵押登记", prefix="C", route=["intake"])
    w06 = wire.CounterInfo(code="W06", name="6号窗口 综合受理", zone="intake")
    moved = wire.TicketOut(id="t5", number="B001", service="mortgage", status="waiting",
                           zone="intake", issued_at=NOW)
    assert words.where_went("transfer", moved, "zh", [w06], {"mortgage": svc}) == (
        "B001 已转至 不动产抵押登记")
    sent = moved.model_copy(update={"counter": "W06"})
    assert words.where_went("transfer", sent, "zh", [w06], {"mortgage": svc}) == (
        "B001 已转给 6号窗口 综合受理（W06），办理 不动产抵押登记")
    assert words.where_went("finish", moved, "zh", [w06], {"mortgage": svc}) == "B001 已转至 一窗受理"
    back = moved.model_copy(update={"status": "serving"})
    assert words.where_went("undo-finish", back, "zh", undone="next") == (
        "B001 已撤销转下一环节，继续办理")
    assert words.where_went("undo-finish", back, "zh", undone="rejected") == (
        "B001 已撤销不予受理，继续办理")


def test_a_rejection_reason_up_to_a_template_s_colon_is_unfinished() -> None:
    for reason in ("", "  ", "材料不齐全，需补齐：", "材料不齐全,需补齐:", "Papers missing: "):
        assert words.reason_unfinished(reason), reason
    for reason in ("材料不齐全，需补齐：户口簿原件", "不属于本事项受理范围", "材料不全"):
        assert not words.reason_unfinished(reason), reason


def test_a_number_passed_in_this_zone_may_be_put_back_by_a_counter_that_serves_it() -> None:
    passed = wire.TicketOut(
        id="t7", number="B012", service="estate", status="no_show", zone="intake",
        issued_at=NOW, journey=[wire.StageOut(
            zone="intake", counter="W02", called_at=NOW + timedelta(minutes=20),
            ended_at=NOW + timedelta(minutes=23), outcome="no_show")])
    here = wire.CounterState(code="W01", name="1号窗口", zone="intake",
                             services=["company", "estate"])
    assert requeue_offer(passed, here) == "here"
    assert requeue_offer(passed, here.model_copy(update={"services": []})) == "here"
    assert requeue_offer(passed, here.model_copy(update={"services": ["company"]})) == \
        "not_served"
    assert requeue_offer(passed, here.model_copy(update={"zone": "consult"})) == ""
    assert requeue_offer(passed, None) == ""
    waiting = passed.model_copy(update={"status": "waiting", "journey": []})
    assert requeue_offer(waiting, here) == ""
    never_called = passed.model_copy(update={"journey": [wire.StageOut(
        zone="intake", outcome="no_show")]})  # a phone number never checked in
    assert requeue_offer(never_called, here) == ""
    tz = ZoneInfo("Asia/Shanghai")
    free = words.requeue_question(passed, True, "zh", tz)
    assert free.startswith("B012 已过号（10:23 · W02）。") and "在本窗口叫号" in free
    busy = words.requeue_question(passed, False, "en", tz)
    assert busy.startswith("B012 was passed (10:23 · W02).") and "called once" in busy
    assert words.where_went("requeue", passed.model_copy(update={"status": "waiting"}), "zh") \
        == "B012 已重新排队，排在后来的号前面"
    assert words.where_went("requeue", passed.model_copy(update={"status": "called"}), "en") \
        == "B012 (passed) called again at this counter"


def test_a_ticket_called_by_number_that_does_not_wait_here_is_said_plainly() -> None:
    passed = wire.TicketOut(
        id="t6", number="C001", service="s", status="ready", zone="pickup", issued_at=NOW,
        arrival_required=True, journey=[wire.StageOut(zone="pickup", outcome="no_show"),
                                        wire.StageOut(zone="pickup")])
    assert words.missed_call_text(passed, "zh") == ("C001 已过号，待取件", True)
    gone = passed.model_copy(update={"status": "no_show", "zone": "intake",
                                     "arrival_required": False})
    # passed in another zone (过号重排 is for a counter of that zone; this one was asked)
    assert words.missed_call_text(gone, "zh") == ("C001 在一窗受理过号，请到一窗受理窗口重新排队",
                                                  False)
    assert words.missed_call_text(gone, "en") == (
        "C001 was passed in One-window intake: a counter there puts it back in the queue", False)
    serving = passed.model_copy(update={"status": "serving", "zone": "intake", "counter": "W02",
                                        "arrival_required": False, "journey": []})
    assert words.missed_call_text(serving, "zh") == (
        "C001 不在本环节等候：办理中 · 一窗受理 · W02", False)
