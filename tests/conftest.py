from __future__ import annotations

import os
import signal
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
# A full notice for a year the calendar does not hold (the tests add it as the State Council would publish it).
NOTICE_2027 = """years:
  2027:
    notice: 测试用2027年部分节假日安排
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 春节, from: 2027-02-06, to: 2027-02-12}
      - {name: 清明节, from: 2027-04-03, to: 2027-04-05}
      - {name: 劳动节, from: 2027-05-01, to: 2027-05-05}
      - {name: 端午节, from: 2027-06-09, to: 2027-06-11}
      - {name: 中秋节, from: 2027-09-15, to: 2027-09-17}
      - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
    workdays: [2027-01-09]
"""
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"shared/ not found at {SHARED}; set OGI_SHARED")
    return SHARED



def interruptible() -> None:
    """preexec_fn of a child a test sends Ctrl-C: SIGINT as a terminal's foreground job has it.
    Started as a background job of a shell without job control (a CI runner's), every process
    has SIGINT ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
