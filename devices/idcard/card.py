"""The `IdCard` value and the 256-byte text block of all four card types (resident, `J`, `I`,
`Y`): decoding, and encoding for the simulator. Sex and ethnicity names live here too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from devices.errors import ProtocolError
from devices.idcard.idnumber import mask, problems

TEXT_LEN = 256
LONG_TERM = "长期"

SEX = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
SEX_CODE = {v: k for k, v in SEX.items()}
SEX_EN = {"未知": "unknown", "男": "male", "女": "female", "未说明": "unspecified"}

ETHNICITIES: dict[str, str] = dict(zip(
    [f"{i:02d}" for i in range(1, 57)] + ["97", "98"],
    ["汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "其他", "外国血统中国籍人士"],
    strict=True,
))
ETHNICITY_CODE = {v: k for k, v in ETHNICITIES.items()}

TYPE_CHAR = {"resident": " ", "hmt_permit": "J", "foreign_2017": "I", "foreign_2023": "Y"}
CARD_TYPES = tuple(TYPE_CHAR)

# (field, byte offset, byte size) per card type; offsets from idcard.md.
LAYOUTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "resident": (("name", 0, 30), ("sex", 30, 2), ("ethnicity", 32, 4), ("birth_date", 36, 16),
                 ("address", 52, 70), ("number", 122, 36), ("authority", 158, 30),
                 ("valid_from", 188, 16), ("valid_to", 204, 16)),
    "hmt_permit": (("name", 0, 30), ("sex", 30, 2), ("birth_date", 36, 16), ("address", 52, 70),
                   ("number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16),
                   ("valid_to", 204, 16), ("permit_number", 220, 18), ("issue_count", 238, 4)),
    "foreign_2017": (("english_name", 0, 120), ("sex", 120, 2), ("number", 122, 30),
                     ("nationality", 152, 6), ("name", 158, 30), ("valid_from", 188, 16),
                     ("valid_to", 204, 16), ("birth_date", 220, 16), ("card_version", 236, 4),
                     ("authority_code", 240, 8)),
    "foreign_2023": (("name", 0, 30), ("sex", 30, 2), ("renewals", 32, 4), ("birth_date", 36, 16),
                     ("english_name", 52, 70), ("number", 122, 36), ("valid_from", 188, 16),
                     ("valid_to", 204, 16), ("english_name_2", 220, 22), ("nationality", 242, 6)),
}
CORE = ("name", "sex", "ethnicity", "birth_date", "address", "number", "authority",
        "valid_from", "valid_to")


class CardDataError(ProtocolError):
    """The text block does not hold what a card holds (bad date, unknown type, bad encoding)."""


@dataclass(frozen=True)
class IdCard:
    """One card as read. `valid_to` None means 长期 (long-term)."""

    type: str
    name: str
    sex: str
    ethnicity: str
    birth_date: date
    address: str
    number: str
    authority: str
    valid_from: date
    valid_to: date | None
    extra: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.type, self.number, self.valid_from))

    def masked_name(self) -> str:
        """`王*`, `王**`: the first character, then one star for each other (at most three)."""
        name = self.name or self.extra.get("english_name", "")
        if len(name) <= 1:
            return name
        return name[0] + "*" * min(len(name) - 1, 3)

    def masked_number(self) -> str:
        return mask(self.number)

    def masked_address(self) -> str:
        return self.address[:6] + "****" if self.address else ""

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        """A JSON-ready dict; name, address, number (and English names) masked unless `reveal`."""
        out: dict[str, object] = {
            "type": self.type,
            "name": self.name if reveal else self.masked_name(),
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address if reveal else self.masked_address(),
            "number": self.number if reveal else self.masked_number(),
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else LONG_TERM,
        }
        for key, value in self.extra.items():
            hide = not reveal and key in ("english_name", "permit_number", "appended_address")
            out[key] = (value[:1] + "***" if value else "") if hide else value
        return out


def card_type_of(block: bytes) -> str:
    """The card type from the character at offset 248."""
    char = block[248:250].decode("utf-16-le", errors="replace")
    if char in (" ", "\0"):
        return "resident"
    for kind, type_char in TYPE_CHAR.items():
        if char == type_char:
            return kind
    raise CardDataError(f"unknown card type character {char!r} at offset 248")


def _date(text: str, what: str) -> date:
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise CardDataError(f"{what} {text!r} is not a YYYYMMDD date")


def decode_text(block: bytes) -> IdCard:
    """An `IdCard` from the 256-byte UCS-2 text block; `CardDataError` when it makes no sense."""
    if len(block) < TEXT_LEN:
        raise CardDataError(f"text block has {len(block)} bytes, expected {TEXT_LEN}")
    kind = card_type_of(block)
    padded: dict[str, str] = {}
    for name, offset, size in LAYOUTS[kind]:
        try:
            padded[name] = block[offset : offset + size].decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise CardDataError(f"field {name} is not UCS-2 text") from exc
    if kind == "foreign_2023":  # one name in two fields: join before trimming
        padded["english_name"] += padded.pop("english_name_2")
    raw = {name: text.rstrip(" \0") for name, text in padded.items()}
    if "sex" in raw and raw["sex"] not in SEX:
        raise CardDataError(f"sex code {raw['sex']!r} is not 0, 1, 2 or 9")
    code = raw.get("ethnicity")
    if code is not None and code not in ETHNICITIES:
        raise CardDataError(f"ethnicity code {code!r} is not in GB/T 3304")
    wrong = problems(raw["number"], kind)
    if wrong:  # GB 11643 and the permits' forms (idcard.md): a corrupt or forged block
        raise CardDataError(f"ID number {mask(raw['number'])}: {'; '.join(wrong)}")
    valid_to = raw.pop("valid_to")
    extra = {k: v for k, v in raw.items() if k not in CORE}
    return IdCard(
        type=kind, name=raw["name"], sex=SEX[raw["sex"]],
        ethnicity=ETHNICITIES[code] if code else "",
        birth_date=_date(raw["birth_date"], "birth date"), address=raw.get("address", ""),
        number=raw["number"], authority=raw.get("authority", ""),
        valid_from=_date(raw["valid_from"], "valid from"),
        valid_to=None if valid_to == LONG_TERM else _date(valid_to, "valid to"), extra=extra,
    )


def _put(block: bytearray, text: str, offset: int, size: int, name: str) -> None:
    data = text.encode("utf-16-le")
    if len(data) > size:
        raise ValueError(f"{name} {text!r} is longer than {size // 2} characters")
    block[offset : offset + size] = data + " ".encode("utf-16-le") * ((size - len(data)) // 2)


def encode_text(card: IdCard) -> bytes:
    """The 256-byte text block of a card (the simulator's side)."""
    if card.type not in LAYOUTS:
        raise ValueError(f"unknown card type {card.type!r}; expected one of {CARD_TYPES}")
    values = dict(card.extra)
    values.update(name=card.name, sex=SEX_CODE[card.sex], address=card.address,
                  number=card.number, authority=card.authority,
                  birth_date=card.birth_date.strftime("%Y%m%d"),
                  valid_from=card.valid_from.strftime("%Y%m%d"),
                  valid_to=card.valid_to.strftime("%Y%m%d") if card.valid_to else LONG_TERM)
    if card.type == "resident":
        values["ethnicity"] = ETHNICITY_CODE[card.ethnicity]
    if card.type == "foreign_2023":
        english = values.get("english_name", "")
        values["english_name"], values["english_name_2"] = english[:35], english[35:]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, offset, size in LAYOUTS[card.type]:
        _put(block, values.get(name, ""), offset, size, name)
    if card.type != "resident":
        _put(block, TYPE_CHAR[card.type], 248, 2, "type")
    return bytes(block)


def decode_appended_address(data: bytes) -> str:
    """The appended address (30 03 answer): UCS-2 text, trailing spaces trimmed."""
    try:
        return data.decode("utf-16-le").rstrip(" \0")
    except UnicodeDecodeError as exc:
        raise CardDataError("appended address is not UCS-2 text") from exc
