"""Translations as files (issue 16): the shipped Mongolian file is read at run time, every entry
it translates is flagged for a native reader's review, `python -m ui.locale check mn` lists what
is untranslated or unreviewed, and a hall's own file replaces the shipped one without code."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procs import ROOT
from ui import i18n
from ui.locale import SHIPPED, read_po


@pytest.fixture(autouse=True)
def shipped_only() -> Iterator[None]:
    i18n.use_translations(None)
    yield
    i18n.use_translations(None)


def test_shipped_mongolian_is_read_and_flagged_for_review() -> None:
    entries = read_po(SHIPPED / "mn.po")
    keys = i18n.all_keys()
    assert {e.key for e in entries} == set(keys)
    done = [e for e in entries if e.text]
    assert len(done) == len(keys) and all(e.fuzzy for e in done)  # all there, none reviewed
    assert all("\u1820" <= ch <= "\u18af" or not ch.isalpha() for e in done for ch in e.text
               if not ch.isascii()), "traditional Mongolian letters only"
    assert i18n.tr("now_calling", "mn") == next(e.text for e in done if e.key == "now_calling")
    assert i18n.tr("please_go", "mn", counter="W1").startswith("W1\u202f")  # NNBSP: a suffix
    assert i18n.tr("card_wait", "mn", n=7).endswith("7 \u1830\u1821\u183a\u1826\u1828\u1833")


def test_every_translation_keeps_the_fields_and_keys_of_the_english() -> None:
    keys = i18n.all_keys()
    fields = string.Formatter()
    for e in read_po(SHIPPED / "mn.po"):
        english = keys[e.key][1]
        assert sorted(f for _t, f, _s, _c in fields.parse(e.text) if f) == sorted(
            f for _t, f, _s, _c in fields.parse(english) if f), e.key
        assert re.findall(r"\bF\d+\b", e.text) == re.findall(r"\bF\d+\b", english), e.key
        assert "\u202f\u202f" not in e.text and " \u202f" not in e.text, e.key  # one joiner


def test_check_lists_untranslated_and_unreviewed(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines()]
    assert ["unreviewed", "now_calling"] in rows and ["unreviewed", "motto"] in rows
    assert not [r for r in rows if r[0] == "untranslated"]
    assert " 0 untranslated, " in run.stderr and "unreviewed (fuzzy)" in run.stderr
    # a hall's own file: one entry reviewed, one emptied (shown in Chinese, listed untranslated)
    own = (SHIPPED / "mn.po").read_text(encoding="utf-8")
    own = own.replace('#, fuzzy\nmsgctxt "now_calling"', 'msgctxt "now_calling"')
    motto = i18n.TEXT["motto"][1]
    shipped_motto = i18n.tr("motto", "mn")
    assert shipped_motto in own
    own = own.replace(f'msgctxt "motto"\nmsgid "{motto}"\nmsgstr "{shipped_motto}"',
                      f'msgctxt "motto"\nmsgid "{motto}"\nmsgstr ""')
    (tmp_path / "mn.po").write_text(own, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn", "--dir",
                          str(tmp_path), "--strict"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 1 and str(tmp_path / "mn.po") in run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines()]
    assert ["unreviewed", "now_calling"] not in rows and ["unreviewed", "thanks"] in rows
    assert ["untranslated", "motto"] in rows
    i18n.use_translations(tmp_path)
    assert i18n.tr("motto", "mn") == i18n.tr("motto", "zh")  # untranslated: the Chinese
    assert i18n.tr("now_calling", "mn") == i18n.translations("mn")["now_calling"] != ""
    (tmp_path / "mn.po").write_text('msgid "x"\nmsgid "y"\n', encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn", "--dir",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=False)
    assert bad.returncode == 2 and "mn.po:2" in bad.stderr


def test_english_says_one_in_the_singular() -> None:
    """"Promised within 1 working days" read wrong on the kiosk's service detail."""
    assert i18n.tr("time_limit", "en", n=1) == "Promised within 1 working day"
    assert i18n.tr("time_limit", "en", n=20) == "Promised within 20 working days"
    assert i18n.tr("remaining", "en", n=1) == "1 number left today"
    assert i18n.tr("waiting_more", "en", n=1) == "1 more service"
    assert i18n.tr("time_limit", "zh", n=1) == "承诺时限 1 个工作日"
    for key in i18n.EN_ONE:  # each singular matches its plural but for the one word
        assert set(re.findall(r"{(\w+)}", i18n.EN_ONE[key])) == set(
            re.findall(r"{(\w+)}", i18n.TEXT[key][1]))
