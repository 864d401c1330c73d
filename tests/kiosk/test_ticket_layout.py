"""What the kiosk hands its printer (`kiosk.ticketing.ticket_layout`): an English visitor's
ticket carries the service's English name and papers under the Chinese; a number taken while the
hall is closed says when calling starts (the server's `calls_from`, in the hall's time zone);
a bank branch's application forwarded to the hall carries the hall's number and QR code."""

from __future__ import annotations

from datetime import UTC, datetime

from devices.printer.layout import ticket_bytes
from kiosk import sample
from kiosk.ticketing import calls_from, forwarded_to, ticket_layout
from queue_server import wire

SERVICE = wire.ServiceInfo(code="gas-connect", name="用气报装", prefix="H", route=["intake"],
                           materials=["小区电子版设计图(住宅小区开发商)"], name_en="Gas connection",
                           materials_en=["Estate design drawings in electronic form (developers)"])
# 04:41 in the hall (UTC+8); the hall opens at 08:30
NIGHT = wire.TicketIssued(id="t1", number="H001", service="gas-connect", zone="intake", ahead=0,
                          estimated_wait_s=0, issued_at=datetime(2026, 12, 6, 20, 41, tzinfo=UTC),
                          track_url="http://127.0.0.1:8750/t/t1", hall_name="杭锦后旗政务服务中心",
                          service_name="用气报装", calls_from=datetime(2026, 12, 7, 0, 30,
                                                                     tzinfo=UTC))


def words(job: bytes) -> str:
    return "".join(job.decode("gb18030").split())  # every byte decodes; lines may break


def test_an_english_visitors_ticket_has_the_english_under_the_chinese() -> None:
    papers = tuple(SERVICE.materials)
    layout = ticket_layout(NIGHT, "杭锦后旗政务服务中心", "用气报装", None, "Asia/Shanghai",
                           materials=papers, english=SERVICE)
    assert layout.service_name_en == "Gas connection"
    assert layout.materials_en == tuple(SERVICE.materials_en or ())
    for paper in (58, 80):
        from dataclasses import replace

        text = words(ticket_bytes(replace(layout, width_mm=paper)))
        assert text.index("用气报装") < text.index("Gasconnection")
        assert text.index("1.小区电子版设计图") < text.index("Estatedesigndrawings")
    chinese = ticket_layout(NIGHT, "杭锦后旗政务服务中心", "用气报装", None, "Asia/Shanghai",
                            materials=papers)
    assert chinese.service_name_en is None and chinese.materials_en == ()


def test_a_night_number_says_when_calling_starts_in_the_halls_time() -> None:
    start = calls_from(NIGHT, "Asia/Shanghai")
    assert start is not None and (start.hour, start.minute) == (8, 30)
    layout = ticket_layout(NIGHT, "杭锦后旗政务服务中心", "用气报装", None, "Asia/Shanghai")
    text = words(ticket_bytes(layout))
    assert "大厅08:30开始叫号" in text and "Callingstartsat08:30" in text
    assert "前面没有人在等候" not in text and "Youarenext" not in text
    # an open hall: as before
    day = NIGHT.model_copy(update={"calls_from": None})
    assert calls_from(day, "Asia/Shanghai") is None
    assert "前面没有人在等候" in words(ticket_bytes(ticket_layout(day, "", "", None)))


def test_a_forwarded_application_prints_the_halls_number() -> None:
    branch = sample.ticket("bank")
    hall = sample.hall_ticket()
    layout = ticket_layout(branch, "", "企业开办", "农业银行", "Asia/Shanghai", forwarded=hall)
    assert layout.number == "A001" and layout.track_url == hall.track_url
    text = words(ticket_bytes(layout))
    assert "您的申请已转交杭锦后旗政务服务中心一窗受理" in text and "号码A001" in text
    assert "前面" not in text


def test_forwarded_to_reads_a_model_a_mapping_or_nothing() -> None:
    out = sample.results()[0]
    assert forwarded_to(out) is None
    where = {"ticket": "x", "number": "A001", "hall": "hjhq", "hall_name": "杭锦后旗政务服务中心",
             "track_url": "http://h/t/x"}
    forwarded = out.model_copy(update={"status": "forwarded",
                                       "forwarded_to": wire.ForwardedTo(**where)})
    assert forwarded_to(forwarded) == where
    assert forwarded_to(out.model_copy(update={"forwarded_to": where})) == where


def test_a_priority_ticket_is_laid_out_with_its_mark() -> None:
    """The server's `priority` goes on the paper (优先 Priority under the number); a bank branch's
    forwarded application carries the hall ticket's."""
    priority = sample.ticket()
    assert priority.priority
    layout = ticket_layout(priority, "杭锦后旗政务服务中心", "企业开办", None, "Asia/Shanghai")
    assert layout.priority and "优先Priority" in words(ticket_bytes(layout))
    plain = ticket_layout(NIGHT, "杭锦后旗政务服务中心", "用气报装", None, "Asia/Shanghai")
    assert not plain.priority and "优先" not in words(ticket_bytes(plain))
    forwarded = ticket_layout(priority, "农业银行", "企业开办", None, "Asia/Shanghai",
                              forwarded=sample.hall_ticket())
    assert not forwarded.priority  # the hall's ticket is a normal one
