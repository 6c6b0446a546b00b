"""Export of the request list to XLSX with 100 000 rows: seconds and peak memory (the
workbook is written row by row, so memory should not grow with the rows). Fresh SQLite
database in a temporary data directory, or PostgreSQL when OGI_DATABASE_URL is set.

    python bench/export.py [requests]
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
import time
import tracemalloc

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
sys.path.insert(0, os.path.dirname(__file__))

from django.contrib.auth import get_user_model

from ledger import fill
from ogi.web.ledger import export, search


def measure(params: dict[str, str]) -> tuple[int, float, int]:
    """(rows, seconds, peak traced Python memory in bytes) of one export."""
    user = get_user_model().objects.get(username="bench")
    found = search.find(user, params)
    tracemalloc.start()
    t0 = time.perf_counter()
    fh, rows = export.write(found, dt.date(2026, 11, 23))
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    fh.close()
    return rows, seconds, peak


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    fill(n)
    # The same export over about a tenth of the rows: peak memory should be about the same.
    small_rows, small_s, small_peak = measure({"year": "2025"})
    rows, seconds, peak = measure({})
    print(f"export {rows} rows: {seconds:.1f} s ({rows / seconds:.0f} rows/s), peak Python memory {peak / 2**20:.1f} MiB; "
          f"{small_rows} rows: {small_s:.1f} s, peak {small_peak / 2**20:.1f} MiB; "
          f"memory ratio {peak / max(small_peak, 1):.2f} for {rows / max(small_rows, 1):.1f}x the rows; "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
