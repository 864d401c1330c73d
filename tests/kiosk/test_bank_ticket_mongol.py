"""A bank outpost's ticket in a hall that lists Mongolian (issue 16): the bank terminal, enrolled
at the outpost (政银合作网点), prints the outpost's own Mongolian name (its `name_mn` in the hall
file), not the parent hall's, in the picture above the Chinese lines. The example hall file is
set up with the administrator's command, served by the real server process, and the ticket is
taken with a bank flow; the ESC/POS bytes its file printer got are read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devices.printer.mongol import MongolBlock, render_block
from devices.printer.profiles import DOTS_BY_PAPER
from devices.printer.render import render
from kiosk.config import DeviceUrls, TerminalConfig
from kiosk.fonts import find_font_file
from kiosk.runtime import build_kiosk, start_kiosk, stop_kiosk
from kiosk.ticketing import WAIT_SENTENCE_MN
from queue_server.config import HallConfig, load_config
from server_process.hall import HallProcess
from tests.procs import ROOT

EXAMPLE = ROOT / "examples" / "hjhq.toml"
PAPER = 80


@pytest.fixture(scope="module")
def example_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HallProcess, str]]:
    hall = HallProcess(tmp_path_factory.mktemp("hjhq"), EXAMPLE.read_text(encoding="utf-8"))
    token = hall.enrol("bank", "abc-kiosk", hall=load_config(EXAMPLE).outposts[0].id)
    hall.start()
    yield hall, token
    hall.stop()


def first_picture(data: bytes, height: int, width: int) -> np.ndarray:
    """The black dots of the job's first GS v 0 bands, stacked, cut to `height` x `width`."""
    rows: list[np.ndarray] = []
    for band in render(data, PAPER).rasters:
        if sum(len(r) for r in rows) >= height:
            break
        rows.append(np.array(band) == 0)  # "1" image: 0 is a black dot
    return np.vstack(rows)[:height, :width]


def test_bank_ticket_prints_the_outposts_mongolian_name(
        example_hall: tuple[HallProcess, str], tmp_path: Path, qtbot: Any) -> None:
    hall, token = example_hall
    cfg: HallConfig = load_config(EXAMPLE)
    outpost, water = cfg.outposts[0], cfg.service("water-connect")
    assert "mn" in cfg.hall.languages and outpost.name_mn and water.name_mn
    assert outpost.name_mn != cfg.hall.name_mn
    job = tmp_path / "bank-printer.bin"
    config = TerminalConfig(role="bank", server=hall.url, token=token,
                            devices=DeviceUrls(idcard="sim://idcard?dwell=0", camera="sim://camera",
                                               printer=f"file://{job}?width={PAPER}"))
    flow = build_kiosk(config, cache_path=tmp_path / "cache.json")
    start_kiosk(flow, heartbeat_s=0.5)
    try:
        qtbot.waitUntil(lambda: flow.online and flow.link.hall is not None
                        and bool(flow.link.catalog.services), timeout=20000)
        assert flow.link.hall is not None and flow.link.hall.id == outpost.id
        flow.start()
        flow.choose_service("water-connect")
        flow.take_number()
        qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
        ticket = flow.data.ticket
        assert ticket is not None
    finally:
        stop_kiosk(flow)
        flow.runner.wait(10000)
    data = job.read_bytes()
    font = find_font_file()
    want = render_block(MongolBlock(outpost.name_mn, water.name_mn, WAIT_SENTENCE_MN),
                        DOTS_BY_PAPER[PAPER], font)
    parents = render_block(MongolBlock(cfg.hall.name_mn or "", water.name_mn, WAIT_SENTENCE_MN),
                           DOTS_BY_PAPER[PAPER], font)
    assert want is not None and parents is not None
    drawn = first_picture(data, want.height, want.width)
    assert np.array_equal(drawn, np.array(want.to_image()) < 128), "the outpost's name_mn"
    assert drawn.shape != (parents.height, parents.width) or not np.array_equal(
        drawn, np.array(parents.to_image()) < 128)
    # the Chinese lines name the outpost too, once (no branch line repeating it), with the number
    lines = "".join(render(data, PAPER).lines)
    assert outpost.name[:8] in lines and lines.count(outpost.name[:8]) == 1
    assert ticket.number in lines and cfg.hall.name not in lines
    assert data.find(b"\x1dv0") < data.find(outpost.name[:4].encode("gb18030"))


