"""The run on Dask at scale, on synthetic reports (ogi.corpus.synth, made from the
development corpus): reports/s with 1 and 2 workers, against the local bounded pool that
`ogi dataset … -o X.parquet` uses and, with --before REV, against the Dask run of an
earlier commit (same files, interleaved A B C C B A); where a task's time goes (reading,
checking, writing, the rest); peak memory per worker; Parquet bytes per report; a DuckDB
query over the whole set (ogi sql ÷ bare DuckDB); injected defects found; and from these
an estimate for 1 000 000 reports on 100 workers.

    nice python bench/dask_run.py                  # 10 000 reports, kept in /tmp/ogi-bench-dist
    nice python bench/dask_run.py 2000 DIR --subset 300 --before 76dcdac
    python bench/dask_run.py 10000 DIR --make-only # the corpus only (reused by later runs)

The corpus is one file type in turn, mostly Markdown, HTML and XLSX with one DOCX in
twenty (writing a DOCX takes ~0.45 s, too long for 10 000 of them here). --before runs
the earlier commit's `ogi.corpus.distributed` (taken from git into a temporary folder) in
a child process that times only its run."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ogi.corpus.synth import TRUTH
from previous import previous_src

FORMATS = ("md", "html", "xlsx", "md", "html", "xlsx", "md", "html", "xlsx", "md",
           "html", "xlsx", "md", "html", "xlsx", "md", "html", "xlsx", "md", "docx")
QUERY = """
WITH per_report AS (
  SELECT r.report_id, coalesce(r.province, '（名称未含省份）') AS province, r.year,
         sum(c.value) FILTER (WHERE c.cell IN ('requests.granted.total', 'requests.partial.total')) AS disclosed,
         sum(c.value) FILTER (WHERE c.cell = 'requests.processed_total.total') AS processed
  FROM reports r JOIN cells c USING (report_id, year)
  WHERE c.cell IN ('requests.granted.total', 'requests.partial.total', 'requests.processed_total.total')
  GROUP BY ALL
  HAVING count(*) FILTER (WHERE c.state = 'missing') = 0
)
SELECT province, year, count(*) AS n, sum(processed) AS processed,
       round(sum(disclosed) / nullif(sum(processed), 0), 4) AS rate
FROM per_report GROUP BY ALL ORDER BY province, year
"""


def corpus(n: int, folder: Path) -> list[str]:
    from ogi.corpus.synth import make_corpus
    from ogi.ingest.load import load_report
    from synth import SOURCES

    truth = folder / TRUTH
    if truth.exists() and sum(1 for _ in truth.open(encoding="utf-8")) == n:
        print(f"corpus: {n} synthetic reports reused from {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        t = time.monotonic()
        sources = [load_report(p) for p in SOURCES]
        for i, _ in enumerate(make_corpus(sources, n, folder, formats=FORMATS), start=1):
            if i % 1000 == 0:
                print(f"  made {i}", file=sys.stderr)
        print(f"corpus: {n} synthetic reports from {len(sources)} real ones made in {time.monotonic() - t:.0f} s")
    return [str(folder / json.loads(line)["file"]) for line in truth.open(encoding="utf-8")]


def _pool(files: list[str], out: Path, workers: int) -> float:
    from ogi.corpus.batch import iter_read
    from ogi.corpus.parquet import write_dataset

    t = time.monotonic()
    write_dataset(iter_read(files, workers), out)
    return time.monotonic() - t


WARMUP: list[float] = []  # seconds per worker to be ready to read (fork server, readers, caches)


def _dask(files: list[str], out: Path, workers: int, batch: int = 200) -> tuple[float, object, dict]:
    from ogi.corpus.distributed import cluster, distribute, warm

    with cluster(workers=workers, dashboard=False) as client:
        # Timed as a cluster that has been up a while reads (the pool's processes are forked
        # from this one, warm from the runs before); the warm-up is reported on its own.
        WARMUP.extend(warm(client).values())
        t = time.monotonic()
        counts = distribute(files, out, client, batch=batch)
        seconds = time.monotonic() - t
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return seconds, counts, peaks


BEFORE = """
import json, sys, time
from ogi.corpus.distributed import cluster, distribute

