"""`python -m devices`: simulators on a pty and driving them (`devices.simcli`), reading a card or
a rating, printing a sample ticket, scanning a page, probing serial ports (CONTRACT §1). Bad usage exits 2 with one line, never a
traceback; a device that fails or a timeout exits 1 with a reason."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from devices.errors import BadAddress, DeviceError
from devices.simcli import DAY_S, add_ctl, add_sim, bounded, run_ctl, run_sim

LABELS = {
    "type": "证件类型 type", "name": "姓名 name", "sex": "性别 sex", "ethnicity": "民族 ethnicity",
    "birth_date": "出生 born", "address": "住址 address", "number": "号码 number",
    "authority": "签发机关 authority", "valid_from": "有效期起 valid from",
    "valid_to": "有效期止 valid to", "level": "评价 level",
}


class UsageError(Exception):
    """Bad command line: exit 2 with this one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> Parser:
    top = Parser(prog="python -m devices", description="快办 devices: simulators, read, print, scan, probe")
    sub = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_sim(sub, Parser)
    add_ctl(sub)
    read = sub.add_parser("read", help="wait for one card or one rating")
    read.add_argument("kind", choices=["idcard", "pad"])
    read.add_argument("url")
    read.add_argument("--json", action="store_true", help="print JSON")
    read.add_argument("--timeout", type=bounded(float, 0, DAY_S, above=True), default=10.0,
                      help="seconds to wait (default 10)")
    read.add_argument("--reveal", action="store_true", help="idcard: show name, address, number")
    sample = sub.add_parser("print-sample", help="print a sample ticket")
    sample.add_argument("url")
    drawing = sub.add_parser("render-ticket", help="draw ESC/POS bytes as the printed paper (PNG)",
                             description="Interpret the ESC/POS bytes in FILE (a job written by "
                                         "print-sample file:///FILE, or a printer simulator's job) "
                                         "and draw the paper as it comes out of the printer.")
    drawing.add_argument("file")
    drawing.add_argument("--out", required=True, help="PNG file to write")
    drawing.add_argument("--width", type=int, choices=[58, 80], default=80,
                         help="paper width in mm (default 80)")
    scan = sub.add_parser("scan", help="capture or load one page and straighten it")
    scan.add_argument("source")
    scan.add_argument("--out", required=True, type=Path)
    scan.add_argument("--json", action="store_true")
    scan.add_argument("--allow-id-card", action="store_true",
                      help="copy an ID card too (only where the business step requires it)")
    from devices.camera.cli import add_calibration
    add_calibration(scan)
    sheet = sub.add_parser("calibration-sheet", help="write the camera's reference sheet to print",
                           description="Write the document camera's reference sheet (A4, four "
                                       "marks, a 100 mm bar) as .pdf or .png. Print it at 100 %%, "
                                       "lay it where papers go, then run python -m provisioning "
                                       "probe --calibrate.")
    sheet.add_argument("--out", required=True, type=Path, help="FILE.pdf or FILE.png")
    probe = sub.add_parser("probe", help="find readers, printers and pads on serial ports")
    probe.add_argument("--port", action="append", default=[], help="also probe this URL")
    probe.add_argument("--json", action="store_true")
    probe.add_argument("--no-system", action="store_true",
                       help="probe only the --port URLs, not the ports the system lists")
    probe.add_argument("--timeout", type=bounded(float, 0, 60, above=True), default=0.3,
                       help="seconds per question")
    return top


def _bad(message: str) -> NoReturn:
    raise UsageError(f"python -m devices: {message}")


def _fail(message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False), flush=True)
    print(f"devices: {message}", file=sys.stderr)
    return 1


def _read(args: argparse.Namespace) -> int:
    if args.kind == "idcard":
        from devices.idcard import open_reader
        until = time.monotonic() + args.timeout  # the whole wait, a silent reader's included
        reader = open_reader(args.url, within=args.timeout)
        try:
            card = reader.read_card(max(0.0, until - time.monotonic()))
        finally:
            reader.close()
        if card is None:
            if reader.last_problem:
                return _fail(f"a card is on the reader but could not be read within "
                             f"{args.timeout:g} s: {reader.last_problem}", args.json)
            return _fail(f"no card on the reader within {args.timeout:g} s", args.json)
        value: dict[str, object] = card.to_json(reveal=args.reveal)
    else:
        from devices.pad import open_pad
        pad = open_pad(args.url)
        try:
            rating = pad.read_rating(args.timeout)
        finally:
            pad.close()
        if rating is None:
            return _fail(f"no rating within {args.timeout:g} s", args.json)
        value = {"level": rating.level}
    if args.json:
        print(json.dumps(value, ensure_ascii=False), flush=True)
    else:
        for key, item in value.items():
            print(f"{LABELS.get(key, key)}: {item}")
    return 0


def _sheet(out: Path) -> int:
    from devices.camera.calibration import sheet_bytes

    if out.suffix.lower() not in (".pdf", ".png"):
        _bad(f"--out {out}: write the sheet as .pdf or .png")
    try:
        out.write_bytes(sheet_bytes(out.suffix))
    except OSError as exc:
        _bad(f"cannot write {out}: {exc.strerror}")
    print(f"wrote the calibration sheet to {out}: print it at 100 % (the bar must be 100 mm)")
    return 0


def _probe(args: argparse.Namespace) -> int:
    from devices.probe import probe_all

    results = probe_all(args.port, timeout=args.timeout, system=not args.no_system)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False), flush=True)
    elif not results:
        print("没有串口 / no serial ports found")
    for r in results if not args.json else []:
        print(f"{r.port}\t{r.kind or '-'}\t{r.detail}")
    return 0


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    if args.command == "sim":
        return run_sim(args, _bad)
    if args.command == "ctl":
        return run_ctl(args)
    if args.command == "read":
        return _read(args)
    if args.command == "print-sample":
        from devices.printer.cli import print_sample
        return int(print_sample(args.url))
    if args.command == "scan":
        from devices.camera.cli import scan
        return int(scan(args.source, args.out, args.json, allow_id_card=args.allow_id_card,
                        desk=args.desk, mm_per_px=args.mm_per_px))
    if args.command == "render-ticket":
        from devices.printer.cli import render_ticket
        return int(render_ticket(args.file, args.out, args.width))
    if args.command == "calibration-sheet":
        return _sheet(args.out)
    return _probe(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        return 2
    except BadAddress as exc:
        print(f"devices: {exc}", file=sys.stderr)
        return 2
    except DeviceError as exc:
        as_json = "--json" in (sys.argv if argv is None else argv)
        return _fail(f"{type(exc).__name__}: {exc}", as_json)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("devices."):
            print(f"devices: {exc.name} is not available in this build", file=sys.stderr)
            return 1
        raise
    except KeyboardInterrupt:
        return 130