def test_rendered_bank_screens_stand_at_the_outpost(qapp: Any) -> None:
    """`--screens --role bank --hall`: the sample bank terminal is the hall file's outpost, with
    its name, Mongolian name and services, as GET /hall and /services answer it there."""
    from kiosk import sample
    from kiosk.sample_hall import load_hall_sample

    cfg = load_config(EXAMPLE)
    flow = sample.sample_flow("bank", load_hall_sample(EXAMPLE))
    info = flow.link.hall
    assert info is not None and info.id == cfg.outposts[0].id and info.parent == cfg.hall.id
    assert (info.name, info.name_mn) == (cfg.outposts[0].name, cfg.outposts[0].name_mn)
    assert [s.code for s in flow.link.catalog.services] == [
        s.code for s in cfg.services if s.code in cfg.outposts[0].services]
    sample.stage(flow, "ticket")
    assert flow.data.ticket is not None and flow.data.ticket.hall_name == cfg.outposts[0].name


def test_a_visitor_reading_english_is_told_the_halls_english_name(
        example_hall: tuple[HallProcess, str], tmp_path: Path, qtbot: Any) -> None:
    """At the branch, a visitor who chose English sends the papers on: the screen and the paper
    name the hall as the hall file gives it in English (they gave the Chinese name inside the
    English sentence), and the hall's answer carries its names in its languages."""
    from kiosk import states as st
    from ui.citizen.steps import ticket_facts

    hall, token = example_hall
    cfg = load_config(EXAMPLE)
    assert cfg.hall.name_en and cfg.hall.name_mn
    job = tmp_path / "bank-printer.bin"
    config = TerminalConfig(role="bank", server=hall.url, token=token,
                            devices=DeviceUrls(idcard="sim://idcard?dwell=0",
                                               camera="sim://camera?seed=5&scene=page",
                                               printer=f"file://{job}?width={PAPER}"))
    flow = build_kiosk(config, cache_path=tmp_path / "cache.json")
    start_kiosk(flow, heartbeat_s=0.5)
    try:
        qtbot.waitUntil(lambda: flow.online and flow.link.hall is not None
                        and bool(flow.link.catalog.services), timeout=20000)
        flow.start()
        flow.set_language("en")
        flow.choose_service("water-connect")
        flow.take_number(scan_first=True)
        flow.scanning.capture()
        qtbot.waitUntil(lambda: flow.state == st.REVIEW, timeout=25000)
        flow.scanning.keep()
        flow.scanning.finish()
        qtbot.waitUntil(lambda: flow.data.upload_state == "forwarded", timeout=25000)
        gone = flow.data.forwarded
        assert gone is not None and gone.hall == cfg.hall.id
        assert (gone.hall_name, gone.hall_name_en, gone.hall_name_mn) == (
            cfg.hall.name, cfg.hall.name_en, cfg.hall.name_mn)
        assert flow.data.ticket is not None
        said = ticket_facts(flow, flow.data.ticket)
        assert cfg.hall.name_en in said and cfg.hall.name not in said
        qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    finally:
        stop_kiosk(flow)
        flow.runner.wait(10000)
    text = "".join("".join(render(job.read_bytes(), PAPER).lines).split())
    assert "".join(f"Your application went to {cfg.hall.name_en}".split()) in text
    assert "".join(f"您的申请已转交 {cfg.hall.name}".split()) in text
