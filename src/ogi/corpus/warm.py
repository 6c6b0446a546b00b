"""Imported by the fork server that a Dask worker's bounded reading processes are forked
from (ogi.corpus.distributed): reading one small report of each kind here imports every
reader and fills its caches (editions, patterns, forms) once, so that each per-file
process starts with them instead of paying for them on every file."""

from __future__ import annotations


def warm() -> None:
    from importlib import resources

    from ..checks import check
    from ..ingest.load import read_bytes
    from ..ingest.locate import locate
    from ..render import render

    sample = resources.files("ogi").joinpath("data/samples/lvyuan-swj-2020.txt").read_bytes()
    report = locate(read_bytes(sample, "warm.txt"))
    check(report)
    for fmt in ("html", "xlsx", "docx"):
        locate(read_bytes(render(report, fmt), f"warm.{fmt}"))
    from ..ingest import pdf  # noqa: F401 — imported, not exercised: rendering a PDF here would cost more than it saves


try:
    warm()
except Exception:  # a warm-up that fails leaves the processes cold, never broken
    pass
