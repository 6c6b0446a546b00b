"""The annual report in the ledger: compiled from the agency's records, its text and
overrides kept, checked live, taken through review to publication."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from ogi.editions import current_edition
from ogi.records import validate
from ogi.records.compile import (
    REGISTER_ROWS,
    CaseRecord,
    Compiled,
    DocumentRecord,
    RequestRecord,
    Unusable,
    YearFigures,
    compile_report,
)
from ogi.records.draft import draft_overview, fee_sentence
from ogi.report import Finding, Report
from ogi.textnorm import clean_typed
from ogi.web import clock
from ogi.web.accounts.models import Agency, person
from ogi.web.ledger.models import Event, Request
from ogi.web.params import FIRST_REPORT_YEAR
from ogi.workflow import Context, Refused
from ogi.workflow.reports import GATED, REPORTS
from ogi.workflow.reports import fire as fire_report
from ogi.workspace import Override, YearReport, read_stored_report

from .models import REPORT_STATES as MODEL_REPORT_STATES
from .models import AnnualReport, AppealCase, PublishedVersion, RegulatoryDocument
from .models import YearFigures as YearFiguresRow
from .signals import report_published

REPORT_STATES = dict(MODEL_REPORT_STATES)
# state → (event, label, roles allowed, next state)


@dataclass
class Workspace:
    """A year's report in the ledger: its stored row (not saved until the office first
    changes something: opening a year writes nothing) and the YearReport built from it."""

    row: AnnualReport
    year_report: YearReport

    @property
    def compiled(self) -> Compiled:
        return self.year_report.compiled

    @property
    def report(self) -> Report:
        return self.year_report.report

    @property
    def findings(self) -> list[Finding]:
        return self.year_report.findings


def request_records(agency: Agency, year: int) -> list[RequestRecord]:
    rows = (Request.objects.filter(agency=agency, received_on__lte=dt.date(year, 12, 31))
            .filter(Q(answered_on__isnull=True, closed_on__isnull=True) | Q(answered_on__gte=dt.date(year, 1, 1))
                    | Q(closed_on__gte=dt.date(year, 1, 1)))
            .values_list("tracking_no", "received_on", "applicant_category", "outcome", "answered_on", "closed_on"))
    return [RequestRecord(t, rec, cat, out, ans or clo) for t, rec, cat, out, ans, clo in rows]


def year_figures(agency: Agency, year: int, unreadable: list[Unusable]) -> YearFigures:
    """The year's table 二 figures as typed; a stored value that is not a figure is left out
    and named (it was saved before the figures were checked)."""
    fig = YearFiguresRow.objects.filter(agency=agency, year=year).first()
    if fig is None:
        return YearFigures({})
    cells = fig.cells()
    stored = fig.values if isinstance(fig.values, dict) else {}
    if not isinstance(fig.values, dict):
        unreadable.append(Unusable(f"{year}年度数据", "格式有误"))
    values: dict[str, Any] = {}
    for k, v in stored.items():
        name, unit = cells.get(k, (k, "count"))
        clean = validate.clean_figure(v, unit) if k in cells else None
        if clean is None:
            unreadable.append(Unusable(f"{year}年度数据", f"{name}“{str(v)[:20]}”不是有效的数值"))
        else:
            values[k] = clean
    return YearFigures(values)


def compile_agency(agency: Agency, year: int, unreadable: list[Unusable] | None = None) -> Compiled:
    unreadable = [] if unreadable is None else unreadable
    docs = [DocumentRecord(f"D{d.pk}", d.kind, d.issued_on, d.repealed_on) for d in agency.documents.all()]
    cases = [CaseRecord(f"C{c.pk}", c.kind, c.filed_on, c.result, c.decided_on) for c in agency.cases.all()]
    return compile_report(agency.name, year, request_records(agency, year), docs, cases, year_figures(agency, year, unreadable),
                          kind=agency.kind)


def fees_of(agency: Agency, year: int) -> tuple[Decimal, int]:
    rows = [validate.money(a) for a in Request.objects.filter(agency=agency, fee_notice_on__year=year, fee_amount__isnull=False)
            .exclude(outcome="other.unpaid_fee").values_list("fee_amount", flat=True)]
    good = [a for a in rows if a is not None]
    return sum(good, Decimal(0)), len(good)


def _row(agency: Agency, year: int) -> AnnualReport:
    """The stored row, or a new one drafted in memory (saved on the office's first change)."""
    row = AnnualReport.objects.filter(agency=agency, year=year).first()
    if row is None:
        row = AnnualReport(agency=agency, year=year)
    return row


def workspace(agency: Agency, year: int) -> Workspace:
    row = _row(agency, year)
    unreadable: list[Unusable] = []
    compiled = compile_agency(agency, year, unreadable)
    sections = row.sections if isinstance(row.sections, dict) else {}
    if not sections:
        total, count = fees_of(agency, year)
        sections = {"overview": draft_overview(compiled.report), "active": "", "requests": "", "appeals": "",
                    "problems": "", "other": fee_sentence(year, total, count)}
        row.sections = sections
    overrides = {}
    for cid, o in (row.overrides.items() if isinstance(row.overrides, dict) else ()):
        parsed = Override.from_json(o)
        if parsed is None or cid not in compiled.report.cells:
            unreadable.append(Unusable(f"单元格 {cid}", "人工修改的值无法读取"))
        else:
            overrides[cid] = parsed
    overrides = _by_name(overrides)
    frozen = read_stored_report(row.frozen, "提交审核的报告", unreadable)
    yr = YearReport(compiled, {k: str(v or "") for k, v in sections.items()}, overrides, frozen,
                    previous_report(agency, year, row.previous, unreadable), row.issued_on, unreadable,
                    dated_at_approval=row.state in ("draft", "review"))
    return Workspace(row, yr)


def _by_name(overrides: dict[str, Override]) -> dict[str, Override]:
    """The overrides with who made them as colleagues know them (王丽, not swj-jingban), as
    every other page names people; the stored entry keeps the login."""
    logins = {o.by for o in overrides.values() if o.by}
    if not logins:
        return overrides
    names = {u.get_username(): person(u) for u in get_user_model().objects.filter(username__in=logins)}
    return {cid: replace(o, by=names.get(o.by, o.by)) for cid, o in overrides.items()}


def previous_report(agency: Agency, year: int, uploaded: Any, unreadable: list[Unusable]) -> Report | None:
    """Last year's report for continuity: the one uploaded, else last year's as the ledger
    compiles it, when the ledger holds that year."""
    if uploaded:
        return read_stored_report(uploaded, "上一年度报告", unreadable)
    held = AnnualReport.objects.filter(agency=agency, year=year - 1).exists() or Request.objects.filter(
        agency=agency, received_on__year=year - 1).exists()
    if not held:
        return None
    return compile_agency(agency, year - 1).report


@dataclass(frozen=True)
class Publication:
    """Where an agency's report of a year stands against its legal deadline."""

    status: str  # done | overdue | due_soon | ok | unfinished (the year has not ended)
    text: str
    deadline: dt.date | None = None

    @property
    def pressing(self) -> bool:
        return self.status in ("overdue", "due_soon")


DUE_SOON_DAYS = 14


def publication(agency: Agency, year: int, row: AnnualReport | None, day: dt.date) -> Publication:
    """By the one rule of timeliness (ogi.supervision.timeliness), judged on the publication
    date: the officer sees the deadline coming and passing, the office above the same."""
    from ogi.supervision.timeliness import judge_date
    from ogi.supervision.tree import Agency as TreeAgency

    if year >= day.year:
        return Publication("unfinished", f"{year}年尚未结束，次年发布")
    tree = TreeAgency(agency.name, agency.kind, agency.effective_level())  # as the office above judges it
    published = row is not None and row.ever_published  # (under correction: still published, on its first day)
    t = judge_date(tree, year, published, (row.published_on or row.issued_on) if published and row else None, day)
    if published:
        if t.published_on is None:
            return Publication("done", f"已发布（期限 {t.deadline:%Y-%m-%d}）", t.deadline)
        if t.status == "late":
            return Publication("overdue", f"已于 {t.published_on:%Y-%m-%d} 发布，晚于法定期限（{t.deadline:%Y-%m-%d}）"
                                          f"{t.days_late} 天", t.deadline)
        return Publication("done", f"已于 {t.published_on:%Y-%m-%d} 按时发布（期限 {t.deadline:%Y-%m-%d}）", t.deadline)
    left = (t.deadline - day).days
    if left < 0:
        return Publication("overdue", f"逾期未发布（应于 {t.deadline:%Y-%m-%d} 前发布，已逾期 {-left} 天）", t.deadline)
    when = "今天是最后一天" if left == 0 else f"还有 {left} 天"
    return Publication("due_soon" if left <= DUE_SOON_DAYS else "ok", f"应于 {t.deadline:%Y-%m-%d} 前发布（{when}）", t.deadline)


# After this many days past the deadline the reminder stops: an agency may have published
# elsewhere, and the office above follows up on its oversight page.
OVERDUE_REMINDED_DAYS = 30


def report_due(agency: Agency, day: dt.date) -> tuple[int, Publication] | None:
    """The last year's report while it is still to be published, from DUE_SOON_DAYS before
    its deadline to OVERDUE_REMINDED_DAYS after: what the agency's staff are reminded of."""
    year = day.year - 1
    if year < FIRST_REPORT_YEAR:
        return None
    row = AnnualReport.objects.filter(agency=agency, year=year).first()
    if row is not None and row.ever_published:
        return None
    p = publication(agency, year, row, day)
    if not p.pressing or p.deadline is None or (day - p.deadline).days > OVERDUE_REMINDED_DAYS:
        return None
    return year, p


def standing(agency: Agency, year: int) -> tuple[Report, list[Finding]]:
    """An agency's report of the year as it stands, for its supervisor: its workspace, or
    the report its records compile to (nothing is created)."""
    ws = workspace(agency, year)
    return ws.report, ws.findings




_readers: threading.BoundedSemaphore | None = None
_readers_lock = threading.Lock()


def read_upload(data: bytes, name: str, require_report: bool = False) -> Report:
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
                              require_report=require_report)
    finally:
        _readers.release()
    if result.error is not None:
        raise Refused(result.error.message_zh, result.error.code)
    assert result.report is not None
    return result.report


