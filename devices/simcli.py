"""`python -m devices sim idcard|printer|pad --pty` (each with its own options and help) and
`python -m devices ctl SOCKET COMMAND...`, which drives a running simulator through its control
socket (`devices.simctl`)."""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

DAY_S = 86_400.0

TAIL = """
It prints the pseudo-terminal's path on the first line (a driver opens serial://PATH) and the
path of its control socket on the second, then serves until killed. With --unplug-after, each
new pty's path follows on a line of its own.

Control socket: one command a line in, one JSON line out ({"ok": true, "result": ...}):
  python -m devices ctl SOCKET help
{commands}"""

IDCARD = """\
A resident ID card reader (SAM_V module, GA/T 467 frames at 115200 bps) on a pseudo-terminal.
With no option it presents its sample cards in turn: each --dwell s on the reader, then --gap s
with none. With --hold nothing is on the reader until told (`present N`, `remove`)."""
IDCARD_COMMANDS = """\
  present N|NAME   put sample card N (or the one whose name contains NAME) on the reader
  remove           take it away
  cycle [D [G]]    present the cards in turn again
  cards, state     the sample cards; what is on the reader now
  sam ok|fault     the security module fails its self-test
  plug in|out      the reader answers nothing while out"""
PRINTER = """\
An ESC/POS ticket printer (58/80 mm, Chinese mode) on a pseudo-terminal: it records each job
(split at cuts), answers DLE EOT status in real time and logs jobs on standard error."""
PRINTER_COMMANDS = """\
  paper ok|low|out [LINES]   the paper sensor; ok is a fresh roll (LINES long, or endless)
  refill                     a fresh roll
  cover open|closed          the cover
  state                      paper, cover, cutter, number of jobs
  job [N]                    job N (default the last) as base64 ESC/POS bytes
                             (draw it: python -m devices render-ticket)
  plug in|out                the printer answers nothing while out"""
PAD = """\
An evaluation pad (评价器, docs/pad-protocol.md, 9600 bps) on a pseudo-terminal: a heartbeat
every second, ratings acknowledged by the host. With no option a citizen rates every --every s
(levels in turn); with --hold (or --every 0) only when a key is pressed (`press 5`)."""
PAD_COMMANDS = """\
  press LEVEL [REASON...]   a citizen presses 1..5 (1-2 with reasons: slow attitude unclear
                            repeat wait other)
  auto SECONDS              a rating every SECONDS; 0: only on press
  state                     the rating page shown, ratings not yet acknowledged
  plug in|out               the pad sends and answers nothing while out"""


