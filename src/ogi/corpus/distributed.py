"""Reading and checking many reports on a Dask cluster (a local one by default, or the
scheduler given), into the Parquet dataset (ogi.corpus.parquet).

One task per file. A task reads its file in a bounded worker process (ogi.ingest.bounded:
memory cap, timeout), checks the report and returns it with its findings; a file that
cannot be read is an error result, and a task lost with its worker is run again by Dask
on another (up to `retries` more times for a task that raised); a task that fails even
so becomes that file's error row — never the run's end.

Results are written by this process as they arrive: each is first appended to a journal
in the dataset folder, and every `batch` results become one more Parquet part per table.
A stopped run (Ctrl-C, a crash, a lost scheduler) keeps everything that was finished:
the next run replays the journal, skips every file the dataset holds, and sends only the
rest. At most `window` tasks are in flight, so a run of millions of files holds a few
thousand futures, not millions."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ingest.errors import IngestError
from ..ingest.limits import Limits
from ..report import Finding, Report

JOURNAL = "_ogi_pending.pickle"


@dataclass
class Outcome:
    """One file's result, as a task returns it."""

    file: str
    report: Report | None
    error: IngestError | None
    findings: list[Finding] = field(default_factory=list)
    size: int | None = None
    sha256: str | None = None
    seconds: float = 0.0  # reading and checking, in the task
    peak_mb: float | None = None  # the bounded reading process's peak resident memory
    worker: str | None = None


def process_file(file: str, limits: Limits) -> Outcome:
    """The task: read one file in a bounded worker process, check it."""
    from ..checks import check
    from ..ingest.bounded import read_bounded

    started = time.monotonic()
    _warm_fork_server()
    if multiprocessing.current_process().daemon:
        err = IngestError("worker_setup", "Dask 工作进程是守护进程，不能启动受限读取进程：请以环境变量 "
                          "DASK_DISTRIBUTED__WORKER__DAEMON=False 启动 dask worker",
                          "the Dask worker is daemonic and cannot start the bounded reader; "
                          "start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False")
        return Outcome(file, None, err)
    r = read_bounded(file, limits)
    findings = check(r.report) if r.report is not None else []
    size, sha = _stat(file)
    return Outcome(file, r.report, r.error, findings, size, sha, time.monotonic() - started, r.peak_rss_mb,
                   _worker_name())


_WARM = False


def _warm_fork_server() -> None:
    """A Dask worker runs threads, so the bounded reader forks its per-file processes from
    a fork server. Started here first, with ogi.corpus.warm among its imports, each file's
    process begins with every reader imported and its caches filled (about half the
    time of a file, measured on the synthetic corpus)."""
    global _WARM
    if _WARM or threading.active_count() == 1:
        return
    _WARM = True
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    # "__main__" too: imported once in the server, the program's main script (the `ogi`
    # command, with all it imports) is not run again in every per-file process.
    ctx.set_forkserver_preload(["__main__", "ogi.ingest.bounded", "ogi.ingest.load", "ogi.corpus.warm"])
    forkserver.ensure_running()


def _worker_name() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None


def _stat(file: str) -> tuple[int | None, str | None]:
    h = hashlib.sha256()
    size = 0
    try:
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    except OSError:
        return None, None
    return size, h.hexdigest()


def _failed(file: str, exc: BaseException) -> Outcome:
    name = type(exc).__name__
    if name == "KilledWorker":
        err = IngestError("worker_lost", "处理该文件的工作进程多次意外退出，已放弃该文件",
                          "the workers running this file died repeatedly; gave up")
    else:
        err = IngestError("task_failed", f"处理该文件的任务失败：{name}", f"the task failed: {name}: {exc}")
    return Outcome(file, None, err)


class Journal:
    """Results received but not yet in a Parquet part: appended one by one (a process
    killed at any moment leaves at most its last, partial entry, which is dropped)."""

    def __init__(self, root: Path) -> None:
        self.path = root / JOURNAL

    def replay(self) -> list[Outcome]:
        out: list[Outcome] = []
        if not self.path.exists():
            return out
        with self.path.open("rb") as f:
            while True:
                try:
                    item = pickle.load(f)  # this run's own file (the dataset folder is not input from others)
                except EOFError:
                    break
                except (pickle.UnpicklingError, ValueError, AttributeError, ImportError, IndexError, TypeError):
                    break  # the entry a kill cut short
                if isinstance(item, Outcome):
                    out.append(item)
        return out

    def append(self, outcome: Outcome) -> None:
        with self.path.open("ab") as f:
            pickle.dump(outcome, f, protocol=pickle.HIGHEST_PROTOCOL)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class Counts:
    files: int = 0  # written by this run (replayed ones included)
    reports: int = 0
    unreadable: int = 0
    submitted: int = 0  # tasks sent to the cluster by this run
    replayed: int = 0  # results of the previous run taken from its journal
    skipped: int = 0  # files the dataset already held
    across: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    client_seconds: float = 0.0  # this process's own share: journal, Parquet writing (the limit of one client)
    across_seconds: float = 0.0
    dashboard: str | None = None
    peak_mb: float = 0.0  # the highest peak of a bounded reading process
    by_worker: dict[str, int] = field(default_factory=dict)


