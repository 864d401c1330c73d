"""`python -m devices scan SOURCE --out FILE [--json] [--allow-id-card]`: capture (a camera URL)
or load (an image path) one still, find the page, correct it and save it to FILE, whose
extension chooses the format (.jpg, .jpeg, .png, .pdf).

Exit 0 with `{"corners": [[x, y] x4, clockwise from top-left, source pixels], "width": W,
"height": H}`; exit 1 with `{"error": ...}` when no page is found (or an ID card is refused, or
the camera fails); exit 2 with a one-line reason on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from devices.camera.document import IdCardRefused, NoDocument
from devices.camera.document import scan as scan_page
from devices.camera.source import open_camera
from devices.errors import BadAddress, DeviceError

FORMATS = (".jpg", ".jpeg", ".png", ".pdf")


class _Usage(Exception):
    """Bad usage: exit 2 with this reason."""


def scan(source: str, out: Path, as_json: bool, allow_id_card: bool = False) -> int:
    """Run the command; returns the exit status."""
    try:
        if out.suffix.lower() not in FORMATS:
            raise _Usage(f"--out {out}: the extension must be one of {', '.join(FORMATS)}")
        if not out.parent.is_dir():
            raise _Usage(f"--out {out}: no such folder {str(out.parent)!r}")
        image = _load(source)
        result = scan_page(image, allow_id_card=allow_id_card)
        try:
            out.write_bytes(result.encoded(out.suffix))
        except OSError as exc:
            raise _Usage(f"cannot write {out}: {exc.strerror}") from exc
    except (_Usage, BadAddress) as exc:
        print(f"devices scan: {exc}", file=sys.stderr)
        return 2
    except (NoDocument, IdCardRefused, DeviceError) as exc:
        if as_json:
            print(json.dumps({"error": str(exc), "kind": type(exc).__name__}, ensure_ascii=False))
        print(f"devices scan: {exc}", file=sys.stderr)
        return 1
    answer = {
        "corners": [[round(x, 2), round(y, 2)] for x, y in result.corners],
        "width": result.width,
        "height": result.height,
    }
    if as_json:
        print(json.dumps(answer))
    else:
        print(f"saved the page ({result.width}x{result.height}) to {out}")
    return 0


def _load(source: str) -> np.ndarray:
    """A still from a camera URL, or a photo from a path."""
    if "://" in source:
        camera = open_camera(source)
        try:
            return camera.capture()
        finally:
            camera.close()
    path = Path(source)
    if not path.is_file():
        raise _Usage(f"no such image file {source!r} (or give a camera URL such as camera://0)")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise _Usage(f"{source!r} is not an image OpenCV can read")
    return image


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m devices.camera.cli SOURCE --out FILE --json`)."""
    ap = argparse.ArgumentParser(prog="devices scan", description="scan one page")
    ap.add_argument("source", help="camera URL (camera://0, images:///dir, sim://camera) or image path")
    ap.add_argument("--out", required=True, type=Path, help="output file: .jpg, .jpeg, .png or .pdf")
    ap.add_argument("--json", action="store_true", help="print the corners and size as JSON")
    ap.add_argument("--allow-id-card", action="store_true", help="the business step needs an ID card copy")
    args = ap.parse_args(argv)
    return scan(args.source, args.out, args.json, allow_id_card=args.allow_id_card)


if __name__ == "__main__":
    raise SystemExit(main())
