"""Reading files where one bad file cannot take anything else down: each file is read in
a worker process with a memory cap (RLIMIT_AS) and a wall-clock timeout, so that a crash,
an OOM kill or a file that never ends becomes that file's error and nothing more.

Workers are long-lived (a pool) and replaced when one dies or is killed, since starting a
process per file costs more than reading most reports. A worker is handed several small
files at once and answers each as it finishes, so it never waits for the parent between
files; a file that may be slow (a PDF, an image, anything large) is handed to a worker
alone, so that no other file waits behind it. Timeouts, crashes and kills are still
per file: the first unanswered file of a worker is the one it is reading. The one entry
point for the CLI, the web uploads and batch runners:

    read_bounded(path_or_bytes, limits)  -> BoundedResult
    read_many(paths, limits, jobs)       -> iterator of BoundedResult, as files complete
"""

from __future__ import annotations

import gc
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

from ..editions import EditionError, all_editions
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
    small: bool = False  # quick to read: may share a worker's hand with other small files


def _read(task: _Task) -> Report:
    """A file from its disk or an upload's bytes, read alike (Report JSON included)."""
    from .load import file_bytes, is_json, read_bytes, report_from_bytes, report_json
    from .locate import locate

    data = task.data if task.data is not None else file_bytes(Path(task.file))
    if task.require_report:
        return report_from_bytes(data, task.file)
    if is_json(data, task.file):
        return report_json(data, task.file)
    return locate(read_bytes(data, task.file))


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


