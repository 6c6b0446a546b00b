"""Pages of the annual report workspace: the tables as the template lays them out, every
cell opening the records behind it, the checks live beside the report, the text, the
overrides with their reasons, review, publication and export."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ogi.records import validate
from ogi.records.draft import redraft_overview
from ogi.render import FORMATS
from ogi.render import render as render_report
from ogi.render.layout import grids, positioned
from ogi.render.text import heading
from ogi.report import Report
from ogi.web import clock
from ogi.web.accounts.access import staff_of
from ogi.web.errors import refuse
from ogi.web.params import FIRST_REPORT_YEAR, is_report_year
from ogi.workflow import Refused
from ogi.workflow.machine import Context
from ogi.workflow.reports import GATED, MAX_REASON, REPORTS

from . import services as reports
from .models import AnnualReport

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html; charset=utf-8",
        "md": "text/markdown; charset=utf-8", "json": "application/json"}


def _titles(ws) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Section key → heading, from the edition of the year's report."""
    return {sec.key: heading(sec) for sec in ws.report.edition_obj.sections}


def _staff(request: HttpRequest):  # type: ignore[no-untyped-def]
    s = staff_of(request.user)
    if s is None or s.role == "supervisor":
        raise Http404("没有可编制的报告")
    return s


def _year(year: int) -> int:
    if not is_report_year(year):
        raise Http404("年度不在范围内")
    return year


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    own = staff_of(request.user)
    if own is not None and own.role == "supervisor":  # the office's users read the region's reports there
        return redirect("supervision:home")
    s = _staff(request)
    rows = {r.year: r for r in AnnualReport.objects.filter(agency=s.agency)}
    day = clock.today()
    years = [(y, rows.get(y), _publication_shown(s.agency, y, rows.get(y), day)) for y in range(day.year, FIRST_REPORT_YEAR - 1, -1)]
    return render(request, "reporting/reports.html", {"staff": s, "years": years, "states": reports.REPORT_STATES})


def _publication_shown(agency, year: int, row: AnnualReport | None, day):  # type: ignore[no-untyped-def]
    """A year long past with nothing in ogi was most likely published before the agency used
    it: not called late here (the office above, who knows, sees each year on its own pages)."""
    p = reports.publication(agency, year, row, day)
    if row is None and p.deadline is not None and (day - p.deadline).days > reports.OVERDUE_REMINDED_DAYS:
        return reports.Publication("unknown", f"未在本系统中编制（发布期限 {p.deadline:%Y-%m-%d}）", p.deadline)
    return p


def _grid_rows(ws):  # type: ignore[no-untyped-def]
    out = []
    for g in grids(ws.report):
        out.append((g, positioned(g)))
    return out


@login_required
def workspace(request: HttpRequest, year: int) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    counts = ws.year_report.counts()
    now = Context(on=clock.today(), role=s.role, extra={"actor": request.user.pk})
    ctx = {"staff": s, "ws": ws, "grids": _grid_rows(ws), "findings": ws.findings, "errors": counts["error"], "counts": counts,
           "today": clock.today(), "max_section": reports.MAX_SECTION, "issued_default": ws.row.issued_on or clock.today(),
           "sections": [(k, title, ws.row.sections.get(k, "")) for k, title in _titles(ws).items()],
           "states": reports.REPORT_STATES, "events": REPORTS.offered(ws.row, s.role, now), "formats": FORMATS,
           "not_offered": [(t.label, why) for t in REPORTS.allowed(ws.row, s.role)
                           if (why := REPORTS.standing_refusal(ws.row, t, now)) is not None],
           "overridden": set(ws.row.overrides), "editable": ws.row.state == "draft",
           "gated": {t.event for t in REPORTS.transitions if set(t.guards) & set(GATED)}, "max_reason": MAX_REASON,
           "versions": reports.versions(ws.row),
           "publication": reports.publication(s.agency, ws.row.year, ws.row, clock.today())}
    return render(request, "reporting/workspace.html", ctx)


@login_required
def cell(request: HttpRequest, year: int, cell_id: str) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    if cell_id not in ws.report.cells:
        raise Http404("没有这个单元格")
    return render(request, "reporting/_cell.html", {"ws": ws, "cell_id": cell_id, "records": reports.drill_down(ws, cell_id),
                                                  "cell_name": reports.cell_name(ws, cell_id),
                                                  "counted": len(ws.compiled.sources.get(cell_id, [])),
                                                  "shown_max": reports.DRILL_DOWN_SHOWN,
                                                  "unit": reports.cell_unit(ws, cell_id),
                                                  "value": ws.report.cells[cell_id].value,
                                                  "computed": ws.compiled.report.cells[cell_id].value,
                                                  "override": ws.year_report.overrides.get(cell_id),
                                                  "editable": ws.row.state == "draft",
                                                  "figure": cell_id not in ws.compiled.sources})


@login_required
def findings(request: HttpRequest, year: int) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    return render(request, "reporting/_findings.html", {"findings": ws.findings})


