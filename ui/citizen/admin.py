"""The staff corner: a PIN keypad, then the devices' health, the server link and the way out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from kiosk.flow import KioskFlow
from ui.citizen.choose import Screen
from ui.citizen.mongol import tr
from ui.widgets import button, clear_layout, label
from ui.widgets.basic import tall


class AdminPinScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.pin = ""
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.dots = label("", "big", align=Qt.AlignmentFlag.AlignCenter)
        pad = QGridLayout()
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
        for i, k in enumerate(keys):
            b = button(k, lambda k=k: self._key(k), "primary" if k == "OK" else "")
            tall(b, 100, 160)
            pad.addWidget(b, i // 3, i % 3)
        self.box.addWidget(self.title)
        self.box.addWidget(self.dots)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(pad)
        row.addStretch(1)
        self.box.addLayout(row)
        self.box.addStretch(1)

    def _key(self, key: str) -> None:
        if key == "OK":
            pin, self.pin = self.pin, ""
            self.flow.admin.unlock(pin)
        elif key == "⌫":
            self.pin = self.pin[:-1]
        elif len(self.pin) < 12:
            self.pin += key
        self.flow.touch()
        self.refresh(self.flow)

    def refresh(self, flow: KioskFlow) -> None:
        if flow.state != "admin_pin":
            self.pin = ""
        self.title.setText(tr("admin_pin", flow.lang))
        self.dots.setText("●" * len(self.pin) or " ")


class AdminScreen(Screen):
    def __init__(self, flow: KioskFlow) -> None:
        super().__init__(flow)
        self.title = label("", "title")
        self.server = label("")
        self.table = QGridLayout()
        row = QHBoxLayout()
        self.refresh_btn = button("", flow.admin.refresh)
        self.quit_btn = button("", flow.admin.quit, "primary")
        row.addWidget(self.refresh_btn)
        row.addWidget(self.quit_btn)
        self.box.addWidget(self.title)
        self.box.addWidget(self.server)
        self.box.addLayout(self.table)
        self.box.addStretch(1)
        self.box.addLayout(row)

    def refresh(self, flow: KioskFlow) -> None:
        lang = flow.lang
        self.title.setText(tr("admin_title", lang))
        link = tr("server_online" if flow.online else "server_offline", lang)
        admin = flow.admin
        self.server.setText(f"{tr('server', lang)}: {admin.server_url or 'zeroconf'} — {link}"
                            f"    ({admin.machine_id or flow.role})")
        clear_layout(self.table)
        self.table.addWidget(label(tr("device", lang), "title"), 0, 0)
        self.table.addWidget(label(tr("health", lang), "title"), 0, 1)
        self.table.addWidget(label("URL", "title"), 0, 2)
        health, errors = admin.health, admin.errors
        for i, (kind, url) in enumerate(admin.device_urls.items(), 1):
            state = health.get(kind, "…")
            self.table.addWidget(label(tr(kind, lang)), i, 0)
            self.table.addWidget(label(state, "ok" if state == "online" else "notice"), i, 1)
            self.table.addWidget(label(f"{url}\n{errors.get(kind, '')}".strip(), "muted"), i, 2)
        self.refresh_btn.setText(tr("refresh", lang))
        self.quit_btn.setText(tr("quit_app", lang))
