"""The supervising office's data through the API (/api/supervision/…, in the same OpenAPI
document as the ledger's; a token of a supervisor user is the office's token): the
region's agencies, collected reports with their findings, scores, rectification items;
and a check service — POST a report file, get the Report and its findings (at once for a
small file, through a job with a status URL for a large file or a scan)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from ogi.checks import check
from ogi.web.accounts.access import staff_of
from ogi.web.accounts.models import Agency
from ogi.web.supervision import checkjobs, services, stored
from ogi.web.supervision.models import CheckJob, CollectedReport, Rectification

from .base import ErrorOut

router = Router(tags=["supervision"])
MAX_CHECK_BYTES = 50 * 1024 * 1024


def _error(status: int, zh: str, en: str) -> HttpError:
    """An HttpError answered in the API's shape, in both languages (api/base.py)."""
    err = HttpError(status, zh)
    err.message_en = en  # type: ignore[attr-defined]
    return err


def _office(request: HttpRequest) -> Agency:
    s = staff_of(request.user)
    if s is None or s.role != "supervisor":
        raise _error(403, "只有监督机关的令牌可以使用", "only a supervising office's token may use this")
    return s.agency


class AgencyOut(Schema):
    name: str
    parent: str | None
    kind: str
    level: str
    aliases: list[str]
    deadline: dt.date | None = None


class ReportOut(Schema):
    id: int
    agency: str | None
    year: int | None
    file_name: str
    published_on: dt.date | None
    state: str
    errors: int
    warnings: int


class ReportDetail(ReportOut):
    printed_agency: str
    findings: list[dict[str, Any]]
    report: dict[str, Any]


class ItemOut(Schema):
    rule: str
    message_zh: str
    state: str
    explanation: str


class RectificationOut(Schema):
    agency: str
    kind: str  # rectify (整改通知) | publish (催报通知)
    year: int
    due_on: dt.date
    items: list[ItemOut]


def _report(r: CollectedReport) -> dict[str, Any]:
    return {"id": r.pk, "agency": r.agency.name if r.agency else None, "year": r.year, "file_name": r.file_name,
            "published_on": r.published_on, "state": r.state,
            "errors": sum(f["severity"] == "error" for f in stored.findings(r.findings)),
            "warnings": sum(f["severity"] == "warning" for f in stored.findings(r.findings))}


def _report_year(year: int | None) -> int | None:
    """A report year: from 2019 (the national format's first) to the year just ended, whose
    reports are the latest due (a year past 9999 overflowed into a 500)."""
    from ogi.web.params import FIRST_REPORT_YEAR, is_report_year, report_years_zh

    if year is not None and not is_report_year(year):
        raise _error(422, report_years_zh(), f"year must be between {FIRST_REPORT_YEAR} and this year")
    return year


@router.get("/agencies", response=list[AgencyOut])
def agencies(request: HttpRequest, year: int | None = None):  # type: ignore[no-untyped-def]
    """The region's tree; with `year`, each agency's deadline for that year's report."""
    office = _office(request)
    year = _report_year(year)
    region, _ = services.region_of(office)
    return [{"name": a.name, "parent": a.parent, "kind": a.kind, "level": a.level, "aliases": list(a.aliases),
             "deadline": a.deadline(year) if year else None} for a in region]


@router.get("/reports", response=list[ReportOut])
def reports(request: HttpRequest, year: int | None = None,  # type: ignore[no-untyped-def]
            state: Literal["current", "replaced", "queued"] = "current"):
    office = _office(request)
    year = _report_year(year)
    qs = CollectedReport.objects.filter(office=office, state=state).select_related("agency").defer("content", "report")
    if year is not None:
        qs = qs.filter(year=year)
    return [_report(r) for r in qs.order_by("agency__name", "year", "pk")]


@router.get("/reports/{report_id}", response=ReportDetail)
def report_detail(request: HttpRequest, report_id: int):  # type: ignore[no-untyped-def]
    r = CollectedReport.objects.filter(office=_office(request), pk=report_id).select_related("agency").defer("content").first()
    if r is None:
        raise _error(404, "没有这份报告", "no such report")
    return {**_report(r), "printed_agency": r.printed_agency, "findings": stored.findings(r.findings),
            "report": stored.mapping(r.report)}


