"""`--role pad`: the counter-facing rating screen (好差评)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk import sample_staff as sample
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.pad import RatingModel, hall_languages
from kiosk.sample_hall import RenderOptions
from ui.placement import present, window_title
from ui.screens import save_screen
from ui.staff.rating import RatingWindow


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config, "the counter it faces")
    if client is None:
        return 2
    model = RatingModel(client, config.counter, pad_url=config.devices.pad)
    window = RatingWindow(model, config.language, languages=hall_languages(client))
    model.start()
    window_title(window, f"评价器 rating pad {config.counter}")
    present(window, config.window)
    code = int(app.exec())
    model.stop()
    return code


def render_screens(app: Any, out_dir: Path, role: str = "pad",
                   options: RenderOptions | None = None) -> int:
    options = options or RenderOptions()
    size, tail = options.size_of("pad"), options.suffix()
    count = 0
    for lang in options.langs:
        for state in sample.PAD_STATES:
            window = RatingWindow(sample.rating_model(state, options.hall), lang,
                                  languages=options.hall.hall.languages if options.hall else ())
            window.resize(*size)
            save_screen(app, window, out_dir / f"pad-{state}-{lang}{tail}.png")
            count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
