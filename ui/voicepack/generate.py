"""Make a voice pack's clips with espeak-ng, as its manifest's `[espeak]` table says (a build
step, run by a developer; the results are committed so terminals need no speech engine):

    .venv/bin/python -m ui.voicepack.generate ui/voicepack/packs/zh

Each clip is spoken, checked (mono 16-bit at the pack's rate) and trimmed of the silence
espeak-ng puts around it, so the pack's own gaps decide the rhythm of a call.
"""

from __future__ import annotations

import array
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import toml_text
from ui.voicepack.manifest import VoicePackError, load_manifest

THRESHOLD = 400  # of 32767: below this a sample counts as silence
MARGIN_MS = 15  # kept on each side of the speech


def trim(samples: array.array, rate: int) -> array.array:
    """`samples` without the leading and trailing silence (a margin kept)."""
    loud = [i for i, s in enumerate(samples) if abs(s) > THRESHOLD]
    if not loud:
        raise VoicePackError("the clip is silent")
    margin = rate * MARGIN_MS // 1000
    return samples[max(0, loud[0] - margin):loud[-1] + 1 + margin]


def speak(binary: str, voice: str, speed: int, text: str, out: Path, rate: int) -> float:
    """Render `text` to `out` trimmed; answer its length in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run([binary, "-v", voice, "-s", str(speed), "-w", str(raw), text],
                       check=True, capture_output=True, timeout=30)
        with wave.open(str(raw), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, rate):
                raise VoicePackError(f"espeak-ng made {w.getframerate()} Hz, the pack is {rate}")
            samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        samples.byteswap()
    clip = trim(samples, rate)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(clip.tobytes())
    return len(clip) / rate


def generate(folder: Path) -> dict[str, float]:
    """Make every clip the manifest's `[espeak.say]` lists; answer their lengths."""
    manifest = load_manifest(folder)
    table = toml_text.loads((folder / "pack.toml").read_text(encoding="utf-8")).get("espeak")
    if not isinstance(table, dict) or not isinstance(table.get("say"), dict):
        raise VoicePackError(f"{folder / 'pack.toml'}: no [espeak.say] table to generate from")
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise VoicePackError("espeak-ng is not installed (apt-get install espeak-ng)")
    voice, speed = str(table.get("voice", "cmn-latn-pinyin")), int(table.get("speed", 150))
    return {clip: speak(binary, voice, speed, str(text), folder / f"{clip}.wav",
                        manifest.sample_rate) for clip, text in table["say"].items()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ui.voicepack.generate PACK_FOLDER", file=sys.stderr)
        return 2
    try:
        lengths = generate(Path(argv[0]))
    except (VoicePackError, OSError, subprocess.SubprocessError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 1
    total = sum(lengths.values())
    print(f"{len(lengths)} clips, {total:.1f} s, longest {max(lengths, key=lengths.get)} "
          f"{max(lengths.values()):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
