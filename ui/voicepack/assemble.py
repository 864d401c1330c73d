"""A call said from recorded clips: which clips a call needs in one language (its manifest's
sentence, the ticket number letter by letter and digit by digit, the counter by its own clip or
its number), and the call in several languages in the hall's order, concatenated into one WAV
with short silences between clips. No engine, no network: a hall records its own pack.
"""

from __future__ import annotations

import logging
import re
import wave
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ui.voicepack.manifest import Manifest, VoicePackError, load_manifest

log = logging.getLogger(__name__)
_DIGITS = re.compile(r"[0-9]+")
SILENCE = ("gap", "pause", "language")


class MissingClip(VoicePackError):
    """A clip the call needs is not recorded (the message names the file to record)."""


@dataclass(frozen=True)
class Part:
    """One piece of a call: a clip (`zh:digits/5`) or a silence (`gap`, `pause`, `language`)."""

    name: str
    frames: int


@dataclass
class CallAudio:
    rate: int
    parts: list[Part] = field(default_factory=list)
    pcm: bytearray = field(default_factory=bytearray)  # mono 16-bit little-endian

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    def clips(self) -> list[str]:
        return [p.name for p in self.parts if p.name not in SILENCE]

    def add(self, name: str, pcm: bytes) -> None:
        self.parts.append(Part(name, len(pcm) // 2))
        self.pcm += pcm

    def silence(self, name: str, ms: int) -> None:
        if ms > 0:
            self.add(name, bytes(2 * (self.rate * ms // 1000)))

    def write(self, out: Path) -> Path:
        out.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(bytes(self.pcm))
        return out


def cardinal(n: int) -> list[str]:
    """The clips of a counter number: 5 -> digits/5, 10 -> tens/10, 12 -> tens/10+ digits/2."""
    if n < 10:
        return [f"digits/{n}"]
    if n < 100:
        tens, unit = n - n % 10, n % 10
        return [f"tens/{tens}"] if unit == 0 else [f"tens/{tens}+", f"digits/{unit}"]
    return [f"digits/{d}" for d in str(n)]


def spelled(number: str) -> list[str]:
    """A ticket number as halls read it: each letter, then each digit on its own."""
    clips = []
    for ch in number.strip():
        if ch.isascii() and ch.isdigit():
            clips.append(f"digits/{ch}")
        elif ch.isascii() and ch.isalpha():
            clips.append(f"letters/{ch.upper()}")
        else:
            raise VoicePackError(f"cannot say {ch!r} of ticket number {number!r}")
    return clips


class VoicePack:
    """One language's clips in a folder with its `pack.toml`."""

    def __init__(self, folder: Path) -> None:
        self.manifest: Manifest = load_manifest(folder)
        self._pcm: dict[str, bytes] = {}

    @property
    def language(self) -> str:
        return self.manifest.language

    def clip_names(self, number: str, counter: str, counter_name: str = "", *,
                   recall: bool = False) -> list[str]:
        """The clips (and `,` pauses) of one call, in order, without reading any of them."""
        m = self.manifest
        out: list[str] = []
        for word in m.recall if recall else m.sentence:
            if word == "{number}":
                out += spelled(number)
            elif word == "{counter}":
                out += self._counter(counter, counter_name)
            elif word == "{counter_number}":
                out += cardinal(_counter_number(counter, counter_name))
            elif word == ",":
                out.append(",")
            else:
                out.append(f"phrases/{word}")
        return out

    def _counter(self, code: str, name: str) -> list[str]:
        own = f"counters/{code}"
        if (self.manifest.folder / f"{own}.wav").is_file() or not self.manifest.counter_fallback:
            return [own]
        fits = self.manifest.counter_fits
        if fits and name and f"{_counter_number(code, name)}{fits}" not in name.replace(" ", ""):
            # "请 A001 号到 1 号窗口" for the counter 1号台: say it as it is named, or not at all
            raise MissingClip(f"counter {code} is named {name!r}, not N{fits}: record "
                              f"counters/{code}.wav")
        out: list[str] = []
        for word in self.manifest.counter_fallback:
            if word == "{counter_number}":
                out += cardinal(_counter_number(code, name))
            elif word == "{number}":
                out += spelled(code)
            elif word != ",":
                out.append(f"phrases/{word}")
        return out

    def pcm(self, clip: str) -> bytes:
        """The samples of a clip; a `tens/N+` clip falls back to `tens/N` when not recorded."""
        if clip.endswith("+") and not (self.manifest.folder / f"{clip}.wav").is_file():
            clip = clip[:-1]
        if clip not in self._pcm:
            self._pcm[clip] = self._read(self.manifest.folder / f"{clip}.wav")
        return self._pcm[clip]

    def _read(self, path: Path) -> bytes:
        rate = self.manifest.sample_rate
        if not path.is_file():
            raise MissingClip(f"{self.language}: {path} is not recorded (mono, 16-bit, {rate} Hz)")
        try:
            with wave.open(str(path), "rb") as w:
                shape = (w.getnchannels(), w.getsampwidth(), w.getframerate())
                frames = w.readframes(w.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            raise VoicePackError(f"{path}: not a readable WAV file: {exc}") from exc
        if shape != (1, 2, rate):
            raise VoicePackError(
                f"{path}: {shape[0]} channel(s), {8 * shape[1]}-bit, {shape[2]} Hz; this pack "
                f"needs mono 16-bit {rate} Hz (sox IN.wav -c 1 -b 16 -r {rate} {path.name})")
        return frames

    def say(self, clips: list[str], audio: CallAudio) -> None:
        """Append the clips to `audio`, `gap_ms` apart (`,` is a `pause_ms` silence instead)."""
        pieces = [(c, b"" if c == "," else self.pcm(c)) for c in clips]  # all read, or none
        for i, (clip, pcm) in enumerate(pieces):
            if clip == ",":
                audio.silence("pause", self.manifest.pause_ms)
                continue
            if i and pieces[i - 1][0] != ",":
                audio.silence("gap", self.manifest.gap_ms)
            audio.add(f"{self.language}:{clip}", pcm)

    def missing(self, prefixes: Iterable[str], counters: Iterable[tuple[str, str]]) -> list[str]:
        """The clip files still to record so that every call of a hall can be said: calls of
        numbers with those prefixes at those (code, name) counters."""
        need = [f"letters/{ch}" for p in prefixes for ch in p.upper()]
        need += [f"digits/{d}" for d in range(10)]
        for code, name in counters:
            for recall in (False, True):
                need += self.clip_names("0", code, name, recall=recall)
        need = [c for c in dict.fromkeys(need) if c != ","]
        folder = self.manifest.folder
        wanted = [c[:-1] if c.endswith("+") else c for c in need]
        return [f"{c}.wav" for c in dict.fromkeys(wanted) if not (folder / f"{c}.wav").is_file()]


def _counter_number(code: str, name: str) -> int:
    """The number a counter is called by: the first number in its name ("5号窗口"), else in its
    code ("W05")."""
    found = _DIGITS.search(name) or _DIGITS.search(code)
    if found is None:
        raise MissingClip(f"counter {code} has no number in its code or name: record "
                          f"counters/{code}.wav")
    return int(found.group())
