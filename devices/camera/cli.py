"""`python -m devices scan SOURCE --out FILE [--json] [--allow-id-card] [--desk D | --mm-per-px X]`:
capture (a camera URL) or load (an image path) one still, find the page, correct it to the
paper's proportions and save it to FILE, whose extension chooses the format (.jpg, .jpeg, .png,
.pdf). The camera's calibration comes from its URL (`desk=`, `mm_per_px=`) or the options.

Exit 0 with `{"corners": [[x, y] x4, clockwise from top-left, source pixels], "width": W,
"height": H}` and what the page was judged to be: `"calibrated"` (false: no calibration, so
shapes and the share of the frame decided, as before), `"paper"` ("A4", "ISO A", ... or null),
`"size_mm"` (calibrated only), `"ratio"`, `"corner_shape"`. Exit 1 with `{"error": ...,
"kind": ...}` when no page is found (or an ID card is refused, or the camera fails); exit 2
with a one-line reason on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from devices.camera.calibration import DeskCalibration, from_options
from devices.camera.document import IdCardRefused, NoDocument
from devices.camera.document import scan as scan_page
from devices.camera.source import open_camera
from devices.errors import BadAddress, DeviceError

FORMATS = (".jpg", ".jpeg", ".png", ".pdf")


class _Usage(Exception):
    """Bad usage: exit 2 with this reason."""


def scan(source: str, out: Path, as_json: bool, allow_id_card: bool = False,
         desk: str | None = None, mm_per_px: str | None = None) -> int:
    """Run the command; returns the exit status."""
    import cv2

    # OpenCV's own log lines (a corrupt PNG's libpng complaints, V4L2 probing a camera) would
    # come before our one-line reason; what went wrong is in that reason.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        if out.suffix.lower() not in FORMATS:
            raise _Usage(f"--out {out}: the extension must be one of {', '.join(FORMATS)}")
        if not out.parent.is_dir():
            raise _Usage(f"--out {out}: no such folder {str(out.parent)!r}")
        given = from_options({k: v for k, v in (("desk", desk), ("mm_per_px", mm_per_px)) if v})
        image, calibration = _load(source)
        result = scan_page(image, allow_id_card=allow_id_card, calibration=given or calibration)
        try:
            out.write_bytes(result.encoded(out.suffix))
        except OSError as exc:
            raise _Usage(f"cannot write {out}: {exc.strerror}") from exc
    except (_Usage, BadAddress) as exc:
        print(f"devices scan: {exc}", file=sys.stderr)
        return 2
    except (NoDocument, IdCardRefused, DeviceError) as exc:
        if as_json:
            judged = exc.judgement.as_dict() if isinstance(exc, IdCardRefused) and exc.judgement else {}
            print(json.dumps({"error": str(exc), "kind": type(exc).__name__, **judged},
                             ensure_ascii=False))
        print(f"devices scan: {exc}", file=sys.stderr)
        return 1
    judged = result.judgement.as_dict() if result.judgement else {}
    answer = {
        "corners": [[round(x, 2), round(y, 2)] for x, y in result.corners],
        "width": result.width,
        "height": result.height,
        **judged,
    }
    if as_json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        print(f"saved the page ({result.width}x{result.height}, {_described(judged)}) to {out}")
    return 0


def _described(judged: dict[str, object]) -> str:
    size = judged.get("size_mm")
    paper = judged.get("paper") or "paper of no standard size"
    if isinstance(size, list):
        return f"{paper}, {size[0]:g} x {size[1]:g} mm"
    return f"{paper}; no calibration: judged by shape and share of the frame"


def _load(source: str) -> tuple[np.ndarray, DeskCalibration | None]:
    """A still from a camera URL (with the camera's calibration), or a photo from a path."""
    if "://" in source:
        camera = open_camera(source)
        try:
            return camera.capture(), camera.calibration
        finally:
            camera.close()
    path = Path(source)
    if not path.is_file():
        raise _Usage(f"no such image file {source!r} (or give a camera URL such as camera://0)")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise _Usage(f"{source!r} is not an image OpenCV can read")
    return image, None


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m devices.camera.cli SOURCE --out FILE --json`)."""
    ap = argparse.ArgumentParser(prog="devices scan", description="scan one page")
    ap.add_argument("source", help="camera URL (camera://0, images:///dir, sim://camera) or image path")
    ap.add_argument("--out", required=True, type=Path, help="output file: .jpg, .jpeg, .png or .pdf")
    ap.add_argument("--json", action="store_true", help="print the corners and size as JSON")
    ap.add_argument("--allow-id-card", action="store_true", help="the business step needs an ID card copy")
    add_calibration(ap)
    args = ap.parse_args(argv)
    return scan(args.source, args.out, args.json, allow_id_card=args.allow_id_card,
                desk=args.desk, mm_per_px=args.mm_per_px)


def add_calibration(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--desk", help="the camera's calibration (as desk= in its URL, written by "
                                      "provisioning probe --calibrate)")
    group.add_argument("--mm-per-px", help="the camera's scale, for one that looks straight down")


if __name__ == "__main__":
    raise SystemExit(main())
