"""Document camera benchmark, SmartDoc 2015 style: the Jaccard index of the found page against
the ground truth of generated 5 MP desk photos, and the time `scan()` takes per photo
(find, refine, rectify, even the light, encode JPEG), in-process.

    .venv/bin/python bench/bench_camera.py [--count 60] [--seed 1000] [--budget 100]

Each photo is drawn (not timed) and scanned (timed); no new photo is started after 85 % of
`--budget` seconds for the pages, nor after the whole budget for the negatives, so a run ends
within about two minutes even on a busy 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.camera.document import scan  # noqa: E402
from devices.camera.geometry import jaccard  # noqa: E402
from devices.camera.synth import desk_photo  # noqa: E402
from devices.errors import DeviceError  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--budget", type=float, default=100.0, help="seconds, all included")
    ap.add_argument("--width", type=int, default=2592)
    ap.add_argument("--height", type=int, default=1944)
    ap.add_argument("--show-worst", type=int, default=5)
    ap.add_argument("--negatives", type=int, default=12, help="blank desks, clutter and ID cards")
    args = ap.parse_args()
    deadline = time.perf_counter() + args.budget
    _positives(args, deadline - 0.15 * args.budget)
    _negatives(args, deadline)
    return 0


def _positives(args: argparse.Namespace, deadline: float) -> None:
    """Photos with a page: Jaccard against the ground truth, and time per scan()."""
    scores: list[tuple[float, int]] = []
    wall: list[float] = []
    cpu: list[float] = []  # CPU seconds of this process (all its threads)
    failures: list[str] = []
    for seed in range(args.seed, args.seed + args.count):
        if time.perf_counter() > deadline:
            break
        photo = desk_photo(seed, args.width, args.height)
        assert photo.corners is not None
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            found = np.array(scan(photo.image, allow_id_card=True).corners)
            scores.append((jaccard(found, photo.corners), seed))
        except DeviceError as exc:
            failures.append(f"seed {seed}: {type(exc).__name__}: {exc}")
            scores.append((0.0, seed))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if scores:
        _report(args, scores, np.array(wall) * 1000, np.array(cpu) * 1000, failures)


def _report(args: argparse.Namespace, scores: list[tuple[float, int]], ms: np.ndarray,
            cpu_ms: np.ndarray, failures: list[str]) -> None:
    j = np.array([s for s, _ in scores])
    mp = args.width * args.height / 1e6
    print(f"camera: {len(j)} desk photos of {mp:.1f} MP (seeds {args.seed}..)")
    print(f"  Jaccard mean {j.mean():.4f}  median {np.median(j):.4f}  min {j.min():.4f}  "
          f"< 0.9: {int((j < 0.9).sum())}  failures (no page found): {len(failures)}")
    print(f"  scan() ms per photo: p50 {np.percentile(ms, 50):.0f}  p95 {np.percentile(ms, 95):.0f}"
          f"  max {ms.max():.0f}  (CPU ms p50 {np.percentile(cpu_ms, 50):.0f}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for score, seed in sorted(scores)[: args.show_worst]:
        print(f"  worst: seed {seed} Jaccard {score:.4f}")
    for line in failures:
        print(f"  {line}")


def _negatives(args: argparse.Namespace, deadline: float) -> None:
    """Photos without a page must give NoDocument; ID cards must be refused."""
    wrong: list[str] = []
    counts = {"blank": 0, "clutter": 0, "idcard": 0}
    for i in range(args.negatives):
        if time.perf_counter() > deadline:
            break
        kind = ("blank", "clutter", "idcard")[i % 3]
        seed = args.seed + 10_000 + i
        photo = desk_photo(seed, args.width, args.height, kind=kind)  # type: ignore[arg-type]
        counts[kind] += 1
        try:
            scan(photo.image)
            wrong.append(f"seed {seed} {kind}: a page was found")
        except DeviceError as exc:
            expected = "IdCardRefused" if kind == "idcard" else "NoDocument"
            if type(exc).__name__ != expected:
                wrong.append(f"seed {seed} {kind}: {type(exc).__name__} ({exc})")
    print(f"  negatives: {counts}, wrong answers: {len(wrong)}")
    for line in wrong:
        print(f"  {line}")


if __name__ == "__main__":
    raise SystemExit(main())
