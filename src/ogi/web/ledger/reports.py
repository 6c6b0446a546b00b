"""The annual report in the ledger: compiled from the agency's records, its text and
overrides kept, checked live, taken through review to publication."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from ogi.checks import check, check_all
from ogi.records.compile import CaseRecord, Compiled, DocumentRecord, RequestRecord, YearFigures, compile_report
from ogi.records.draft import draft_overview, fee_sentence
from ogi.records.workflow import Refused
from ogi.report import Finding, Report, Value

from .models import REPORT_STATES as MODEL_REPORT_STATES
from .models import Agency, AnnualReport, AppealCase, Event, RegulatoryDocument, Request
from .models import YearFigures as YearFiguresRow

REPORT_STATES = dict(MODEL_REPORT_STATES)
# state → (event, label, roles allowed, next state)
REPORT_EVENTS = {
    "submit": ("提交审核", ("clerk", "admin"), ("draft",), "review"),
    "return": ("退回修改", ("reviewer", "admin"), ("review", "approved"), "draft"),
    "approve": ("批准", ("reviewer", "admin"), ("review",), "approved"),
    "publish": ("发布", ("reviewer", "admin"), ("approved",), "published"),
}


@dataclass
class Workspace:
    row: AnnualReport
    compiled: Compiled
    report: Report
    findings: list[Finding]


def request_records(agency: Agency, year: int) -> list[RequestRecord]:
    rows = (Request.objects.filter(agency=agency, received_on__lte=dt.date(year, 12, 31))
            .filter(Q(answered_on__isnull=True, closed_on__isnull=True) | Q(answered_on__gte=dt.date(year, 1, 1))
                    | Q(closed_on__gte=dt.date(year, 1, 1)))
            .values_list("tracking_no", "received_on", "applicant_category", "outcome", "answered_on", "closed_on"))
    return [RequestRecord(t, rec, cat, out, ans or clo) for t, rec, cat, out, ans, clo in rows]


def compile_agency(agency: Agency, year: int) -> Compiled:
    docs = [DocumentRecord(f"D{d.pk}", d.kind, d.issued_on, d.repealed_on) for d in agency.documents.all()]
    cases = [CaseRecord(f"C{c.pk}", c.kind, c.filed_on, c.result, c.decided_on) for c in agency.cases.all()]
    fig = YearFiguresRow.objects.filter(agency=agency, year=year).first()
    values: dict[str, Any] = {}
    for k, v in (fig.values if fig else {}).items():
        values[k] = Decimal(str(v)) if k.endswith("amount") else int(v)
    return compile_report(agency.name, year, request_records(agency, year), docs, cases, YearFigures(values),
                          kind=agency.kind)


def fees_of(agency: Agency, year: int) -> tuple[Decimal, int]:
    rows = Request.objects.filter(agency=agency, fee_notice_on__year=year, fee_amount__isnull=False).exclude(
        outcome="other.unpaid_fee").values_list("fee_amount", flat=True)
    return sum(rows, Decimal(0)), len(rows)


def workspace(agency: Agency, year: int) -> Workspace:
    row, created = AnnualReport.objects.get_or_create(agency=agency, year=year)
    compiled = compile_agency(agency, year)
    if created or not row.sections:
        total, count = fees_of(agency, year)
        row.sections = {"overview": draft_overview(compiled.report), "active": "", "requests": "", "appeals": "",
                        "problems": "", "other": fee_sentence(year, total, count)}
        row.save(update_fields=["sections"])
    live = _live(row, compiled)
    report = Report.from_json(row.frozen) if row.frozen is not None else live
    report.issued_on = row.issued_on
    findings = checks_with_previous(agency, year, report, row.previous)
    for cid, o in row.overrides.items():
        computed = compiled.report.cells[cid].value if cid in compiled.report.cells else None
        findings.append(Finding("cell.override", "warning",
                                f"单元格 {cid} 由 {o['by']} 人工修改为 {o['value']}（按台账统计为 {computed}），理由：{o['reason']}",
                                f"{cid} overridden to {o['value']} (records give {computed}): {o['reason']}",
                                cells=[cid], culprit=cid, found=o["value"], expected=computed))
    if row.frozen is not None:
        findings += _stale(report, live)
    return Workspace(row, compiled, report, findings)


def _live(row: AnnualReport, compiled: Compiled) -> Report:
    """The report as the records and the officer's text and overrides give it now."""
    report = Report.from_json(compiled.report.to_json())
    report.sections = {k: row.sections.get(k, "") for k in report.sections}
    for cid, o in row.overrides.items():
        if cid in report.cells:
            report.cells[cid] = Value("value", o["value"], str(o["value"]), note=f"人工修改：{o['reason']}")
    return report


