"""The rating pad in a hall that lists Mongolian: the prompts and the five levels that mn.po
translates stand in vertical Mongolian bands beside the Chinese, inside the pad's screen; a hall
without Mongolian shows none."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from kiosk import sample_staff
from kiosk.pad import LEVELS
from ui.i18n import tr
from ui.staff.rating import RatingWindow
from ui.widgets.mongol import MongolianText


def shown_bands(window: RatingWindow) -> list[MongolianText]:
    QApplication.processEvents()
    return [b for b in window.findChildren(MongolianText) if b.isVisible()]


def test_levels_and_prompt_in_mongolian_beside_the_chinese(qtbot: Any) -> None:
    window = RatingWindow(sample_staff.rating_model("rate"), "zh", languages=["mn", "zh", "en"])
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    bands = shown_bands(window)
    texts = {b.text() for b in bands}
    assert {tr(f"level_{n}", "mn") for n in LEVELS} | {tr("pad_rate", "mn")} <= texts
    assert "请为本次服务评价" in [w.text() for w in window.findChildren(type(window.rate_ticket))
                                  if w.isVisible()]
    inside = window.rect()
    for b in bands:  # each band whole on the screen, none elided
        corner = b.mapTo(window, b.rect().bottomRight())
        assert inside.contains(corner) and not b.columns().elided, b.text()


def test_a_mongolian_pad_writes_chinese_beside_and_a_plain_hall_shows_no_band(qtbot: Any
                                                                            ) -> None:
    window = RatingWindow(sample_staff.rating_model("idle"), "mn")
    qtbot.addWidget(window)
    window.show()
    assert window.lang == "zh" and tr("pad_idle", "mn") in {b.text() for b in shown_bands(window)}
    plain = RatingWindow(sample_staff.rating_model("rate"), "zh", languages=["zh"])
    qtbot.addWidget(plain)
    plain.show()
    assert shown_bands(plain) == []


def test_the_pads_languages_come_from_the_hall_or_are_chinese(hall: Any) -> None:
    from kiosk.client import QueueClient
    from kiosk.pad import hall_languages

    assert "zh" in hall_languages(QueueClient(hall.url, hall.tokens["pad-W01"]))
    assert hall_languages(QueueClient("http://127.0.0.1:1", "x", timeout=1.0)) == ["zh"]