def expand(inputs: Iterable[Path | str]) -> list[str]:
    """Files as given; a collector's folder stands for its report pages and attachments,
    another folder for the files below it."""
    from .store import is_collection, report_files

    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = report_files(p) if is_collection(p) else sorted(q for q in p.rglob("*") if q.is_file())
            out += [str(q) for q in found]
        else:
            out.append(str(item))
    return list(dict.fromkeys(out))


@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None, dashboard: bool = True) -> Iterator[Any]:
    """A client of the scheduler given, or of a local cluster of `workers` processes (one
    thread each: the reading itself happens in a bounded child process)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="10s") as client:
            yield client
        return
    # A worker starts the bounded reading processes: it must not be a daemon process.
    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=":8787" if dashboard else None, silence_logs=logging.ERROR) as lc:
            with Client(lc) as client:
                yield client


def distribute(files: list[str], out: Path | str, client: Any, *, limits: Limits | None = None, retries: int = 2,
               batch: int = 200, window: int | None = None, on_result: Callable[[Outcome, Counts], None] | None = None,
               on_total: Callable[[int], None] | None = None) -> Counts:
    """Every file not yet in the dataset `out` read and checked on the cluster of `client`,
    written as results arrive, then the cross-report pass over the whole dataset.
    `on_result` is called after each result (progress); a KeyboardInterrupt, there or
    anywhere in the loop, stops the run and keeps what finished."""
    from distributed import as_completed

    from ..ingest.limits import current
    from .parquet import DatasetWriter, across_pass, done_files

    out = Path(out)
    started = time.monotonic()
    writer = DatasetWriter(out)
    journal = Journal(out)
    counts = Counts(dashboard=getattr(client, "dashboard_link", None))
    done = done_files(out)
    pending = 0

    def write(o: Outcome) -> None:
        nonlocal pending
        writer.add(o.file, o.report, o.error, o.findings, o.size, o.sha256)
        done.add(o.file)
        counts.files += 1
        counts.reports += o.report is not None
        counts.unreadable += o.report is None
        counts.peak_mb = max(counts.peak_mb, o.peak_mb or 0.0)
        if o.worker:
            counts.by_worker[o.worker] = counts.by_worker.get(o.worker, 0) + 1
        pending += 1

    def flush() -> None:
        nonlocal pending
        if pending:
            writer.flush()
        journal.clear()  # everything in it is now in the parts (or was already)
        pending = 0

    for o in journal.replay():
        if o.file not in done:
            write(o)
            counts.replayed += 1
    flush()
    todo = [f for f in files if f not in done]
    counts.skipped = len(files) - len(todo)
    if on_total is not None:
        on_total(len(todo))
    lim = limits or current()
    nthreads = sum(client.nthreads().values()) or 1
    window = window or max(16, 8 * nthreads)
    queue = iter(todo)
    futures: dict[Any, str] = {}

    def submit(n: int, ac: Any = None) -> None:
        for _ in range(n):
            f = next(queue, None)
            if f is None:
                return
            fut = client.submit(process_file, os.path.abspath(f), lim, retries=retries, pure=False,
                                key=f"ogi-file-{hashlib.blake2b(f.encode(), digest_size=8).hexdigest()}-{time.time_ns()}")
            futures[fut] = f
            counts.submitted += 1
            if ac is not None:
                ac.add(fut)

    try:
        submit(window)
        ac = as_completed(list(futures))
        for fut in ac:
            f = futures.pop(fut)
            try:
                o = fut.result()
                o.file = f  # the path as given, as the dataset names it
            except Exception as e:  # the task raised on every try, or its workers kept dying
                o = _failed(f, e)
            fut.release()
            t = time.monotonic()
            journal.append(o)
            write(o)
            if pending >= batch:
                flush()
            counts.client_seconds += time.monotonic() - t
            if on_result is not None:
                on_result(o, counts)
            submit(1, ac)
    except KeyboardInterrupt:
        counts.interrupted = True
        for fut in futures:
            fut.cancel()
    finally:
        flush()
    if not counts.interrupted:
        t = time.monotonic()
        counts.across = across_pass(out)
        counts.across_seconds = time.monotonic() - t
    counts.seconds = time.monotonic() - started
    return counts