@router.get("/scores")
def scores(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    """Every agency's score of `year` under the office's current rubric, deductions item by item."""
    office = _office(request)
    year = _report_year(year)
    rubric, version = services.rubric_of(office)
    _, out, _ = services.scores_of(office, year, rubric, version.version if version else 0)
    return {"year": year, "rubric": rubric.name, "version": version.version if version else None,
            "scores": [s.to_json() for s in out]}


@router.get("/rectifications", response=list[RectificationOut])
def rectifications(request: HttpRequest):  # type: ignore[no-untyped-def]
    qs = Rectification.objects.filter(office=_office(request)).select_related("agency").prefetch_related("items")
    return [{"agency": n.agency.name, "kind": n.kind, "year": n.year, "due_on": n.due_on,
             "items": [{"rule": i.rule, "message_zh": i.message_zh, "state": i.state, "explanation": i.explanation}
                       for i in n.items.all()]} for n in qs.order_by("-created_at")]


class CheckOut(Schema):
    report: dict[str, Any]
    findings: list[dict[str, Any]]


class JobOut(Schema):
    job: uuid.UUID
    state: str  # queued | running | done | failed
    state_zh: str
    file_name: str
    size: int
    status_url: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime
    report: dict[str, Any] | None = None  # when done
    findings: list[dict[str, Any]] | None = None  # when done
    message: str | None = None  # why, when failed (Chinese)
    message_en: str | None = None


def _job(request: HttpRequest, job: CheckJob) -> dict[str, Any]:
    result = job.result if job.state == "done" and isinstance(job.result, dict) else {}
    failed = job.state == "failed"
    return {"job": job.pk, "state": job.state, "state_zh": job.get_state_display(), "file_name": job.file_name, "size": job.size,
            "status_url": request.build_absolute_uri(reverse("api:check_status", kwargs={"job_id": job.pk})),
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
            "expires_at": job.expires_at, "report": result.get("report"), "findings": result.get("findings"),
            "message": job.message_zh if failed else None, "message_en": job.message_en if failed else None}


@router.post("/check", response={200: CheckOut, 202: JobOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut, 503: ErrorOut})
def check_file(request: HttpRequest, response: HttpResponse, file: UploadedFile = File(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    """A report file (any format ogi reads) → its Report and findings; the file is not kept.

    A small file of a quick format (text, Markdown, HTML, DOCX, XLSX, Report JSON; at most
    OGI_CHECK_SYNC_BYTES, 1 MiB by default) is answered at once: 200 with the Report and its
    findings. A larger file, a PDF or an image (a scan, read by OCR) or a legacy .doc becomes
    a job: 202 with the job's `status_url` (also the `Location` header); `GET` it until its
    `state` is `done` (the Report and findings) or `failed` (`message`, `message_en`). A
    job's result is kept OGI_CHECK_KEEP_HOURS (24) hours and shown to the office that sent it
    only. 503 when the server's jobs are all taken (OGI_CHECK_WORKERS reading,
    OGI_CHECK_QUEUE waiting): send it again later."""
    office = _office(request)
    size = file.size or 0
    if size > MAX_CHECK_BYTES:
        raise _error(413, f"文件过大（上限 {MAX_CHECK_BYTES // 1048576} MB）", f"file too large (limit {MAX_CHECK_BYTES // 1048576} MB)")
    name = Path(file.name or "report").name or "report"
    head = file.read(1024)
    file.seek(0)
    whole = None
    if size <= checkjobs.sync_bytes():  # (at most a MiB: looked through for pictures)
        whole = file.read()
        file.seek(0)
    if not checkjobs.quick(head, size, whole):
        try:
            job = checkjobs.submit(office, request.user, name, file.chunks())
        except checkjobs.Busy:
            raise _error(503, "检查服务正忙：正在读取和排队的文件已达上限，请稍后再试",
                         "the check service is busy (every job slot is taken); try again later") from None
        out = _job(request, job)
        response["Location"] = out["status_url"]
        return Status(202, out)
    from django.conf import settings

    from ogi.ingest.bounded import read_bounded
    from ogi.ingest.limits import Limits

    result = read_bounded(file.read(), Limits.from_env().with_overrides(settings.OGI_LIMITS), name=name)
    if result.error is not None or result.report is None:
        raise _error(422, result.error.message_zh if result.error else "无法读取",
                     result.error.message_en if result.error else "unreadable")
    return Status(200, {"report": result.report.to_json(), "findings": [x.to_json() for x in check(result.report)]})


@router.get("/check/{job_id}", response={200: JobOut, 403: ErrorOut, 404: ErrorOut}, url_name="check_status")
def check_status(request: HttpRequest, job_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """A check job's state (queued, running, done, failed) and, when done, the Report and its
    findings. Another office's job, or one past its keeping time, is not found."""
    job = checkjobs.status(_office(request), job_id)
    if job is None:
        raise _error(404, "没有这个检查任务（或已超过保存期限）", "no such check job (or it has expired)")
    return Status(200, _job(request, job))
