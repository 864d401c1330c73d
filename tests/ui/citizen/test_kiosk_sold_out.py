"""A service whose numbers for today are all given out (its `daily_cap` reached: GET /services
answers `open: false, remaining_today: 0`) says so on its tile and its own screen, 今日号已发完 /
"No numbers left today", not 暂停办理 / "Not available now", which stays for a service that is
really paused or closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from kiosk import sample
from kiosk.sample_hall import load_hall_sample
from ui.citizen.choose import FitTile
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts

HALL = Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml"


def tile_texts(window: KioskWindow) -> dict[str, str]:
    screen = window.screens["services"]
    settle(QApplication.instance())
    tiles = [w for i in range(screen.grid.count())
             if isinstance(w := screen.grid.itemAt(i).widget(), FitTile)]
    return {t.text().split("\n")[0].split("  ·  ")[0]: t.text() for t in tiles}


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_a_service_out_of_numbers_today_reads_so_not_paused(qtbot: Any, qapp: Any,
                                                            size: tuple[int, int]) -> None:
    apply_fonts(qapp)
    flow = sample.sample_flow("kiosk", load_hall_sample(HALL))
    catalog = flow.link.catalog
    capped = catalog.get("company-setup")
    paused = catalog.get("company-deregister")
    assert capped is not None and paused is not None and capped.daily_cap
    others = [s for s in catalog.services if s.code not in (capped.code, paused.code)]
    catalog.replace([capped.model_copy(update={"open": False, "remaining_today": 0}),
                     paused.model_copy(update={"open": False}), *others])
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(*size)
    window.show()
    for lang, sold, closed in (("zh", "今日号已发完", "暂停办理"),
                               ("en", "No numbers left today", "Not available now")):
        sample.stage(flow, "services", lang=lang)
        texts = tile_texts(window)
        assert sold in texts["企业开办"] and closed not in texts["企业开办"], texts["企业开办"]
        assert closed in texts["企业简易注销"] and sold not in texts["企业简易注销"]
        sample.stage(flow, "detail", lang=lang)  # company-setup, the sample's service
        settle(QApplication.instance())
        detail = window.screens["detail"]
        assert sold in detail.hint_pair.name.text() and not detail.take_btn.isVisible()
