"""constraints.txt: every dependency of pyproject.toml is pinned there, within the range
pyproject.toml gives it, and the environment the tests run in holds those versions (bin/bootstrap
installs with the pins)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pins(text: str) -> dict[str, Version]:
    """name → pinned version of a constraints file (comments and blank lines skipped)."""
    found: dict[str, Version] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"line {n}: not a pin: {line}"
        name = canonicalize_name(req.name)
        assert name not in found, f"line {n}: {req.name} pinned twice"
        found[name] = Version(spec[0].version)
    return found


@cache
def pinned() -> dict[str, Version]:
    """constraints.txt's pins, read once for every test of this file."""
    return pins((ROOT / "constraints.txt").read_text())


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(r) for r in listed]


def test_every_dependency_is_pinned_within_its_range() -> None:
    missing, outside = [], []
    for req in requirements():
        got = pinned().get(canonicalize_name(req.name))
        if got is None:
            missing.append(req.name)
        elif not req.specifier.contains(got, prereleases=True):
            outside.append(f"{req.name} {got} (pyproject: {req.specifier})")
    assert not missing, f"not pinned in constraints.txt: {missing}"
    assert not outside, f"pinned outside pyproject.toml's range: {outside}"


@pytest.mark.parametrize("req", requirements(), ids=lambda r: r.name)
def test_the_environment_holds_the_pinned_version(req: Requirement) -> None:
    pin = pinned()[canonicalize_name(req.name)]
    try:
        installed = Version(version(req.name))
    except PackageNotFoundError:
        pytest.fail(f"{req.name} is not installed (run bin/bootstrap)")
    assert installed == pin, (f"{req.name} {installed} is installed, constraints.txt pins "
                              f"{pin}: run bin/bootstrap")


def test_a_constraints_line_that_is_not_a_pin_is_refused() -> None:
    assert pins("# header\n\nfastapi==0.165.0  # the web framework\n") == {
        "fastapi": Version("0.165.0")}
    with pytest.raises(AssertionError, match="line 2: not a pin"):
        pins("fastapi==0.165.0\nuvicorn>=0.29\n")
    with pytest.raises(AssertionError, match="pinned twice"):
        pins("Pillow==13.0.0\npillow==13.0.0\n")
