from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Each test run keeps its database, secret key and calendar additions in its own place.
os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-test-"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"
SEED_2019 = SEEDS / "002_b220d2f9fe7791d7.txt"  # 开封市商务局, 2019 report
SEED_2020 = SEEDS / "000_9e37d6351cd66a1a.txt"  # 绿园区商务局, 2020 report


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"shared/ not found at {SHARED}; set OGI_SHARED")
    return SHARED

