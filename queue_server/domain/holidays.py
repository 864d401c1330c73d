"""China's statutory public holidays by rule (全国年节及纪念日放假办法, as revised in 2024): what a
year's calendar provisionally is before the State Council publishes its schedule. Pure; the
lunar dates (Spring Festival, Dragon Boat, Mid-Autumn) and the solar term of Qingming come from
`lunar_python`.

The published schedule usually adds bridge days and makes some weekends working days; no rule
predicts those, which is why a year known only this way is *provisional*."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    term = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off that the law itself fixes for `year`, with their names (13 days)."""
    new_year = _lunar(year, 1, 1)  # 正月初一 of the lunar year that starts in `year`
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):  # 除夕 and 初一 to 初三
        days[new_year + timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    return days
