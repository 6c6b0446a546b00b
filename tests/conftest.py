from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Each test run keeps its database, secret key and calendar additions in its own place.
os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-test-"))

ROOT = Path(__file__).resolve().parent.parent
# The two seed reports ship with ogi (byte for byte shared/seeds/002_… and 000_…), so the
# tests that need only them run without shared/; `shared` is for the corpus and the spec.
SAMPLES = ROOT / "src" / "ogi" / "data" / "samples"
SEED_2019 = SAMPLES / "kaifeng-swj-2019.txt"  # 开封市商务局, 2019 report (seed 002)
SEED_2020 = SAMPLES / "lvyuan-swj-2020.txt"  # 绿园区商务局, 2020 report (seed 000)
SEED_FILES = (SEED_2020, SEED_2019)  # in the seeds' own order
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"shared/ not found at {SHARED}; set OGI_SHARED")
    return SHARED

