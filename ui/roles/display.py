"""`--role display`: the call board with voice, for a zone or the whole hall."""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from kiosk import sample_staff as sample
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.display import BoardModel
from kiosk.sample_hall import RenderOptions
from ui.placement import present, window_title
from ui.screens import save_screen
from ui.staff.board import BoardWindow

if TYPE_CHECKING:
    from ui.voice import EspeakEngine


def _espeak() -> EspeakEngine | None:
    """espeak-ng, when installed: it reads a call no voice pack can say."""
    from ui.voice import EspeakEngine, VoiceError

    try:
        return EspeakEngine()
    except VoiceError:
        return None


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config)
    if client is None:
        return 2
    model = BoardModel(client, config.display.zones)
    window = BoardWindow(model, lang=config.language, notice=config.display.notice)
    with tempfile.TemporaryDirectory(prefix="kuaiban-voice-") as cache:
        voice = None
        if config.display.voice in ("espeak", "packs"):
            from ui.voice import VoiceError, make_queue
            from ui.voicepack import VoicePackError
            from ui.voicepack.calls import PackEngine, load_packs

            try:
                engine = None
                if config.display.voice == "packs":  # the hall's languages, in its order
                    engine = PackEngine(load_packs(config.display.voice_packs),
                                        lambda: model.languages, fallback=_espeak())
                voice = make_queue(Path(cache), repeat=config.display.repeat, engine=engine,
                                   is_due=lambda a: model.board.still_called(a.number, a.counter))
            except (VoiceError, VoicePackError) as exc:  # a board without voice is still a board
                print(f"kiosk: voice off: {exc}", file=sys.stderr)
        if voice is not None:
            voice.start()
            model.announce.connect(voice.put)
        model.start()
        window_title(window, "叫号屏 call display")
        # systemd stops the board with SIGTERM: leave the event loop, so the voice's folder of
        # spoken WAVs is removed (it was left behind, a few MB each time)
        signal.signal(signal.SIGTERM, lambda *_: app.quit())
        wake = QTimer(window, interval=500)  # lets Python run its signal handlers under Qt
        wake.timeout.connect(lambda: None)
        wake.start()
        present(window, config.window)
        code = int(app.exec())
        model.stop()
        if voice is not None:
            voice.stop(timeout=1.0)
    return code


def render_screens(app: Any, out_dir: Path, role: str = "display",
                   options: RenderOptions | None = None) -> int:
    options = options or RenderOptions()
    size, tail = options.size_of("display"), options.suffix()
    # Unless one language was asked for, the board is also shown as a hall that lists Mongolian.
    langs = options.langs if len(options.langs) == 1 or "mn" in options.langs else (
        *options.langs, "mn")
    count = 0
    for zones in ((), ("intake",)):
        scope = "hall" if not zones else "zone-" + "-".join(zones)
        for state in sample.BOARD_STATES:
            for lang in langs:
                languages = ("mn", "zh", "en") if lang == "mn" else ("zh",)
                model = sample.board_model(zones, state, options.hall, languages)
                # with a hall file, the hall's own notices; else the sample's
                window = BoardWindow(model, lang="zh" if lang == "mn" else lang,
                                     notice="" if options.hall is not None else sample.NOTICE)
                window.resize(*size)
                save_screen(app, window, out_dir / f"display-{scope}-{state}-{lang}{tail}.png")
                count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
