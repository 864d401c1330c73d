"""Speech output of the call display: the espeak-ng engine (Mandarin voice `cmn`) rendering to
WAV, the chime, and the players (aplay, paplay or sox's `play`; headless, a player that only
waits as long as the sound lasts). The announcement queue itself lives in `kiosk.announce`;
any object with `render(text, out)` can replace espeak-ng.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import time
import wave
from collections.abc import Callable
from pathlib import Path

from kiosk.announce import Announcement, AnnouncementQueue, Player, SpeechEngine, wav_seconds

log = logging.getLogger(__name__)
RATE = 22050  # espeak-ng's own rate, so chime and speech match


class VoiceError(Exception):
    """The speech engine could not render a text."""


class EspeakEngine:
    """espeak-ng, offline, installed from the distribution's packages (`espeak-ng`). Its
    "cmn-latn-pinyin" voice: the plain "cmn" voice of espeak-ng 1.51 (Debian 12) reads most
    characters as pinyin with the tone digit said in English ("请" as "qing three")."""

    def __init__(self, voice: str = "cmn-latn-pinyin", speed_wpm: int = 150,
                 binary: str | None = None) -> None:
        found = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        if found is None:
            raise VoiceError("espeak-ng is not installed (apt-get install espeak-ng)")
        self.binary, self.voice, self.speed = found, voice, speed_wpm

    def render(self, text: str, out: Path) -> None:
        cmd = [self.binary, "-v", self.voice, "-s", str(self.speed), "-w", str(out), text]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceError(f"espeak-ng failed on {text!r}: {exc}") from exc


def write_chime(out: Path, tones: tuple[float, ...] = (784.0, 659.3), tone_s: float = 0.45,
                volume: float = 0.5) -> Path:
    """A two-tone 'ding-dong' bell: sine tones with a soft attack and an exponential decay."""
    frames = bytearray()
    n = int(RATE * tone_s)
    for freq in tones:
        for i in range(n):
            t = i / RATE
            envelope = min(1.0, t / 0.01) * math.exp(-4.0 * t / tone_s)
            sample = volume * envelope * (math.sin(2 * math.pi * freq * t)
                                          + 0.3 * math.sin(4 * math.pi * freq * t)) / 1.3
            frames += struct.pack("<h", int(sample * 32767))
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out


class WaitPlayer:
    """No sound card (offscreen, CI): waits as long as the sound lasts (times `scale`), so the
    queue keeps real pacing and never overlaps two announcements."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def play(self, wav: Path) -> None:
        time.sleep(wav_seconds(wav) * self.scale)


class CommandPlayer:
    """Plays through the first system player found; falls back to waiting when it fails (no
    audio device), logging that once."""

    CANDIDATES = (["aplay", "-q"], ["paplay"], ["play", "-q"])

    def __init__(self) -> None:
        self.command = next((c for c in self.CANDIDATES if shutil.which(c[0])), None)
        self._fallback = WaitPlayer()
        self._warned = False

    def play(self, wav: Path) -> None:
        if self.command is not None:
            try:
                done = subprocess.run([*self.command, str(wav)], capture_output=True,
                                      timeout=wav_seconds(wav) + 10)
                if done.returncode == 0:
                    return
                lines = done.stderr.decode(errors="replace").strip().splitlines() or ["?"]
                reason = lines[-1][:160]
            except (OSError, subprocess.SubprocessError) as exc:
                reason = str(exc)
            if not self._warned:
                log.warning("player %s failed (%s); announcing silently", self.command[0], reason)
                self._warned = True
        self._fallback.play(wav)


def make_queue(cache_dir: Path, *, repeat: int = 2, engine: SpeechEngine | None = None,
               player: Player | None = None,
               is_due: Callable[[Announcement], bool] | None = None) -> AnnouncementQueue:
    """The display's announcer: espeak-ng and the system player unless told otherwise;
    `is_due`: whether a call is still to be said when its turn comes."""
    chime = write_chime(cache_dir / "chime.wav")
    return AnnouncementQueue(engine or EspeakEngine(), player or CommandPlayer(), cache_dir,
                             chime=chime, repeat=repeat, is_due=is_due)
