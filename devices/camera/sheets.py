"""What the synthesizer lays on the desk, each drawn in its own frame: a page of text-like
content, an ID card (with the rounded corners of ID-1 cards), the camera's calibration sheet, or
a given picture (a QR code on a phone or a slip). `sheet()` draws one so that its width runs
along the photo's corners 0 -> 1; `paper_mm()` draws a real size for a sheet on a desk view."""

from __future__ import annotations

import string

import cv2
import numpy as np

ID1_MM = (85.6, 54.0)
CORNER_MM = 3.18  # ID-1 corner radius (ISO/IEC 7810)
PAPERS_MM = ((210.0, 297.0), (210.0, 297.0), (216.0, 279.0), (148.0, 210.0), (176.0, 250.0))
PICTURE_MM = 120.0  # the long side of a shown picture: a phone's screen or a printed slip
_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX)


def paper_mm(rng: np.random.Generator, kind: str, picture: np.ndarray | None) -> tuple[float, float]:
    """A sheet's width and height in mm (portrait or landscape)."""
    if kind == "sheet":
        from devices.camera.calibration import SHEET_MM
        return SHEET_MM
    if kind == "picture":
        h, w = _need(picture).shape[:2]
        return (PICTURE_MM, PICTURE_MM * h / w) if w >= h else (PICTURE_MM * w / h, PICTURE_MM)
    size = ID1_MM if kind == "idcard" else PAPERS_MM[int(rng.integers(0, len(PAPERS_MM)))]
    return size if rng.random() < 0.7 else (size[1], size[0])


def sheet(rng: np.random.Generator, kind: str, corners: np.ndarray, aspect: float | None,
          picture: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """The sheet (BGR) with `aspect` (width along corners 0 -> 1 over height; None: as the
    corners are apart, the synthesizer's first photos), and its outline mask when its corners
    are not square (an ID card's), else None."""
    side = float(max(np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)))
    if kind == "page":
        if aspect is None:
            return page(rng, int(np.linalg.norm(corners[1] - corners[0])),
                        int(np.linalg.norm(corners[3] - corners[0]))), None
        return page(rng, *_size(side, aspect)), None
    if kind == "idcard":
        art = card(rng)
        if (aspect or np.linalg.norm(corners[1] - corners[0]) / np.linalg.norm(corners[3] - corners[0])) < 1:
            art = np.ascontiguousarray(np.rot90(art))
        return art, rounded(art.shape, CORNER_MM / ID1_MM[0] * max(art.shape[:2]))
    if kind == "sheet":
        from devices.camera.calibration import SHEET_MM, sheet_image
        grey = np.asarray(sheet_image(max(2.0, 1.3 * side / SHEET_MM[1])))
        art = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    else:
        art = _need(picture)
    turn = (art.shape[1] > art.shape[0]) != ((aspect or 1.0) > 1)
    return (np.ascontiguousarray(np.rot90(art)) if turn else art), None


def _size(side: float, aspect: float) -> tuple[int, int]:
    return (int(side), int(side / aspect)) if aspect >= 1 else (int(side * aspect), int(side))


def _need(picture: np.ndarray | None) -> np.ndarray:
    if picture is None:
        raise ValueError("a sheet of kind 'picture' needs the picture")
    return picture


def page(rng: np.random.Generator, pw: int, ph: int) -> np.ndarray:
    """A flat page of `pw` x `ph` pixels: lines of text, sometimes a frame, a block, a seal."""
    tone = rng.uniform(228, 252)
    out = np.empty((ph, pw, 3), np.uint8)
    out[:] = np.clip(tone + rng.uniform(-6, 3, 3), 0, 255)
    m = int(rng.uniform(0.06, 0.12) * pw)
    if rng.random() < 0.3:  # a printed frame near the edge: an inner rectangle to mislead
        cv2.rectangle(out, (m // 2, m // 2), (pw - m // 2, ph - m // 2), (40, 40, 40), 3)
    y, scale = m + 20, pw / 1400
    letters = string.ascii_letters + "0123456789"
    while y < ph - m:
        if rng.random() < 0.08:  # a photo or a dark table block
            bh = int(rng.uniform(0.05, 0.15) * ph)
            cv2.rectangle(out, (m, y), (int(pw * rng.uniform(0.4, 0.9)), y + bh),
                          tuple(int(v) for v in rng.uniform(30, 160, 3)), -1)
            y += bh + 20
            continue
        size = scale * (1.6 if rng.random() < 0.1 else rng.uniform(0.7, 1.0))
        words = " ".join("".join(rng.choice(list(letters), int(rng.integers(2, 9))))
                         for _ in range(int(rng.integers(4, 12))))
        cv2.putText(out, words, (m, y), _FONTS[int(rng.integers(0, 3))], size, (25, 25, 30),
                    max(1, int(2 * scale)), cv2.LINE_AA)
        y += int(45 * size) + int(rng.integers(0, 20))
    if rng.random() < 0.4:  # a red seal (公章)
        c = (int(pw * rng.uniform(0.55, 0.8)), int(ph * rng.uniform(0.7, 0.9)))
        cv2.circle(out, c, int(pw * 0.1), (40, 40, 200), max(2, int(6 * scale)), cv2.LINE_AA)
    return out


def card(rng: np.random.Generator) -> np.ndarray:
    """An ID-1 card's face at 10 px/mm: a light background, a photo, lines of text."""
    out = np.empty((540, 856, 3), np.uint8)
    out[:] = rng.uniform([200, 200, 200], [245, 240, 235])
    cv2.rectangle(out, (560, 120), (800, 420), (150, 160, 170), -1)  # the photo
    for i in range(5):
        cv2.putText(out, "X" * int(rng.integers(4, 12)), (60, 120 + 70 * i),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.2, (40, 40, 40), 2, cv2.LINE_AA)
    return out


def rounded(shape: tuple[int, ...], radius: float) -> np.ndarray:
    """A mask (float 0..1) of a rectangle of `shape` with corners rounded by `radius` pixels,
    drawn 4x finer and reduced, so the arcs are anti-aliased."""
    h, w = shape[:2]
    big_w, big_h, r = 4 * w, 4 * h, max(1, round(4 * radius))
    big = np.full((big_h, big_w), 255, np.uint8)
    for x0, y0 in ((0, 0), (big_w - r, 0), (big_w - r, big_h - r), (0, big_h - r)):
        big[y0:y0 + r, x0:x0 + r] = 0
    for cx, cy in ((r, r), (big_w - r, r), (big_w - r, big_h - r), (r, big_h - r)):
        cv2.circle(big, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
