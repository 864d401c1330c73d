"""`python -m devices print-sample URL`: print a sample ticket (Chinese text, the number large,
a QR code, a cut) to the printer at URL; `file:///path` writes the raw ESC/POS bytes.
`python -m devices render-ticket FILE --out PNG`: draw such bytes as the paper comes out."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta, timezone

from devices.errors import BadAddress, DeviceError
from devices.printer.driver import open_printer
from devices.printer.layout import TicketLayout

CHINA = timezone(timedelta(hours=8))


def sample_ticket(width_mm: int = 80) -> TicketLayout:
    """A ticket of the example hall, with a bank-branch outpost and a masked ID."""
    return TicketLayout(
        hall_name="杭锦后旗政务服务中心",
        branch_name="农业银行陕坝支行 便民服务点",
        zone_name="一窗受理",
        service_name="社会保障卡申领",
        number="A023",
        ahead=3,
        estimated_wait_min=12,
        issued_at=datetime(2026, 11, 25, 9, 30, tzinfo=CHINA),
        track_url="https://kuaiban.example.cn/t/hjhq/A023?k=7Qx2mP",
        masked_id="1508**********123X",
        width_mm=width_mm,
    )


def print_sample(url: str, profile: str = "default", width_mm: int = 80) -> int:
    """0 printed; 1 the printer failed (reason on stderr); 2 a bad URL or profile."""
    # One try, one line: the driver's warnings and retry notes are for terminals that keep
    # their printer open and try again.
    logging.getLogger("devices.printer").setLevel(logging.ERROR)
    try:
        printer = open_printer(url, profile)
    except BadAddress as exc:
        print(f"print-sample: {exc}", file=sys.stderr)
        return 2
    try:
        printer.print_ticket(sample_ticket(width_mm))
    except DeviceError as exc:
        reason = str(exc).split(" (next try in ")[0]
        print(f"print-sample: printing failed: {reason}", file=sys.stderr)
        return 1
    finally:
        printer.close()
    print(f"printed sample ticket A023 to {url}")
    return 0


def render_ticket(source: str, out: str, width_mm: int = 80) -> int:
    """0 drawn; 2 an unreadable FILE or an unwritable PNG (one line on stderr)."""
    from pathlib import Path

    from devices.printer.render import render

    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        print(f"render-ticket: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    if not out.lower().endswith(".png"):
        print(f"render-ticket: --out {out}: the picture is written as .png", file=sys.stderr)
        return 2
    drawn = render(data, width_mm)
    try:
        drawn.image.save(out, format="PNG")
    except OSError as exc:
        print(f"render-ticket: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    skipped = f", skipped {len(drawn.unknown)} unknown commands" if drawn.unknown else ""
    print(f"drew {len(data)} bytes ({len(drawn.lines)} lines, {len(drawn.qr)} QR codes, "
          f"{drawn.cuts} cuts{skipped}) on {width_mm} mm paper: {out}")
    return 0
