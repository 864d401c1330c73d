"""Text blocks of the four card types, ID number validation, names and masking."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.idcard import card as c
from devices.idcard import idnumber
from devices.idcard.simulator import load_cards

SAMPLES = {s.card.number: s for s in load_cards()}


def test_sample_file_covers_what_the_tests_and_kiosks_need() -> None:
    cards = [s.card for s in SAMPLES.values()]
    assert {x.type for x in cards} == set(c.CARD_TYPES)
    assert any("·" in x.name for x in cards)
    assert any(x.valid_to is None for x in cards)
    assert any(x.age_on(date(2026, 11, 25)) >= 70 for x in cards)
    assert any(s.appended_address for s in SAMPLES.values())
    for x in cards:
        assert idnumber.problems(x.number, x.type, date(2026, 11, 25)) == [], x.number


def test_resident_block_decodes_field_by_field() -> None:
    sample = SAMPLES["650102199007210044"].card
    block = c.encode_text(sample)
    assert len(block) == 256 and block[0:16].decode("utf-16-le") == "阿依古丽·买买提"
    assert block[32:36].decode("utf-16-le") == "05" and block[248:250] == b" \x00"
    got = c.decode_text(block)
    assert (got.type, got.name, got.sex, got.ethnicity) == ("resident", "阿依古丽·买买提", "女", "维吾尔")
    assert got == sample


def test_long_term_validity_is_none() -> None:
    block = bytearray(c.encode_text(SAMPLES["150826194811050019"].card))
    assert block[204:208].decode("utf-16-le") == "长期"
    assert c.decode_text(bytes(block)).valid_to is None
    block[248:250] = b"\x00\x00"  # NUL type character also means resident
    assert c.decode_text(bytes(block)).type == "resident"


@pytest.mark.parametrize("number", ["810000199502140022", "USA150880010137", "915724199206300017"])
def test_permit_and_residence_cards_round_trip(number: str) -> None:
    sample = SAMPLES[number].card
    block = c.encode_text(sample)
    assert block[248:250].decode("utf-16-le") == {"hmt_permit": "J", "foreign_2017": "I",
                                                  "foreign_2023": "Y"}[sample.type]
    assert c.decode_text(block) == sample


def test_foreign_2017_layout_starts_with_the_english_name() -> None:
    block = c.encode_text(SAMPLES["USA150880010137"].card)
    assert block[0:38].decode("utf-16-le") == "SMITH, JOHN WILLIAM"
    assert block[152:158].decode("utf-16-le") == "USA"
    assert block[158:164].decode("utf-16-le") == "史密斯"


def test_foreign_2023_english_name_spans_two_fields() -> None:
    got = c.decode_text(c.encode_text(SAMPLES["915724199206300017"].card))
    assert got.extra["english_name"] == "GARCIA LOPEZ, MARIA FERNANDA DE LOS ANGELES"
    assert got.extra["nationality"] == "ESP"


@pytest.mark.parametrize(("patch", "message"), [
    ((248, "Q"), "unknown card type"), ((36, "19851312"), "birth date"),
    ((30, "7"), "sex code"), ((32, "77"), "ethnicity code"), ((188, "2015AB01"), "valid from")])
def test_bad_blocks_say_what_is_wrong(patch: tuple[int, str], message: str) -> None:
    block = bytearray(c.encode_text(SAMPLES["150826198503120028"].card))
    offset, text = patch
    data = text.encode("utf-16-le")
    block[offset : offset + len(data)] = data
    with pytest.raises(c.CardDataError, match=message):
        c.decode_text(bytes(block))


@given(st.binary(min_size=0, max_size=300))
@settings(max_examples=300, deadline=None)
def test_no_block_makes_the_decoder_raise_anything_but_its_error(blob: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        c.decode_text(blob)


def test_names_of_sex_and_all_ethnicities() -> None:
    assert len(c.ETHNICITIES) == 58 and c.ETHNICITIES["56"] == "基诺" and c.ETHNICITIES["01"] == "汉"
    assert c.ETHNICITIES["98"] == "外国血统中国籍人士" and c.ETHNICITIES["97"] == "其他"
    assert c.SEX == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


def test_masking_and_age() -> None:
    card = SAMPLES["150826194811050019"].card
    assert card.masked_name() == "张**" and card.masked_number() == "150***********0019"
    assert card.age_on(date(2018, 11, 4)) == 69 and card.age_on(date(2018, 11, 5)) == 70
    shown = card.to_json()
    assert "150826194811050019" not in str(shown) and "张宝山" not in str(shown)
    assert card.to_json(reveal=True)["number"] == "150826194811050019"


@pytest.mark.parametrize(("number", "kind", "message"), [
    ("150826198503120027", "resident", "check character is 7, expected 8"),
    ("990826198503120028", "resident", "not a province code"),
    ("150800198503120028", "resident", "not a county"),
    ("150826198513120028", "resident", "is not a date"),
    ("15082619850312002", "resident", "has 17 characters"),
    ("15082619850312002Y", "resident", "must be a digit or X"),
    ("150826185003120028", "resident", "before 1900"),
    ("150826198503120028", "hmt_permit", "810000 (HK)"),
    ("815724199206300017", "foreign_2023", "starts with 9"),
    ("US1150880010137", "foreign_2017", "3 capital letters"),
    ("USA15088001013", "foreign_2017", "expected 15"),
    ("USA15088001013A", "foreign_2017", "must be digits"),
])
def test_number_problems_are_named(number: str, kind: str, message: str) -> None:
    found = idnumber.problems(number, kind)
    assert any(message in f for f in found), found
    with pytest.raises(idnumber.InvalidIdNumber) as info:
        idnumber.validate(number, kind)
    assert number not in str(info.value)  # even the error does not show the whole number


def test_future_birth_date_and_check_x() -> None:
    first17 = "11010520300101001"
    assert "in the future" in idnumber.problems(first17 + idnumber.check_char(first17), today=date(2026, 1, 1))[0]
    assert idnumber.check_char("11010519491231002") == "X"
    assert idnumber.validate("11010519491231002X") == "11010519491231002X"


texts = st.text(st.characters(max_codepoint=0xFFFF, exclude_characters=" \0", exclude_categories=("Cs",)), max_size=15)
days = st.dates(date(1900, 1, 1), date(2099, 12, 31))


@given(st.sampled_from(["resident", "hmt_permit"]), texts, st.sampled_from(list(c.SEX.values())),
       st.sampled_from(list(c.ETHNICITIES.values())), days, texts, texts, days, st.none() | days)
@settings(max_examples=150, deadline=None)
def test_text_block_round_trip(kind: str, name: str, sex: str, eth: str, born: date, addr: str,
                               authority: str, start: date, end: date | None) -> None:
    extra = {"permit_number": "H1234", "issue_count": "02"} if kind == "hmt_permit" else {}
    first17 = "81000019900101001" if kind == "hmt_permit" else "15082619850312002"  # HK permit
    card = c.IdCard(kind, name, sex, eth if kind == "resident" else "", born, addr,
                    first17 + idnumber.check_char(first17), authority, start, end, extra)
    assert c.decode_text(c.encode_text(card)) == card