if __name__ == "__main__":
    files = json.load(open(sys.argv[1], encoding="utf-8"))
    with cluster(workers=int(sys.argv[3]), dashboard=False) as client:
        import ogi.corpus.distributed as d
        from ogi.ingest.limits import current

        sample = sys.argv[4]  # warmed as the version timed against it is, before the clock starts
        client.gather([client.submit(d.process_file, sample, current(), workers=[a], allow_other_workers=False, pure=False)
                       for a in client.scheduler_info()["workers"]])
        t = time.monotonic()
        counts = distribute(files, sys.argv[2], client)
        print(json.dumps({"seconds": time.monotonic() - t, "files": counts.files}))
"""


def _checkout(rev: str) -> Path:
    """The earlier commit's src/ in a temporary folder (removed when the bench ends)."""
    folder = Path(tempfile.mkdtemp(prefix="ogi-before-"))
    previous_src(rev, folder)
    (folder / "run.py").write_text(BEFORE, encoding="utf-8")
    return folder


def _before(files: list[str], out: Path, workers: int, checkout: Path) -> float:
    listing = out.with_suffix(".json")
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(json.dumps(files), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    sample = checkout / "src" / "ogi" / "data" / "samples" / "lvyuan-swj-2020.txt"
    p = subprocess.run([sys.executable, str(checkout / "run.py"), str(listing), str(out), str(workers), str(sample)], env=env,
                       capture_output=True, text=True, check=True)
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert result["files"] == len(files), result
    return result["seconds"]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet"))


def _query(root: Path) -> tuple[float, float, int]:
    import duckdb

    from ogi.corpus.sql import run_query

    def ogi_sql() -> int:
        return len(run_query(root, QUERY, limit=100000)[1])

    def bare() -> int:
        con = duckdb.connect()
        for t in ("reports", "cells"):
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{root}/{t}/**/*.parquet', hive_partitioning = true)")
        rows = len(con.execute(QUERY).fetchall())
        con.close()
        return rows

    times: dict[str, list[float]] = {"ogi": [], "bare": []}
    rows = 0
    for _ in range(3):  # interleaved; the best of three of each
        for name, func in (("ogi", ogi_sql), ("bare", bare)):
            t = time.monotonic()
            rows = func()
            times[name].append(time.monotonic() - t)
    return min(times["ogi"]), min(times["bare"]), rows


def _defects(root: Path, corpus_dir: Path, files: list[str]) -> tuple[int, int]:
    """Injected defects (the corpus's truth) that the dataset's findings name, by cell."""
    import duckdb

    from ogi.corpus.parquet import report_id

    truth = {}
    for line in (corpus_dir / TRUTH).open(encoding="utf-8"):
        d = json.loads(line)
        if d["defect"]:
            truth[report_id(str(corpus_dir / d["file"]))] = d["defect"]
    con = duckdb.connect()
    found = con.execute(f"SELECT report_id, cells FROM read_parquet('{root}/findings/**/*.parquet', hive_partitioning = true) "
                        "WHERE severity = 'error' AND NOT across").fetchall()
    hit = {rid for rid, cells in found if rid in truth and truth[rid] in cells}
    return len(hit), len(truth)


def _profile(counts) -> str:
    n = counts.files
    other = counts.task_seconds - counts.wait_seconds - counts.check_seconds - counts.write_seconds
    return (f"per report on the worker: read {counts.read_seconds / n * 1000:.0f} ms in the reading process, while "
            f"the task waited for it {counts.wait_seconds / n * 1000:.0f} ms, checked {counts.check_seconds / n * 1000:.1f} ms, "
            f"wrote {counts.write_seconds / n * 1000:.1f} ms, the rest (hashing, Dask, warming up) {other / n * 1000:.1f} ms; "
            f"the client's own {counts.client_seconds / n * 1000:.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=10_000)
    ap.add_argument("dir", nargs="?", type=Path, default=Path("/tmp/ogi-bench-dist"))
    ap.add_argument("--subset", type=int, default=400, help="reports of each timed 1- and 2-worker run")
    ap.add_argument("--before", metavar="REV", help="also time the Dask run of this earlier commit, interleaved")
    ap.add_argument("--make-only", action="store_true")
    args = ap.parse_args()
    files = corpus(args.n, args.dir / "corpus")
    if args.make_only:
        return
    runs = args.dir / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    subset = files[: args.subset]
    checkout = _checkout(args.before) if args.before else None
    rates: dict[tuple[str, int], list[float]] = {}
    profiles: dict[int, object] = {}
    kinds = ["pool", "dask"] + (["before"] if checkout else [])
    order = [(k, w) for w in (1, 2) for k in kinds]
    try:
        for rnd, plan in enumerate((order, order[::-1])):  # A B C C B A: drift of the machine's load cancels
            for kind, w in plan:
                out = runs / f"{kind}{w}-{rnd}.parquet"
                if kind == "pool":
                    seconds = _pool(subset, out, w)
                elif kind == "before":
                    seconds = _before(subset, out, w, checkout)
                else:
                    seconds, counts, peaks = _dask(subset, out, w)
                    profiles[w] = counts
                rates.setdefault((kind, w), []).append(len(subset) / seconds)
                print(f"  {kind} {w} worker(s), round {rnd + 1}: {len(subset) / seconds:.1f} reports/s", file=sys.stderr)
    finally:
        if checkout:
            shutil.rmtree(checkout, ignore_errors=True)
    r = {k: sum(v) / len(v) for k, v in rates.items()}
    load = os.getloadavg()
    print(f"\nread + check + write, {len(subset)} reports per run, two runs each interleaved, 2 cores shared "
          f"(load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end):")
    for w in (1, 2):
        line = (f"  {w} worker(s): Dask {r['dask', w]:.1f} reports/s, local bounded pool {r['pool', w]:.1f} reports/s "
                f"(Dask ÷ pool {r['dask', w] / r['pool', w]:.2f})")
        if checkout:
            line += f"; before ({args.before}) {r['before', w]:.1f} reports/s (now ÷ before {r['dask', w] / r['before', w]:.2f})"
        print(line)
        print(f"    {_profile(profiles[w])}")
    print(f"  a Dask worker's warm-up before its first file (not in the rates above): "
          f"{min(WARMUP):.1f}–{max(WARMUP):.1f} s, once per worker")
    eff = r["dask", 2] / (2 * r["dask", 1])
    print(f"  2 workers ÷ 1 worker: Dask {r['dask', 2] / r['dask', 1]:.2f}, pool {r['pool', 2] / r['pool', 1]:.2f} "
          f"(on 2 shared cores: contention, not the run's scaling)")

    full = runs / "full.parquet"
    seconds, counts, peaks = _dask(files, full, 2)
    print(f"\nwhole set on 2 workers: {counts.files} files in {seconds:.0f} s ({counts.files / seconds:.1f} reports/s), "
          f"{counts.unreadable} unreadable, {counts.tasks} tasks; cross-report pass {counts.across_seconds:.1f} s, "
          f"{counts.across} findings")
    print(f"  {_profile(counts)}")
    print("  peak memory per Dask worker: " + ", ".join(f"{v:.0f} MB" for v in peaks.values())
          + f"; bounded reading process peak {counts.peak_mb:.0f} MB")
    size = _size(full)
    print(f"  Parquet: {size / 1e6:.1f} MB, {size / counts.reports / 1024:.1f} KiB per report, "
          f"{sum(1 for _ in full.rglob('*.parquet'))} part files")
    q_ogi, q_bare, rows = _query(full)
    print(f"  national 公开率 by province and year over {counts.reports} reports: ogi sql {q_ogi * 1000:.0f} ms, "
          f"bare DuckDB {q_bare * 1000:.0f} ms (ratio {q_ogi / q_bare:.2f}), {rows} rows")
    hit, total = _defects(full, args.dir / "corpus", files)
    print(f"  injected defects found: {hit}/{total}")

    target, workers = 1_000_000, 100
    per_worker = r["dask", 1]
    across = counts.across_seconds * target / counts.files  # near-linear (bench/cross_report.py)
    run_s = target / (workers * per_worker)
    tasks_per_s = workers * per_worker / 200
    print(f"\nestimate for {target:,} reports on {workers} workers (one core each): each worker writes its own "
          f"batches at the 1-worker rate measured here, {per_worker:.1f} reports/s → {run_s / 60:.0f} min; the "
          f"scheduler sees {tasks_per_s:.0f} tasks/s (batches of up to 200); the client writes nothing; cross-report pass "
          f"~{across / 60:.0f} min → about {(run_s + across) / 3600:.1f} h"
          f" (at the 2-worker efficiency measured on this shared machine, {eff:.0%}: {(run_s / eff + across) / 3600:.1f} h)")


if __name__ == "__main__":
    main()
