"""Translations as files (issue 16): the shipped Mongolian file is read at run time, every entry
it translates is flagged for a native reader's review, `python -m ui.locale check mn` lists what
is untranslated or unreviewed, and a hall's own file replaces the shipped one without code."""

from __future__ import annotations

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
    assert len(done) >= 25 and all(e.fuzzy for e in done)
    assert all("\u1820" <= ch <= "\u18af" or not ch.isalpha() for e in done for ch in e.text
               if not ch.isascii()), "traditional Mongolian letters only"
    assert i18n.tr("now_calling", "mn") == next(e.text for e in done if e.key == "now_calling")
    assert i18n.tr("please_go", "mn", counter="W1").startswith("W1\u202f")  # NNBSP: a suffix
    assert i18n.tr("motto", "mn") == i18n.tr("motto", "zh")  # untranslated: the Chinese


def test_check_lists_untranslated_and_unreviewed(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines()]
    assert ["unreviewed", "now_calling"] in rows and ["untranslated", "motto"] in rows
    assert "unreviewed (fuzzy)" in run.stderr
    # a hall's reviewed file: its own words are shown, and the check lists no review for them
    own = (SHIPPED / "mn.po").read_text(encoding="utf-8")
    own = own.replace('#, fuzzy\nmsgctxt "now_calling"', 'msgctxt "now_calling"')
    motto = i18n.TEXT["motto"][1]
    own = own.replace(f'msgctxt "motto"\nmsgid "{motto}"\nmsgstr ""',
                      f'msgctxt "motto"\nmsgid "{motto}"\nmsgstr "\u1832\u1825\u182a"')
    (tmp_path / "mn.po").write_text(own, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn", "--dir",
                          str(tmp_path), "--strict"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 1 and str(tmp_path / "mn.po") in run.stderr
    rows = [line.split()[:2] for line in run.stdout.splitlines()]
    assert ["unreviewed", "now_calling"] not in rows and ["unreviewed", "thanks"] in rows
    i18n.use_translations(tmp_path)
    assert i18n.tr("motto", "mn") == "\u1832\u1825\u182a"
    assert ["untranslated", "motto"] not in rows
    (tmp_path / "mn.po").write_text('msgid "x"\nmsgid "y"\n', encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "ui.locale", "check", "mn", "--dir",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=False)
    assert bad.returncode == 2 and "mn.po:2" in bad.stderr
