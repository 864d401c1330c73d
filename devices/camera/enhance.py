"""Turn a found page into a clean copy: perspective correction, light evening (background
division, so shadows and uneven light fade and paper turns white while ink and seals keep their
colour), and encoding as JPEG, PNG or PDF."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from devices.camera.geometry import page_size

BACKGROUND_SIDE = 128  # long side at which the paper's background light is estimated
PAPER_SHADE = 0.45  # paper in the deepest shadow keeps at least this share of the brightest
PAPER_SATURATION = 60  # paper is greyish: HSV saturation at most this (of 255)


def rectify(image: np.ndarray, quad: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The page inside `quad` (clockwise from top-left) warped flat to `size` (width, height;
    by default the mean lengths of its opposite sides)."""
    w, h = size or page_size(quad)
    dst = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def even_light(page: np.ndarray) -> np.ndarray:
    """Divide by the paper's own brightness, so the paper becomes white everywhere (shadows and
    uneven light fade) and ink keeps its contrast. The paper's brightness is a closing (which
    removes text) of a small copy; where that is not paper but a printed block or photo (dark,
    or colourful), it is filled in from the paper around it, so the block is not washed out."""
    h, w = page.shape[:2]
    s = BACKGROUND_SIDE / max(h, w)
    small = cv2.resize(page, (max(4, round(w * s)), max(4, round(h * s))), interpolation=cv2.INTER_AREA)
    # wider than the lines of text and most printed blocks, narrower than a shadow
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    background = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), 5)
    background = _fill_non_paper(background)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    # paper at 245 rather than 255 keeps faint pencil visible; the ink keeps its ratio to paper
    return cv2.divide(page, background, scale=245)


def _fill_non_paper(background: np.ndarray) -> np.ndarray:
    """Replace what is too dark (under PAPER_SHADE of the brightest paper: deeper than a
    shadow) or too colourful to be paper by a smooth fill from the paper nearby."""
    hsv = cv2.cvtColor(background, cv2.COLOR_BGR2HSV)
    value, saturation = hsv[..., 2].astype(np.float32), hsv[..., 1]
    white = max(float(np.percentile(value, 95)), 1.0)
    paper = ((value >= PAPER_SHADE * white) & (saturation <= PAPER_SATURATION)).astype(np.float32)
    if paper.mean() > 0.98 or paper.sum() < 4:
        return background  # all paper, or nothing that looks like paper: keep the closing
    sigma = max(background.shape[:2]) / 12
    weight = cv2.GaussianBlur(paper, (0, 0), sigma)
    filled = cv2.GaussianBlur(background.astype(np.float32) * paper[..., None], (0, 0), sigma)
    fallback = np.percentile(background[paper > 0], 50, axis=0).astype(np.float32)
    filled = np.where(weight[..., None] > 0.02, filled / np.maximum(weight, 1e-6)[..., None], fallback)
    out = np.where(paper[..., None] > 0, background.astype(np.float32), filled)
    return np.clip(out, 1, 255).astype(np.uint8)


def encode(page: np.ndarray, suffix: str, quality: int = 88) -> bytes:
    """The page as bytes in the format of `suffix` (.jpg, .jpeg, .png or .pdf)."""
    suffix = suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        ok, buf = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return buf.tobytes()
    if suffix == ".png":
        ok, buf = cv2.imencode(".png", page, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        return buf.tobytes()
    if suffix == ".pdf":
        rgb = Image.fromarray(cv2.cvtColor(page, cv2.COLOR_BGR2RGB))
        out = io.BytesIO()
        # 200 dpi: an A4 page of ~1650 px wide prints at its real size
        rgb.save(out, format="PDF", resolution=200.0, quality=quality)
        return out.getvalue()
    raise ValueError(f"unknown output format {suffix!r}: use .jpg, .jpeg, .png or .pdf")
