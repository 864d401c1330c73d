"""The kiosk's printed ticket in a hall that lists Mongolian (issue 16): the hall's and the
service's Mongolian names and the waiting sentence are drawn by the printer as GS v 0 bands in
the same job, as wide as its paper (58 or 80 mm, from the printer URL's width=); the job read
back by our interpreter (devices.printer.render) and by npos shows that picture above the
Chinese text. A hall without Mongolian prints no picture."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devices.printer.driver import open_printer
from devices.printer.mongol import MongolBlock, render_block
from devices.printer.profiles import DOTS_BY_PAPER
from devices.printer.render import render
from kiosk.ticketing import WAIT_SENTENCE_MN, mongol_texts, ticket_layout
from queue_server import wire
from tests.devices.printer.conftest import npos_read  # noqa: F401  (fixture)
from tests.mongol_samples import HALL

SETUP_MN = "\u1820\u1835\u1824 \u1820\u182c\u1824\u1822 \u182a\u1820\u1836\u1822\u182d\u1824\u182f\u182c\u1824"
HALL_INFO = wire.HallOut(id="hjhq", name="杭锦后旗政务服务中心", timezone="Asia/Shanghai",
                         announce="请{number}号到{counter}办理", day_starts="00:00",
                         languages=["mn", "zh", "en"], name_mn=HALL)
SERVICE = wire.ServiceInfo(code="company-setup", name="企业开办", prefix="A",
                           route=["intake"], name_mn=SETUP_MN)
TICKET = wire.TicketIssued(id="t1", number="A023", service="company-setup", zone="intake",
                           ahead=3, estimated_wait_s=600,
                           issued_at=datetime(2026, 3, 2, 1, 5, tzinfo=UTC),
                           track_url="http://127.0.0.1:8750/t/t1", hall_name="杭锦后旗政务服务中心",
                           service_name="企业开办")


def printed(tmp_path: Path, paper: int, hall: wire.HallOut) -> bytes:
    """The job the kiosk's layout makes, written by the real driver to a file transport."""
    out = tmp_path / f"job-{paper}.bin"
    printer = open_printer(f"file://{out}?width={paper}")
    try:
        layout = ticket_layout(TICKET, hall.name, SERVICE.name, None, hall.timezone,
                               mongol_texts(hall, SERVICE))
        printer.print_ticket(layout)
    finally:
        printer.close()
    return out.read_bytes()


@pytest.mark.parametrize("paper", [58, 80])
def test_mongolian_printed_as_a_picture_in_the_same_job(
    tmp_path: Path, paper: int, npos_read: Callable[[bytes], dict[str, Any]],  # noqa: F811
) -> None:
    data = printed(tmp_path, paper, HALL_INFO)
    assert data.count(b"\x1b@") == 1, "one job"
    read = render(data, paper)
    # the bands of the first picture, stacked: exactly the three texts drawn at the paper's width
    mongol = mongol_texts(HALL_INFO, SERVICE)
    assert mongol is not None
    want = render_block(MongolBlock(HALL, SETUP_MN, WAIT_SENTENCE_MN), DOTS_BY_PAPER[paper],
                        Path(mongol[1]))
    assert want is not None and mongol[0] == MongolBlock(HALL, SETUP_MN, WAIT_SENTENCE_MN)
    rows: list[np.ndarray] = []
    for band in read.rasters:
        if sum(len(r) for r in rows) >= want.height:
            break
        rows.append(np.array(band) == 0)  # "1" image: 0 is a black dot
    stacked = np.vstack(rows)[:want.height, :want.width]
    assert np.array_equal(stacked, np.array(want.to_image()) < 128)
    assert 0 < want.width <= DOTS_BY_PAPER[paper]
    assert stacked.sum() > 2000, "ink: the columns were drawn"
    # the picture comes before the Chinese lines, which are all still there
    assert data.find(b"\x1dv0") < data.find("杭锦后旗".encode("gb18030"))
    assert "杭锦后旗政务服务中心" in "".join(read.lines) and any("A023" in ln for ln in read.lines)
    joined = "".join(npos_read(data)["texts"]).replace("\n", "")
    assert "企业开办" in joined and "A023" in joined
    read.image.save(tmp_path / f"ticket-mn-{paper}.png")


def test_a_hall_without_mongolian_prints_no_picture(tmp_path: Path) -> None:
    zh_only = HALL_INFO.model_copy(update={"languages": ["zh", "en"]})
    assert mongol_texts(zh_only, SERVICE) is None and mongol_texts(None, SERVICE) is None
    data = printed(tmp_path, 80, zh_only)
    assert b"\x1dv0" not in data  # the default profile prints its QR code natively
