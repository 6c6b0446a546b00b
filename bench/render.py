"""Time to write one report in each format (median of repeated runs).

Goals (issue 4): DOCX < 0.3 s, HTML < 0.05 s, XLSX < 0.3 s, PDF < 2 s per report.
Input: the 淮安市 2024 report (every cell filled, six pages) read from the corpus.

    python bench/render.py [runs]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from ogi.ingest.load import load_report
from ogi.render import render

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
GOALS = {"docx": 0.3, "html": 0.05, "xlsx": 0.3, "pdf": 2.0, "md": 0.05}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    report = load_report(SHARED / "corpus/pdf/huaian-gov-2024.pdf")
    print(f"{'format':6} {'median':>9} {'goal':>8}  size")
    for fmt, goal in GOALS.items():
        render(report, fmt)  # warm up (fonts, templates)
        times = []
        for _ in range(runs if fmt != "pdf" else max(3, runs // 3)):
            t0 = time.perf_counter()
            data = render(report, fmt)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"{fmt:6} {med:>8.3f}s {'< ' + str(goal):>7}s  {len(data) / 1024:.0f} KB {'ok' if med < goal else 'MISSED'}")


if __name__ == "__main__":
    main()
