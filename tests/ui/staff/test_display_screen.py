"""The call display against a real server process: a call at a counter reaches the board and
its voice (spoken with the real espeak-ng to WAV files), recalls are said again, zone boards keep
to their zones, waiting counts follow the queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.announce import Announcement, wav_seconds
from kiosk.client import QueueClient
from kiosk.display import BoardModel
from tests.ui.staff.hall_server import PIN, HallServer, clear
from ui.staff.board import BoardWindow
from ui.voice import WaitPlayer, make_queue

pytestmark = pytest.mark.timeout(60)


def board(qtbot: QtBot, hall: HallServer, zones: tuple[str, ...] = ()) -> tuple[BoardModel,
                                                                                BoardWindow]:
    model = BoardModel(QueueClient(hall.url, hall.tokens["d1"]), zones, history_grace_s=0)
    window = BoardWindow(model, lang="zh", notice="请凭号票办理")
    qtbot.addWidget(window)
    window.show()
    model.start()
    qtbot.waitUntil(lambda: model.online and model.hall_name != "", timeout=5000)
    return model, window


def counter(hall: HallServer, code: str, staff: str) -> QueueClient:
    client = QueueClient(hall.url, hall.tokens[f"c-{code}"])
    client.login(staff, PIN, code)
    clear(client, code)
    return client


def test_call_reaches_board_and_voice_and_recall_is_said_again(qtbot: QtBot, hall: HallServer,
                                                              tmp_path: Path) -> None:
    model, window = board(qtbot, hall)
    voice = make_queue(tmp_path, repeat=1, player=WaitPlayer(0.02))
    voice.start()
    heard: list[Announcement] = []
    model.announce.connect(heard.append)
    model.announce.connect(voice.put)
    hall.issue("estate", hall.tokens["k1"])
    qtbot.waitUntil(lambda: any(n == "一窗受理" for n, _ in model.board.waiting), timeout=5000)
    staff = counter(hall, "W01", "s001")
    called = staff.counter_action("W01", "call-next")
    assert called is not None
    qtbot.waitUntil(lambda: window.number.text() == called.number, timeout=5000)
    assert "1号窗口" in window.where.text()
    # seen as well as heard (an outside check with a hard-of-hearing citizen): the calling
    # panel flashes, and a recall says so in the line everyone reads
    assert window.flashing
    qtbot.waitUntil(lambda: not window.flashing, timeout=6000)
    staff.counter_action("W01", "recall")
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=5000)
    assert [a.recall for a in heard] == [False, True]
    qtbot.waitUntil(lambda: window.where.text().startswith("重复呼叫"), timeout=5000)
    assert window.flashing and "1号窗口" in window.where.text()
    spoken = "请" + "".join("零一二三四五六七八九"[int(c)] if c.isdigit() else c
                           for c in called.number) + "号到1号窗口办理"
    assert heard[0].text == spoken
    assert voice.wait_idle(20)
    voice.stop()
    speech = [p for p in voice.played if p.kind == "speech"]
    assert [p.event_id for p in speech] == [a.event_id for a in heard]
    assert all(1.5 < wav_seconds(p.path) < 10 for p in speech)
    assert not window.offline.isVisible()
    clear(staff, "W01")
    model.stop()


def test_zone_board_shows_only_its_zone(qtbot: QtBot, hall: HallServer) -> None:
    model, window = board(qtbot, hall, ("pickup",))
    hall.issue("estate", hall.tokens["k1"])
    staff = counter(hall, "W02", "s002")
    called = staff.counter_action("W02", "call-next")
    assert called is not None
    qtbot.wait(600)
    assert model.board.current is None and window.number.text() == ""
    assert window.zone.text() == "出件"
    clear(staff, "W02")
    model.stop()


def test_a_board_stopped_by_systemd_removes_its_voice_folder(hall: HallServer,
                                                             tmp_path: Path) -> None:
    """SIGTERM (systemd's stop) ended the board without leaving Qt's loop: its folder of spoken
    WAVs stayed in /tmp, a few MB each time (the display's duty officer, an outside check)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    config = tmp_path / "display.toml"
    config.write_text(f'role = "display"\nserver = "{hall.url}"\ntoken = "{hall.tokens["d1"]}"\n'
                      '\n[display]\nvoice = "espeak"\n', encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch))
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--role", "display", "--config",
                             str(config), "--window"],
                            cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(scratch.glob("kuaiban-voice-*")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        assert list(scratch.glob("kuaiban-voice-*")), "the board never made its voice folder"
        time.sleep(1.0)  # into Qt's loop
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert list(scratch.glob("kuaiban-voice-*")) == []
