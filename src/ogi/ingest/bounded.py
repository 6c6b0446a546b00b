"""Reading files where one bad file cannot take anything else down: each file is read in
a worker process with a memory cap (RLIMIT_AS) and a wall-clock timeout, so that a crash,
an OOM kill or a file that never ends becomes that file's error and nothing more.

Workers are long-lived (a pool) and replaced when one dies or is killed, since starting a
process per file costs more than reading most reports. The one entry point for the CLI,
the web uploads and batch runners:

    read_bounded(path_or_bytes, limits)  -> BoundedResult
    read_many(paths, limits, jobs)       -> iterator of BoundedResult, as files complete
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..editions import EditionError
from ..report import Report
from .errors import IngestError
from .limits import Limits, current, using


@dataclass
class BoundedResult:
    index: int  # position in the input
    file: str
    report: Report | None
    error: IngestError | None
    seconds: float
    peak_rss_mb: float | None = None  # the worker's high-water mark of resident memory so far

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class _Task:
    index: int
    file: str
    data: bytes | None  # the bytes of an upload; None to read `file` from disk
    require_report: bool


def _read(task: _Task) -> Report:
    from .load import load_report, read_bytes
    from .locate import is_report, locate

    if task.data is None and task.require_report:
        return load_report(task.file)
    if task.data is None:
        from .load import read_document

        doc = read_document(task.file)
    else:
        doc = read_bytes(task.data, task.file)
    report = locate(doc)
    report.notices = list(doc.notices)
    if task.require_report and not is_report(report):
        raise IngestError("not_a_report", "未识别到政府信息公开工作年度报告的章节或统计表，不是年度报告",
                          "no sections or tables of an annual OGI report were found")
    return report


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _memory_error(limits: Limits) -> IngestError:
    return IngestError("memory", f"读取该文件所需内存超过上限（{limits.memory_mb} MB），已停止", f"reading needs more "
                       f"memory than the cap of {limits.memory_mb} MB", limit="memory_mb")


def _read_one(task: _Task, limits: Limits) -> tuple[Report | None, IngestError | None]:
    try:
        with using(limits):
            return _read(task), None
    except IngestError as e:
        return None, e
    except EditionError as e:  # a format file named by OGI_EDITIONS_DIR is wrong: say which and why
        return None, IngestError("edition_file", str(e), f"an edition file cannot be used: {e}")
    except MemoryError:
        return None, _memory_error(limits)
    except RecursionError:
        return None, IngestError("too_complex", "文件结构嵌套过深，无法读取", "the file nests too deeply to be read")
    except Exception as e:  # a bug must not cost the user the other files
        if "bad_alloc" in str(e):  # how onnxruntime (OCR) runs out of memory
            return None, _memory_error(limits)
        return None, IngestError("internal", f"读取时发生内部错误：{type(e).__name__}", f"internal error: {type(e).__name__}: {e}")


def _cap_memory(megabytes: int) -> None:
    cap = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker_main(conn: Connection, limits: Limits) -> None:
    # The parent decides about Ctrl-C: it stops the batch and keeps what finished.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cap_memory(limits.memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        started = time.monotonic()
        report, err = _read_one(task, limits)
        out = (task.index, report, err, time.monotonic() - started, _peak_mb())
        try:
            conn.send(out)
        except MemoryError:
            conn.send((task.index, None, _memory_error(limits), time.monotonic() - started, _peak_mb()))
        except Exception as e:  # a result that cannot be sent back (pickling) is this file's error
            conn.send((task.index, None, IngestError("internal", f"读取结果无法传回：{type(e).__name__}",
                                                     f"result could not be returned: {e}"), 0.0, _peak_mb()))
        if err is not None and err.code == "memory":
            return  # a process that ran out of memory is not trusted with the next file


def _context() -> Any:
    # fork is immediate and shares what is imported; a threaded process (the web server)
    # must not fork, so it goes through a fork server started clean.
    if threading.active_count() == 1:
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["ogi.ingest.bounded", "ogi.ingest.load"])
    return ctx


class _Slot:
    """One worker process and the file it is reading."""

    def __init__(self, ctx: Any, limits: Limits):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, limits), daemon=True)
        self.process.start()
        child.close()
        self.task: _Task | None = None
        self.started = 0.0

    def give(self, task: _Task) -> None:
        self.task = task
        self.started = time.monotonic()
        self.conn.send(task)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=1)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _died(slot: _Slot, limits: Limits) -> IngestError:
    code = slot.process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return IngestError("worker_killed", f"读取进程被强行终止（{name}），多半是内存耗尽（上限 {limits.memory_mb} MB）",
                               f"the reading process was killed ({name}), most likely out of memory")
        return IngestError("worker_crashed", f"读取进程异常退出（{name}），该文件可能已损坏",
                           f"the reading process crashed ({name}); the file may be damaged")
    return IngestError("worker_crashed", f"读取进程意外退出（退出码 {code}）", f"the reading process exited ({code})")


def _timed_out(limits: Limits) -> IngestError:
    return IngestError("timeout", f"读取超时：超过 {limits.timeout_s:g} 秒仍未读完，已停止",
                       f"reading took longer than {limits.timeout_s:g} s; stopped", limit="timeout_s")


Started = Callable[[int, str, int], None]


def _run(tasks: Iterable[_Task], limits: Limits, jobs: int, on_start: Started | None = None) -> Iterator[BoundedResult]:
    ctx = _context()
    pending = deque(tasks)
    slots: list[_Slot] = []
    try:
        while pending or any(s.task for s in slots):
            while pending and (idle := next((s for s in slots if s.task is None), None)) is not None:
                idle.give(pending.popleft())
                if on_start is not None:
                    on_start(idle.task.index, idle.task.file, idle.process.pid)  # type: ignore[union-attr]
            while pending and len(slots) < jobs:
                slot = _Slot(ctx, limits)
                slots.append(slot)
                slot.give(pending.popleft())
                if on_start is not None:
                    on_start(slot.task.index, slot.task.file, slot.process.pid)  # type: ignore[union-attr]
            busy = [s for s in slots if s.task is not None]
            now = time.monotonic()
            wait_for = max(0.0, min(s.started + limits.timeout_s for s in busy) - now)
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=wait_for))
            now = time.monotonic()
            for s in busy:
                task = s.task
                assert task is not None
                error: IngestError | None = None
                if s.conn in ready or s.process.sentinel in ready:
                    try:
                        if s.conn.poll():
                            index, report, err, seconds, peak = s.conn.recv()
                            s.task = None
                            yield BoundedResult(index, task.file, report, err, seconds, peak)
                            if err is not None and err.code == "memory":
                                s.kill()  # it leaves after such a file; a fresh one takes its place
                                slots.remove(s)
                            continue
                    except (EOFError, OSError):
                        pass
                    s.process.join(timeout=5)
                    error = _died(s, limits)
                elif now >= s.started + limits.timeout_s:
                    error = _timed_out(limits)
                if error is None:
                    continue
                s.kill()
                slots.remove(s)
                yield BoundedResult(task.index, task.file, None, error, now - s.started)
    finally:
        for s in slots:
            if s.task is not None:
                s.kill()
            else:
                s.stop()


def default_jobs(count: int) -> int:
    """One process per core, but no more processes than files."""
    return max(1, min(os.cpu_count() or 1, count))


def read_many(paths: Iterable[str | Path], limits: Limits | None = None, jobs: int | None = None,
              on_start: Started | None = None) -> Iterator[BoundedResult]:
    """Every file read in bounded workers; results come as files complete (`index` says
    which input each is), every failure an error result, never raised. `on_start(index,
    file, pid)` is told when a file is handed to a worker process (progress, monitoring)."""
    lim = limits or current()
    tasks = [_Task(i, str(p), None, True) for i, p in enumerate(paths)]
    yield from _run(tasks, lim, jobs or default_jobs(len(tasks)), on_start)


def read_bounded(source: str | Path | bytes, limits: Limits | None = None, *, name: str | None = None,
                 require_report: bool = True) -> BoundedResult:
    """One file (a path, or the bytes of an upload with its name) read in a bounded worker.
    With `require_report`, a document that is not an annual report is an error."""
    data = source if isinstance(source, bytes) else None
    file = name or ("upload" if data is not None else str(source))
    [result] = _run([_Task(0, file, data, require_report)], limits or current(), 1)
    return result
