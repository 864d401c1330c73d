"""`provisioning demo` (the README's `bin/demo`): with a screen, the server and the four
terminals (kiosk, counter pad, call display, rating pad) on simulated devices; without one, a
simulated busy morning headless, then what happened. Ctrl-C stops everything it started."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from provisioning.errors import UsageError

NAME = "demo"
HELP = "run the demo hall (terminals with a screen; a simulated busy morning without)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true", help="the simulated morning, no windows")
    mode.add_argument("--screen", action="store_true", help="open the terminals' windows")
    parser.add_argument("--dir", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--minutes", type=float, default=120.0,
                        help="hall minutes to simulate (headless; default 120: 08:30–10:30)")
    parser.add_argument("--speed", type=float, default=240.0,
                        help="hall seconds per real second (headless; default 240)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--no-screens", action="store_true",
                        help="headless: do not render the roles' screenshots")
    parser.add_argument("--public-url", help="the address phones reach the demo server at "
                        "(links on tickets, the phone page); default: this machine's LAN "
                        "address")
    parser.add_argument("--local", action="store_true",
                        help="listen on 127.0.0.1 only: nothing on the network reaches the "
                        "demo (the links on tickets then work on this machine only)")


def _say(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace) -> int:
    if not 10 <= args.minutes <= 600:
        raise UsageError(f"--minutes {args.minutes}: expected 10..600")
    if not 10 <= args.speed <= 2000:
        raise UsageError(f"--speed {args.speed}: expected 10..2000")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise UsageError(f"--public-url {args.public_url}: expected http://HOST:PORT")
    if args.public_url and args.local:
        raise UsageError("--public-url and --local: a demo on loopback has no public address")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="kuaiban-demo-"))
    if workdir.exists() and not workdir.is_dir():
        raise UsageError(f"--dir {workdir}: not a folder")
    try:
        return _run(args, workdir)
    except KeyboardInterrupt:
        _say("已停止 / stopped: every process the demo started has ended "
             f"(work folder {workdir})")
        return 130
    except RuntimeError as exc:  # the server did not come up: its log says why
        _say(f"演示失败 / the demo failed: {exc} (logs in {workdir / 'logs'})")
        return 1


def _run(args: argparse.Namespace, workdir: Path) -> int:
    has_screen = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.screen or (has_screen and not args.headless):
        from provisioning.demo import screen
        return screen.run(workdir, _say, args.public_url, args.local)
    if not args.headless:
        _say("没有屏幕(未设置 DISPLAY/WAYLAND_DISPLAY),改为无界面模拟一个繁忙的上午。\n"
             "No screen (DISPLAY/WAYLAND_DISPLAY unset): running a simulated busy morning "
             "headless instead.")
    from provisioning.demo import headless
    from provisioning.demo.morning import Plan

    result = headless.run(workdir, Plan(minutes=args.minutes, speed=args.speed, seed=args.seed),
                          not args.no_screens, _say, args.public_url, args.local)
    _say(f"工作目录 / work folder: {workdir} (report.json, hall.db, logs/, screens/)")
    problems = result["server_errors"] + len(result["errors"])
    return 0 if result["issued"] and not problems else 1


