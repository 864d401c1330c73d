"""ID numbers (GB 11643 and the 2023 permanent residence number): region, birth date and check
digit validation that says what is wrong, and masking for display."""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏",
    "65": "新疆", "71": "台湾",
}
PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


class InvalidIdNumber(ValueError):
    """The number is malformed; the message says which part is wrong."""


def check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise InvalidIdNumber(f"need 17 digits to compute a check character, got {first17!r}")
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth(text: str) -> date | None:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def problems(number: str, kind: str = "resident", today: date | None = None) -> list[str]:
    """Everything wrong with an 18-character number; empty when it is plausible.

    kind: "resident" (also 71 Taiwan), "hmt_permit" (810000/820000/830000 prefix),
    "foreign_2023" (starts with 9; digits 7-14 are the birth date) or "foreign_2017"
    (3 letters + 12 digits, no check character).
    """
    if kind == "foreign_2017":
        return _problems_2017(number)
    if len(number) != 18:
        return [f"has {len(number)} characters, expected 18"]
    if not number[:17].isdigit():
        return ["the first 17 characters must be digits"]
    if not (number[17].isdigit() or number[17] == "X"):
        return [f"last character {number[17]!r} must be a digit or X"]
    region = _region_problem(number, kind)
    found = [region] if region else []
    born = _birth(number[6:14])
    if born is None:
        found.append(f"birth date {number[6:14]} is not a date")
    elif born.year < 1900:
        found.append(f"birth date {born.isoformat()} is before 1900")
    elif today is not None and born > today:
        found.append(f"birth date {born.isoformat()} is in the future")
    expected = check_char(number[:17])
    if number[17] != expected:
        found.append(f"check character is {number[17]}, expected {expected}")
    return found


def _region_problem(number: str, kind: str) -> str | None:
    if kind == "hmt_permit":
        if number[:6] not in PERMIT_REGIONS:
            return f"region {number[:6]} is not 810000 (HK), 820000 (Macau) or 830000 (Taiwan)"
    elif kind == "foreign_2023":
        if number[0] != "9":
            return "a permanent residence number starts with 9"
        if number[1:3] not in PROVINCES:
            return f"province {number[1:3]} of the accepting authority is not a province code"
    elif number[:2] not in PROVINCES:
        return f"region {number[:6]}: {number[:2]} is not a province code"
    elif number[4:6] == "00" and number[:2] != "71":
        return f"region {number[:6]} is a province or city, not a county"
    return None


def _problems_2017(number: str) -> list[str]:
    """The 2017 permanent residence number: 3 letters (nationality) and 12 digits, no check."""
    if len(number) != 15:
        return [f"has {len(number)} characters, expected 15 (3 letters + 12 digits)"]
    found = []
    if not (number[:3].isascii() and number[:3].isalpha() and number[:3].isupper()):
        found.append(f"{number[:3]!r} must be 3 capital letters (nationality)")
    if not (number[3:].isascii() and number[3:].isdigit()):
        found.append("the last 12 characters must be digits")
    return found


def validate(number: str, kind: str = "resident", today: date | None = None) -> str:
    """Return the number if plausible, else raise `InvalidIdNumber` listing what is wrong."""
    found = problems(number, kind, today)
    if found:
        raise InvalidIdNumber(f"ID number {mask(number)}: " + "; ".join(found))
    return number


def birth_date_of(number: str) -> date | None:
    """The birth date a resident/permit number encodes, or None."""
    return _birth(number[6:14]) if len(number) == 18 else None


def mask(number: str) -> str:
    """`150************1234`: the first 3 and the last 4 characters, stars between."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
