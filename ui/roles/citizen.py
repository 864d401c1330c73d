"""Roles `kiosk` (the hall's citizen touchscreen) and `bank` (the same kiosk at a bank-branch
outpost): `run(app, config)` shows it (full screen and locked as installed, see `ui.placement`), `render_screens(app, out_dir, role)` renders
every state in both languages and in senior mode to PNG with sample data."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer

from kiosk import sample, watchdog
from kiosk.config import TerminalConfig
from kiosk.runtime import build_kiosk, start_kiosk, stop_kiosk
from kiosk.sample_hall import RenderOptions
from ui.citizen.voice import VoicePrompts
from ui.citizen.window import KioskWindow, TouchWatcher
from ui.placement import locked, present, window_title
from ui.screens import settle

# (file name, state, variant) — every state a citizen or the staff can reach.
SHOTS: list[tuple[str, str, str]] = [
    ("01-attract", "attract", ""), ("02-attract-countdown", "attract", "countdown"),
    ("03-services", "services", ""), ("04-services-search", "services", "search"),
    ("05-detail", "detail", ""), ("06-idcard", "idcard", ""), ("07-scan", "scan", ""),
    ("08-review", "review", ""), ("09-issuing", "issuing", ""),
    ("10-ticket-printing", "ticket", "printing"), ("11-ticket-printed", "ticket", ""),
    ("12-ticket-print-failed", "ticket", "failed"), ("13-ask", "ask", ""),
    ("14-ask-rate", "ask", "rate"), ("15-result", "result", ""), ("16-rate", "rate", ""),
    ("17-rate-low", "rate", "low"), ("18-thanks", "thanks", ""), ("19-offline", "offline", ""),
    ("20-detail-offline", "detail", "offline"), ("21-admin-pin", "admin_pin", ""),
    ("22-admin", "admin", ""), ("23-checkin", "checkin", ""),
    ("24-answer-too-early", "answer", "too_early"), ("25-answer-unknown", "answer", "unknown"),
    ("26-priority", "priority", ""), ("27-detail-priority", "detail", "priority"),
    ("28-ticket-appointment", "ticket", "appointment"), ("29-ticket-late", "ticket", "late"),
    ("30-ticket-pickup", "ticket", "pickup"),
    ("31-attract-paper-out", "attract", "paper_out"),
    ("32-services-paper-out", "services", "paper_out"),
    ("33-ticket-paper-out", "ticket", "paper_out"),
    ("34-ticket-paper-ran-out", "ticket", "paper_ran_out"),
    ("35-ticket-reprint", "ticket", "reprint"),
    ("36-answer-used", "answer", "used"), ("37-answer-not-today", "answer", "not_today"),
]


def walk_screens(window: KioskWindow, flow: Any, langs: Iterable[str] = ("zh",)
                 ) -> Iterator[tuple[str, str, bool]]:
    """Stage every screen of SHOTS in the standard then the senior mode, in each language:
    yields (file name, language, senior) while the window shows it, before Qt has laid it out
    (the caller settles it). The staff's admin screens have no senior mode."""
    for elderly in (False, True):
        for lang in langs:
            for name, state, variant in SHOTS:
                if elderly and state in ("admin", "admin_pin"):
                    continue
                window.screens["services"].keyboard_on = variant == "search"
                sample.stage(flow, state, elderly=elderly, lang=lang, variant=variant,
                             online=variant != "offline" and state != "offline")
                yield name, lang, elderly


class KioskMain(KioskWindow):
    """The real window. Installed as a kiosk (locked): no way out but the admin screen's quit;
    as a window on a desktop (the demo), it closes like any other."""

    allow_close = False

    def closeEvent(self, event: Any) -> None:
        if self.allow_close:
            event.accept()
        else:
            event.ignore()


def run(app: Any, config: TerminalConfig) -> int:
    flow = build_kiosk(config)
    start_kiosk(flow)  # the server is asked while the window is built; answers wait for exec()
    window = KioskMain(flow, VoicePrompts())
    window.allow_close = not locked(config.window)
    window_title(window, "自助取号机 kiosk" if config.role == "kiosk" else "银行网点 bank kiosk")
    watcher = TouchWatcher(flow)
    app.installEventFilter(watcher)

    def quit_app() -> None:
        window.allow_close = True
        app.quit()

    flow.quitRequested.connect(quit_app)
    # systemd stops the kiosk with SIGTERM: leave the event loop so the devices close cleanly
    signal.signal(signal.SIGTERM, lambda *_: quit_app())
    wake = QTimer(window, interval=500)  # lets Python run its signal handlers under Qt's loop
    wake.timeout.connect(lambda: None)
    wake.start()
    present(window, config.window, lock=True)
    watchdog.notify("READY=1")
    flow.onlineChanged.connect(
        lambda up: watchdog.notify(f"STATUS={'online' if up else 'offline: numbers paused'}"))
    period = watchdog.interval_ms()
    ping = QTimer(window, interval=period or 10_000)
    ping.timeout.connect(lambda: watchdog.notify("WATCHDOG=1"))
    if period:
        ping.start()
    try:
        return int(app.exec())
    finally:
        watchdog.notify("STOPPING=1")
        stop_kiosk(flow)


def render_screens(app: Any, out_dir: Path, role: str, options: RenderOptions | None = None
                   ) -> int:
    options = options or RenderOptions()
    started = time.monotonic()
    flow = sample.sample_flow(role, options.hall)
    window = KioskWindow(flow)
    window.setFixedSize(*options.size_of(role))
    window.show()
    count = 0
    tail = options.suffix()
    for name, lang, elderly in walk_screens(window, flow, options.langs):
        settle(app)
        mode = "senior" if elderly else "std"
        window.grab().save(str(out_dir / f"{role}-{name}-{lang}-{mode}{tail}.png"))
        count += 1
    window.close()
    stop_kiosk(flow)
    print(f"{count} screens of role {role} in {out_dir} ({time.monotonic() - started:.1f} s)")
    return 0
