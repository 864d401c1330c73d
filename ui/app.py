"""The app shell: one QApplication, the CJK font, the role's main window. `main` is the terminal
UI that `python -m kiosk` finds by its entry point (group `kuaiban.terminal` in pyproject.toml).

Each role lives in a module of `ui.roles` (`citizen` for the kiosk and bank roles, else the
role's name) that provides `run(app, config) -> int` (show the window, run the event loop) and
`render_screens(app, out_dir, role, options) -> int` (render every state to PNG, offscreen, with
sample data or a hall's, at a size, in some languages, and no server).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QApplication

from kiosk.config import WindowOptions
from kiosk.sample_hall import RenderOptions
from ui.placement import prepare_scale
from ui.theme import apply_fonts

ROLE_MODULES = {
    "kiosk": "ui.roles.citizen",
    "bank": "ui.roles.citizen",
    "counter": "ui.roles.counter",
    "display": "ui.roles.display",
    "pad": "ui.roles.pad",
    "devices": "ui.roles.devices",
}


def application(offscreen: bool = False, role: str = "", window: WindowOptions | None = None
                ) -> Any:
    """The QApplication. Its first argument names the window's class for a desktop's window
    manager (`kuaiban-kiosk`, class `Kuaiban`), not `__main__.py`."""
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # read when the application is made
    if window is not None:
        prepare_scale(window)
    app = QApplication.instance()
    if app is None:
        app = QApplication([f"kuaiban-{role}" if role else "kuaiban"])
        app.setApplicationName("Kuaiban")
        app.setDesktopFileName("kuaiban")  # Wayland's app id and the desktop entry
    apply_fonts(app)
    return app


# Qt's own words (OK, Cancel in its dialogs) per terminal language: the .qm files PySide6 ships;
# a language Qt has no file for keeps Qt's English.
QT_LOCALES = {"zh": "zh_CN"}


def install_qt_translation(app: Any, lang: str) -> bool:
    """Load Qt's translation of its own words for `lang`; True when one was installed."""
    locale = QT_LOCALES.get(lang)
    if locale is None:
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(f"qtbase_{locale}", folder):
        return False
    app.installTranslator(translator)
    return True


def run(role: str, config: Any) -> int:
    module = importlib.import_module(ROLE_MODULES[role])
    app = application(role=role, window=config.window)
    install_qt_translation(app, config.language)
    return int(module.run(app, config))


def render_screens(role: str, out_dir: Path, options: RenderOptions | None = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    module = importlib.import_module(ROLE_MODULES[role])
    app = application(offscreen=True, role=role)
    return int(module.render_screens(app, out_dir, role, options or RenderOptions()))


def main(role: str, config: Any, screens: Path | None = None,
         options: RenderOptions | None = None) -> int:
    """Run `role` with its configuration, or, with `screens`, render its screens there (at
    `options`' size, with its hall's data, in its languages) and end."""
    from ui.i18n import use_translations

    use_translations(getattr(config, "translations", "") or None)  # a hall's own .po files
    if screens is not None:
        return render_screens(role, screens, options)
    return run(role, config)
