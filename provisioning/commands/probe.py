"""`provisioning probe --out FILE`: find the ID card reader, ticket printer and rating pad on this
machine's serial ports (via `devices.probe`) and a document camera, and write their URLs into the
terminal's configuration file (merged: enrolment settings in the file are kept).

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


def _camera(video_dir: Path) -> str | None:
    nodes = sorted(video_dir.glob("video[0-9]*"), key=lambda p: int(p.name[5:]))
    return f"camera://{nodes[0].name[5:]}" if nodes else None


def run(args: argparse.Namespace) -> int:
    if not 0.05 <= args.timeout <= 10:
        raise UsageError(f"--timeout {args.timeout}: expected 0.05..10 seconds")
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
    camera = _camera(args.video)
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
                          "config": str(args.out)}, ensure_ascii=False))
        return 0
    for r in results:
        print(f"{r.port:<32} {r.kind or '-':<8} {r.detail}")
    for key in terminal_file.DEVICE_KEYS:
        print(f"{key:<8} = {data['devices'].get(key) or '(none / 无)'}")
    print(f"written to {args.out}")
    return 0
