"""Shared photos for the camera tests: generated once per session at a lower resolution."""

from __future__ import annotations

import pytest

from devices.camera.synth import DeskPhoto, desk_photo

TEST_SIZE = (1296, 972)  # a quarter of 5 MP: the same algorithm, four times fewer pixels


@pytest.fixture(scope="session")
def desk_set() -> list[DeskPhoto]:
    """Twenty desk photos with a page (seeds 500-519), ground truth included."""
    return [desk_photo(seed, *TEST_SIZE) for seed in range(500, 520)]
