"""Voice packs: the call is the manifest's sentence made of the pack's clips in order, its length
is exactly the clips plus the silences between them, languages follow the hall's order, a
half-recorded pack never silences the call, and bad packs are refused with the file named."""

from __future__ import annotations

import array
import math
import re
import shutil
import wave
from pathlib import Path

import pytest

from ui.voicepack import CallAudio, CallVoice, MissingClip, VoicePack, VoicePackError, shipped_pack
from ui.voicepack.assemble import cardinal, spelled
from ui.voicepack.calls import PACKS
from ui.voicepack.generate import speak, trim

RATE = 22050
ZH_CALL = ["zh:phrases/qing", "zh:letters/A", "zh:digits/0", "zh:digits/1", "zh:digits/2",
           "zh:phrases/hao", "zh:phrases/dao", "zh:digits/5", "zh:phrases/hao_chuangkou",
           "zh:phrases/banli"]


def frames(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()


def tone(path: Path, seconds: float, freq: float = 440.0, rate: int = RATE,
         channels: int = 1) -> Path:
    """A test clip: a sine tone standing in for a recording the test itself makes."""
    n = int(rate * seconds)
    samples = array.array("h", (int(8000 * math.sin(2 * math.pi * freq * i / rate))
                                for i in range(n) for _ in range(channels)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


@pytest.fixture
def mn_pack(tmp_path: Path) -> Path:
    """The example Mongolian layout, "recorded" with tones of distinct lengths by this test."""
    folder = tmp_path / "mn"
    shutil.copytree(PACKS / "mn-example", folder)
    pack = VoicePack(folder)
    for i, clip in enumerate(pack.missing(["A"], [("W05", "5号窗口 综合受理")])):
        tone(folder / clip, 0.05 + 0.01 * i)
    return folder


def test_shipped_mandarin_pack_is_complete() -> None:
    pack = shipped_pack("zh")
    assert pack.language == "zh" and pack.manifest.sample_rate == RATE
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    counters = [(f"W{n:02d}", f"{n}号窗口") for n in range(1, 100)]
    assert pack.missing(letters, counters) == []
    for clip in (PACKS / "zh").rglob("*.wav"):
        assert 0.1 < frames(clip) / RATE < 1.5, clip  # a word, trimmed, not silence
        pack.pcm(str(clip.relative_to(PACKS / "zh").with_suffix("")))  # mono 16-bit 22050


def test_mandarin_call_is_its_clips_and_gaps(tmp_path: Path) -> None:
    voice = CallVoice([shipped_pack("zh")], ["zh"])
    audio = voice.render_call("A012", "W05", "5号窗口 综合受理", tmp_path / "call.wav")
    assert audio.clips() == ZH_CALL
    clip_frames = sum(frames(PACKS / "zh" / f"{c[3:]}.wav") for c in ZH_CALL)
    gap = RATE * shipped_pack("zh").manifest.gap_ms // 1000
    assert frames(tmp_path / "call.wav") == audio.frames == clip_frames + gap * (len(ZH_CALL) - 1)
    assert [p.name for p in audio.parts[1::2]] == ["gap"] * (len(ZH_CALL) - 1)


def test_recall_and_two_digit_counters() -> None:
    voice = CallVoice([shipped_pack("zh")], ["zh"])
    recall = voice.call("B7", "W12", "12号窗口 统一出件", recall=True).clips()
    assert recall == ["zh:phrases/qing", "zh:letters/B", "zh:digits/7", "zh:phrases/hao",
                      "zh:phrases/zaici", "zh:phrases/dao", "zh:tens/10+", "zh:digits/2",
                      "zh:phrases/hao_chuangkou", "zh:phrases/banli"]
    assert cardinal(5) == ["digits/5"] and cardinal(20) == ["tens/20"]
    assert cardinal(35) == ["tens/30+", "digits/5"] and cardinal(105) == ["digits/1", "digits/0",
                                                                         "digits/5"]
    assert spelled("ab09") == ["letters/A", "letters/B", "digits/0", "digits/9"]
    with pytest.raises(VoicePackError, match="cannot say"):
        spelled("A-1")


def test_languages_follow_the_halls_order(mn_pack: Path, tmp_path: Path) -> None:
    mn, zh = VoicePack(mn_pack), shipped_pack("zh")
    tone(mn_pack / "counters" / "W05.wav", 0.4)  # the hall recorded this counter's own name
    audio = CallVoice([zh, mn], ["mn", "zh"], language_gap_ms=500).call("A012", "W05", "5号窗口")
    mn_clips = ["mn:letters/A", "mn:digits/0", "mn:digits/1", "mn:digits/2", "mn:phrases/dugaar_tai",
                "mn:counters/W05", "mn:phrases/ireger_ei"]
    assert audio.clips() == mn_clips + ZH_CALL
    names = [p.name for p in audio.parts]
    assert names.count("language") == 1 and names.index("language") == 2 * len(mn_clips) - 1
    expected = sum(frames(mn_pack / f"{c[3:]}.wav") for c in mn_clips)
    expected += sum(frames(PACKS / "zh" / f"{c[3:]}.wav") for c in ZH_CALL)
    expected += RATE * 40 // 1000 * (len(mn_clips) - 1) + RATE * 30 // 1000 * (len(ZH_CALL) - 1)
    assert audio.frames == expected + RATE * 500 // 1000
    zh_first = CallVoice([zh, mn], ["zh", "mn"]).call("A012", "W05", "5号窗口").clips()
    assert zh_first[:len(ZH_CALL)] == ZH_CALL and zh_first[len(ZH_CALL)].startswith("mn:")


def test_a_half_recorded_pack_leaves_its_language_out(mn_pack: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    (mn_pack / "digits" / "7.wav").unlink()
    voice = CallVoice([VoicePack(mn_pack), shipped_pack("zh")], ["mn", "zh"])
    assert voice.call("A017", "W05", "5号窗口").clips()[0] == "zh:phrases/qing"
    assert "digits/7.wav is not recorded" in caplog.text
    assert voice.call("A012", "W05", "5号窗口").clips()[0] == "mn:letters/A"
    with pytest.raises(VoicePackError, match="no voice pack can say A017"):
        CallVoice([VoicePack(mn_pack)], ["mn"]).call("A017", "W05", "5号窗口")


def test_example_pack_records_nothing_and_its_readme_names_every_clip() -> None:
    example = PACKS / "mn-example"
    assert list(example.rglob("*.wav")) == []
    pack = VoicePack(example)
    missing = pack.missing(["A", "B"], [("W05", "5号窗口"), ("W12", "12号窗口")])
    assert "phrases/dugaar_tai.wav" in missing and "tens/10.wav" in missing
    readme = (example / "README.md").read_text(encoding="utf-8")
    for clip in missing:
        folder = clip.split("/")[0]
        assert clip in readme or re.search(rf"`{folder}/\w+\.wav` …", readme), clip
    with pytest.raises(MissingClip, match=r"letters/A.wav is not recorded \(mono, 16-bit, 22050"):
        pack.say(pack.clip_names("A1", "W05", "5号窗口"), CallAudio(RATE))


def test_bad_packs_are_refused_with_the_file_named(mn_pack: Path, tmp_path: Path) -> None:
    tone(mn_pack / "digits" / "3.wav", 0.2, rate=44100, channels=2)
    with pytest.raises(VoicePackError, match=r"digits/3.wav: 2 channel\(s\), 16-bit, 44100 Hz.*sox"):
        VoicePack(mn_pack).pcm("digits/3")
    (mn_pack / "digits" / "4.wav").write_bytes(b"RIFF nonsense")
    with pytest.raises(VoicePackError, match="not a readable WAV"):
        VoicePack(mn_pack).pcm("digits/4")
    manifest = mn_pack / "pack.toml"
    text = manifest.read_text(encoding="utf-8")
    for bad, message in ((text.replace('"{counter}", ', ""), "must say {number} and {counter}"),
                         (text.replace("sample_rate = 22050", "sample_rate = 7"), "sample_rate"),
                         (text.replace('"dahin"', '"Dahin!"'), "'Dahin!' is neither"),
                         (text.replace("[pack]", "[pak]"), r"missing the \[pack\] table"),
                         ("[pack\n", "not valid TOML")):
        manifest.write_text(bad, encoding="utf-8")
        with pytest.raises(VoicePackError, match=message) as err:
            VoicePack(mn_pack)
        assert str(manifest) in str(err.value)
    with pytest.raises(VoicePackError, match="no voice pack for en"):
        CallVoice([shipped_pack("zh")], ["en", "zh"])


def test_packs_of_different_rates_cannot_be_joined(mn_pack: Path) -> None:
    manifest = mn_pack / "pack.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("22050", "16000"),
                        encoding="utf-8")
    with pytest.raises(VoicePackError, match="differ in sample rate"):
        CallVoice([VoicePack(mn_pack), shipped_pack("zh")], ["mn", "zh"])


def test_generator_trims_silence_around_speech(tmp_path: Path) -> None:
    quiet, loud = [0] * 2205, [5000, -5000] * 2205
    clip = trim(array.array("h", quiet + loud + quiet), RATE)
    margin = RATE * 15 // 1000
    assert len(clip) == len(loud) + 2 * margin
    with pytest.raises(VoicePackError, match="silent"):
        trim(array.array("h", quiet), RATE)
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed")
    seconds = speak(espeak, "cmn-latn-pinyin", 150, "wu3", tmp_path / "5.wav", RATE)
    assert 0.1 < seconds < 1.0 and frames(tmp_path / "5.wav") == round(seconds * RATE)


class Recorder:
    """A player that keeps what it was given (the board's player, minus the loudspeaker)."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def play(self, wav: Path) -> None:
        self.played.append(wav)


def test_board_announces_in_the_halls_order_from_packs(mn_pack: Path, tmp_path: Path) -> None:
    """The display's announcer with the pack engine: the hall's order read when the call is
    said (Mongolian, then Chinese; English has no pack and is left out), clips concatenated,
    the WAV played as long as its clips and silences, a recall said again."""
    from kiosk.announce import Announcement
    from ui.voice import make_queue
    from ui.voicepack.calls import PackEngine, load_packs

    tone(mn_pack / "counters" / "W05.wav", 0.4)
    languages = ["zh"]  # what the board knows before GET /hall answers
    engine = PackEngine(load_packs([mn_pack]), lambda: languages, language_gap_ms=500)
    player = Recorder()
    voice = make_queue(tmp_path / "cache", repeat=1, engine=engine, player=player)
    voice.start()
    try:
        languages[:] = ["mn", "zh", "en"]  # the hall answered
        voice.put(Announcement(1, "A012", "W05", "5号窗口", "请A零一二号到5号窗口办理"))
        assert voice.wait_idle(20)
        assert engine.last is not None
        mn_clips = ["mn:letters/A", "mn:digits/0", "mn:digits/1", "mn:digits/2",
                    "mn:phrases/dugaar_tai", "mn:counters/W05", "mn:phrases/ireger_ei"]
        assert engine.last.clips() == mn_clips + ZH_CALL
        assert [p.name for p in player.played] == ["chime.wav", player.played[1].name]
        expected = sum(frames(mn_pack / f"{c[3:]}.wav") for c in mn_clips)
        expected += sum(frames(PACKS / "zh" / f"{c[3:]}.wav") for c in ZH_CALL)
        expected += RATE * 40 // 1000 * (len(mn_clips) - 1)
        expected += RATE * 30 // 1000 * (len(ZH_CALL) - 1) + RATE * 500 // 1000
        assert frames(player.played[1]) == expected
        voice.put(Announcement(2, "A012", "W05", "5号窗口", "", recall=True))
        assert voice.wait_idle(20)
        recall = engine.last.clips()
        assert recall[0] == "mn:phrases/dahin" and "zh:phrases/zaici" in recall
        assert recall.index("zh:phrases/qing") > recall.index("mn:phrases/ireger_ei")
        assert frames(player.played[3]) > frames(player.played[1])
    finally:
        voice.stop()


class Reader:
    """A fallback engine that writes a short tone for the sentence it was given."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def render(self, text: str, out: Path) -> None:
        self.read.append(text)
        tone(out, 0.3)


def test_a_call_no_pack_can_say_is_read_by_the_fallback(tmp_path: Path) -> None:
    """The board's default voice is the shipped pack; a counter with no number in its name
    or code and no clip of its own cannot be said from clips, and the fallback (espeak-ng on
    a board that has it) reads the call's sentence instead of the board staying silent."""
    from kiosk.announce import Announcement
    from kiosk.config import DisplayOptions
    from ui.voice import make_queue
    from ui.voicepack.calls import PackEngine, load_packs

    assert DisplayOptions().voice == "packs"
    reader = Reader()
    engine = PackEngine(load_packs([]), lambda: ["zh"], fallback=reader)
    player = Recorder()
    voice = make_queue(tmp_path / "cache", repeat=1, engine=engine, player=player)
    voice.start()
    try:
        # a counter named for a desk, not a window: "请 E006 号到 1 号窗口" was wrong; read as named
        voice.put(Announcement(0, "E006", "T01", "1号台", "请E006号到1号台办理"))
        assert voice.wait_idle(20)
        assert reader.read == ["请E006号到1号台办理"]
        reader.read.clear()
        voice.put(Announcement(1, "E007", "HELP", "导办台", "请E007号到导办台办理"))
        assert voice.wait_idle(20)
        assert reader.read == ["请E007号到导办台办理"] and engine.last is None
        voice.put(Announcement(2, "E008", "W05", "5号窗口", "请E008号到5号窗口办理"))
        assert voice.wait_idle(20)
        assert reader.read == ["请E007号到导办台办理"]  # the pack said this one
        assert engine.last is not None and "zh:letters/E" in engine.last.clips()
        assert len(player.played) == 6  # chime and call, three times
    finally:
        voice.stop()
    with pytest.raises(VoicePackError):  # with no fallback, still the pack's own error
        PackEngine(load_packs([]), lambda: ["zh"]).render_call(
            Announcement(3, "E009", "HELP", "导办台", "请E009号到导办台办理"),
            tmp_path / "x.wav")