def _stale(frozen: Report, live: Report) -> list[Finding]:
    """Cells whose records changed after the report was submitted: the report keeps what
    was submitted (and approved, and published); the officer decides whether to send it back."""
    out = []
    for cid, v in frozen.cells.items():
        now = live.cells.get(cid)
        if now is not None and now.value != v.value:
            out.append(Finding("report.stale", "warning",
                               f"提交审核后台账有变化：单元格 {cid} 报告中为 {v.value}，按台账现为 {now.value}；如需更正，请退回修改",
                               f"{cid}: the report says {v.value}, the records now give {now.value} (changed after submission)",
                               cells=[cid], culprit=cid, found=v.value, expected=now.value))
    return out


def standing(agency: Agency, year: int) -> tuple[Report, list[Finding]]:
    """An agency's report of the year as it stands, for its supervisor: the workspace when
    the agency has opened one, else the report its records compile to (nothing is created)."""
    row = AnnualReport.objects.filter(agency=agency, year=year).first()
    if row is not None:
        ws = workspace(agency, year)
        return ws.report, ws.findings
    report = compile_agency(agency, year).report
    return report, checks_with_previous(agency, year, report)


def checks_with_previous(agency: Agency, year: int, report: Report, uploaded: dict | None = None) -> list[Finding]:
    """The report's checks, with continuity against last year's report: the one uploaded,
    else last year's as the ledger compiles it, when the ledger holds that year."""
    if uploaded:
        last = Report.from_json(uploaded)
        last.agency, last.year = report.agency, year - 1  # the upload is this agency's report for last year
        return check_all([last, report])[1]
    held = AnnualReport.objects.filter(agency=agency, year=year - 1).exists() or Request.objects.filter(
        agency=agency, received_on__year=year - 1).exists()
    if not held:
        return check(report)
    last = compile_agency(agency, year - 1).report
    return check_all([last, report])[1]


# Rows of table 二 that the register of documents answers; the others are yearly figures.
REGISTER_ROWS = ("regulations", "normative")


_readers: threading.BoundedSemaphore | None = None
_readers_lock = threading.Lock()


def read_upload(data: bytes, name: str) -> Report:
    """An uploaded file read off the request thread: in a bounded worker process (memory
    cap, a timeout shorter than a proxy's), at most OGI_UPLOAD_READERS at once per server —
    beyond that the user is asked to retry rather than a server thread being held."""
    global _readers
    from django.conf import settings

    from ogi.ingest.bounded import read_bounded
    from ogi.ingest.limits import Limits

    with _readers_lock:
        if _readers is None:
            _readers = threading.BoundedSemaphore(settings.OGI_UPLOAD_READERS)
    if not _readers.acquire(blocking=False):
        raise Refused("服务器正忙：同时读取的上传文件已达上限，请稍后再试", "busy")
    try:
        result = read_bounded(data, Limits.from_env().with_overrides(settings.OGI_LIMITS), name=name,
                              require_report=False)
    finally:
        _readers.release()
    if result.error is not None:
        raise Refused(result.error.message_zh, result.error.code)
    assert result.report is not None
    return result.report


