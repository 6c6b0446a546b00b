"""The check service's jobs: a large file or a scan sent to `POST /api/supervision/check`
is read off the request thread. The upload is spooled to disk, a job row answers its
state, and a thread of this server's small pool hands the file to the bounded reader
(ogi.ingest.bounded: its own process, memory cap, timeout) and keeps the Report and its
findings in the row for a limited time, for the office that sent it only.

At most OGI_CHECK_WORKERS files are read at once per server and OGI_CHECK_QUEUE more may
wait; beyond that the service answers busy rather than piling up work. A job whose server
stopped before finishing is reported failed once it is past any time it could take."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from ogi.checks import check
from ogi.web.accounts.models import Agency

from .models import CheckJob

log = logging.getLogger("ogi.supervision")


def workers() -> int:
    return max(1, int(getattr(settings, "OGI_CHECK_WORKERS", 2)))


def queue_size() -> int:
    return max(0, int(getattr(settings, "OGI_CHECK_QUEUE", 20)))


def keep() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "OGI_CHECK_KEEP_HOURS", 24)))


def timeout_s() -> float:
    return float(getattr(settings, "OGI_CHECK_TIMEOUT", 600))


def sync_bytes() -> int:
    return int(getattr(settings, "OGI_CHECK_SYNC_BYTES", 1024 * 1024))


def quick(head: bytes, size: int, whole: bytes | None = None) -> bool:
    """Read at once, in the request: a small file of a quick reader (not a PDF or an image,
    which may need OCR, nor a legacy Word file, nor a page or document holding pictures,
    whose tables may need OCR too). Decided by the bytes, as the readers decide, not by the
    name."""
    from ogi.ingest.load import slow_to_read
    from ogi.ingest.pictures import may_hold_pictures

    return size <= sync_bytes() and not slow_to_read(head) and not (whole is not None and may_hold_pictures(whole))


class Busy(Exception):
    """As many jobs as the server takes are running or waiting."""


_lock = threading.Lock()
_pool: tuple[tuple[int, int], queue.SimpleQueue, threading.BoundedSemaphore] | None = None


def _ensure() -> tuple[queue.SimpleQueue, threading.BoundedSemaphore]:
    """The server's job queue, its reading threads and its slots (made again when the
    settings change: the jobs already handed to the old ones finish on their own). The
    threads are daemons: stopping the server does not wait for a scan being read (the job
    is then reported failed, see `lost`)."""
    global _pool
    key = (workers(), queue_size())
    with _lock:
        if _pool is None or _pool[0] != key:
            jobs: queue.SimpleQueue = queue.SimpleQueue()
            for n in range(key[0]):
                threading.Thread(target=_reader, args=(jobs,), name=f"ogi-check-{n}", daemon=True).start()
            _pool = (key, jobs, threading.BoundedSemaphore(key[0] + key[1]))
        return _pool[1], _pool[2]


def _reader(jobs: queue.SimpleQueue) -> None:
    while True:
        _run(*jobs.get())


def submit(office: Agency, user: Any, name: str, chunks: Iterable[bytes]) -> CheckJob:
    """A job for the file (its bytes as chunks, spooled to disk as they come)."""
    jobs, slots = _ensure()
    purge()
    if not slots.acquire(blocking=False):
        raise Busy
    try:
        tmp = Path(tempfile.mkdtemp(prefix="ogi-check-"))
        path = tmp / (Path(name).name or "report")
        size = 0
        with open(path, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
        job = CheckJob.objects.create(id=uuid.uuid4(), office=office, user=user, file_name=name[-255:], size=size,
                                      expires_at=timezone.now() + keep())
    except BaseException:
        slots.release()
        raise
    # Handed over once the row is committed: the thread must find it.
    transaction.on_commit(lambda: jobs.put((job.pk, path, slots)))
    return job


def _run(job_id: uuid.UUID, path: Path, slots: threading.BoundedSemaphore) -> None:
    from ogi.ingest.bounded import read_bounded
    from ogi.ingest.limits import Limits

    try:
        CheckJob.objects.filter(pk=job_id).update(state="running", started_at=timezone.now())
        limits = Limits.from_env().with_overrides({**settings.OGI_LIMITS, "timeout_s": timeout_s()})
        result = read_bounded(path, limits)
        if result.error is not None or result.report is None:
            zh = result.error.message_zh if result.error else "无法读取"
            en = result.error.message_en if result.error else "unreadable"
            _finish(job_id, "failed", None, zh, en)
        else:
            report = result.report
            _finish(job_id, "done", {"report": report.to_json(), "findings": [f.to_json() for f in check(report)]})
    except Exception:
        log.exception("check job %s failed", job_id)
        _finish(job_id, "failed", None, "服务器内部错误，已记录，请稍后再试", "internal error (logged)")
    finally:
        slots.release()
        shutil.rmtree(path.parent, ignore_errors=True)
        close_old_connections()


def _finish(job_id: uuid.UUID, state: str, result: Any, zh: str = "", en: str = "") -> None:
    CheckJob.objects.filter(pk=job_id).update(state=state, result=result, message_zh=zh[:500], message_en=en[:500],
                                              finished_at=timezone.now())


def purge() -> int:
    """Jobs past their keeping time deleted."""
    n, _ = CheckJob.objects.filter(expires_at__lt=timezone.now()).delete()
    return n


def lost(job: CheckJob, now: dt.datetime | None = None) -> bool:
    """Whether a job still said to be queued or running is past any time it could take:
    its server stopped (a job is read by the server it was sent to)."""
    now = now or timezone.now()
    margin = dt.timedelta(seconds=60)
    if job.state == "running" and job.started_at is not None:
        return now > job.started_at + dt.timedelta(seconds=timeout_s()) + margin
    if job.state == "queued":
        rounds = queue_size() // workers() + 2
        return now > job.created_at + dt.timedelta(seconds=timeout_s() * rounds) + margin
    return False


def status(office: Agency, job_id: uuid.UUID) -> CheckJob | None:
    """The office's job (None for another office's, an unknown or an expired one)."""
    job = CheckJob.objects.filter(pk=job_id, office=office, expires_at__gte=timezone.now()).first()
    if job is not None and lost(job):
        _finish(job.pk, "failed", None, "读取过程中服务器已重启，任务未完成，请重新提交",
                "the server restarted before the job finished; send the file again")
        job.refresh_from_db()
    return job
