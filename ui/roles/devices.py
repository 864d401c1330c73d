"""`--role devices`: the demo's device console, for demos and training (the simulated card
reader, document camera, ticket printer and rating pad behind `[devices]` of its configuration)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer

from kiosk.config import TerminalConfig
from kiosk.devconsole import build_console, stop_console
from kiosk.devconsole_sample import CONSOLE_STATES, sample_console
from kiosk.sample_hall import RenderOptions
from ui.devconsole.window import DeviceConsoleWindow
from ui.placement import present, window_title
from ui.screens import save_screen

SIZE = (500, 980)


def run(app: Any, config: TerminalConfig) -> int:
    console = build_console(config)
    window = DeviceConsoleWindow(console, config.language)
    window_title(window, "设备控制台 device console")
    if config.window.size_px() is None:
        window.resize(*SIZE)
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    wake = QTimer(window, interval=500)  # lets Python run its signal handlers under Qt's loop
    wake.timeout.connect(lambda: None)
    wake.start()
    console.start()
    present(window, config.window.model_copy(update={"mode": "window"}))  # never full screen
    try:
        return int(app.exec())
    finally:
        stop_console(console)


def render_screens(app: Any, out_dir: Path, role: str = "devices",
                   options: RenderOptions | None = None) -> int:
    options = options or RenderOptions()
    size, tail = options.size or SIZE, options.suffix()
    count = 0
    for lang in options.langs:
        for state in CONSOLE_STATES:
            window = DeviceConsoleWindow(sample_console(state), lang)
            window.resize(*size)
            save_screen(app, window, out_dir / f"devices-{state}-{lang}{tail}.png")
            count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
