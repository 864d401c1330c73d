"""`python -m devices scan` as a real process: JSON shape, output formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera.geometry import jaccard
from devices.camera.synth import desk_photo

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devices", "scan", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    photo = desk_photo(42, 1296, 972)
    path = tmp_path_factory.mktemp("photos") / "desk.png"
    cv2.imwrite(str(path), photo.image)
    assert photo.corners is not None
    return path, photo.corners


@pytest.mark.parametrize("suffix, magic", [(".jpg", b"\xff\xd8"), (".pdf", b"%PDF"), (".png", b"\x89PNG")])
def test_scan_an_image_file(photo_file: tuple[Path, np.ndarray], tmp_path: Path,
                            suffix: str, magic: bytes) -> None:
    path, truth = photo_file
    out = tmp_path / f"page{suffix}"
    proc = run(str(path), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert {"corners", "width", "height"} <= set(answer)  # the contract's, and what was judged:
    assert answer["calibrated"] is False and answer["size_mm"] is None
    assert answer["corner_shape"] == "square" and answer["ratio"] > 0
    corners = np.array(answer["corners"])
    assert corners.shape == (4, 2)
    assert jaccard(corners, truth) > 0.95
    assert corners[0].sum() == corners.sum(axis=1).min()  # starts top-left
    assert out.read_bytes().startswith(magic)
    if suffix != ".pdf":
        saved = cv2.imread(str(out))
        assert saved.shape[:2] == (answer["height"], answer["width"])


def test_scan_from_the_simulated_camera(tmp_path: Path) -> None:
    out = tmp_path / "page.jpg"
    proc = run("sim://camera?seed=3&width=1296&height=972", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["corners"]) == 4


def test_no_document_exits_1_with_an_error(tmp_path: Path) -> None:
    out = tmp_path / "page.jpg"
    proc = run("sim://camera?scene=blank&width=1296&height=972", "--out", str(out), "--json")
    assert proc.returncode == 1
    assert "no document" in json.loads(proc.stdout)["error"]
    assert not out.exists()
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, reason", [
    (["{photo}", "--out", "{tmp}/page.gif"], "extension"),
    (["{tmp}/missing.png", "--out", "{tmp}/page.jpg"], "no such image"),
    (["{photo}", "--out", "{tmp}/no/such/dir/page.jpg"], "no such folder"),
    (["camera://0?zoom=3", "--out", "{tmp}/page.jpg"], "unknown option"),
    (["{notimage}", "--out", "{tmp}/page.jpg"], "not an image"),
    (["{corrupt}", "--out", "{tmp}/page.jpg"], "not an image"),  # libpng's complaints unsaid
])
def test_bad_usage_exits_2_with_one_line(photo_file: tuple[Path, np.ndarray], tmp_path: Path,
                                         args: list[str], reason: str) -> None:
    notimage = tmp_path / "notes.png"
    notimage.write_text("hello")
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDX" + bytes(range(64)))
    filled = [a.format(photo=photo_file[0], tmp=tmp_path, notimage=notimage, corrupt=corrupt)
              for a in args]
    proc = run(*filled, "--json")
    assert proc.returncode == 2
    assert reason in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_scan_from_a_folder_camera(photo_file: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    (folder / "a.png").write_bytes(photo_file[0].read_bytes())
    out = tmp_path / "page.pdf"
    proc = run(f"images://{folder}", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert jaccard(np.array(json.loads(proc.stdout)["corners"]), photo_file[1]) > 0.95
    assert out.read_bytes().startswith(b"%PDF")


def test_id_card_is_refused_by_the_command(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), desk_photo(2, 1296, 972, kind="idcard").image)
    proc = run(str(card), "--out", str(tmp_path / "copy.jpg"), "--json")
    assert proc.returncode == 1
    answer = json.loads(proc.stdout)
    assert answer["kind"] == "IdCardRefused" and answer["paper"] == "ID-1"
    assert answer["calibrated"] is False and answer["corner_shape"] == "rounded"
    assert not (tmp_path / "copy.jpg").exists()


def test_a_calibrated_camera_names_the_paper_and_its_size(tmp_path: Path) -> None:
    from devices.camera.calibration import find_sheet
    from devices.camera.view import View

    view = View(540, 35, 10)  # an A4 page at a fifth of the frame, stretched to a card's shape
    calibration, _ = find_sheet(desk_photo(1, 1296, 972, kind="sheet", view=view, clutter=False).image)
    page = tmp_path / "page.png"
    cv2.imwrite(str(page), desk_photo(38, 1296, 972, view=view, paper_mm=(210, 297)).image)
    out = tmp_path / "copy.png"
    for option in ([], ["--desk", calibration.option()]):
        proc = run(str(page), "--out", str(out), "--json", *option)
        assert proc.returncode == 0, proc.stderr
        answer = json.loads(proc.stdout)
        assert answer["calibrated"] is bool(option)
        assert max(answer["width"], answer["height"]) / min(answer["width"], answer["height"]) \
            == pytest.approx(2 ** 0.5, rel=0.005)
    assert answer["paper"] == "A4" and sorted(answer["size_mm"]) == pytest.approx([210, 297], rel=0.01)
    text = run(str(page), "--out", str(out), "--mm-per-px", "0.45")
    assert text.returncode == 0 and "mm)" in text.stdout
    plain = run(str(page), "--out", str(out))
    assert "no calibration: judged by shape" in plain.stdout
    bad = run(str(page), "--out", str(out), "--desk", "1x1:0")
    assert bad.returncode == 2 and "expected desk=" in bad.stderr


def test_the_calibration_sheet_command(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    done = subprocess.run([sys.executable, "-m", "devices", "calibration-sheet", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and out.read_bytes().startswith(b"%PDF") and "100 %" in done.stdout
    wrong = subprocess.run([sys.executable, "-m", "devices", "calibration-sheet", "--out",
                            str(tmp_path / "sheet.gif")], cwd=ROOT, capture_output=True, text=True)
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
