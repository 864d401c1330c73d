"""The simulator as the other end of the bytes: real-time answers anywhere in the stream, jobs
split at cuts, paper used up, and no byte string that makes it raise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as s

from devices.errors import BadAddress
from devices.printer import TicketLayout, ticket_bytes
from devices.printer.simulator import PrinterSimulator

ROOT = Path(__file__).resolve().parents[3]


def test_answers_status_mid_stream_and_split_across_reads(ticket: TicketLayout) -> None:
    sim = PrinterSimulator("paper=low")
    job = ticket_bytes(ticket)
    middle = job.index(b"\n", len(job) // 3) + 1  # between two commands
    assert sim.receive(job[:middle] + b"\x10") == b""
    assert sim.receive(b"\x04") == b""
    assert sim.receive(b"\x04" + job[middle:]) == b"\x1e"  # paper near end: 0x12 | 0x0C
    assert [bytes(j.data) for j in sim.jobs] == [job]


def test_answers_patterns_inside_image_data_like_real_printers() -> None:
    image = b"\x1dv0\x00\x03\x00\x01\x00" + b"\x10\x04\x01"  # 3x1 raster whose data is DLE EOT 1
    sim = PrinterSimulator()
    assert sim.receive(image) == b"\x12"
    assert bytes(sim.current.data) == image  # still recorded as image data, not a command


def test_jobs_split_at_cuts_and_at_the_tear_feed(ticket: TicketLayout) -> None:
    sim = PrinterSimulator()
    cut = ticket_bytes(ticket)
    sim.receive(cut + cut)
    assert [j.cut for j in sim.jobs] == [True, True]
    fed = ticket_bytes(ticket, "ZJ-5870")
    sim2 = PrinterSimulator("cutter=none")
    sim2.receive(fed + fed)
    assert [(bytes(j.data), j.cut) for j in sim2.jobs] == [(fed, False), (fed, False)]


def test_paper_runs_out_mid_job(ticket: TicketLayout) -> None:
    sim = PrinterSimulator("paper_lines=20")
    assert sim.answer(4) == b"\x1e"  # near end, not yet out
    sim.receive(ticket_bytes(ticket))
    assert sim.answer(4) == b"\x7e" and sim.answer(2) == b"\x32" and sim.answer(1) == b"\x1a"
    assert sim.jobs == [] and sim.current.complete is False  # stopped before the cut


def test_knobs() -> None:
    assert PrinterSimulator("cover=open").answer(2) == b"\x16"
    assert PrinterSimulator("silent=1").answer(1) == b""
    assert PrinterSimulator("garbled=1").answer(1) == b"\xff"
    for bad in ("paper=gone", "cover", "slow=soon", "volume=11"):
        with pytest.raises(BadAddress, match="knobs"):
            PrinterSimulator(bad)


@given(s.lists(s.binary(max_size=64), max_size=8))
def test_no_byte_string_makes_it_raise(chunks: list[bytes]) -> None:
    sim = PrinterSimulator()
    for chunk in chunks:
        answers = sim.receive(chunk)
        assert all(b == 0x12 for b in answers)


def test_serve_pty_prints_its_path_and_serves(ticket: TicketLayout) -> None:
    code = "from devices.printer.simulator import serve_pty; raise SystemExit(serve_pty())"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().strip()
        assert path.startswith("/dev/pts/"), path
        from devices.health import Health
        from devices.printer import open_printer

        printer = open_printer(f"serial://{path}")
        assert printer.status() is Health.ONLINE
        printer.print_ticket(ticket)
        printer.close()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "job 1:" in err and "cut" in err


def test_paper_cover_and_jobs_driven_through_the_control_socket_over_a_pty(
        sim_process, ticket: TicketLayout) -> None:  # type: ignore[no-untyped-def]
    import base64

    from devices.health import Health
    from devices.printer import open_printer
    from devices.simctl import send

    sim = sim_process("printer")
    printer = open_printer(f"serial://{sim.path}")
    try:
        assert printer.status() is Health.ONLINE
        assert sim.ctl("paper out")["result"]["paper"] == "out"
        assert printer.status() is Health.PAPER_OUT
        sim.ctl("refill")
        sim.ctl("paper low")
        assert printer.status() is Health.PAPER_LOW
        sim.ctl("refill")
        sim.ctl("cover open")
        assert printer.status() is Health.COVER_OPEN
        assert send(sim.control, "job")["ok"] is False  # nothing printed yet
        sim.ctl("cover closed")
        printer.print_ticket(ticket)
        job = sim.ctl("job")["result"]
        assert job["job"] == 1 and job["cut"] and job["complete"]
        assert base64.b64decode(job["bytes"]) == ticket_bytes(ticket)
        assert sim.ctl("state")["result"]["jobs"] == 1
        sim.ctl("paper ok 12")  # a roll that runs out during the next ticket
        with pytest.raises(Exception, match="out of paper"):
            printer.print_ticket(ticket)
        assert printer.status() is Health.PAPER_OUT
        assert sim.ctl("state")["result"]["jobs"] == 1  # the torn ticket hangs uncut ...
        sim.ctl("refill")
        printer.print_ticket(ticket)
        torn, last = sim.ctl("job 2")["result"], sim.ctl("job")["result"]
        assert not torn["complete"] and not torn["cut"]  # ... until the next job starts
        assert last["job"] == 3 and base64.b64decode(last["bytes"]) == ticket_bytes(ticket)
    finally:
        printer.close()


def test_control_commands_refuse_nonsense() -> None:
    from devices.simctl import dispatch

    controls = PrinterSimulator().controls()
    for line in ("paper wet", "paper ok many", "cover ajar", "job 5", "job x", "plug sideways"):
        answer = dispatch(controls, line)
        assert answer["ok"] is False and answer["error"], line
