"""More kiosk screens driven by touches against a real hall server and the simulators: the
document camera and page review, asking by ID card and rating, and the offline screen."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk import states as st
from tests.kiosk.conftest import MakeFlow, present_card
from tests.kiosk.hall import Hall
from tests.ui.citizen.conftest import MakeWindow
from tests.ui.citizen.test_kiosk_screens import press, texts


def test_scan_screen_shows_the_camera_and_the_corrected_page(
        make_flow: MakeFlow, make_window: MakeWindow, qtbot: Any) -> None:
    flow = make_flow(camera="sim://camera?seed=4&scene=page")
    window = make_window(flow)
    flow.start()
    flow.choose_service("property-general")
    press(qtbot, window, "先扫描材料预审")
    assert flow.state == st.SCAN
    view = window.screens[st.SCAN].view
    qtbot.waitUntil(lambda: not view.pixmap().isNull(), timeout=20000)  # live preview
    press(qtbot, window, "拍摄")
    qtbot.waitUntil(lambda: flow.state == st.REVIEW, timeout=25000)
    page = window.screens[st.REVIEW].view.pixmap()
    assert not page.isNull() and page.height() > page.width()  # an upright corrected page
    press(qtbot, window, "保留此页")
    assert "已扫描 1 页" in texts(window)
    press(qtbot, window, "完成，取号")
    qtbot.waitUntil(lambda: flow.data.upload_state == "sent", timeout=25000)
    assert "材料已提交预审" in texts(window)


def test_ask_by_card_then_rate_on_screen(make_flow: MakeFlow, make_window: MakeWindow,
                                         qtbot: Any, hall: Hall) -> None:
    flow = make_flow()
    window = make_window(flow)
    press(qtbot, window, "服务评价")
    assert flow.state == st.ASK
    press(qtbot, window, "刷身份证评价")
    present_card(flow, 2)  # nobody served yet with this card
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=20000)
    assert "没有查到相关办件" in texts(window)
    assert any("*" in t for t in texts(window))  # only the masked card is shown


@pytest.mark.slow
def test_offline_screen_and_recovery(make_flow: MakeFlow, make_window: MakeWindow, qtbot: Any,
                                     hall: Hall) -> None:
    flow = make_flow()
    flow.link._retry.setInterval(300)
    window = make_window(flow)
    hall.kill()
    try:
        qtbot.waitUntil(lambda: flow.state == st.OFFLINE, timeout=20000)
        assert "暂停取号" in texts(window)
        press(qtbot, window, "企业开办")
        assert flow.state == st.DETAIL and "4. 住所使用证明" not in texts(window)
        assert any("公司章程" in t for t in texts(window))
        assert not any(t.startswith("刷身份证取号") for t in texts(window))  # no number now
    finally:
        hall.start()
    qtbot.waitUntil(lambda: flow.online, timeout=20000)
    assert "暂停取号" not in texts(window)
