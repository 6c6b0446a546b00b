"""Reading many reports at once, on several processes: a supervising office checks
hundreds of departments' reports in one call. Each file is read in a bounded worker
(ogi.ingest.bounded), so one file that crashes, hangs or exhausts memory is that file's
error and every other result is kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..ingest.bounded import default_jobs
from ..ingest.bounded import read_many as read_bounded_many
from ..ingest.errors import IngestError
from ..ingest.limits import Limits
from ..report import Report

Result = tuple[str, Report | None, IngestError | None]

__all__ = ["Result", "default_jobs", "iter_read", "read_many"]


def read_many(paths: list[Path | str], jobs: int | None = None, limits: Limits | None = None) -> list[Result]:
    """Every file read, in the order given; failures as IngestErrors, never raised."""
    names = [str(p) for p in paths]
    out: list[Result | None] = [None] * len(names)
    for r in read_bounded_many(names, limits, jobs):
        out[r.index] = (names[r.index], r.report, r.error)
    return [r for r in out if r is not None]


def iter_read(paths: list[Path | str], jobs: int | None = None, limits: Limits | None = None) -> Iterator[Result]:
    """Like `read_many`, but each result as soon as its file is done (in the order they
    finish), so a caller can write it out and let it go."""
    names = [str(p) for p in paths]
    for r in read_bounded_many(names, limits, jobs):
        yield names[r.index], r.report, r.error
