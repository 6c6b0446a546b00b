"""Reading many reports at once, on several processes: a supervising office checks
hundreds of departments' reports in one call."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..ingest.errors import IngestError
from ..ingest.load import load_report
from ..report import Report

Result = tuple[str, Report | None, IngestError | None]


def _one(path: str) -> tuple[str, Report | None, tuple[str, str, str] | None]:
    try:
        return path, load_report(path), None
    except IngestError as e:
        return path, None, (e.code, e.message_zh, e.message_en)
    except Exception as e:  # a bug must not cost the user the other files
        return path, None, ("internal", f"读取时发生内部错误：{type(e).__name__}", f"internal error: {type(e).__name__}: {e}")


def default_jobs(count: int) -> int:
    """One process per core, but no pool for a handful of files (starting one costs more)."""
    return 1 if count < 4 else max(1, min(os.cpu_count() or 1, count))


def read_many(paths: list[Path | str], jobs: int | None = None) -> list[Result]:
    """Every file read, in the order given; failures as IngestErrors, never raised."""
    names = [str(p) for p in paths]
    n = default_jobs(len(names)) if jobs is None else max(1, jobs)
    if n == 1:
        raw = [_one(p) for p in names]
    else:
        with ProcessPoolExecutor(max_workers=n) as pool:
            raw = list(pool.map(_one, names, chunksize=max(1, len(names) // (4 * n))))
    return [(p, r, IngestError(*e) if e else None) for p, r, e in raw]
