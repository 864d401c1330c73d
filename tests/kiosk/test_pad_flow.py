"""The rating pad's flow (kiosk/pad.py) without a server: levels, reasons required for the two
lowest, back, and an unreachable server reported in words."""

from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.pad import BAD_REASONS, LEVELS, RatingModel, needs_reasons


def model() -> RatingModel:
    return RatingModel(QueueClient("http://127.0.0.1:9", "pad"), "W01")


def test_official_levels_and_reasons() -> None:
    assert LEVELS[5][0] == "非常满意" and LEVELS[1][0] == "非常不满意"
    assert [lv for lv in LEVELS if needs_reasons(lv)] == [2, 1]
    assert "attitude" in BAD_REASONS


def test_low_rating_waits_for_a_reason_and_back_returns(qtbot: QtBot) -> None:
    m = model()
    m.choose(1)
    assert m.state == "idle"  # no ticket shown: nothing to rate
    m.show("t1", "A001", "1号窗口")
    m.choose(1)
    assert m.state == "reasons" and not m.can_submit()
    m.submit()
    assert m.state == "reasons"
    m.toggle_reason("attitude")
    m.toggle_reason("nonsense")
    assert m.reasons == ["attitude"] and m.can_submit()
    m.toggle_reason("attitude")
    assert not m.can_submit()
    m.back()
    assert m.state == "rate" and m.level == 0
    m.stop()


def test_unreachable_server_is_an_error_in_words_then_idle(qtbot: QtBot) -> None:
    m = model()
    m.timeout_ms = 300
    states: list[tuple[str, str]] = []
    m.changed.connect(lambda: states.append((m.state, m.error)))
    m.show("t1", "A001", "1号窗口")
    m.choose(4)
    assert m.state == "sending"
    qtbot.waitUntil(lambda: m.state == "idle", timeout=8000)
    errors = [e for s, e in states if s == "error"]
    assert errors and "无法连接服务器" in errors[0]
    m.stop()
