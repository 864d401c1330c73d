"""Who comes to the hall on a busy morning: an arrival schedule (a non-homogeneous Poisson
process with the 9–10 o'clock peak), the services they want, and fake ID cards (valid in form
only: 杭锦后旗's region code, a birth date, the GB 11643 check digit; nobody real)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# (service code, share of visitors) in the hall, after the county's caseload in the 2020 plan.
HALL_MIX: tuple[tuple[str, float], ...] = (
    ("consult", 0.12), ("company-setup", 0.12), ("company-deregister", 0.04),
    ("property-mortgage", 0.10), ("property-general", 0.10), ("property-transfer", 0.08),
    ("power-low-voltage", 0.06), ("water-connect", 0.04), ("gas-connect", 0.03),
    ("heating-connect", 0.03), ("tax-invoice", 0.05), ("tax-refund", 0.04),
    ("medical-claim", 0.08), ("construction-permit", 0.02), ("certificate-pickup", 0.09),
)
BANK_MIX: tuple[tuple[str, float], ...] = (
    ("company-setup", 0.4), ("property-mortgage", 0.4), ("power-low-voltage", 0.1),
    ("water-connect", 0.1),
)
BANK_SHARE = 0.12
# Arrivals per hall minute in each half hour from opening: the 9–10 peak, then easing.
RATE_BY_HALF_HOUR = (1.0, 1.35, 1.45, 1.15, 0.9, 0.8)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌宝山巴特尔其其格乌兰图雅"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Visitor:
    at_min: float            # hall minutes after opening
    service: str
    bank: bool
    name: str
    id_number: str
    birth: date


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def fake_id(rng: random.Random, today: date, elderly: bool) -> tuple[str, date]:
    age = rng.randint(70, 86) if elderly else rng.randint(19, 68)
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"150826{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + check_digit(first17), birth


def _pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in mix], weights=[w for _, w in mix])[0]


def schedule(rng: random.Random, minutes: float, today: date) -> list[Visitor]:
    """Arrival times by thinning a Poisson process at the peak rate."""
    peak = max(RATE_BY_HALF_HOUR)
    out: list[Visitor] = []
    t = 0.0
    while True:
        t += rng.expovariate(peak)
        if t >= minutes:
            return out
        rate = RATE_BY_HALF_HOUR[min(int(t // 30), len(RATE_BY_HALF_HOUR) - 1)]
        if rng.random() > rate / peak:
            continue
        bank = rng.random() < BANK_SHARE
        number, birth = fake_id(rng, today, elderly=rng.random() < 0.1)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        out.append(Visitor(t, _pick(rng, BANK_MIX if bank else HALL_MIX), bank, name, number,
                           birth))
