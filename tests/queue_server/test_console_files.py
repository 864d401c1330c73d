"""The console's files ship with the package: every file the browser app loads is matched by
pyproject's package-data, and ECharts comes with its licence."""

from __future__ import annotations

import tomllib
from pathlib import PurePosixPath

from tests.procs import ROOT

API = ROOT / "queue_server" / "api"


def test_every_served_file_is_package_data() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["queue_server.api"]
    served = [p.relative_to(API).as_posix() for p in (API / "console").rglob("*")
              if p.is_file() and p.name != "README.md"]
    assert "console/vendor/echarts/echarts.min.js" in served
    # setuptools globs segment by segment: `*` never crosses a `/` (as PurePath.match)
    missing = [f for f in served if not any(
        PurePosixPath(f).match(pat) and len(PurePosixPath(f).parts) == len(
            PurePosixPath(pat).parts) for pat in patterns)]
    assert missing == []


def test_echarts_is_vendored_with_its_licence() -> None:
    folder = API / "console" / "vendor" / "echarts"
    assert (folder / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "Apache ECharts" in (folder / "NOTICE").read_text()
    assert (folder / "echarts.min.js").stat().st_size > 500_000
