"""The board's call in the hall's languages, in the hall's order (e.g. Mongolian, then
Chinese), from voice packs: the shipped Mandarin pack and the packs a hall records itself.

A language whose pack lacks a clip for this call is left out of it (logged once per clip), so a
half-recorded Mongolian pack never silences the Chinese call; only a call no language can say
is an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.announce import Announcement, SpeechEngine
from ui.voicepack.assemble import CallAudio, MissingClip, VoicePack
from ui.voicepack.manifest import VoicePackError

log = logging.getLogger(__name__)
PACKS = Path(__file__).resolve().parent / "packs"
LANGUAGE_GAP_MS = 600


def shipped_pack(language: str = "zh") -> VoicePack:
    """A pack that ships with Kuaiban (today the Mandarin one, `packs/zh`)."""
    folder = PACKS / language
    if not (folder / "pack.toml").is_file():
        raise VoicePackError(f"no shipped voice pack for {language!r} (shipped: "
                             f"{', '.join(sorted(p.name for p in PACKS.iterdir() if p.is_dir()))})")
    return VoicePack(folder)


class CallVoice:
    """Says calls in `order` from `packs` (one per language), `language_gap_ms` apart."""

    def __init__(self, packs: Sequence[VoicePack], order: Sequence[str], *,
                 language_gap_ms: int = LANGUAGE_GAP_MS) -> None:
        by_language = {p.language: p for p in packs}
        unknown = [lang for lang in order if lang not in by_language]
        if unknown or not order:
            raise VoicePackError(f"no voice pack for {', '.join(unknown) or 'any language'}; "
                                 f"packs: {', '.join(by_language) or 'none'}")
        self.packs = [by_language[lang] for lang in dict.fromkeys(order)]
        rates = {p.manifest.sample_rate for p in self.packs}
        if len(rates) > 1:
            raise VoicePackError(f"voice packs differ in sample rate ({sorted(rates)} Hz): record "
                                 f"or convert them to one rate")
        self.rate = rates.pop()
        self.language_gap_ms = language_gap_ms
        self._warned: set[str] = set()

    def call(self, number: str, counter: str, counter_name: str = "", *,
             recall: bool = False) -> CallAudio:
        """The call as audio; languages that cannot say it are skipped, with a warning."""
        audio = CallAudio(self.rate)
        said = 0
        for pack in self.packs:
            try:
                clips = pack.clip_names(number, counter, counter_name, recall=recall)
                attempt = CallAudio(self.rate)
                pack.say(clips, attempt)
            except MissingClip as exc:
                if str(exc) not in self._warned:
                    self._warned.add(str(exc))
                    log.warning("voice: %s; %s is left out of such calls", exc, pack.language)
                continue
            if said:
                audio.silence("language", self.language_gap_ms)
            audio.parts += attempt.parts
            audio.pcm += attempt.pcm
            said += 1
        if not said:
            raise VoicePackError(f"no voice pack can say {number} at counter {counter}")
        return audio

    def render_call(self, number: str, counter: str, counter_name: str, out: Path, *,
                    recall: bool = False) -> CallAudio:
        """The call written to `out` as a WAV file (for the board's player)."""
        audio = self.call(number, counter, counter_name, recall=recall)
        audio.write(out)
        return audio


class PackEngine:
    """The board's speech engine from voice packs: each call said in the hall's languages in
    the hall's order (`order()`, read when the call is said, since the board learns it from the
    server), from the packs it has; a language without a pack is left out."""

    def __init__(self, packs: Sequence[VoicePack], order: Callable[[], Sequence[str]], *,
                 language_gap_ms: int = LANGUAGE_GAP_MS,
                 fallback: SpeechEngine | None = None) -> None:
        self.packs = list(packs)
        self.order = order
        self.language_gap_ms = language_gap_ms
        self.fallback = fallback  # reads the call's sentence when no pack can say it
        self.last: CallAudio | None = None

    def voice(self) -> CallVoice:
        have = {p.language for p in self.packs}
        order = [lang for lang in self.order() if lang in have] or ["zh"]
        return CallVoice(self.packs, order, language_gap_ms=self.language_gap_ms)

    def render_call(self, item: Announcement, out: Path) -> None:
        """The call from the packs; one no pack can say (a counter with no number and no clip
        of its own) is read by the fallback engine, when the board has one."""
        try:
            self.last = self.voice().render_call(item.number, item.counter, item.counter_name,
                                                 out, recall=item.recall)
        except VoicePackError:
            if self.fallback is None or not item.text:
                raise
            self.last = None
            self.fallback.render(item.text, out)

    def render(self, text: str, out: Path) -> None:
        if self.fallback is None:
            raise VoicePackError("voice packs say calls from their parts, not free text")
        self.fallback.render(text, out)


def load_packs(folders: Sequence[str | Path]) -> list[VoicePack]:
    """The shipped Mandarin pack and the hall's own packs (a folder each, e.g. its Mongolian
    recordings); a hall's pack of a language replaces the shipped one."""
    packs = {p.language: p for p in [shipped_pack("zh")]}
    for folder in folders:
        pack = VoicePack(Path(folder))
        packs[pack.language] = pack
    return list(packs.values())
