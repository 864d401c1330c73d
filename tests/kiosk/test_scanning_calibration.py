"""The kiosk scans with its camera's calibration (`desk=` of the camera URL, measured from the
reference sheet): a page seen by a tilted camera keeps the paper's proportions, and a scale
that says the paper is tiny makes the kiosk refuse it, where the same photo without a
calibration is taken."""

from __future__ import annotations

from typing import Any

import pytest

from devices.camera import open_camera
from devices.camera.calibration import find_sheet
from kiosk import states as st
from kiosk.flow import KioskFlow
from tests.kiosk.conftest import MakeFlow
from tests.kiosk.test_flow_ticket import take

TILTED = "sim://camera?width=1296&height=972&distance=520&tilt=32"


def _desk() -> str:
    sheet = open_camera(TILTED + "&scene=sheet")
    try:
        calibration, error = find_sheet(sheet.capture())
    finally:
        sheet.close()
    assert error < 0.5
    return calibration.option()


def _capture(flow: KioskFlow, qtbot: Any) -> None:
    take(flow, "property-general", qtbot, scan_first=True)
    assert flow.state == st.SCAN
    flow.scanning.capture()
    qtbot.waitUntil(lambda: not flow.scanning.busy, timeout=25000)


@pytest.mark.slow
def test_a_tilted_cameras_page_keeps_the_papers_proportions(make_flow: MakeFlow,
                                                             qtbot: Any) -> None:
    ratios = {}
    for name, extra in (("calibrated", f"&desk={_desk()}"), ("plain", "")):
        flow = make_flow(camera=f"{TILTED}&scene=page&seed=3{extra}")
        assert (flow.devices.calibration() is not None) == (name == "calibrated")
        _capture(flow, qtbot)
        assert flow.state == st.REVIEW and flow.data.pending is not None
        ratios[name] = flow.data.pending.width / flow.data.pending.height
    # B5 (250 x 176 mm, 1.42) measured on the desk; the photo's own shape stretches it to 1.72
    assert ratios["calibrated"] == pytest.approx(1.42, abs=0.03)
    assert ratios["plain"] > 1.6


def test_the_scale_of_the_camera_decides_what_is_too_small(make_flow: MakeFlow,
                                                            qtbot: Any) -> None:
    flow = make_flow(camera="sim://camera?seed=3&scene=page&mm_per_px=0.02")
    _capture(flow, qtbot)  # at 0.02 mm a pixel the page measures 22 x 34 mm: no document
    assert flow.state == st.SCAN and flow.notice == "no_document"
    assert flow.data.pending is None
