"""Reading and checking many reports on a Dask cluster (a local one by default, or the
scheduler given), into the Parquet dataset (ogi.corpus.parquet).

One task per batch of files. A task reads its files one after another in one bounded
reading process (ogi.ingest.bounded: memory cap, timeout; one process for the batch, so
its start is paid once per batch, not per file), checks each report, and writes the
batch's Parquet parts into the dataset itself, committed as a whole (the `files` part
last). It sends back only counts: no report crosses the network and no single process
writes everything. A file that cannot be read is its error row; a task lost with its
worker is run again by Dask on another (writing the same part names, so nothing twice),
a task that raises is retried `retries` times, and a batch that fails even so is split
into single files, so that only the file at fault gets an error row — never the run's end.

The dataset itself is the run's state: a stopped or killed run keeps every batch that
committed, and the next run skips every file the dataset holds. A run claims the dataset
with a token (parquet.start_run), so a task of a stopped run that is still running
somewhere cannot commit a batch the next run does again. At most `window` tasks are in
flight, so a run of millions of files holds a few hundred futures, not millions."""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import queue
import signal
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..ingest.errors import IngestError
from ..ingest.limits import Limits

T = TypeVar("T")
SMALLEST = 4  # files per task below which the reading process's start shows (about 30–80 ms, once per task)


@dataclass
class BatchDone:
    """What a task sends back (its rows are in the dataset already)."""

    files: list[str]
    reports: int = 0
    unreadable: int = 0
    already: bool = False  # committed before: a task run again after its worker died
    superseded: bool = False  # not committed: the run had been stopped or followed by another
    read_s: float = 0.0  # in the bounded reading process
    wait_s: float = 0.0  # of the task's time, waiting for the reading process (the rest overlaps)
    check_s: float = 0.0
    write_s: float = 0.0  # rows and Parquet parts
    seconds: float = 0.0  # the whole task, on the worker
    peak_mb: float | None = None  # the bounded reading process's peak resident memory
    worker: str | None = None


def process_batch(items: list[tuple[str, str]], root: str, run: str, limits: Limits) -> BatchDone:
    """The task: each (name in the dataset, path to read) read in one bounded reading
    process, checked, and written into the dataset `root` as one batch of run `run`."""
    from ..checks import check
    from ..ingest.bounded import read_many
    from .parquet import DatasetWriter, Superseded, batch_name, file_stat

    started = time.monotonic()
    names = [n for n, _ in items]
    done = BatchDone(names, worker=_worker_name())
    writer = DatasetWriter(root, run)
    name = batch_name(names)
    if writer.committed(name):
        import pyarrow.parquet as pq

        ok = pq.read_table(Path(root) / "files" / f"{name}.parquet", columns=["ok"]).column("ok").to_pylist()
        done.already, done.reports = True, sum(ok)
        done.unreadable = len(ok) - done.reports
        return done
    _warm_fork_server()
    if multiprocessing.current_process().daemon:
        err = IngestError("worker_setup", "Dask 工作进程是守护进程，不能启动受限读取进程：请以环境变量 "
                          "DASK_DISTRIBUTED__WORKER__DAEMON=False 启动 dask worker",
                          "the Dask worker is daemonic and cannot start the bounded reader; "
                          "start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False")
        for n in names:
            writer.add(n, None, err, [])
        done.unreadable = len(names)
    else:
        t = time.monotonic()
        for r in _ahead(read_many([p for _, p in items], limits, jobs=1)):
            done.wait_s += time.monotonic() - t
            n, path = items[r.index]
            done.read_s += r.seconds
            done.peak_mb = max(done.peak_mb or 0.0, r.peak_rss_mb or 0.0)
            report, err, findings = r.report, r.error, []
            if report is not None:
                t = time.monotonic()
                try:
                    findings = check(report)
                except Exception as e:  # a bug in one check costs that file, not its batch
                    report, err = None, IngestError("task_failed", f"校验该报告时发生内部错误：{type(e).__name__}",
                                                    f"checking the report failed: {type(e).__name__}: {e}")
                done.check_s += time.monotonic() - t
            t = time.monotonic()
            writer.add(n, report, err, findings, *file_stat(path))
            done.write_s += time.monotonic() - t
            done.reports += report is not None
            done.unreadable += report is None
            t = time.monotonic()
    t = time.monotonic()
    try:
        writer.flush(name)
    except Superseded:
        done.superseded = True
    done.write_s += time.monotonic() - t
    done.seconds = time.monotonic() - started
    return done


