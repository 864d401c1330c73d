"""What the demo needs to know about the desktop before it opens windows: whether Qt can draw on
it (the system libraries its xcb or wayland platform loads), and the work area of the screen
(the primary monitor less the desktop's panels: RandR's monitors and `_NET_WORKAREA`), read with
Xlib through ctypes (libX11 is one of those libraries; no tool is needed).

`python -m provisioning.demo.xscreen` prints it as one JSON line; the demo runs it as a child
process, so that Xlib, which ends its process when the X server goes away, never ends the demo.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any

# soname -> Debian package: what PySide6's libqxcb.so and libQt6XcbQpa.so.6 link and do not ship
# (readelf -d), and the wayland platform's; bin/bootstrap installs them.
QT_XCB_LIBS = {
    "libxcb.so.1": "libxcb1", "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
QT_WAYLAND_LIBS = {
    "libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1", "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1", "libfontconfig.so.1": "libfontconfig1",
}


def missing(libs: dict[str, str]) -> list[str]:
    """The packages of the libraries in `libs` that cannot be loaded."""
    out = []
    for soname, package in libs.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            out.append(package)
    return sorted(set(out))


class _Monitor(ctypes.Structure):  # XRRMonitorInfo
    _fields_ = [("name", ctypes.c_ulong), ("primary", ctypes.c_int), ("automatic", ctypes.c_int),
                ("noutput", ctypes.c_int), ("x", ctypes.c_int), ("y", ctypes.c_int),
                ("width", ctypes.c_int), ("height", ctypes.c_int), ("mwidth", ctypes.c_int),
                ("mheight", ctypes.c_int), ("outputs", ctypes.c_void_p)]


def _xlib() -> Any:
    x = ctypes.CDLL("libX11.so.6")
    x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    x.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x.XRootWindow.restype, x.XRootWindow.argtypes = ctypes.c_ulong, [ctypes.c_void_p, ctypes.c_int]
    x.XDisplayWidth.argtypes = x.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XGetWindowProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long,
        ctypes.c_int, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_long))]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return x


def _workarea(x: Any, dpy: int, root: int) -> tuple[int, int, int, int] | None:
    """`_NET_WORKAREA` of the first desktop, set by a window manager with panels; else None."""
    atom = x.XInternAtom(dpy, b"_NET_WORKAREA", 1)
    if not atom:
        return None
    kind, fmt, count, after = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.POINTER(ctypes.c_long)()
    if x.XGetWindowProperty(dpy, root, atom, 0, 4, 0, 6, ctypes.byref(kind), ctypes.byref(fmt),
                            ctypes.byref(count), ctypes.byref(after), ctypes.byref(data)) != 0:
        return None
    try:
        if fmt.value != 32 or count.value < 4:
            return None
        return data[0], data[1], data[2], data[3]
    finally:
        if data:
            x.XFree(data)


def _monitor(dpy: int, root: int) -> tuple[int, int, int, int] | None:
    """The primary (else the first) monitor, from RandR, when libXrandr is there."""
    try:
        xrandr = ctypes.CDLL("libXrandr.so.2")
    except OSError:
        return None
    xrandr.XRRGetMonitors.restype = ctypes.POINTER(_Monitor)
    xrandr.XRRGetMonitors.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                                      ctypes.POINTER(ctypes.c_int)]
    xrandr.XRRFreeMonitors.argtypes = [ctypes.POINTER(_Monitor)]
    count = ctypes.c_int()
    found = xrandr.XRRGetMonitors(dpy, root, 1, ctypes.byref(count))
    if not found or count.value < 1:
        return None
    try:
        monitors = [found[i] for i in range(count.value)]
        m = next((m for m in monitors if m.primary), monitors[0])
        return m.x, m.y, m.width, m.height
    finally:
        xrandr.XRRFreeMonitors(found)


def work_area(display: str) -> tuple[int, int, int, int] | None:
    """Where windows may go on `display`: x, y, width, height; None when it cannot be opened."""
    x = _xlib()
    dpy = x.XOpenDisplay(display.encode())
    if not dpy:
        return None
    try:
        screen = x.XDefaultScreen(dpy)
        root = x.XRootWindow(dpy, screen)
        area = (0, 0, x.XDisplayWidth(dpy, screen), x.XDisplayHeight(dpy, screen))
        for part in (_monitor(dpy, root), _workarea(x, dpy, root)):
            if part is not None and part[2] > 0 and part[3] > 0:
                area = _intersect(area, part) or area
        return area
    finally:
        x.XCloseDisplay(dpy)


def _intersect(a: tuple[int, int, int, int], b: tuple[int, int, int, int]
               ) -> tuple[int, int, int, int] | None:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (left, top, right - left, bottom - top) if right > left and bottom > top else None


def probe(environ: dict[str, str]) -> dict[str, object]:
    """The platform Qt will use, the packages it lacks, and the work area (X only)."""
    platform = environ.get("QT_QPA_PLATFORM", "") or ("xcb" if environ.get("DISPLAY") else
                                                       "wayland" if environ.get("WAYLAND_DISPLAY")
                                                       else "")
    out: dict[str, object] = {"platform": platform, "missing": [], "area": None}
    if platform.startswith("xcb"):
        out["missing"] = missing(QT_XCB_LIBS)
    elif platform.startswith("wayland"):
        out["missing"] = missing(QT_WAYLAND_LIBS)
    if platform.startswith("xcb") and environ.get("DISPLAY") and "libx11-6" not in out["missing"]:
        area = work_area(environ["DISPLAY"])
        out["area"] = list(area) if area else None
    return out


if __name__ == "__main__":
    print(json.dumps(probe(dict(os.environ))), flush=True)
    sys.exit(0)