@login_required
@require_POST
def section(request: HttpRequest, year: int, key: str) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    if key not in _titles(ws):
        raise Http404("没有这个部分")
    text = request.POST.get("text", "")
    try:
        text = reports.save_section(request.user, ws, key, text)
    except Refused as e:
        # Too long is the text's fault (422); a report in review or published is a conflict.
        return refuse(request, 422 if e.code == "too_long" else 409, f"未保存：{e.message_zh}")
    # Only the text changed: the checks run again on the same compiled records.
    after = ws.year_report.with_section(key, text)
    return render(request, "reporting/_findings.html", {"findings": after.findings, "saved": _titles(ws)[key]})


@login_required
@require_POST
def redraft(request: HttpRequest, year: int) -> HttpResponse:
    """The 总体情况 figures brought up to date, the office's own words kept."""
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    text, changes = redraft_overview(ws.row.sections.get("overview", ""), ws.report)
    try:
        reports.save_section(request.user, ws, "overview", text)
    except Refused as e:
        messages.error(request, e.message_zh)
    else:
        messages.success(request, "已按当前数据更新：" + "；".join(changes) if changes else "总计数字与当前数据一致，无需更新")
    return redirect("workspace", year=year)


@login_required
@require_POST
def override(request: HttpRequest, year: int, cell_id: str) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    try:
        if request.POST.get("clear"):
            reports.clear_override(request.user, ws, cell_id)
        else:
            reports.override(request.user, ws, cell_id, request.POST.get("value", ""), request.POST.get("reason", ""))
    except Refused as e:
        messages.error(request, e.message_zh)
    return redirect("workspace", year=year)


@login_required
@require_POST
def state(request: HttpRequest, year: int, event: str) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    issued_on = None
    if request.POST.get("issued_on"):
        issued_on = validate.as_date(request.POST["issued_on"])
        if issued_on is None:
            messages.error(request, "成文日期应为日期（如 2026-01-20）")
            return redirect("workspace", year=year)
    seen = request.POST.get("version_seen", "")
    try:
        reports.transition(request.user, ws, event, s.role, clock.today(), acknowledged=request.POST.get("acknowledge") == "1",
                           issued_on=issued_on, state_seen=request.POST.get("state_seen") or None,
                           version_seen=int(seen) if seen.isascii() and seen.isdigit() else None,
                           reason=validate.plain(request.POST.get("reason", "")))
    except reports.Gate as e:
        listed = "；".join(f.message_zh for f in e.blocking[:5]) + ("……" if len(e.blocking) > 5 else "")
        messages.error(request, f"{e.message_zh}{listed}")
    except Refused as e:
        messages.error(request, e.message_zh)
    else:
        messages.success(request, f"报告已{REPORTS.by_event[event].label}")
    return redirect("workspace", year=year)


@login_required
def export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    s = _staff(request)
    if fmt not in FORMATS:
        raise Http404("不支持的格式")
    ws = reports.workspace(s.agency, _year(year))
    resp = HttpResponse(render_report(ws.report, fmt), content_type=MIME[fmt])
    # The name the report prints, as the public download has it; an ASCII one for old clients.
    # (The report's own agency: a report submitted or published keeps the name it was frozen
    # with when the agency is renamed later, and the file should say what is inside.)
    name = f"{ws.report.agency or s.agency.name}{year}年政府信息公开工作年度报告.{fmt}"
    resp["Content-Disposition"] = (f'attachment; filename="{s.agency.code}-{year}-report.{fmt}"; '
                                   f"filename*=UTF-8''{quote(name)}")
    return resp


def _upload(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The uploaded file, or None with the reason shown to the user (ogi.web.uploads)."""
    from ogi.ingest.limits import mb
    from ogi.web.uploads import upload_limit, uploaded_file

    f, why = uploaded_file(request)
    if f is None:
        messages.error(request, why or f"请选择不超过 {mb(upload_limit())} 的文件")
    return f


@login_required
@require_POST
def upload_previous(request: HttpRequest, year: int) -> HttpResponse:
    s = _staff(request)
    ws = reports.workspace(s.agency, _year(year))
    f = _upload(request)
    if f is not None:
        try:
            prev = reports.upload_previous(request.user, ws.row, f.read(), f.name)
        except Refused as e:
            messages.error(request, e.message_zh)
        else:
            messages.success(request, f"已读取{prev.agency or ''}{prev.year or ''}年度报告，年度衔接按其检查")
    return redirect("workspace", year=year)


@login_required
def figures_template(request: HttpRequest, year: int) -> HttpResponse:
    """The blank workbook of the year's format, for the office to fill in and import."""
    from ogi.editions import edition_for_year
    from ogi.report import Value

    s = _staff(request)
    ed = edition_for_year(_year(year))
    if ed is None:
        raise Http404("该年度没有适用的报告格式")
    report = Report.empty(ed.id, agency=s.agency.name, year=year)
    report.cells = {cid: Value("blank") for cid in ed.cells}
    resp = HttpResponse(render_report(report, "xlsx", template=True), content_type=MIME["xlsx"])
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{s.agency.name}{year}年度报告填报表.xlsx')}"
    return resp


@login_required
@require_POST
def import_figures(request: HttpRequest, year: int) -> HttpResponse:
    s = _staff(request)
    f = _upload(request)
    if f is None:
        return redirect("workspace", year=_year(year))
    try:
        values = reports.import_figures(request.user, s.agency, _year(year), f.read(), f.name)
    except Refused as e:
        messages.error(request, e.message_zh)
    else:
        messages.success(request, f"已导入表二年度数据 {len(values)} 项")
    return redirect("workspace", year=year)
