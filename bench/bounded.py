"""What the bounded workers cost and how much memory each file type takes in them.

1. Isolation overhead: a batch of N text reports (the seeds and the corpus's text files,
   cycled, one file each on disk) read unisolated in this process, then in one `read_many`
   call (a pool of long-lived workers with the memory cap and timeout) with ONE worker, so
   the ratio is the isolation's cost alone; wall time (the goal: under 15 %) and CPU time.
2. Peak resident memory per file type of the corpus, each read by a fresh bounded worker,
   against the cap (`memory_mb`).

    python bench/bounded.py [N]
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ogi.ingest.bounded import read_many
from ogi.ingest.limits import Limits
from ogi.ingest.load import load_report

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))


def text_inputs() -> list[Path]:
    return sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus" / "text").glob("*"))


def overhead(n: int) -> None:
    sources = text_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(n):
            src = sources[i % len(sources)]
            p = Path(tmp) / f"{i:04d}{src.suffix}"
            p.write_bytes(src.read_bytes())
            paths.append(p)
        for p in paths[: len(sources)]:
            load_report(p)  # warm caches (editions, regexes) in both paths: workers fork from here
        # The whole batch read both ways, three times, alternating which goes first, so that a
        # machine whose load changes during the run weighs on both alike; the bounded way is one
        # `read_many` call over the batch — a pool started, warmed and stopped, counted in full.
        # Medians of wall and of CPU time (this process and the workers it waited for).
        times: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
        for k in range(3):
            for way in ((0, 1) if k % 2 == 0 else (1, 0)):
                t0, c0 = time.perf_counter(), _cpu()
                if way == 0:
                    for p in paths:
                        load_report(p)
                else:
                    # Each result let go as it comes, as the unisolated loop lets go of each
                    # report: keeping a thousand Reports alive on one side only would time the
                    # garbage collector's passes over them, not the isolation.
                    ok = sum(1 for r in read_many(paths, Limits(), jobs=1) if r.ok)
                    assert ok == len(paths)
                times[way].append((time.perf_counter() - t0, _cpu() - c0))
        plain, plain_cpu = (statistics.median(x[i] for x in times[0]) for i in (0, 1))
        bounded, bounded_cpu = (statistics.median(x[i] for x in times[1]) for i in (0, 1))
    ratio = bounded / plain - 1
    print(f"isolation overhead on {n} text reports, one worker: unisolated {plain:.2f} s, "
          f"bounded workers {bounded:.2f} s -> {ratio * 100:+.1f} % wall (goal < 15 %); "
          f"CPU {plain_cpu:.2f} s -> {bounded_cpu:.2f} s ({(bounded_cpu / plain_cpu - 1) * 100:+.1f} %); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _cpu() -> float:
    me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime


def memory() -> None:
    lim = Limits()
    kinds: dict[str, list[Path]] = {}
    for p in sorted((SHARED / "corpus").glob("*/*")):
        if p.is_file():
            kinds.setdefault(p.parent.name, []).append(p)
    print(f"peak RSS per file type (fresh worker per file; cap memory_mb = {lim.memory_mb} MB of address space):")
    for kind, files in sorted(kinds.items()):
        peaks = []
        for f in files:
            [r] = list(read_many([f], lim, jobs=1))
            if r.peak_rss_mb is not None:
                peaks.append(r.peak_rss_mb)
        top = max(peaks) if peaks else float("nan")
        print(f"  {kind:10} {len(files)} files  peak {top:6.0f} MB  ({top / lim.memory_mb:.0%} of the cap)")


if __name__ == "__main__":
    overhead(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    memory()
