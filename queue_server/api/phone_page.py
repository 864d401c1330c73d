"""The hall's phone page (H5) at `/m/`: book, cancel and see a booking, take a number from the
phone, follow it until it is called and rate its service (docs/api.md "Phone page"). Static files of this package
(`phone/`), Chinese first, for a 360-px-wide screen, and nothing from outside the server (a
hall's network may have no internet): no CDN, no outside font (a hall that lists Mongolian gets
it vertically beside the Chinese, in the font this server serves at `/fonts/mongolian.ttf`), a
QR code drawn here as SVG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from queue_server.api.routes import base_url
from queue_server.domain.booking import normalise_code
from queue_server.domain.errors import Invalid

router = APIRouter(include_in_schema=False)
FILES = Path(__file__).resolve().parent / "phone"
TYPES = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
         "app.css": "text/css; charset=utf-8"}
# Only this server's own files, scripts and styles; no frames, no other origin.
HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
           "frame-ancestors 'none'", "Cache-Control": "no-cache",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@router.get("/m")
def to_page() -> RedirectResponse:
    return RedirectResponse("/m/", status_code=308)


@router.get("/m/")
def page() -> Response:
    return _file("index.html")


def _file(name: str) -> Response:
    return Response((FILES / name).read_bytes(), media_type=TYPES[name], headers=HEADERS)


def qr_svg(text: str) -> bytes:
    """The QR code of `text` as SVG. qrcode (with Pillow) is imported on the first one, not at
    the server's start."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


@router.get("/m/qr.svg")
def qr(request: Request, a: Annotated[str | None, Query(max_length=20)] = None,
       t: Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")] = None
       ) -> Response:
    """The QR code of a booking (`a`: its code, shown to a kiosk's document camera) or of a
    ticket (`t`: its tracking link); only these, so this is no general QR service."""
    base = base_url(request)
    if a is not None and normalise_code(a) is not None:
        text = f"{base}/m/#a={normalise_code(a)}"
    elif t is not None:
        text = f"{base}/t/{t}"
    else:
        raise Invalid("bad_qr", "需要预约码或号码 / give a booking code or a ticket")
    return Response(qr_svg(text), media_type="image/svg+xml", headers=HEADERS)


@router.get("/m/{name}")
def asset(name: str) -> Response:
    if name not in TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    return _file(name)
