"""The call board's band of people waiting: a zone board of a hall with many services showed
the first six in the hall's order and silently left out the rest (the pickup board lost its own
证照领取; the display's duty officer, an outside check)."""

from __future__ import annotations

from ui.staff.board import waiting_chips


def test_every_service_shows_when_they_fit() -> None:
    rows = [("企业开办", 3), ("用水报装", 0), ("证照领取", 7)]
    assert waiting_chips(rows, "zh") == rows


def test_beyond_the_band_the_busiest_show_and_one_chip_counts_the_rest() -> None:
    rows = [(f"事项{i}", n) for i, n in enumerate([1, 0, 4, 2, 0, 9, 3, 5])]
    chips = waiting_chips(rows, "zh")
    assert chips == [("事项2", 4), ("事项3", 2), ("事项5", 9), ("事项6", 3), ("事项7", 5),
                     ("其余 3 项", 1)]  # in the hall's order; the rest: 事项0, 1, 4
    assert sum(n for _, n in chips) == sum(n for _, n in rows)  # nobody is left out
    assert waiting_chips(rows, "en")[-1] == ("3 more services", 1)