def import_figures(user, agency: Agency, year: int, data: bytes, name: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Table 二's yearly figures from a filled-in workbook (or any report file ogi reads)."""
    try:
        report = read_upload(data, name)
    except Refused as e:
        if e.code in ("binary", "unsupported_format", "not_a_report", "decode_error"):
            # (An .exe was answered 不是年度报告, when a 填报表 was asked for.)
            from ogi.ingest.load import container_zh

            given = container_zh(data)
            raise Refused(f"无法从{f'上传的{given}' if given else '该文件'}中读取表二：请上传本页下载的填报表（.xlsx），"
                          "或年度报告文件", e.code) from None
        raise
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
    Event.objects.create(agency=agency, actor=user, on=clock.today(), event="report.import_figures",
                         label=f"{year}年度报告：从{name}导入表二年度数据", changes={"年度数据": [before, row.values]})
    return values


def upload_previous(user, row: AnnualReport, data: bytes, name: str) -> Report:  # type: ignore[no-untyped-def]
    """Read last year's published report in any format ogi reads and keep it for the
    continuity checks."""
    _editable(row)  # what was reviewed, published, is checked against what it was then
    report = read_upload(data, name, require_report=True)
    if report.year is not None and report.year != row.year - 1:
        raise Refused(f"上传的是{report.year}年度的报告，应为{row.year - 1}年度", "wrong_year")
    row = _store(row)
    row.previous = report.to_json()
    row.save(update_fields=["previous"])
    _log(user, row, "upload_previous", f"上传{row.year - 1}年度已发布的报告", {"file": [None, name]})
    return report


def _store(row: AnnualReport) -> AnnualReport:
    """The row saved before the office's first change is recorded (a year merely opened is
    not stored); two first changes at once end up on one row."""
    if row.pk is None:
        stored, created = AnnualReport.objects.get_or_create(agency=row.agency, year=row.year,
                                                             defaults={"sections": row.sections})
        if not created:
            row.pk, row.state, row.version = stored.pk, stored.state, stored.version
            row.sections, row.overrides = stored.sections, stored.overrides
        else:
            row.pk = stored.pk
        row._state.adding = False
    return row


def save_section(user, ws: Workspace, key: str, text: str) -> str:  # type: ignore[no-untyped-def]
    """The section's text saved as it will be printed (clean_typed); returns that text."""
    _editable(ws.row)
    text = clean_typed(text)
    if len(text) > MAX_SECTION:
        raise Refused(f"每部分不超过 {MAX_SECTION} 个字（现有 {len(text)} 个）", "too_long")
    row = _store(ws.row)
    sections = row.sections if isinstance(row.sections, dict) else {}
    before = str(sections.get(key, "") or "")
    row.sections = {**sections, key: text}
    row.save(update_fields=["sections"])
    _log(user, row, "edit_section", f"修改“{SECTION_TITLES.get(key, key)}”", {key: [before[:200], text[:200]]})
    return text


MAX_SECTION = 20_000
SECTION_TITLES = {s.key: s.heading for s in current_edition().sections}


def override(user, ws: Workspace, cell_id: str, typed: Any, reason: str) -> None:  # type: ignore[no-untyped-def]
    """A cell changed by hand, with its reason: a figure of the cell's unit (a count, a
    signed change, or yuan), by the same rule as every figure (ogi.records.validate)."""
    _editable(ws.row)
    ed = ws.compiled.report.edition_obj
    if cell_id not in ws.report.cells or ed is None or cell_id not in ed.cells:
        raise Refused("没有这个单元格", "bad_cell")
    unit = ed.cells[cell_id].unit
    value = validate.clean_figure(typed, unit)
    if value is None:
        want = {"yuan": "不小于0的金额（元，最多两位小数）", "signed_count": "整数（减少时为负数）"}.get(unit, "不小于0的整数")
        raise Refused(f"请填写{want}", "bad_value")
    if not reason.strip():
        raise Refused("修改单元格必须写明理由", "reason")
    if len(reason) > 2000:
        raise Refused("理由不超过 2000 个字", "too_long")
    row = _store(ws.row)
    overrides = row.overrides if isinstance(row.overrides, dict) else {}
    kept = ws.year_report.overrides.get(cell_id)
    before = kept.value if kept else ws.compiled.report.cells[cell_id].value
    row.overrides = {**overrides, cell_id: Override(value, reason.strip(), user.get_username(),
                                                     dt.datetime.now().isoformat(timespec="seconds")).to_json()}
    row.save(update_fields=["overrides"])
    _log(user, row, "override", "人工修改单元格", {cell_name(ws, cell_id): [str(before), str(value)]}, reason)


def clear_override(user, ws: Workspace, cell_id: str) -> None:  # type: ignore[no-untyped-def]
    _editable(ws.row)
    row = _store(ws.row)
    overrides = row.overrides if isinstance(row.overrides, dict) else {}
    old = ws.year_report.overrides.get(cell_id)
    row.overrides = {k: v for k, v in overrides.items() if k != cell_id}
    row.save(update_fields=["overrides"])
    _log(user, row, "clear_override", "恢复按台账统计的数值", {cell_name(ws, cell_id): [str(old.value if old else "—"), "台账统计"]})


def cell_name(ws: Workspace, cell_id: str) -> str:
    ed = ws.compiled.report.edition_obj
    try:
        return ed.cell_zh(cell_id) if ed else cell_id
    except KeyError:
        return cell_id


def cell_unit(ws: Workspace, cell_id: str) -> str:
    ed = ws.compiled.report.edition_obj
    return ed.cells[cell_id].unit if ed is not None and cell_id in ed.cells else "count"


class Gate(Refused):
    """Why a report may not move on — its errors, or warnings not yet acknowledged — with
    the findings that block it."""

    def __init__(self, message_zh: str, blocking: list[Finding]):
        super().__init__(message_zh, "gate")
        self.blocking = blocking


def transition(user, ws: Workspace, event: str, role: str, on: dt.date, *, acknowledged: bool = False,  # type: ignore[no-untyped-def]
               issued_on: dt.date | None = None, state_seen: str | None = None, version_seen: int | None = None,
               reason: str = "") -> AnnualReport:
    """An event of the report's review (ogi.workflow.reports), in one transaction with its
    audit entry; the warnings acknowledged are recorded with it. `state_seen` and
    `version_seen`: the state and version the page showed — an event from a page left open
    while another person acted is refused (sending back from a stale 审核中 page undid the
    approval given meanwhile; a 已发布 page from before a whole correction would start
    correcting a version its user never saw). Each event counts one version of the row.
    `reason`: why a correction is started, shown on the public page once it is published."""
    row = ws.row
    # A year's report is written once the year is over: dated within it, it would report on
    # days still to come.
    if issued_on is not None and not dt.date(row.year + 1, 1, 1) <= issued_on <= on:
        raise Refused(f"成文日期应在{row.year + 1}年1月1日至今天之间（{row.year}年度报告在该年度结束后成文）", "bad_date")
    findings = ws.findings
    ctx = Context(on=on, role=role, inputs={"issued_on": issued_on, "reason": reason},
                  extra={"findings": findings, "acknowledged": acknowledged, "actor": getattr(user, "pk", None)})
    t = REPORTS.by_event.get(event)
    if t is not None and t.event == "submit" and row.state == "draft":
        ctx.extra["live"] = ws.year_report.live_report.to_json()
    with transaction.atomic():
        row = _store(row)
        fresh = AnnualReport.objects.select_for_update().filter(pk=row.pk).first()
        if fresh is not None:
            if state_seen is not None and fresh.state != state_seen:
                who = "已在其他页面" if _last_moved_by(fresh) == getattr(user, "pk", None) else "已由他人"
                raise Refused(f"报告的状态{who}改为“{REPORT_STATES.get(fresh.state, fresh.state)}”，请刷新页面看过后再操作",
                              "conflict")
            if version_seen is not None and fresh.version != version_seen:
                raise Refused("报告在您打开页面后已由他人处理过（如已更正并重新发布），请刷新页面看过后再操作", "conflict")
            row = fresh  # (the row as stored, under the lock: not the one read before it, saved over a change)
        before, dated = row.state, row.issued_on
        if event == "correct" and row.state == "published":
            first_version(row)  # what the public was given stays readable while the correction is drafted
        if event == "submit" and row.correcting and _unchanged(row, ctx.extra.get("live")):
            raise Refused("更正后的报告与已发布的版本相同：请先改正需要更正的数字或文字，再提交审核", "unchanged")
        try:
            t = fire_report(row, event, ctx)
        except Refused as e:
            if e.code == "guard" and t is not None and set(t.guards) & set(GATED):
                errors = [f for f in findings if f.severity == "error"]
                raise Gate(e.message_zh, errors or [f for f in findings if f.severity == "warning"]) from None
            raise
        row.version += 1
        row.save()
        note = ""
        warnings = [f for f in findings if f.severity == "warning"]
        if set(t.guards) & set(GATED) and warnings:
            note = "已核对以下提醒：" + "；".join(f.message_zh for f in warnings)[:1800]
        changes = {"状态": [REPORT_STATES.get(before, before), REPORT_STATES.get(row.state, row.state)]}
        if dated is not None and row.issued_on != dated:  # a date the reviewer approved, changed at publication
            changes["成文日期"] = [dated.isoformat(), row.issued_on.isoformat() if row.issued_on else None]
        label = t.label
        if event == "correct":
            changes["更正理由"] = [None, row.correction_reason]
            note = row.correction_reason
        published: PublishedVersion | None = None
        if row.state == "published":
            published = _keep_version(row, user, on)
            if published.number > 1:
                label = f"发布更正后的报告（第{published.number}版）"
                changes["版本"] = [f"第{published.number - 1}版", f"第{published.number}版"]
                changes["更正日期"] = [None, on.isoformat()]
                note = "；".join(x for x in (f"更正理由：{row.correction_reason}", note) if x)
        _log(user, row, event, label, changes, note)
        if published is not None:  # the offices above file it (reporting/signals.py says why a signal)
            transaction.on_commit(lambda: report_published.send(sender=AnnualReport, row=row, user=user,
                                                                publication=published))
    return row


def _unchanged(row: AnnualReport, live: dict | None) -> bool:
    """Whether a correction would publish what the public already has: the same figures and
    the same text as the version last published."""
    last = row.publications.order_by("-number").first()
    if live is None or last is None or not isinstance(last.frozen, dict):
        return False
    return all(live.get(k) == last.frozen.get(k) for k in ("cells", "sections"))


def _last_moved_by(row: AnnualReport) -> int | None:
    """Who last moved the report on, from the audit log: a page left open in a second tab is
    told the change was made elsewhere, not by someone else, when it was the same person."""
    return (Event.objects.filter(agency=row.agency, event__in=[f"report.{t.event}" for t in REPORTS.transitions],
                                 label__startswith=f"{row.year}年度报告：")
            .order_by("-pk").values_list("actor_id", flat=True).first())


def versions(row: AnnualReport) -> list[PublishedVersion]:
    """The versions the public was given, oldest first. A report published before versions
    were kept (and not corrected since) has its published copy as its one version."""
    kept = list(row.publications.all()) if row.pk is not None else []  # (in order of number: the model's ordering)
    if not kept and row.state == "published":
        return [PublishedVersion(report=row, number=1, frozen=row.frozen, issued_on=row.issued_on,
                                 published_on=row.published_on)]
    return kept


def version_note(version: PublishedVersion, kept: list[PublishedVersion]) -> str:
    """What the file of a published version says of itself below the report, since it
    travels without the page around it: that it corrects an earlier version (when, and
    why), or that it has been corrected since."""
    from ogi.render.text import date_zh

    parts = []
    if version.number > 1:
        on = f"于{date_zh(version.published_on)}" if version.published_on else ""
        # The reason as typed, closed by one full stop (it may end in one already, or in a
        # semicolon or comma left from a list; ！ or ？ closes it itself).
        reason = version.reason.strip().rstrip("。．.；;，,、：: \u3000")
        end = "" if reason.endswith(("！", "？", "!", "?")) else "。"
        parts.append(f"更正说明：本报告已{on}更正，本文件为更正后的第{version.number}版。更正理由：{reason}{end}")
    later = next((v for v in kept if v.number > version.number), None)
    if later is not None:
        on = f"于{date_zh(later.published_on)}" if later.published_on else ""
        parts.append(f"本文件为本报告的第{version.number}版，已{on}被更正，请以第{kept[-1].number}版（现行版本）为准。")
    return "".join(parts)


def first_version(row: AnnualReport) -> None:
    """The published copy stored as the first version, when it was published before versions
    were kept (a correction clears the row's copy)."""
    if row.frozen is not None and not row.publications.exists():
        PublishedVersion.objects.create(report=row, number=1, frozen=row.frozen, issued_on=row.issued_on,
                                        published_on=row.published_on)


def _keep_version(row: AnnualReport, user, on: dt.date) -> PublishedVersion:  # type: ignore[no-untyped-def]
    last = row.publications.order_by("-number").first()
    number = last.number + 1 if last is not None else 1
    return PublishedVersion.objects.create(report=row, number=number, frozen=row.frozen, issued_on=row.issued_on,
                                           published_on=on, reason=row.correction_reason if number > 1 else "",
                                           published_by=user if getattr(user, "pk", None) else None)


def _editable(row: AnnualReport) -> None:
    if row.state != "draft":
        raise Refused(f"报告处于“{REPORT_STATES.get(row.state, row.state)}”状态，需退回修改后才能编辑", "wrong_state")


def _log(user, row: AnnualReport, event: str, label: str, changes: dict, note: str = "") -> None:  # type: ignore[no-untyped-def]
    Event.objects.create(agency=row.agency, actor=user, on=clock.today(), event=f"report.{event}", label=f"{row.year}年度报告：{label}",
                         changes=changes, note=note)


DRILL_DOWN_SHOWN = 500  # a cell of thousands lists its first records; the count says how many in all


def drill_down(ws: Workspace, cell_id: str) -> list[dict[str, Any]]:
    """The records a cell counts (the first DRILL_DOWN_SHOWN of them)."""
    keys = sorted(ws.compiled.sources.get(cell_id, []))[:DRILL_DOWN_SHOWN]
    requests = {r.tracking_no: r for r in Request.objects.filter(agency=ws.row.agency, tracking_no__in=keys)
                .only("tracking_no", "received_on", "state", "outcome")}
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