def address_space_mb() -> float:
    """This process's address space (what RLIMIT_AS counts), 0 where /proc cannot tell."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


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
            tasks = conn.recv()
        except (EOFError, OSError):
            return
        if tasks is None:
            return
        for task in tasks:
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


def _receive(conn: Connection) -> Any:
    """One answer, unpickled with the cyclic collector paused: a Report is thousands of new
    objects and no cycle, and the collector's passes while they are made cost more than the
    unpickling itself (0.32 against 0.13 ms for a text report)."""
    was = gc.isenabled()
    gc.disable()
    try:
        return conn.recv()
    finally:
        if was:
            gc.enable()


def _context(limits: Limits) -> Any:
    # fork is immediate and shares what is imported; a threaded process (the web server)
    # must not fork, and neither may one whose address space is already near the cap (a
    # forked worker inherits it, and could not allocate at all): both go through a fork
    # server started clean.
    if threading.active_count() == 1 and address_space_mb() < limits.memory_mb // 2:
        _before_fork()
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["ogi.ingest.bounded", "ogi.ingest.load"])
    return ctx


def _before_fork() -> None:
    """Build here what every reading process and this one both use (the editions), so that
    a forked worker finds it made instead of making it again."""
    try:
        all_editions()
    except EditionError:
        pass  # each file's reading says so, as a finding of its own


# Files handed to one worker at once, when each is small: the worker reads on while the
# parent takes in the results before.
_AHEAD = 8
# Larger files, and PDFs and images of any size (they may be OCRed), go to a worker alone.
_SMALL_BYTES = 256 * 1024
_SLOW_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")


def _task(index: int, file: str, data: bytes | None, require_report: bool) -> _Task:
    if data is not None:
        from .pictures import may_hold_pictures

        small = len(data) <= _SMALL_BYTES and not may_hold_pictures(data)
    elif file.lower().endswith(_SLOW_SUFFIXES):
        small = False
    else:
        try:
            small = os.path.getsize(file) <= _SMALL_BYTES
        except OSError:
            small = True  # read at once into its error
    return _Task(index, file, data, require_report, small)


class _Slot:
    """One worker process and the files handed to it, in the order it reads them."""

    def __init__(self, ctx: Any, limits: Limits):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, limits), daemon=True)
        # A forked worker starts with the parent's objects frozen: its collector leaves them
        # alone, so their pages stay shared instead of being copied on the first collection.
        fork = ctx.get_start_method() == "fork"
        if fork:
            gc.freeze()
        try:
            self.process.start()
        finally:
            if fork:
                gc.unfreeze()
        child.close()
        self.tasks: deque[_Task] = deque()
        self.started = 0.0  # when the first of them began

    @property
    def head(self) -> _Task | None:
        return self.tasks[0] if self.tasks else None

    def room(self) -> int:
        """How many more files it takes now: topped up when half its hand is read."""
        if not self.tasks:
            return _AHEAD
        if len(self.tasks) > _AHEAD // 2 or not all(t.small for t in self.tasks):
            return 0
        return _AHEAD - len(self.tasks)

    def give(self, tasks: list[_Task]) -> bool:
        """Hand files over; True when the first of them begins now (the worker was idle)."""
        idle = not self.tasks
        self.tasks.extend(tasks)
        if idle:
            self.started = time.monotonic()
        self.conn.send(tasks)
        return idle

    def done(self) -> _Task:
        """The first file answered; the next one begins."""
        task = self.tasks.popleft()
        self.started = time.monotonic()
        return task

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


def _batch(pending: deque[_Task], room: int) -> list[_Task]:
    """The next files for a worker with this much room: small files together, any other alone."""
    out: list[_Task] = []
    while pending and len(out) < room:
        if not pending[0].small:
            if not out:
                out.append(pending.popleft())
            break
        out.append(pending.popleft())
    return out


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
    ctx = _context(limits)
    pending = deque(tasks)
    slots: list[_Slot] = []

    def begun(slot: _Slot) -> None:
        if on_start is not None and slot.head is not None:
            on_start(slot.head.index, slot.head.file, slot.process.pid)

    def drop(slot: _Slot) -> None:
        """A worker ended: the files it had not begun go back to the front of the queue."""
        slot.kill()
        slots.remove(slot)
        pending.extendleft(reversed(slot.tasks))
        slot.tasks.clear()

    def hand(slot: _Slot, batch: list[_Task]) -> None:
        try:
            if slot.give(batch):
                begun(slot)
        except (OSError, ValueError):  # it died while idle (the OOM killer does not wait)
            drop(slot)

    try:
        while pending or any(s.tasks for s in slots):
            for slot in list(slots):
                if pending and (room := slot.room()) and (batch := _batch(pending, room)):
                    hand(slot, batch)
            while pending and len(slots) < jobs:
                slot = _Slot(ctx, limits)
                slots.append(slot)
                hand(slot, _batch(pending, _AHEAD))
            busy = [s for s in slots if s.tasks]
            if not busy:
                continue
            wait_for = max(0.0, min(s.started + limits.timeout_s for s in busy) - time.monotonic())
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=wait_for))
            for s in busy:
                error: IngestError | None = None
                if s.conn in ready or s.process.sentinel in ready:
                    left = broken = False
                    try:
                        # Every answer waiting, not only the first: a worker may be files ahead.
                        while s.tasks and s.conn.poll():
                            index, report, err, seconds, peak = _receive(s.conn)
                            task = s.done()
                            yield BoundedResult(index, task.file, report, err, seconds, peak)
                            if err is not None and err.code == "memory":
                                left = True  # it leaves after such a file; a fresh one takes its place
                                break
                            begun(s)
                    except (EOFError, OSError):
                        broken = True
                    if left or (not s.tasks and not s.process.is_alive()):
                        drop(s)
                        continue
                    if not broken and s.process.is_alive():
                        continue  # reading on
                    s.process.join(timeout=5)
                    error = _died(s, limits)
                elif time.monotonic() >= s.started + limits.timeout_s:
                    error = _timed_out(limits)
                if error is None:
                    continue
                task = s.tasks.popleft()
                elapsed = time.monotonic() - s.started
                drop(s)
                yield BoundedResult(task.index, task.file, None, error, elapsed)
    finally:
        for s in slots:
            if s.tasks:
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
    tasks = [_task(i, str(p), None, True) for i, p in enumerate(paths)]
    yield from _run(tasks, lim, jobs or default_jobs(len(tasks)), on_start)


def read_bounded(source: str | Path | bytes, limits: Limits | None = None, *, name: str | None = None,
                 require_report: bool = True) -> BoundedResult:
    """One file (a path, or the bytes of an upload with its name) read in a bounded worker.
    With `require_report`, a document that is not an annual report is an error."""
    data = source if isinstance(source, bytes) else None
    file = name or ("upload" if data is not None else str(source))
    [result] = _run([_task(0, file, data, require_report)], limits or current(), 1)
    return result
