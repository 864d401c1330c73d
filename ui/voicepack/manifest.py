"""A voice pack's manifest (`pack.toml`): its language, sample rate, silences, and how a call
sentence is put together from clips. Read and checked once, with the file and key in every
error; the clips themselves are checked when first used (`ui.voicepack.assemble`).

```toml
[pack]
language = "zh"                  # the language code the board's order names ("mn", "zh", ...)
name = "普通话"
sample_rate = 22050              # every clip: mono, 16-bit PCM, this rate
gap_ms = 40                      # silence between two clips

[call]                           # placeholders in braces, other words are phrases/<word>.wav
sentence = ["qing", "{number}", "hao", "dao", "{counter}", "banli"]
recall = ["qing", "{number}", "hao", "zaici", "dao", "{counter}", "banli"]   # optional

[counter]                        # said when counters/<CODE>.wav is not recorded
fallback = ["{counter_number}", "hao_chuangkou"]
```

A ticket number is read character by character (`letters/A.wav`, `digits/0.wav`); a counter
number as a cardinal (`tens/10.wav` … `tens/90.wav`, and `tens/20+.wav` where a language says
tens differently before a unit); `,` in a sentence is a longer pause.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import toml_text

PLACEHOLDERS = ("{number}", "{counter}", "{counter_number}", ",")
_WORD = re.compile(r"^[a-z0-9_]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
MANIFEST = "pack.toml"


class VoicePackError(Exception):
    """A voice pack is unusable: bad manifest, missing or wrong clip. The message says where."""


@dataclass(frozen=True)
class Manifest:
    folder: Path
    language: str
    name: str
    sample_rate: int
    gap_ms: int
    pause_ms: int
    sentence: tuple[str, ...]
    recall: tuple[str, ...]
    counter_fallback: tuple[str, ...]
    # The word the fallback says after the number ("号窗口"): a counter whose name has its
    # number followed by another word ("1号台", "综合受理岗2") is not said by the fallback (the
    # board reads the call with espeak-ng instead); "": any name
    counter_fits: str = ""

    def phrases(self) -> list[str]:
        """Every phrase word the sentences use, in first-use order."""
        words = [*self.sentence, *self.recall, *self.counter_fallback]
        return list(dict.fromkeys(w for w in words if w not in PLACEHOLDERS))


def _table(data: dict[str, object], key: str, where: Path) -> dict[str, object]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise VoicePackError(f"{where}: missing the [{key}] table")
    return value


def _int(table: dict[str, object], key: str, where: Path, default: int | None, low: int,
         high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise VoicePackError(f"{where}: {key} must be a whole number from {low} to {high}, "
                             f"not {value!r}")
    return value


def _words(table: dict[str, object], key: str, where: Path, required: bool) -> tuple[str, ...]:
    value = table.get(key, [] if not required else None)
    if not isinstance(value, list) or (required and not value):
        raise VoicePackError(f"{where}: {key} must be a list of words and placeholders")
    for word in value:
        if not isinstance(word, str) or not (word in PLACEHOLDERS or _WORD.match(word)):
            raise VoicePackError(f"{where}: {key}: {word!r} is neither a placeholder "
                                 f"({', '.join(PLACEHOLDERS)}) nor a phrase name [a-z0-9_]")
    return tuple(value)


def load_manifest(folder: Path) -> Manifest:
    """The manifest of the pack in `folder`; VoicePackError names the file and the key."""
    where = folder / MANIFEST
    try:
        data = toml_text.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VoicePackError(f"{where}: cannot read the voice pack manifest: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise VoicePackError(f"{where}: not valid TOML: {exc}") from exc
    pack, call = _table(data, "pack", where), _table(data, "call", where)
    counter = data.get("counter", {})
    if not isinstance(counter, dict):
        raise VoicePackError(f"{where}: [counter] must be a table")
    language = pack.get("language")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise VoicePackError(f"{where}: language must be a code like \"mn\" or \"zh\", "
                             f"not {language!r}")
    sentence = _words(call, "sentence", where, required=True)
    if "{number}" not in sentence or "{counter}" not in sentence:
        raise VoicePackError(f"{where}: sentence must say {{number}} and {{counter}}")
    fallback = _words(counter, "fallback", where, required=False)
    if "{counter}" in fallback:
        raise VoicePackError(f"{where}: fallback cannot contain {{counter}} (itself)")
    return Manifest(
        folder=folder, language=language, name=str(pack.get("name", language)),
        sample_rate=_int(pack, "sample_rate", where, None, 8000, 96000),
        gap_ms=_int(pack, "gap_ms", where, 40, 0, 2000),
        pause_ms=_int(pack, "pause_ms", where, 250, 0, 5000),
        sentence=sentence, recall=_words(call, "recall", where, required=False) or sentence,
        counter_fallback=fallback, counter_fits=_text(counter, "fits", where),
    )


def _text(table: dict[str, object], key: str, where: Path) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise VoicePackError(f"{where}: {key} must be a string, not {value!r}")
    return value
