"""`--role display`: the call board with voice, for a zone or the whole hall."""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.display import BoardModel, Call
from ui.screens import save_screen
from ui.staff.board import BoardWindow

SAMPLE_NOW = datetime(2026, 11, 25, 9, 41, 7, tzinfo=timezone(timedelta(hours=8)))
SAMPLE_NOTICE = ("温馨提示：请凭号票按顺序办理，过号请重新取号。办理企业开办请携带公司章程及住所使用证明。"
                 " Please keep your ticket; a missed number must take a new one.")


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config)
    if client is None:
        return 2
    model = BoardModel(client, config.display.zones)
    window = BoardWindow(model, lang=config.language, notice=config.display.notice)
    with tempfile.TemporaryDirectory(prefix="kuaiban-voice-") as cache:
        voice = None
        if config.display.voice == "espeak":
            from ui.voice import VoiceError, make_queue

            try:
                voice = make_queue(Path(cache), repeat=config.display.repeat)
            except VoiceError as exc:  # a board without voice is still a board
                print(f"kiosk: voice off: {exc}", file=sys.stderr)
        if voice is not None:
            voice.start()
            model.announce.connect(voice.put)
        model.start()
        window.showFullScreen()
        code = int(app.exec())
        model.stop()
        if voice is not None:
            voice.stop(timeout=1.0)
    return code


def sample_model(zones: tuple[str, ...], state: str) -> BoardModel:
    """A board filled with sample calls, never connected (the client is never used)."""
    model = BoardModel(QueueClient("http://127.0.0.1:9"), zones, clock=lambda: SAMPLE_NOW)
    model.hall_name, model.online = "杭锦后旗政务服务中心", state != "offline"
    b = model.board
    if state == "idle":
        return model
    calls = [("A007", "W01", "1号窗口", "intake"), ("B012", "W03", "3号窗口", "intake"),
             ("C003", "Z01", "咨询台1", "consult"), ("A006", "W02", "2号窗口", "intake"),
             ("D021", "P01", "出件1号窗口", "pickup"), ("B011", "W04", "4号窗口", "intake")]
    calls = [c for c in calls if not zones or c[3] in zones]
    b.history = [Call(n, c, name, z, SAMPLE_NOW) for n, c, name, z in calls[1:]]
    n, c, name, z = calls[0]
    b.current = Call(n, c, name, z, SAMPLE_NOW, recall=state == "recall",
                     masked_name="王*" if state != "offline" else None)
    b.waiting = ([("一窗受理", 14), ("综合咨询导办", 5), ("出件", 3)] if not zones else
                 [("企业开办", 6), ("不动产登记", 5), ("社保业务", 3)])
    return model


def render_screens(app: Any, out_dir: Path, role: str = "display") -> int:
    count = 0
    for zones in ((), ("intake",)):
        scope = "hall" if not zones else "zone-" + "-".join(zones)
        for state in ("idle", "calling", "recall", "offline"):
            for lang in ("zh", "en"):
                model = sample_model(zones, state)
                window = BoardWindow(model, lang=lang, notice=SAMPLE_NOTICE)
                window.resize(1920, 1080)
                save_screen(app, window, out_dir / f"display-{scope}-{state}-{lang}.png")
                count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
