"""Parse and check N text reports on one core; print reports per second and peak memory.

Goal (issue 2): at least 200 text reports per second on one core.
Inputs: the seeds and the text files of the development corpus, cycled to N, each read
from disk and decoded every time, as `ogi check` does.

    python bench/text_reports.py [N]
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from ogi.checks import check
from ogi.ingest.load import load_report

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))


def inputs() -> list[Path]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "text").glob("*"))
    if not files:
        files = sorted((ROOT / "src" / "ogi" / "data" / "samples").glob("*.txt"))
    return files


def run(n: int) -> None:
    files = inputs()
    for f in files:  # warm caches (editions, regexes) outside the timing
        check(load_report(f))
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    findings = 0
    for i in range(n):
        findings += len(check(load_report(files[i % len(files)])))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    tracemalloc.start()
    for f in files:
        check(load_report(f))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs: {len(files)} files ({', '.join(f.name for f in files)})")
    print(f"reports parsed and checked: {n}, findings: {findings}")
    print(f"wall {wall:.2f} s, cpu {cpu:.2f} s: {n / wall:.0f} reports/s (goal >= 200)")
    print(f"peak Python allocation per report: {peak / 1048576:.1f} MiB; process max RSS {rss:.0f} MiB")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
