"""Our ESC/POS interpreter draws the real bytes of our tickets: it reads the same text, QR codes,
images and cuts as the independent npos interpreter, the QR code it draws scans, and sizes and
alignment land where a printer puts them."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from devices.printer import ticket_bytes
from devices.printer.cli import sample_ticket
from devices.printer.render import render
from tests.devices.printer.conftest import GOLDEN, ROOT

PROFILES = [(80, "default"), (58, "default"), (80, "TH230"), (58, "ZJ-5870")]


def ink(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of the black dots."""
    box = Image.eval(image, lambda v: 255 - v).getbbox()
    assert box is not None, "nothing printed"
    return box


def scanned(image: Image.Image) -> str:
    grey = np.asarray(image)
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        text, _, _ = detector.detectAndDecode(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
        if text:
            return str(text)
    return ""


@pytest.mark.parametrize(("width", "profile"), PROFILES)
def test_it_reads_our_tickets_as_npos_does(width: int, profile: str,
                                           npos_read: Callable[[bytes], dict[str, Any]]) -> None:
    data = ticket_bytes(sample_ticket(width), profile)
    assert data == (GOLDEN / f"ticket-{width}-{profile}.bin").read_bytes()
    ours, theirs = render(data, width), npos_read(data)
    assert ours.lines == "".join(theirs["texts"]).rstrip("\n").split("\n")
    assert ours.qr == theirs["qr"] and ours.cuts == theirs["cuts"] and ours.unknown == []
    assert [(np.asarray(r) == 0).astype(int).tolist() for r in ours.rasters] == [
        [[int(c) for c in row] for row in rows] for rows in theirs["rasters"]]
    assert ours.image.width == {58: 384, 80: 576}[width]


@pytest.mark.parametrize(("width", "profile"), PROFILES)
def test_the_drawn_qr_code_scans_to_the_tickets_link(width: int, profile: str) -> None:
    ticket = sample_ticket(width)
    drawn = render(ticket_bytes(ticket, profile), width).image
    margin = Image.new("L", (drawn.width + 80, drawn.height + 80), 255)
    margin.paste(drawn, (40, 40))
    assert scanned(margin) == ticket.track_url


def test_sizes_alignment_bold_and_underline_land_where_a_printer_puts_them() -> None:
    def one(*commands: bytes) -> Image.Image:
        return render(b"\x1b@" + b"".join(commands) + b"\n", 80).image

    plain = ink(one(b"A"))
    big = ink(one(b"\x1d!\x55A"))  # GS ! 6 x 6
    assert (big[2] - big[0]) == pytest.approx(6 * (plain[2] - plain[0]), abs=6)
    assert (big[3] - big[1]) == pytest.approx(6 * (plain[3] - plain[1]), abs=6)
    assert ink(one(b"\x1ba\x02A"))[2] >= 570  # right
    centre = ink(one(b"\x1ba\x01A"))
    assert abs((centre[0] + centre[2]) / 2 - 288) <= 6
    chinese, double = ink(one("号".encode("gb18030"))), ink(one(b"\x1c!\x0c" + "号".encode("gb18030")))
    assert double[2] - double[0] > 1.8 * (chinese[2] - chinese[0])
    dots = lambda image: int((np.asarray(image) < 128).sum())  # noqa: E731
    assert dots(one(b"\x1bE\x01Ab")) > dots(one(b"Ab"))
    assert dots(one(b"\x1b-\x01Ab")) > dots(one(b"Ab"))
    assert render(b"\x1c.\xb0\xa1\n").lines == ["\u2591\u00ed"]  # outside Chinese mode: single bytes
    rare = "\U00020000".encode("gb18030")  # a four-byte character of a rare name
    assert render(b"\x1c&" + rare + b"\x81\n").lines == ["\U00020000\ufffd"]


def test_feeds_cuts_and_a_long_line_that_wraps() -> None:
    short, fed = render(b"A\n"), render(b"A\n\x1bd\x05")
    assert fed.image.height - short.image.height == 5 * 30
    cut = render(b"A\n\x1dV\x00B\n")
    assert cut.cuts == 1 and cut.lines == ["A", "B"]
    assert render(b"x" * 60 + b"\n", 58).lines == ["x" * 32, "x" * 28]
    odd = render(b"\x1b\x99A\x1d(k\x03\x00\x31\x43")  # an unknown command, a code cut short
    assert odd.unknown[0] == "1b99" and odd.lines == ["A"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_no_byte_string_makes_it_raise(data: bytes) -> None:
    drawn = render(data, 58)
    assert drawn.image.width == 384


def test_a_job_printed_on_the_simulator_is_drawn_the_same(sim_process) -> None:  # type: ignore[no-untyped-def]
    from devices.printer import open_printer

    sim = sim_process("printer")
    printer = open_printer(f"serial://{sim.path}")
    try:
        printer.print_ticket(sample_ticket(80))
    finally:
        printer.close()
    job = base64.b64decode(sim.ctl("job")["result"]["bytes"])
    direct = render(ticket_bytes(sample_ticket(80)), 80).image
    assert np.array_equal(np.asarray(render(job, 80).image), np.asarray(direct))


def test_render_ticket_command(tmp_path: Path) -> None:
    job, png = tmp_path / "job.bin", tmp_path / "ticket.png"
    job.write_bytes(ticket_bytes(sample_ticket(58), "ZJ-5870"))
    done = subprocess.run([sys.executable, "-m", "devices", "render-ticket", str(job), "--out",
                           str(png), "--width", "58"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 QR" not in done.stdout and "0 cuts" in done.stdout  # a raster code, torn off
    with Image.open(png) as picture:
        assert picture.width == 384 and picture.height > 600
    bad = subprocess.run([sys.executable, "-m", "devices", "render-ticket", str(job), "--out",
                          str(tmp_path / "t.jpg")], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
