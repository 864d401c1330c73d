"""The announcement queue with the real espeak-ng engine rendering WAV files: order, no overlap,
a recall said again, and the lengths of what was rendered (ui/voice.py, kiosk/announce.py)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.announce import Announcement, announcement_text, wav_seconds
from ui.voice import EspeakEngine, WaitPlayer, make_queue, write_chime

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
TEMPLATE = "请{number}号到{counter}办理"


def call(event_id: int, number: str, counter_name: str, recall: bool = False) -> Announcement:
    return Announcement(event_id, number, "W01", counter_name,
                        announcement_text(TEMPLATE, number, counter_name), recall)


def test_chime_is_a_short_wav(tmp_path: Path) -> None:
    chime = write_chime(tmp_path / "c.wav")
    assert 0.8 <= wav_seconds(chime) <= 1.0


def test_espeak_renders_mandarin_speech_of_plausible_length(tmp_path: Path) -> None:
    out = tmp_path / "s.wav"
    EspeakEngine().render("请A零一二号到1号窗口办理", out)
    assert 2.0 < wav_seconds(out) < 10.0


def test_queue_plays_in_order_never_overlapping_and_says_a_recall_again(tmp_path: Path) -> None:
    scale = 0.05  # wait 5% of each sound's length: the pacing logic, not the patience of CI
    spoken: list[Announcement] = []
    q = make_queue(tmp_path, repeat=2, player=WaitPlayer(scale))
    q.on_spoken = spoken.append
    q.start()
    items = [call(1, "A001", "1号窗口"), call(2, "B002", "2号窗口"),
             call(3, "A001", "1号窗口", recall=True)]
    for item in items:
        assert q.put(item)
    assert not q.put(items[0])  # an event id is said once, even if delivered twice
    assert q.wait_idle(30)
    q.stop()
    assert [a.event_id for a in spoken] == [1, 2, 3]
    # while a later call waits, a call is said once; the last one twice (the voice keeps up
    # with a busy board instead of 13 s a call)
    assert [(p.event_id, p.kind) for p in q.played] == [
        (1, "chime"), (1, "speech"), (2, "chime"), (2, "speech"),
        (3, "chime"), (3, "speech"), (3, "speech")]
    for before, after in zip(q.played, q.played[1:], strict=False):
        assert after.start >= before.end  # one sound at a time
    for p in q.played:
        assert p.end - p.start >= wav_seconds(p.path) * scale * 0.9
    speech = {p.path for p in q.played if p.kind == "speech"}
    assert len(speech) == 2  # the recall reuses the rendered "A001" text
    assert all(1.5 < wav_seconds(path) < 10.0 for path in speech)


def test_a_call_whose_ticket_left_its_counter_before_its_turn_is_not_said(
        tmp_path: Path) -> None:
    """The display's duty officer, an outside check: in a burst of ten calls the voice fell a
    minute behind and said numbers already served, passed or put aside. The board says which
    calls are still called when their turn comes."""
    from datetime import UTC, datetime

    from kiosk.display import Board
    from queue_server import wire

    board = Board()
    q = make_queue(tmp_path, repeat=1, player=WaitPlayer(0),
                   is_due=lambda a: board.still_called(a.number, a.counter))

    def event(event_id: int, kind: str, number: str, counter: str) -> Announcement:
        board.apply(wire.Event.model_validate({
            "id": event_id, "type": kind, "at": datetime.now(UTC), "hall": "t1",
            "number": number, "counter": counter, "counter_name": counter, "zone": "intake"}))
        return Announcement(event_id, number, counter, counter,
                            announcement_text(TEMPLATE, number, counter))

    said = [event(1, "ticket.called", "A001", "W05"), event(2, "ticket.called", "B001", "W06"),
            event(3, "ticket.called", "A002", "W05"),  # W05 moved on: A001 is over
            event(4, "ticket.called", "C001", "W07")]
    event(5, "ticket.no_show", "B001", "W06")  # passed before its turn
    event(6, "ticket.finished", "C001", "W08")  # another counter's: C001 still at W07
    for item in said:
        assert q.put(item)
    q.start()
    assert q.wait_idle(30)
    q.stop()
    assert [p.event_id for p in q.played if p.kind == "speech"] == [3, 4]
    assert [a.number for a in q.skipped] == ["A001", "B001"]
    forwarded = {"id": 7, "type": "ticket.called", "at": datetime.now(UTC), "hall": "t1",
                 "number": "B009", "counter": "W02", "zone": "intake", "in_person": False}
    assert not board.apply(wire.Event.model_validate(forwarded))  # a branch's application
    assert not board.still_called("B009", "W02") and board.current.number == "C001"


def test_rendered_speech_is_bounded_on_disk(tmp_path: Path) -> None:
    q = make_queue(tmp_path, repeat=1, player=WaitPlayer(0))
    q.keep_rendered = 3
    paths = [q.render(f"请A00{i}号到1号窗口办理") for i in range(5)]
    assert [p.exists() for p in paths] == [False, False, True, True, True]
    assert q.render("请A004号到1号窗口办理") == paths[4]  # a recall reuses the file
    assert len(list(tmp_path.glob("say-*.wav"))) == 3


def test_espeak_voice_reads_the_call_in_mandarin_only() -> None:
    """No switch to the English voice ("(en)" in espeak-ng's phonemes) anywhere in a call."""
    engine = EspeakEngine()
    done = subprocess.run([engine.binary, "-v", engine.voice, "-q", "-x", "请A零一二号到1号窗口办理"],
                          capture_output=True, text=True, timeout=30, check=True)
    assert done.stdout.strip() and "(en)" not in done.stdout, done.stdout