def _ahead(results: Iterator[T]) -> Iterator[T]:
    """`results` taken by a thread of their own, a step ahead of the caller, so that the
    reading process is handed more as soon as it answers and reads on while this thread
    checks and writes what came before. (ogi.ingest.bounded already hands small files
    several at a time; this covers the files it hands alone: large ones, PDFs, images.)
    Stopping early closes `results`, and its reading process with it."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():  # a caller that stopped takes nothing more
            try:
                box.put(entry, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in results:
                if not offer((True, item)):
                    break
        except BaseException as e:  # handed over to the caller, who raises it
            offer((False, e))
            return
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
        offer((False, None))

    thread = threading.Thread(target=produce, name="ogi-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = box.get()
            if not ok:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=30)


_WARM = False


def _warm_fork_server() -> None:
    """A Dask worker runs threads, so the bounded reader forks its reading processes from
    a fork server. Started here first, with ogi.corpus.warm among its imports, each
    reading process begins with every reader imported and its caches filled."""
    global _WARM
    if _WARM or threading.active_count() == 1:
        return
    _WARM = True
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    # "__main__" too: imported once in the server, the program's main script (the `ogi`
    # command, with all it imports) is not run again in every reading process.
    ctx.set_forkserver_preload(["__main__", "ogi.ingest.bounded", "ogi.ingest.load", "ogi.corpus.warm"])
    forkserver.ensure_running()


def _ready() -> float:
    """On a worker: its fork server started and one reading process forked from it (so the
    warm-up is over); returns the seconds it took."""
    from importlib import resources

    from ..ingest.bounded import read_bounded

    started = time.monotonic()
    _warm_fork_server()
    with resources.as_file(resources.files("ogi").joinpath("data/samples/lvyuan-swj-2020.txt")) as sample:
        read_bounded(sample)
    return time.monotonic() - started


def warm(client: Any) -> dict[str, float]:
    """Every worker of `client` made ready to read (its fork server up, readers imported,
    caches filled): what a long-lived cluster has done once. Seconds per worker."""
    addresses = list(client.scheduler_info()["workers"])
    futures = [client.submit(_ready, workers=[a], allow_other_workers=False, pure=False) for a in addresses]
    return dict(zip(addresses, client.gather(futures), strict=True))


def _worker_name() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return None


def _failed(exc: BaseException) -> IngestError:
    name = type(exc).__name__
    if name == "KilledWorker":
        return IngestError("worker_lost", "处理该文件的工作进程多次意外退出，已放弃该文件",
                           "the workers running this file died repeatedly; gave up")
    return IngestError("task_failed", f"处理该文件的任务失败：{name}", f"the task failed: {name}: {exc}")


@dataclass
class Counts:
    files: int = 0  # written by this run
    reports: int = 0
    unreadable: int = 0
    submitted: int = 0  # files sent to the cluster by this run
    tasks: int = 0  # tasks sent (a batch of files each)
    split: int = 0  # batches that failed and were sent again file by file
    skipped: int = 0  # files the dataset already held
    across: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    client_seconds: float = 0.0  # this process's own share while the tasks ran (it writes only failed files' rows)
    across_seconds: float = 0.0
    task_seconds: float = 0.0  # the tasks' time on the workers, summed, and its parts:
    read_seconds: float = 0.0
    wait_seconds: float = 0.0
    check_seconds: float = 0.0
    write_seconds: float = 0.0
    dashboard: str | None = None
    peak_mb: float = 0.0  # the highest peak of a bounded reading process
    by_worker: dict[str, int] = field(default_factory=dict)


def expand(inputs: Iterable[Path | str]) -> list[str]:
    """Files as given; a collector's folder stands for its report pages and attachments,
    another folder for the files below it but those whose name starts with . or _ (hidden
    files, and what describes the folder: a synthetic corpus's _truth.jsonl)."""
    from .store import is_collection, report_files

    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = report_files(p) if is_collection(p) else sorted(
                q for q in p.rglob("*") if q.is_file() and not any(part.startswith((".", "_")) for part in q.relative_to(p).parts))
            out += [str(q) for q in found]
        else:
            out.append(str(item))
    return list(dict.fromkeys(out))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def speaks_dask(address: str, timeout: float = 5.0) -> bool:
    """Whether what listens at a tcp:// address greets as a Dask scheduler does: on
    accepting, it sends its handshake (a message's total length, then its frame count,
    both small). A web server says nothing, and one that answers with text would make
    Dask's client read its first bytes as a length and try to allocate exabytes."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return True  # tls:// and ws:// greet inside their own protocol: Dask's timeout decides
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            head = b""
            while len(head) < 16:
                chunk = sock.recv(16 - len(head))
                if not chunk:
                    return False
                head += chunk
    except OSError:
        return False
    total, frames = int.from_bytes(head[:8], "little"), int.from_bytes(head[8:], "little")
    return 16 <= total <= 1 << 20 and 1 <= frames <= 64


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
    # A worker starts the bounded reading processes: it must not be a daemon process (nor
    # one its nanny starts again after it died: hence for the cluster's whole life).
    with dask.config.set({"distributed.worker.daemon": False}):
        with warnings.catch_warnings():
            # 8787 taken (another cluster): Dask picks another port and warns in English;
            # the address it picked is what the command prints.
            warnings.filterwarnings("ignore", message="Port 8787 is already in use")
            # Ctrl-C in a terminal reaches the whole process group: the workers, which would
            # each print their tracebacks, are left to this process, which stops them.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
            try:
                lc = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                  dashboard_address=":8787" if dashboard else None, silence_logs=logging.ERROR)
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
        with lc, Client(lc) as client:
            yield client


def batches(todo: list[str], nthreads: int, batch: int) -> Iterator[list[str]]:
    """The files cut into tasks as they are sent (guided self-scheduling): each task takes
    half a worker thread's share of what is left, at most `batch` files and at least
    SMALLEST. Early tasks are large (the reading process's start paid once for many files),
    the last ones small, so that no worker is left with a long batch while the others idle."""
    i = 0
    while i < len(todo):
        share = math.ceil((len(todo) - i) / (2 * max(1, nthreads)))
        size = min(batch, max(SMALLEST, share))
        yield todo[i:i + size]
        i += size


def distribute(files: list[str], out: Path | str, client: Any, *, limits: Limits | None = None, retries: int = 2,
               batch: int = 200, window: int | None = None, on_result: Callable[[BatchDone, Counts], None] | None = None,
               on_total: Callable[[int], None] | None = None) -> Counts:
    """Every file not yet in the dataset `out` read, checked and written on the cluster of
    `client`, `batch` files (at most) per task, then the cross-report pass over the whole
    dataset. `on_result` is called after each task (progress); a KeyboardInterrupt, there
    or anywhere in the loop, stops the run and keeps every batch that committed."""
    from distributed import as_completed

    from ..ingest.limits import current
    from .parquet import DatasetWriter, Superseded, across_pass, batch_name, done_files, end_run, pending_inputs, start_run, tidy

    out = Path(os.path.abspath(out))  # the workers' working folder need not be this one
    started = time.monotonic()
    counts = Counts(dashboard=getattr(client, "dashboard_link", None))
    # Each worker's fork server starts importing the readers now, while this process
    # looks for what the dataset holds, instead of when the first task arrives.
    client.run(_warm_fork_server)
    run = start_run(out)
    failed = DatasetWriter(out, run)  # the rows of files whose tasks failed for good (rare)
    try:
        done = done_files(out)
        todo = pending_inputs(files, done)
        counts.skipped = len(files) - len(todo)
        if on_total is not None:
            on_total(len(todo))
        lim = limits or current()
        nthreads = sum(client.nthreads().values()) or 1
        window = window or 2 * nthreads
        cut = batches(todo, nthreads, batch)
        queue: deque[list[str]] = deque()  # batches split after a failure, sent first
        futures: dict[Any, list[str]] = {}

        def submit(ac: Any = None) -> None:
            while len(futures) < window:
                chunk = queue.popleft() if queue else next(cut, None)
                if chunk is None:
                    return
                fut = client.submit(process_batch, [(f, os.path.abspath(f)) for f in chunk], str(out), run, lim,
                                    retries=retries, pure=False, key=f"ogi-batch-{batch_name(chunk)[5:]}-{time.time_ns()}")
                futures[fut] = chunk
                counts.submitted += len(chunk)
                counts.tasks += 1
                if ac is not None:
                    ac.add(fut)

        try:
            submit()
            ac = as_completed(list(futures))
            for fut in ac:
                chunk = futures.pop(fut)
                t = time.monotonic()
                try:
                    res = fut.result()
                except Exception as e:  # the task raised on every try, or its workers kept dying
                    fut.release()
                    if len(chunk) > 1:  # find the file at fault: each alone
                        queue.extendleft([f] for f in reversed(chunk))
                        counts.split += 1
                        counts.submitted -= len(chunk)
                    else:
                        failed.add(chunk[0], None, _failed(e), [])
                        res = BatchDone(chunk, unreadable=1)
                        _count(counts, res)
                        if on_result is not None:
                            on_result(res, counts)
                    submit(ac)
                    counts.client_seconds += time.monotonic() - t
                    continue
                fut.release()
                if res.superseded:  # only a task of this run that outlived end_run could say so
                    raise Superseded(batch_name(chunk))
                _count(counts, res)
                counts.client_seconds += time.monotonic() - t
                if on_result is not None:
                    on_result(res, counts)
                submit(ac)
        except KeyboardInterrupt:
            counts.interrupted = True
            for fut in futures:
                fut.cancel()
        failed.flush()
        if not counts.interrupted:
            tidy(out)  # the parts of a batch whose worker died mid-commit and was then split
            t = time.monotonic()
            counts.across = across_pass(out, run)
            counts.across_seconds = time.monotonic() - t
    finally:
        end_run(out, run)  # a task still running somewhere will not commit now
    counts.seconds = time.monotonic() - started
    return counts


def _count(counts: Counts, res: BatchDone) -> None:
    n = len(res.files)
    counts.files += n
    counts.reports += res.reports
    counts.unreadable += res.unreadable
    counts.peak_mb = max(counts.peak_mb, res.peak_mb or 0.0)
    counts.task_seconds += res.seconds
    counts.read_seconds += res.read_s
    counts.wait_seconds += res.wait_s
    counts.check_seconds += res.check_s
    counts.write_seconds += res.write_s
    if res.worker:
        counts.by_worker[res.worker] = counts.by_worker.get(res.worker, 0) + n
