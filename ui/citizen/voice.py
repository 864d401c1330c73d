"""Spoken prompts of senior mode: espeak-ng speaks each new screen's instruction, one at a time
(a new prompt cuts the old one). Runs as a child process; the GUI thread never waits on it."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QProcess


class VoicePrompts:
    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("espeak-ng") or shutil.which("espeak")
        self._proc: QProcess | None = None
        self.last = ""

    def say(self, text: str, lang: str = "zh") -> None:
        self.last = text
        if not text or self.binary is None:
            return
        if self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning:
            self._proc.kill()
            self._proc.waitForFinished(200)
        self._proc = QProcess()
        # "cmn-latn-pinyin": espeak-ng 1.51's plain "cmn" reads characters as pinyin with the
        # tone digit said in English ("请" as "qing three"; an outside check with a blind
        # citizen: no prompt could be understood); the call display uses the same voice
        voice = "en" if lang == "en" else "cmn-latn-pinyin"
        self._proc.start(self.binary, ["-v", voice, "-s", "140", text])

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.waitForFinished(500)
