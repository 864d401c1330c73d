"""`provisioning probe --out FILE`: find the ID card reader, ticket printer and rating pad on this
machine's serial ports (via `devices.probe`) and a document camera, and write their URLs into the
terminal's configuration file (merged: enrolment settings in the file are kept).

With `--calibrate` the document camera is measured once from its reference sheet (printed with
`python -m devices calibration-sheet`, laid where papers go): its URL gets `desk=...`, from which
the camera tells an ID card from a page by size (`devices.camera.calibration`).

A device kind that is not found is set to "" (none) when the file had a simulator or nothing
for it, so a real terminal never falls back to a simulator silently; an address typed by hand
(say a network printer `tcp://...`) is kept.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provisioning import terminal_file
from provisioning.errors import UsageError

NAME = "probe"
HELP = "find ID reader, printer, pad and camera on this machine; write the terminal's config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="the terminal's config file")
    parser.add_argument("--port", action="append", default=[], metavar="URL",
                        help="also probe this port URL (repeatable), e.g. serial:///dev/ttyS4")
    parser.add_argument("--only", action="store_true",
                        help="probe only the --port URLs, not the system's ports")
    parser.add_argument("--timeout", type=float, default=0.3, help="seconds per question")
    parser.add_argument("--video", type=Path, default=Path("/dev"),
                        help="where to look for video devices (camera://N)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--camera", metavar="URL",
                        help="the document camera's URL (default: the first video device)")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure the camera from its reference sheet, which must lie under "
                             "it (python -m devices calibration-sheet --out sheet.pdf)")
    parser.add_argument("--bar-mm", type=float, default=100.0,
                        help="the sheet's 100 mm bar as measured, if it printed at another size")


def _camera(video_dir: Path) -> str | None:
    nodes = sorted(video_dir.glob("video[0-9]*"), key=lambda p: int(p.name[5:]))
    return f"camera://{nodes[0].name[5:]}" if nodes else None


def run(args: argparse.Namespace) -> int:
    if not 0.05 <= args.timeout <= 10:
        raise UsageError(f"--timeout {args.timeout}: 应为 0.05 到 10 秒 / expected 0.05..10 "
                         "seconds")
    try:
        existing = terminal_file.read(args.out)
    except terminal_file.TerminalFileError as exc:
        raise UsageError(str(exc)) from None
    from devices import probe as device_probe  # imported here: opening ports is its business

    if args.only:
        results = [device_probe.probe_port(url, args.timeout) for url in args.port]
    else:
        results = device_probe.probe_all(args.port, timeout=args.timeout)
    found: dict[str, str] = {}
    for result in results:
        if result.kind and result.kind not in found:
            found[result.kind] = result.port
    camera = args.camera or _camera(args.video)
    calibration = _calibrate(camera or str(existing.get("devices", {}).get("camera", "")), args)
    if calibration:
        camera = str(calibration["camera"])
    if camera:
        found["camera"] = camera
    old = dict(existing.get("devices", {}))
    devices = {}
    for key in terminal_file.DEVICE_KEYS:
        if key in found:
            devices[key] = found[key]
        elif not old.get(key) or str(old[key]).startswith("sim://"):
            devices[key] = ""
    data = terminal_file.merge(existing, devices=devices)
    try:
        terminal_file.write(args.out, data)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc}") from None
    if args.json:
        print(json.dumps({"ports": [r.as_dict() for r in results], "devices": data["devices"],
                          "config": str(args.out), "calibration": calibration},
                         ensure_ascii=False))
        return 0
    for r in results:
        print(f"{r.port:<32} {r.kind or '-':<8} {r.detail}")
    for key in terminal_file.DEVICE_KEYS:
        print(f"{key:<8} = {data['devices'].get(key) or '(none / 无)'}")
    if calibration:
        print(f"camera calibrated: {calibration['mm_per_px']} mm a pixel at the centre, marks fit "
              f"to {calibration['fit_mm']} mm / 高拍仪已标定")
    print(f"written to {args.out}")
    return 0


def _calibrate(camera: str, args: argparse.Namespace) -> dict[str, object] | None:
    """Measure the camera from the reference sheet under it; None unless --calibrate."""
    if not args.calibrate:
        return None
    if not camera:
        raise UsageError("--calibrate: no camera found; give its URL with --camera")
    from devices.camera.calibration import calibrate_camera
    from devices.errors import DeviceError

    try:
        url, calibration, fit = calibrate_camera(camera, args.bar_mm)
    except DeviceError as exc:
        raise UsageError(f"--calibrate with {camera}: {exc}") from None
    width, height = calibration.size
    scale = calibration.mm_per_px((width / 2, height / 2))
    return {"camera": url, "mm_per_px": round(scale, 4), "fit_mm": round(fit, 3)}
