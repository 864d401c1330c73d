"""The counter's scan viewer fits the screen it opens on: a page 1,000 px high put the dialog's
关闭 below a 1366x768 counter's screen (a touch screen has no frame to close it by)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from ui.staff.dialogs import ImageDialog


def _jpeg(width: int, height: int) -> bytes:
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "JPEG")
    return bytes(data.data())


def test_a_tall_page_opens_within_the_screen(qtbot: QtBot) -> None:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    room = screen.availableGeometry()
    dlg = ImageDialog(_jpeg(620, 1800), "公司章程", lang="zh")
    qtbot.addWidget(dlg)
    assert dlg.height() <= room.height() and dlg.width() <= room.width(), (dlg.size(), room)
    dlg.show()
    qtbot.waitExposed(dlg)
    button = dlg.close_btn.mapTo(dlg, dlg.close_btn.rect().bottomRight())
    assert button.y() <= dlg.height()  # 关闭 is on the screen
