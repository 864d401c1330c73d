"""Ticket bytes checked against golden files and read back by an independent interpreter (npos):
every text run decodes, the Chinese is there, the QR payload is the tracking link, it is cut."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer.charset import columns
from devices.printer.cli import sample_ticket
from devices.printer.layout import PRIVACY_LINE, TicketLayout, ticket_bytes
from devices.printer.simulator import PrinterSimulator
from tests.devices.printer.conftest import GOLDEN
from tests.devices.printer.preview import render

CASES = [  # (golden name, profile, paper): native QR + cutter, image QR with and without cutter
    ("ticket-80-default", "default", 80),
    ("ticket-58-default", "default", 58),
    ("ticket-80-TH230", "TH230", 80),
    ("ticket-58-ZJ-5870", "ZJ-5870", 58),
]
UPDATE = os.environ.get("KUAIBAN_UPDATE_GOLDEN") == "1"


def summary(read: dict[str, Any]) -> dict[str, Any]:
    """What npos read, without pixel data: commands, text runs, QR payloads, image sizes, cuts."""
    return {
        "commands": [c["name"] for c in read["commands"]],
        "texts": read["texts"],
        "qr": read["qr"],
        "rasters": [[len(r), len(r[0]) if r else 0] for r in read["rasters"]],
        "cuts": read["cuts"],
    }


def qr_from_raster(rows: list[str]) -> str:
    dots = np.array([[0 if c == "1" else 255 for c in row] for row in rows], dtype=np.uint8)
    dots = cv2.copyMakeBorder(dots, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    return cv2.QRCodeDetector().detectAndDecode(dots)[0]


@pytest.mark.parametrize(("name", "profile", "paper"), CASES)
def test_bytes_match_golden_file(ticket: TicketLayout, name: str, profile: str, paper: int) -> None:
    data = ticket_bytes(dataclasses.replace(ticket, width_mm=paper), profile)
    path = GOLDEN / f"{name}.bin"
    if UPDATE:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name}: bytes changed; KUAIBAN_UPDATE_GOLDEN=1 after review"


@pytest.mark.parametrize(("name", "profile", "paper"), CASES)
def test_npos_reads_the_ticket(
    ticket: TicketLayout, npos_read: Callable[[bytes], dict[str, Any]], name: str, profile: str,
    paper: int,
) -> None:
    data = ticket_bytes(dataclasses.replace(ticket, width_mm=paper), profile)
    read = npos_read(data)
    text = "".join(read["texts"])
    assert not read["replacement"] and "\ufffd" not in text
    joined = text.replace("\n", "")
    for expected in ("杭锦后旗政务服务中心", "农业银行陕坝支行", "一窗受理", "社会保障卡申领", "A023",
                     "前面还有 3 人", "预计等候约 12 分钟", "取号时间 Issued 2026-11-25 09:30", "证件 ID 1508**********123X",
                     "本票据不含完整证件号码", "扫码查看进度"):
        assert expected in joined, expected
    names = [c["name"] for c in read["commands"]]
    assert names[:2] == ["ESC@", "FS&"], "initialise, then Chinese mode before any text"
    if profile == "default":
        assert read["qr"] == [ticket.track_url] and read["rasters"] == []
    else:
        assert read["qr"] == [] and len(read["rasters"]) == 1
        assert qr_from_raster(read["rasters"][0]) == ticket.track_url
    assert read["cuts"] == (0 if profile == "ZJ-5870" else 1)
    if profile == "ZJ-5870":  # no cutter: fed out to the tear bar instead
        assert names[-2:] == ["ESCd", "ESCd"]
    else:
        assert names[-1] == "GSV"
    golden = GOLDEN / f"{name}.npos.json"
    if UPDATE:
        golden.write_text(json.dumps(summary(read), ensure_ascii=False, indent=1) + "\n")
    assert summary(read) == json.loads(golden.read_text(encoding="utf-8"))


def test_number_is_printed_large(ticket: TicketLayout) -> None:
    for paper, size in ((80, 0x55), (58, 0x33)):  # GS ! : 6x6 on 80 mm, 4x4 on 58 mm
        data = ticket_bytes(dataclasses.replace(ticket, width_mm=paper))
        assert b"\x1d!" + bytes([size]) + b"\x1bE\x01\x1c!\x0cA023\n" in data


def test_gbk_profile_never_sends_four_byte_sequences(ticket: TicketLayout) -> None:
    odd = dataclasses.replace(ticket, hall_name="𠀾𡈼政务 ¥5 € café", width_mm=58)
    gbk = ticket_bytes(odd, "ZJ-5870")
    assert "￥5".encode("gbk") in gbk and b"EUR" in gbk and "café".encode("gbk") in gbk
    assert "𠀾".encode("gb18030") not in gbk and b"??" in gbk
    assert "𠀾".encode("gb18030") in ticket_bytes(odd, "default")


def test_the_papers_to_bring_are_printed_numbered(ticket: TicketLayout) -> None:
    """examples/hjhq.toml: `materials` is the papers list the kiosk shows and prints."""
    papers = ("公司登记(备案)申请书", "公司章程", "全体股东身份证明复印件及其他有关材料")
    job = ticket_bytes(dataclasses.replace(ticket, materials=papers, width_mm=58))
    text = job.decode("gb18030", errors="replace")
    assert "请备齐以下材料" in text and "1. 公司登记(备案)申请书" in text and "2. 公司章程" in text
    assert text.index("请备齐以下材料") < text.index("扫码查看进度")  # above the QR code
    assert "请备齐以下材料".encode("gb18030") not in ticket_bytes(ticket)  # none: no heading


def test_masked_id_only_where_given(ticket: TicketLayout) -> None:
    without = ticket_bytes(dataclasses.replace(ticket, masked_id=None))
    assert "证件 ID".encode("gb18030") not in without and b"123X" not in without
    assert "证件 ID".encode("gb18030") in ticket_bytes(ticket)


@pytest.mark.parametrize("bad", [
    {"masked_id": "150802199001011234"}, {"masked_id": "no stars"}, {"width_mm": 76},
    {"ahead": -1}, {"number": " "}, {"track_url": ""},
])
def test_bad_tickets_are_refused(ticket: TicketLayout, bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(ticket, **bad)


def test_default_footer_is_the_privacy_line(ticket: TicketLayout) -> None:
    """The footer is true of a ticket with a masked ID: it said "no personal ID data" under
    "证件 ID 1508**********123X"."""
    assert ticket.footer == PRIVACY_LINE
    job = ticket_bytes(ticket).decode("gb18030", errors="replace")
    assert "证件 ID 1508**********123X" in job
    assert "本票据不含完整证件号码" in job and "No full ID number on this ticket" in job
    assert "个人身份信息" not in job and "personal ID" not in job


@pytest.mark.parametrize(("profile", "cols"), [("ZJ-5870", 32), ("TM-T88V", 42), ("default", 48)])
def test_lines_fit_the_print_head(ticket: TicketLayout, profile: str, cols: int,
                                  npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    long = dataclasses.replace(ticket, hall_name="巴彦淖尔市杭锦后旗政务服务中心陕坝镇分中心便民服务大厅")
    read = npos_read(ticket_bytes(long, profile))
    widths = [columns(line) for run in read["texts"] for line in run.split("\n")]
    assert max(widths) == cols  # the rule line spans the head, and nothing is wider


def test_a_service_named_as_its_zone_is_printed_once(
        ticket: TicketLayout, npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    """The consult zone's service 综合咨询导办 printed "综合咨询导办 · 综合咨询导办" (the 24-hour
    room, an outside check): the header names it once, in each language."""
    consult = dataclasses.replace(ticket, zone_name="综合咨询导办", service_name="综合咨询导办",
                                  zone_name_en="Consultation", service_name_en="Consultation")
    text = "".join(npos_read(ticket_bytes(consult, "default"))["texts"])
    assert "综合咨询导办" in text and "综合咨询导办 · 综合咨询导办" not in text
    assert "Consultation · Consultation" not in text and "Consultation" in text


@pytest.mark.parametrize(("name", "profile", "paper"), CASES)
def test_qr_scans_off_the_drawn_paper(name: str, profile: str, paper: int,
                                      npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    """Draw the whole ticket as npos reads it; the QR code must scan from the paper as a camera
    would see it (quiet zone kept, nothing printed over it)."""
    read = npos_read((GOLDEN / f"{name}.bin").read_bytes())
    paper_img = np.array(render(read, 384 if paper == 58 else 576).convert("L"))
    assert cv2.QRCodeDetector().detectAndDecode(paper_img)[0] == sample_ticket().track_url


HOSTILE = dict(hall_name="\x1b@\x1dV\x00政务\x10\x04\x01", zone_name="\x1c.\x1b!\x30¥€😀",
               service_name="社保\r\n\x1dv0\x00\xff\xff", number="A\x1d!\x77023")


def test_text_cannot_smuggle_commands(ticket: TicketLayout,
                                      npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    """Control bytes in any text field are printed as `?`: npos sees the same commands as for a
    plain ticket."""
    plain = [c["name"] for c in npos_read(ticket_bytes(ticket))["commands"] if c["name"] != "TEXT"]
    hostile = npos_read(ticket_bytes(dataclasses.replace(ticket, **HOSTILE)))
    assert [c["name"] for c in hostile["commands"] if c["name"] != "TEXT"] == plain
    assert not hostile["replacement"] and "政务" in "".join(hostile["texts"])


@settings(max_examples=30, deadline=None)
@given(fields=st.fixed_dictionaries({k: st.text(max_size=40) for k in HOSTILE}),
       profile=st.sampled_from(["default", "ZJ-5870"]))
def test_any_text_leaves_exactly_one_job(fields: dict[str, str], profile: str) -> None:
    if not fields["number"].strip():
        fields["number"] = "A001"
    data = ticket_bytes(dataclasses.replace(sample_ticket(), **fields), profile)
    sim = PrinterSimulator("cutter=none" if profile == "ZJ-5870" else "")
    assert sim.receive(data) == b""  # no status query hidden in the text
    assert len(sim.jobs) == 1 and sim.jobs[0].unknown == [] and bytes(sim.jobs[0].data) == data


def _text(job: bytes) -> str:
    """The job's words, decoded (every byte must decode), without its line breaks and spaces
    (a narrow paper breaks lines at spaces)."""
    return "".join(job.decode("gb18030").split())


def _words(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("paper", [58, 80])
def test_a_number_taken_while_the_hall_is_closed_says_when_calling_starts(
        ticket: TicketLayout, paper: int) -> None:
    """Taken at 04:41, the hall opening at 08:30: no wait estimate, no "You are next"."""
    night = dataclasses.replace(ticket, ahead=0, estimated_wait_min=0, width_mm=paper,
                                issued_at=ticket.issued_at.replace(hour=4, minute=41),
                                calls_from=ticket.issued_at.replace(hour=8, minute=30))
    text = _text(ticket_bytes(night))
    assert _words("大厅 08:30 开始叫号") in text and _words("Calling starts at 08:30") in text
    assert "前面没有人在等候" not in text and "You are next" not in text and "预计等候" not in text
    # on another day: with its date
    later = dataclasses.replace(night, calls_from=night.issued_at.replace(day=27, hour=8,
                                                                          minute=0))
    text = _text(ticket_bytes(later))
    assert _words("大厅 11月27日 08:00 开始叫号") in text
    assert _words("Calling starts 2026-11-27 at 08:00") in text


@pytest.mark.parametrize("paper", [58, 80])
def test_a_forwarded_application_names_the_hall_and_its_number(
        ticket: TicketLayout, paper: int, npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    from devices.printer.layout import Forwarded

    gone = dataclasses.replace(ticket, number="A001", width_mm=paper, forwarded=Forwarded(
        hall_name="杭锦后旗政务服务中心", zone_name="一窗受理", zone_name_en="One-window intake",
        number="A001"))
    job = ticket_bytes(gone)
    text = _text(job)
    assert _words("您的申请已转交 杭锦后旗政务服务中心 一窗受理") in text
    assert _words("号码 A001；扫描二维码查看进度") in text
    assert _words("number A001; scan the QR code to follow it") in text
    assert "前面" not in text and "You are next" not in text and "预计等候" not in text
    read = npos_read(job)
    assert not read["replacement"]
    widths = [columns(line) for run in read["texts"] for line in run.split("\n")]
    assert max(widths) <= COLUMNS_OF[paper]


COLUMNS_OF = {58: 32, 80: 48}


@pytest.mark.parametrize("paper", [58, 80])
def test_english_names_are_printed_under_the_chinese(
        ticket: TicketLayout, paper: int, npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    english = dataclasses.replace(
        ticket, width_mm=paper, service_name_en="Social security card application",
        zone_name_en="One-window intake", materials=("身份证", "户口簿"),
        materials_en=("ID card", "Household register"))
    job = ticket_bytes(english)
    text = _text(job)
    assert text.index("社会保障卡申领") < text.index(_words("Social security card application"))
    assert text.index("1.身份证") < text.index("IDcard") < text.index("2.户口簿")
    assert "Householdregister" in text and "One-windowintake" in text
    read = npos_read(job)
    assert not read["replacement"] and "\ufffd" not in "".join(read["texts"])
    widths = [columns(line) for run in read["texts"] for line in run.split("\n")]
    assert max(widths) <= COLUMNS_OF[paper]


@pytest.mark.parametrize(("name", "profile", "paper"), CASES)
def test_a_priority_ticket_is_marked_under_its_number(
        ticket: TicketLayout, npos_read: Callable[[bytes], dict[str, Any]], name: str,
        profile: str, paper: int) -> None:
    """A priority ticket (elderly, disabled, a booking on time, ...) says 优先 Priority under its
    number, large and in reverse (GS B 1 ... GS B 0), as npos reads it; the reason is not
    printed, and a normal ticket has no mark."""
    marked = dataclasses.replace(ticket, width_mm=paper, priority=True)
    read = npos_read(ticket_bytes(marked, profile))
    assert not read["replacement"]
    texts = [t.strip() for t in read["texts"]]
    at = texts.index("优先 Priority")
    assert texts[at - 1] == ticket.number  # right under the number
    names = [c["name"] for c in read["commands"]]
    run = next(i for i, c in enumerate(read["commands"]) if c.get("text", "").strip()
               == "优先 Priority")
    inverts = [(i, c["params"]) for i, c in enumerate(read["commands"]) if c["name"] == "GSB"]
    assert inverts == [(run - 1, "01"), (run + 1, "00")], names[run - 4:run + 3]
    size = [c["params"] for c in read["commands"][:run] if c["name"] == "GS!"][-1]
    assert size == "11"  # twice as wide and as high
    plain = npos_read(ticket_bytes(dataclasses.replace(ticket, width_mm=paper), profile))
    assert "优先" not in "".join(plain["texts"])
    assert all(c["name"] != "GSB" for c in plain["commands"])
