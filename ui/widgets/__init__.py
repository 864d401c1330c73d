"""Widgets shared by the terminal roles: touch buttons, QR codes, camera pictures, the long-press
corner, the idle countdown overlay. They know no view-model; screens wire them up."""

from ui.widgets.basic import button, clear_layout, hline, label
from ui.widgets.overlay import CountdownOverlay, LongPressArea
from ui.widgets.pictures import FrameView, QrView, jpeg_pixmap

__all__ = ["CountdownOverlay", "FrameView", "LongPressArea", "QrView", "button", "clear_layout",
           "hline", "jpeg_pixmap", "label"]