def add_sim(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    sim = sub.add_parser("sim", help="run a device simulator on a pseudo-terminal",
                         description="Run a device simulator on a pseudo-terminal. Each kind has "
                                     "its own options: python -m devices sim KIND --help")
    kinds = sim.add_subparsers(dest="kind", required=True, metavar="KIND", parser_class=parser_class)
    for kind, short, text, commands in (
            ("idcard", "an ID card reader: sample cards in turn, or held until told", IDCARD,
             IDCARD_COMMANDS),
            ("printer", "an ESC/POS ticket printer: jobs, paper and cover faults", PRINTER,
             PRINTER_COMMANDS),
            ("pad", "an evaluation pad: a rating every few seconds, or on a key press", PAD,
             PAD_COMMANDS)):
        parser = kinds.add_parser(kind, help=short,
                                  description=text + "\n" + TAIL.replace("{commands}", commands),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        _common(parser, kind)
    idcard, printer, pad = (kinds.choices[k] for k in ("idcard", "printer", "pad"))
    idcard.add_argument("--cards", help="JSON file of cards (default: the sample cards)")
    idcard.add_argument("--card", type=int, help="present only card N of the file")
    idcard.add_argument("--dwell", type=float, help="seconds each card stays on the reader (3)")
    idcard.add_argument("--gap", type=float, help="seconds with no card between cards (1)")
    idcard.add_argument("--hold", action="store_true", help="no card until `present` says so")
    idcard.add_argument("--sam-fault", action="store_true", help="the SAM fails its self-test")
    pad.add_argument("--every", type=float, help="seconds between ratings (3; 0 = none)")
    pad.add_argument("--hold", action="store_true", help="no rating until `press` says so")
    pad.add_argument("--levels", help="levels in turn, e.g. 5,4,1")
    for parser in (idcard, pad):
        parser.add_argument("--garble", type=float, help="share of garbled frames, 0..1")
        parser.add_argument("--split", action="store_true", help="send frames in small pieces")
    printer.add_argument("--paper", choices=["ok", "low", "out"], help="the paper sensor")
    printer.add_argument("--paper-lines", type=bounded(int, 1, 100_000),
                         help="a roll this many lines long (1..100000)")
    printer.add_argument("--cover", choices=["open", "closed"], help="the cover")
    printer.add_argument("--cutter", choices=["ok", "jam", "none"], help="the cutter")


def bounded(kind: type[int] | type[float], low: float, high: float, *, above: bool = False
            ) -> Callable[[str], Any]:
    """An argparse type: a finite number within low..high (above: greater than `low`), so
    that `nan`, `inf` or a negative count is refused as bad usage, not served or waited on."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value > high or value < low or (above and value == low):
            span = f"more than {low:g} and at most {high:g}" if above else f"{low:g}..{high:g}"
            raise argparse.ArgumentTypeError(f"{text}: expected {span}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its own messages
    return parse


def _check_paths(args: argparse.Namespace, bad: Any) -> None:
    """Refuse a --link that would replace anything but our own symlink (a file, a folder, a
    device node) or that lies in a missing folder, and a --control where no socket can be."""
    link = args.link
    if link:
        if os.path.lexists(link) and not os.path.islink(link):
            bad(f"--link {link}: something that is not a symlink is there; it is left alone "
                "(choose another path or remove it)")
        if not Path(link).parent.is_dir():
            bad(f"--link {link}: no folder {Path(link).parent}")
    control = args.control
    if control:
        if os.path.lexists(control) and not stat.S_ISSOCK(os.lstat(control).st_mode):
            bad(f"--control {control}: a file that is not a socket is there; it is left alone")
        if not Path(control).parent.is_dir():
            bad(f"--control {control}: no folder {Path(control).parent}")
        if not os.access(Path(control).parent, os.W_OK | os.X_OK):
            bad(f"--control {control}: no socket can be made in {Path(control).parent}")


def _common(parser: argparse.ArgumentParser, kind: str) -> None:
    knobs = {"idcard": "dwell=5&garble=0.1", "printer": "paper=out&cover=open",
             "pad": "every=2&levels=5,1"}[kind]
    parser.add_argument("--pty", action="store_true", required=True, help="serve on a new pty")
    parser.add_argument("--link", help="keep a symlink at this path pointing to the pty")
    parser.add_argument("--control", help="control socket path (default: a new one in /tmp)")
    parser.add_argument("--slow", type=float, help="answer delay in seconds")
    parser.add_argument("--unplug-after", type=bounded(float, 0, DAY_S), default=0.0,
                        help="unplug after S seconds, then replug on a new pty")
    parser.add_argument("--replug-after", type=bounded(float, 0, DAY_S), default=1.0,
                        help="seconds unplugged before the new pty appears (default 1)")
    parser.add_argument("--knobs", default="",
                        help=f"options as in its sim:// URL, e.g. '{knobs}'")


def run_sim(args: argparse.Namespace, bad: Any) -> int:
    from devices.simctl import ControlServer, default_path
    from devices.simlink import serve_pty
    from devices.transport import parse_url

    _check_paths(args, bad)
    control_path = args.control or default_path(args.kind)
    common = {"unplug_after": args.unplug_after, "replug_after": args.replug_after}
    if args.kind == "printer":
        from devices.printer.simulator import serve_pty as serve_printer

        knobs = dict(parse_qsl(args.knobs, keep_blank_values=True))
        knobs |= {k: str(v) for k, v in (("paper", args.paper), ("paper_lines", args.paper_lines),
                                          ("cover", args.cover), ("cutter", args.cutter),
                                          ("slow", args.slow)) if v is not None}
        return serve_printer(urlencode(knobs), args.link, control_path, **common)
    options = parse_url(f"sim://{args.kind}?{args.knobs}", "--knobs 'key=value&key=value'").options
    named = ("cards", "card", "dwell", "gap") if args.kind == "idcard" else ("every", "levels")
    options |= {key: str(getattr(args, key)) for key in (*named, "slow", "garble")
                if getattr(args, key) is not None}
    options |= {"split": "1"} if args.split else {}
    if args.kind == "idcard":
        from devices.idcard.simulator import simulator_from_options

        options |= ({"hold": "1"} if args.hold else {}) | ({"sam": "fault"} if args.sam_fault else {})
        engine: Any = simulator_from_options(options)
    else:
        from devices.pad.simulator import pad_simulator_from_options

        if args.hold and args.every:
            bad("--hold and --every contradict each other")
        engine = pad_simulator_from_options(options | ({"every": "0"} if args.hold else {}))
    control = ControlServer(control_path, engine.controls())
    return serve_pty(engine, args.link, control=control, **common)


def add_ctl(sub: Any) -> None:
    ctl = sub.add_parser("ctl", help="drive a running simulator through its control socket",
                         description="Send one command to a simulator's control socket (the "
                                     "second line `devices sim ... --pty` prints) and print its "
                                     "JSON answer; `help` lists the simulator's commands. Exit 1 "
                                     "when it refuses the command or nobody listens.")
    ctl.add_argument("socket")
    ctl.add_argument("words", nargs="+", metavar="COMMAND", help="e.g. present 2, paper out, press 5")


def run_ctl(args: argparse.Namespace) -> int:
    from devices.simctl import send

    try:
        answer = send(args.socket, " ".join(args.words))
    except (OSError, ValueError) as exc:
        print(f"devices ctl: no simulator answers at {args.socket}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False), flush=True)
    if not answer.get("ok"):
        print(f"devices ctl: {answer.get('error')}", file=sys.stderr)
        return 1
    return 0