def import_figures(user, agency: Agency, year: int, data: bytes, name: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Table 二's yearly figures from a filled-in workbook (or any report file ogi reads)."""
    report = read_upload(data, name)
    ed = report.edition_obj
    values: dict[str, Any] = {}
    for cid, cdef in (ed.cells.items() if ed else []):
        v = report.cells[cid]
        if cdef.table == "active" and cdef.row.key not in REGISTER_ROWS and v.state == "value":
            values[cid.split(".", 1)[1]] = str(v.value) if cdef.unit == "yuan" else int(v.value)
    if not values:
        raise Refused("文件中没有找到表二的年度数据（行政许可、行政处罚、行政强制、行政事业性收费等）", "no_figures")
    row, _ = YearFiguresRow.objects.get_or_create(agency=agency, year=year)
    before = dict(row.values)
    row.values = {**row.values, **values}
    row.save(update_fields=["values"])
    Event.objects.create(agency=agency, actor=user, on=dt.date.today(), event="report.import_figures",
                         label=f"{year}年度报告：从{name}导入表二年度数据", changes={"values": [before, row.values]})
    return values


def upload_previous(user, row: AnnualReport, data: bytes, name: str) -> Report:  # type: ignore[no-untyped-def]
    """Read last year's published report in any format ogi reads and keep it for the
    continuity checks."""
    from ogi.ingest.locate import is_report

    report = read_upload(data, name)
    if not is_report(report):
        raise Refused("上传的文件不是政府信息公开工作年度报告", "not_a_report")
    if report.year is not None and report.year != row.year - 1:
        raise Refused(f"上传的是{report.year}年度的报告，应为{row.year - 1}年度", "wrong_year")
    row.previous = report.to_json()
    row.save(update_fields=["previous"])
    _log(user, row, "upload_previous", f"上传{row.year - 1}年度已发布的报告", {"file": [None, name]})
    return report


def save_section(user, ws: Workspace, key: str, text: str) -> None:  # type: ignore[no-untyped-def]
    _editable(ws.row)
    before = ws.row.sections.get(key, "")
    ws.row.sections = {**ws.row.sections, key: text}
    ws.row.save(update_fields=["sections"])
    _log(user, ws.row, "edit_section", f"修改第{key}部分", {key: [before[:200], text[:200]]})


def override(user, ws: Workspace, cell_id: str, value: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    _editable(ws.row)
    if cell_id not in ws.report.cells:
        raise Refused("没有这个单元格", "bad_cell")
    if not reason.strip():
        raise Refused("修改单元格必须写明理由", "reason")
    before = ws.row.overrides.get(cell_id, {}).get("value", ws.compiled.report.cells[cell_id].value)
    ws.row.overrides = {**ws.row.overrides, cell_id: {"value": value, "reason": reason.strip(), "by": user.get_username(),
                                                       "at": dt.datetime.now().isoformat(timespec="seconds")}}
    ws.row.save(update_fields=["overrides"])
    _log(user, ws.row, "override", "人工修改单元格", {cell_id: [str(before), str(value)]}, reason)


def clear_override(user, ws: Workspace, cell_id: str) -> None:  # type: ignore[no-untyped-def]
    _editable(ws.row)
    old = ws.row.overrides.get(cell_id)
    ws.row.overrides = {k: v for k, v in ws.row.overrides.items() if k != cell_id}
    ws.row.save(update_fields=["overrides"])
    _log(user, ws.row, "clear_override", "恢复按台账统计的数值", {cell_id: [str(old and old["value"]), "台账统计"]})


def transition(user, row: AnnualReport, event: str, role: str, on: dt.date) -> AnnualReport:  # type: ignore[no-untyped-def]
    if event not in REPORT_EVENTS:
        raise Refused("没有这个操作", "unknown_event")
    label, roles, sources, target = REPORT_EVENTS[event]
    if role not in roles:
        raise Refused(f"无权执行“{label}”", "forbidden")
    if row.state not in sources:
        raise Refused(f"报告处于“{REPORT_STATES[row.state]}”状态，不能{label}", "wrong_state")
    with transaction.atomic():
        before = row.state
        row.state = target
        if event == "submit":
            row.frozen = _live(row, compile_agency(row.agency, row.year)).to_json()
        elif event == "return":
            row.frozen = None
        elif event == "publish":
            row.issued_on = on
            row.slug = row.slug or secrets.token_urlsafe(9)
        row.save()
        _log(user, row, event, label, {"state": [before, target]})
    return row


def _editable(row: AnnualReport) -> None:
    if row.state != "draft":
        raise Refused(f"报告处于“{REPORT_STATES[row.state]}”状态，需退回修改后才能编辑", "wrong_state")


def _log(user, row: AnnualReport, event: str, label: str, changes: dict, note: str = "") -> None:  # type: ignore[no-untyped-def]
    Event.objects.create(agency=row.agency, actor=user, on=dt.date.today(), event=f"report.{event}", label=f"{row.year}年度报告：{label}",
                         changes=changes, note=note)


def drill_down(ws: Workspace, cell_id: str) -> list[dict[str, Any]]:
    """The records a cell counts."""
    keys = ws.compiled.sources.get(cell_id, [])
    requests = {r.tracking_no: r for r in Request.objects.filter(agency=ws.row.agency, tracking_no__in=keys)}
    out = []
    for k in keys:
        if k in requests:
            r = requests[k]
            out.append({"kind": "request", "key": k, "received_on": r.received_on, "state": r.state_label, "outcome": r.outcome_label})
        elif k.startswith("D"):
            d = RegulatoryDocument.objects.filter(pk=int(k[1:])).first()
            if d:
                out.append({"kind": "document", "key": d.number or d.title, "received_on": d.issued_on, "state": d.get_kind_display(),
                            "outcome": d.title})
        elif k.startswith("C"):
            c = AppealCase.objects.filter(pk=int(k[1:])).first()
            if c:
                out.append({"kind": "case", "key": f"案件{c.pk}", "received_on": c.filed_on, "state": c.get_kind_display(),
                            "outcome": c.get_result_display() or "尚未审结"})
    return out
