"""The counter pad's people waiting per service (`ui/staff/waiting.py`): most first, whole
lines only, the rows that do not fit summed on the last line, every row in the tooltip."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.staff.waiting import WaitingCounts

ROWS = [("企业开办", 1), ("企业简易注销", 2), ("退税", 0), ("用水报装", 3), ("供气报装", 2)]


def test_rows_most_first_on_whole_lines_the_rest_summed(qtbot: QtBot) -> None:
    counts = WaitingCounts("zh")
    qtbot.addWidget(counts)
    line = counts._line()
    counts.resize(300, line * 10)
    counts.set_rows(ROWS)
    assert counts.total() == 8
    # ties keep the counter's order
    assert counts.lines() == [("用水报装", "3"), ("企业简易注销", "2"), ("供气报装", "2"),
                              ("企业开办", "1"), ("退税", "0")]
    counts.resize(300, line * 3 + line // 2)  # three whole lines and half of one more
    assert counts.lines() == [("用水报装", "3"), ("企业简易注销", "2"), ("其余 3 项", "3")]
    assert counts.toolTip() == counts.text() and counts.text().count("\n") == 4
    counts.set_rows([])
    assert counts.lines() == [("—", "")] and counts.total() == 0


def test_the_summary_speaks_the_counters_language(qtbot: QtBot) -> None:
    counts = WaitingCounts("en")
    qtbot.addWidget(counts)
    counts.resize(300, counts._line() * 2)
    counts.set_rows([("Water connection", 3), ("Gas connection", 2), ("Tax refund", 1)])
    assert counts.lines() == [("Water connection", "3"), ("2 more services", "3")]
    counts.show()
    counts.grab()  # paints without error at this size
