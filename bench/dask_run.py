"""The run on Dask at scale, on synthetic reports (ogi.corpus.synth, made from the
development corpus): reports/s with 1 and 2 workers, each against the local bounded pool
that `ogi dataset … -o X.parquet` uses (same files, interleaved A B B A), peak memory per
worker, Parquet bytes per report, a DuckDB query over the whole set (ogi sql ÷ bare
DuckDB), injected defects found, and from these an estimate for 1 000 000 reports on 100
workers.

    nice python bench/dask_run.py                  # 10 000 reports, kept in /tmp/ogi-bench-dist
    nice python bench/dask_run.py 2000 DIR --subset 200
    python bench/dask_run.py 10000 DIR --make-only # the corpus only (reused by later runs)

The corpus is one file type in turn, mostly Markdown, HTML and XLSX with one DOCX in
twenty (writing a DOCX takes ~0.45 s, too long for 10 000 of them here)."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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

    truth = folder / "truth.jsonl"
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


def _dask(files: list[str], out: Path, workers: int) -> tuple[float, object, dict]:
    from ogi.corpus.distributed import cluster, distribute

    with cluster(workers=workers, dashboard=False) as client:
        t = time.monotonic()
        counts = distribute(files, out, client)
        seconds = time.monotonic() - t
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return seconds, counts, peaks


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
    """Injected defects (truth.jsonl) that the dataset's findings name, by cell."""
    import duckdb

    from ogi.corpus.parquet import report_id

    truth = {}
    for line in (corpus_dir / "truth.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        if d["defect"]:
            truth[report_id(str(corpus_dir / d["file"]))] = d["defect"]
    con = duckdb.connect()
    found = con.execute(f"SELECT report_id, cells FROM read_parquet('{root}/findings/**/*.parquet', hive_partitioning = true) "
                        "WHERE severity = 'error' AND NOT across").fetchall()
    hit = {rid for rid, cells in found if rid in truth and truth[rid] in cells}
    return len(hit), len(truth)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=10_000)
    ap.add_argument("dir", nargs="?", type=Path, default=Path("/tmp/ogi-bench-dist"))
    ap.add_argument("--subset", type=int, default=400, help="reports of each timed 1- and 2-worker run")
    ap.add_argument("--make-only", action="store_true")
    args = ap.parse_args()
    files = corpus(args.n, args.dir / "corpus")
    if args.make_only:
        return
    runs = args.dir / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    subset = files[: args.subset]
    rates: dict[tuple[str, int], list[float]] = {}
    client_s: list[float] = []
    order = [("pool", 1), ("dask", 1), ("dask", 2), ("pool", 2)]
    for rnd, plan in enumerate((order, order[::-1])):  # A B B A: drift of the machine's load cancels
        for kind, w in plan:
            out = runs / f"{kind}{w}-{rnd}.parquet"
            if kind == "pool":
                seconds = _pool(subset, out, w)
            else:
                seconds, counts, _ = _dask(subset, out, w)
                client_s.append(counts.client_seconds / counts.files)
            rates.setdefault((kind, w), []).append(len(subset) / seconds)
            print(f"  {kind} {w} worker(s), round {rnd + 1}: {len(subset) / seconds:.1f} reports/s", file=sys.stderr)
    r = {k: sum(v) / len(v) for k, v in rates.items()}
    print(f"\nread + check + write, {len(subset)} reports per run, two runs each interleaved (A B B A), 2 cores shared:")
    for w in (1, 2):
        print(f"  {w} worker(s): Dask {r['dask', w]:.1f} reports/s, local bounded pool {r['pool', w]:.1f} reports/s "
              f"(Dask ÷ pool {r['dask', w] / r['pool', w]:.2f})")
    eff = r["dask", 2] / (2 * r["dask", 1])
    print(f"  2 workers ÷ 1 worker: {r['dask', 2] / r['dask', 1]:.2f} (scaling efficiency {eff:.0%})")

    full = runs / "full.parquet"
    seconds, counts, peaks = _dask(files, full, 2)
    print(f"\nwhole set on 2 workers: {counts.files} files in {seconds:.0f} s ({counts.files / seconds:.1f} reports/s), "
          f"{counts.unreadable} unreadable; cross-report pass {counts.across_seconds:.1f} s, {counts.across} findings")
    print(f"  this process's own time (journal + Parquet): {counts.client_seconds / counts.files * 1000:.1f} ms per report")
    print("  peak memory per Dask worker: " + ", ".join(f"{v:.0f} MB" for v in peaks.values())
          + f"; bounded reading process peak {counts.peak_mb:.0f} MB")
    size = _size(full)
    print(f"  Parquet: {size / 1e6:.1f} MB, {size / counts.reports / 1024:.1f} KiB per report")
    q_ogi, q_bare, rows = _query(full)
    print(f"  national 公开率 by province and year over {counts.reports} reports: ogi sql {q_ogi * 1000:.0f} ms, "
          f"bare DuckDB {q_bare * 1000:.0f} ms (ratio {q_ogi / q_bare:.2f}), {rows} rows")
    hit, total = _defects(full, args.dir / "corpus", files)
    print(f"  injected defects found: {hit}/{total}")

    target, workers = 1_000_000, 100
    cluster_rate = workers * r["dask", 1] * eff
    client_rate = 1 / (counts.client_seconds / counts.files)
    across = counts.across_seconds * target / counts.files  # near-linear (bench/cross_report.py)
    total_s = target / min(cluster_rate, client_rate) + across
    print(f"\nestimate for {target:,} reports on {workers} workers (one core each, as here): "
          f"workers {cluster_rate:.0f} reports/s ({workers} × {r['dask', 1]:.1f} × {eff:.0%}), "
          f"one client writing {client_rate:.0f} reports/s, cross-report pass ~{across / 60:.0f} min "
          f"→ about {total_s / 3600:.1f} h"
          + (" (the client's writing is the limit)" if client_rate < cluster_rate else ""))


if __name__ == "__main__":
    main()
