"""The supervising office's data through the API (/api/supervision/…, in the same OpenAPI
document as the ledger's; a token of a supervisor user is the office's token): the
region's agencies, collected reports with their findings, scores, rectification items;
and a check service — POST a report file, get the Report and its findings."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from ogi.checks import check
from ogi.web.accounts.access import staff_of
from ogi.web.accounts.models import Agency
from ogi.web.supervision import services, stored
from ogi.web.supervision.models import CollectedReport, Rectification

router = Router(tags=["supervision"])
MAX_CHECK_BYTES = 50 * 1024 * 1024


def _office(request: HttpRequest) -> Agency:
    s = staff_of(request.user)
    if s is None or s.role != "supervisor":
        raise HttpError(403, "只有监督机关的令牌可以使用 / only a supervising office's token may use this")
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
    year: int
    due_on: dt.date
    items: list[ItemOut]


def _report(r: CollectedReport) -> dict[str, Any]:
    return {"id": r.pk, "agency": r.agency.name if r.agency else None, "year": r.year, "file_name": r.file_name,
            "published_on": r.published_on, "state": r.state,
            "errors": sum(f["severity"] == "error" for f in stored.findings(r.findings)),
            "warnings": sum(f["severity"] == "warning" for f in stored.findings(r.findings))}


@router.get("/agencies", response=list[AgencyOut])
def agencies(request: HttpRequest, year: int | None = None):  # type: ignore[no-untyped-def]
    """The region's tree; with `year`, each agency's deadline for that year's report."""
    region, _ = services.region_of(_office(request))
    return [{"name": a.name, "parent": a.parent, "kind": a.kind, "level": a.level, "aliases": list(a.aliases),
             "deadline": a.deadline(year) if year else None} for a in region]


@router.get("/reports", response=list[ReportOut])
def reports(request: HttpRequest, year: int | None = None, state: str = "current"):  # type: ignore[no-untyped-def]
    qs = CollectedReport.objects.filter(office=_office(request), state=state).select_related("agency").defer("content", "report")
    if year is not None:
        qs = qs.filter(year=year)
    return [_report(r) for r in qs.order_by("agency__name", "year", "pk")]


@router.get("/reports/{report_id}", response=ReportDetail)
def report_detail(request: HttpRequest, report_id: int):  # type: ignore[no-untyped-def]
    r = CollectedReport.objects.filter(office=_office(request), pk=report_id).select_related("agency").defer("content").first()
    if r is None:
        raise HttpError(404, "没有这份报告 / no such report")
    return {**_report(r), "printed_agency": r.printed_agency, "findings": stored.findings(r.findings),
            "report": stored.mapping(r.report)}


@router.get("/scores")
def scores(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    """Every agency's score of `year` under the office's current rubric, deductions item by item."""
    office = _office(request)
    rubric, version = services.rubric_of(office)
    _, out, _ = services.scores_of(office, year, rubric, version.version if version else 0)
    return {"year": year, "rubric": rubric.name, "version": version.version if version else None,
            "scores": [s.to_json() for s in out]}


@router.get("/rectifications", response=list[RectificationOut])
def rectifications(request: HttpRequest):  # type: ignore[no-untyped-def]
    qs = Rectification.objects.filter(office=_office(request)).select_related("agency").prefetch_related("items")
    return [{"agency": n.agency.name, "year": n.year, "due_on": n.due_on,
             "items": [{"rule": i.rule, "message_zh": i.message_zh, "state": i.state, "explanation": i.explanation}
                       for i in n.items.all()]} for n in qs.order_by("-created_at")]


@router.post("/check")
def check_file(request: HttpRequest, file: UploadedFile = File(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    """A report file (any format ogi reads) → the Report and its findings; nothing is stored."""
    _office(request)
    if file.size is not None and file.size > MAX_CHECK_BYTES:
        raise HttpError(413, f"文件过大（上限 {MAX_CHECK_BYTES // 1048576} MB） / file too large")
    from ogi.corpus.batch import read_many

    with tempfile.TemporaryDirectory(prefix="ogi-check-") as tmp:
        f = Path(tmp) / (Path(file.name or "report").name or "report")
        f.write_bytes(file.read())
        [(_, report, err)] = read_many([f], jobs=1)
    if err is not None or report is None:
        raise HttpError(422, f"{err.message_zh if err else '无法读取'} / {err.message_en if err else 'unreadable'}")
    return {"report": report.to_json(), "findings": [x.to_json() for x in check(report)]}
