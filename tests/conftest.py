"""Shared fixtures. ``../shared`` (seeds, real-world inputs) sits beside the repo in dev and CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from studio_support import browser, page  # noqa: F401 (the browser fixtures, for every test)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_ca67e2d21db797f3.txt"
BRICK_AND_STEEL = SHARED / "real-world" / "brick-and-steel.fountain"


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEED


@pytest.fixture
def brick_and_steel_path() -> Path:
    if not BRICK_AND_STEEL.exists():
        pytest.skip("../shared/real-world is not beside this checkout")
    return BRICK_AND_STEEL
