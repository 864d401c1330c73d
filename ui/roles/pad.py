"""`--role pad`: the counter-facing rating screen (好差评)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.pad import RatingModel
from ui.screens import save_screen
from ui.staff.rating import RatingWindow


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config, "the counter it faces")
    if client is None:
        return 2
    model = RatingModel(client, config.counter, pad_url=config.devices.pad)
    window = RatingWindow(model, config.language)
    model.start()
    window.showFullScreen()
    code = int(app.exec())
    model.stop()
    return code


def sample_model(state: str) -> RatingModel:
    model = RatingModel(QueueClient("http://127.0.0.1:9"), "W01")
    if state != "idle":
        model.ticket_id, model.number, model.counter_name = "t1", "A012", "1号窗口"
    if state in ("reasons", "reasons-chosen"):
        model.level = 2
        model.reasons = ["slow", "unclear"] if state == "reasons-chosen" else []
    if state == "error":
        model.level = 4
        model.error = "无法连接服务器，请稍后再试 / Cannot reach the server, try again shortly"
    model.state = state.split("-")[0]
    return model


def render_screens(app: Any, out_dir: Path, role: str = "pad") -> int:
    count = 0
    for lang in ("zh", "en"):
        for state in ("idle", "rate", "reasons", "reasons-chosen", "sending", "thanks", "error"):
            window = RatingWindow(sample_model(state), lang)
            save_screen(app, window, out_dir / f"pad-{state}-{lang}.png")
            count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
