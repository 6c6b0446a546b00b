"""The supervising office's pages: upload → queue → timeliness → findings down to the
cell → ranking with deductions (and the office's rubric, and the 通报). Only a user of the
office's supervisor role sees them, and only for the agencies below the office."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ogi.checks.registry import RULES
from ogi.corpus.indicators import percent_text
from ogi.records.validate import plain
from ogi.report import Report
from ogi.supervision.benchmarks import PeerGroup, default_benchmarks
from ogi.supervision.ranking import rank
from ogi.supervision.rubric import RubricError
from ogi.supervision.timeliness import STATUS_ZH
from ogi.supervision.tree import KINDS, LEVELS
from ogi.web import clock
from ogi.web.accounts.access import staff_of
from ogi.web.accounts.models import Agency, Staff
from ogi.web.errors import refuse
from ogi.web.params import is_report_year, query_int, query_year, report_years_zh
from ogi.web.reporting.models import AnnualReport

from . import rectification, services, stored
from .models import CollectedReport, Rectification, RectificationItem, TreeChange

MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES  # in one form; a folder of thousands goes through `ogi supervise import`
PAGE = 100  # rows of a list page


def _office(request: HttpRequest) -> Staff | None:
    s = staff_of(request.user)
    return s if s is not None and s.role == "supervisor" else None


def _forbidden(request: HttpRequest) -> HttpResponse:
    return refuse(request, 403, services.SUPERVISORS_ONLY)


def _years(office: Agency) -> list[int]:
    """The years with reports collected, and always the year just ended: from 1 January its
    reports are due, and who has not published is what the office looks for first."""
    ys = (CollectedReport.objects.filter(office=office, state="current").exclude(year=None)
          .values_list("year", flat=True).distinct())
    return sorted({*ys, clock.today().year - 1}, reverse=True)


def _year(request: HttpRequest, office: Agency, year: int | None, *, due_now: bool = False) -> int:
    """The year asked for, else: for who has published (`due_now`), the year just ended, whose
    reports are due from 1 January whether or not any is collected yet; for the pages that
    read the reports' figures, the latest year due with reports collected. A year's report
    is published the next year, so this year's are not due before next January."""
    today = clock.today()
    if year is not None:
        if not is_report_year(year):
            raise Http404("no reports of that year")  # (the page said 2030 and showed the default year)
        return year
    if due_now:
        return today.year - 1
    collected = CollectedReport.objects.filter(office=office, state="current", year__lt=today.year).exclude(year=None)
    latest = collected.order_by("-year").values_list("year", flat=True).first()
    return latest if latest is not None else today.year - 1


def _ctx(request: HttpRequest, s: Staff, **kw: Any) -> dict[str, Any]:
    return {"staff": s, "years": _years(s.agency), **kw}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            messages.error(request, "请选择要导入的报告文件或 ZIP 压缩包")
            return redirect("supervision:home")
        if len(files) > MAX_FILES:
            messages.error(request, f"一次最多导入 {MAX_FILES} 个文件；更多的文件请打包为 ZIP 上传")
            return redirect("supervision:home")
        if sum(f.size for f in files) > services.MAX_UPLOAD_BYTES:
            messages.error(request, "上传的文件合计过大（上限 200 MB）")
            return redirect("supervision:home")
        result = services.import_uploads(s.agency, request.user, [(f.name, f.read()) for f in files])
        messages.success(request, f"已导入 {result['added']} 份报告，待指定机关 {result['queued']} 份"
                                  + (f"，{len(result['already'])} 份与已汇集的同一文件相同，未重复导入" if result["already"] else "")
                                  + (f"，{len(result['unreadable'])} 个文件无法读取" if result["unreadable"] else ""))
        for name, why in result["unreadable"][:20]:
            messages.error(request, f"{name}：{why}")
        # Shown once on the next page: what each file became, with its page.
        request.session["just_filed"] = result["rows"][:JUST_FILED_SHOWN]
        return redirect("supervision:queue" if result["queued"] else "supervision:home")
    counts = {k: CollectedReport.objects.filter(office=s.agency, state=k).count() for k in ("current", "queued", "replaced")}
    return render(request, "supervision/home.html", _ctx(request, s, counts=counts, just_filed=_just_filed(request, s)))


JUST_FILED_SHOWN = 200


def _just_filed(request: HttpRequest, s: Staff) -> list[CollectedReport]:
    ids = request.session.pop("just_filed", None) or []
    rows = list(CollectedReport.objects.filter(office=s.agency, pk__in=ids).defer("content").select_related("agency")
                .order_by("file_name"))
    # Filed as an older version at once (the agency's report published here is as new): which
    # version stays current is said, not only 已被新版本替换 beside a file just uploaded.
    for r in rows:
        if r.state == "replaced":
            r.current_row = (CollectedReport.objects.filter(office=s.agency, agency_id=r.agency_id, year=r.year, state="current")
                             .defer("content", "report").first())
    return rows


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    rows = CollectedReport.objects.filter(office=s.agency, state="queued").defer("content").order_by("uploaded_at", "pk")
    agencies = Agency.objects.filter(pk__in=s.agency.subtree_ids()).order_by("name")
    return render(request, "supervision/queue.html", _ctx(request, s, rows=rows, agencies=agencies,
                                                          just_filed=_just_filed(request, s)))


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    row = get_object_or_404(CollectedReport.objects.defer("content"), pk=pk, office=s.agency, state="queued")
    agency_id = request.POST.get("agency", "")
    pk = query_int(agency_id)
    agency = Agency.objects.filter(pk=pk, pk__in=s.agency.subtree_ids()).first() if pk is not None else None
    if agency is None:
        messages.error(request, "请选择所辖机关中的一个")
        return redirect("supervision:queue")
    readable = stored.report(row.report)
    if readable is None or readable.year is None:
        messages.error(request, "这份报告没有年度，无法归入机关；请核对文件")
        return redirect("supervision:queue")
    state = services.assign(s.agency, row, agency)
    later = "（已有更新的版本，本份列入历史版本）" if state == "replaced" else ""
    messages.success(request, f"已将“{row.file_name}”归入{agency.name}{later}")
    return redirect("supervision:queue")


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """A queued file that is not a report of the region (another region's, a duplicate, a
    blank form) is taken out of the queue: it could only be assigned wrongly."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    row = get_object_or_404(CollectedReport.objects.defer("content", "report"), pk=pk, office=s.agency, state="queued")
    if request.POST.get("confirm") != "yes":  # (one click took a file out)
        messages.error(request, f"请勾选“确认移出”后再移出“{row.file_name}”")
        return redirect("supervision:queue")
    if row.rectifications.exists():
        messages.error(request, "这份报告已有整改通知，不能移出")
        return redirect("supervision:queue")
    name = row.file_name
    row.delete()
    messages.success(request, f"已将“{name}”移出待指定队列")
    return redirect("supervision:queue")


@login_required
def timeliness(request: HttpRequest, year: int | None = None) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    y = _year(request, s.agency, year, due_now=True)
    region, times, rows = services.standing(s.agency, y)
    counts = Counter(t.status for t in times)
    status = request.GET.get("status", "")
    shown = [t for t in times if t.status == status] if status in STATUS_ZH else times
    page = Paginator(shown, PAGE).get_page(request.GET.get("page"))
    _, by_name = services.region_cached(s.agency)
    urged = set(Rectification.objects.filter(office=s.agency, year=y, kind="publish",
                                              items__state__in=rectification.OPEN_STATES)
                .values_list("agency_id", flat=True))
    # (agency, tree agency, its report, its pk for a 催报通知 when one may be sent, whether one is open)
    items = [(t, region[t.agency], rows.get(t.agency), by_name.get(t.agency) if t.status == "not_found"
              and by_name.get(t.agency) != s.agency.pk else None, by_name.get(t.agency) in urged) for t in page.object_list]
    return render(request, "supervision/timeliness.html", _ctx(
        request, s, year=y, items=items, page=page, status=status, today=clock.today(),
        default_due=clock.today() + dt.timedelta(days=URGE_DAYS),
        counts=[(k, v, counts[k]) for k, v in STATUS_ZH.items() if k != "not_due" or counts[k]], total=len(times)))


URGE_DAYS = 10  # the 催报通知's date offered: about two working weeks to publish


@login_required
@require_POST
def urge(request: HttpRequest, year: int) -> HttpResponse:
    """A 催报通知 to an agency with no report of `year` past its deadline: the notices of
    the findings could not reach an agency that published nothing, which the 通报 asks to
    publish."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    if not is_report_year(year):
        return refuse(request, 404, report_years_zh())
    region, by_name = services.region_cached(s.agency)
    pk = query_int(request.POST.get("agency", ""))
    name = next((n for n, p in by_name.items() if p == pk), None)
    back = redirect(reverse("supervision:timeliness", args=[year]) + "?status=not_found")
    if name is None or pk == s.agency.pk:
        messages.error(request, "只能向本辖区内的下级机关催报")
        return back
    agency = Agency.objects.get(pk=pk)
    due = _date(request.POST.get("due_on", "")[:40])
    note = plain(request.POST.get("note", ""))
    if (why := _period_problem(due, "发布期限")) is not None:
        messages.error(request, why)
    elif len(note) > MAX_NOTICE_NOTE:
        messages.error(request, f"催报要求不超过 {MAX_NOTICE_NOTE} 个字（现有 {len(note)} 个）")
    else:
        try:
            rectification.urge(s.agency, request.user, agency, year, region[name].deadline(year), due, note, clock.today())
        except rectification.NotUrged as e:
            messages.error(request, e.message_zh)
        else:
            messages.success(request, f"已向{agency.name}发出催报通知：请于 {due.isoformat()} 前发布{year}年度报告")
    return back


@login_required
def ranking(request: HttpRequest, year: int | None = None) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    y = _year(request, s.agency, year)
    if request.method == "POST":
        try:
            r = services.save_rubric(s.agency, request.user, request.POST.get("rubric", "")[:200_000])
            messages.success(request, f"评分细则已保存为第 {r.version} 版")
        except RubricError as e:
            messages.error(request, f"评分细则未保存：{e.message_zh}")
        return redirect("supervision:ranking", year=y)
    rubric, version = services.rubric_of(s.agency)
    region, scores, rows = services.scores_of(s.agency, y, rubric, version.version if version else 0)
    groups = services.cached(s.agency, f"rank:{y}:{version.version if version else 0}",
                             lambda: rank(region, scores, issuer=s.agency.name))
    # One peer group at a time, a page at a time: a region of thousands is read group by group.
    keys = [f"{g.level}-{g.kind}" for g in groups]
    chosen = request.GET.get("group", "")
    group = groups[keys.index(chosen)] if chosen in keys else (groups[0] if groups else None)
    page = Paginator(group.ranked if group else [], PAGE).get_page(request.GET.get("page"))
    return render(request, "supervision/ranking.html", _ctx(
        request, s, year=y, groups=groups, group=group, page=page, rubric=rubric, version=version,
        ids={x.score.agency: rows[x.score.agency]["pk"] for x in page.object_list if x.score.agency in rows},
        rubric_text=request.GET.get("edit") and services.rubric_text(s.agency)))


@login_required
def notice(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    from ogi.supervision.notice import Notice, render_notice_docx, render_notice_xlsx

    if fmt not in ("docx", "xlsx"):
        return refuse(request, 404, "通报只能下载 DOCX 或 XLSX 格式")
    if not is_report_year(year):
        return refuse(request, 404, report_years_zh())
    rubric, version = services.rubric_of(s.agency)
    region, scores, _ = services.scores_of(s.agency, year, rubric, version.version if version else 0)
    _, times, _ = services.standing(s.agency, year)
    n = Notice(s.agency.name, year, region, times, rank(region, scores, issuer=s.agency.name), clock.today(),
               rubric_name=rubric.name)
    if fmt == "docx":
        data, ctype = render_notice_docx(n), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data, ctype = render_notice_xlsx(n), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = HttpResponse(data, content_type=ctype)
    name = f"关于{year}年度政府信息公开工作年度报告评议情况的通报.{fmt}"  # the notice's own title
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _place_zh(source: dict[str, Any] | None) -> str:
    """Where a figure was read, for people: page, table row and column, or line."""
    if not source:
        return ""
    parts = []
    if source.get("page"):
        parts.append(f"第 {source['page']} 页")
    if source.get("picture"):
        parts.append(f"第 {source['picture']} 幅图片")
    if source.get("table") is not None and source.get("row") is not None:
        # Readers count tables, rows and columns from 1, as a person does.
        col = f"第 {source['col']} 列" if source.get("col") is not None else ""
        parts.append(f"第 {source['table']} 个表格第 {source['row']} 行{col}")
    elif source.get("line"):
        parts.append(f"第 {source['line']} 行")
    return "，".join(parts)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    row = get_object_or_404(CollectedReport.objects.defer("content").select_related("agency"), pk=pk, office=s.agency)
    return _report_page(request, s, row)


def _report_page(request: HttpRequest, s: Staff, row: CollectedReport, form: dict[str, Any] | None = None,
                 status: int = 200) -> HttpResponse:
    """A collected report with its findings; `form`: the 整改通知 as the office filled it in,
    shown again when it was refused."""
    report = stored.report(row.report)
    if report is None:
        messages.error(request, "这份报告保存的数据无法读取，请重新导入原文件")
        report = Report()
    ed = report.edition_obj
    findings = []
    for f in stored.findings(row.findings):
        cells = []
        for cid in f.get("cells") or []:
            v = report.cells.get(cid)
            if ed is not None and cid in ed.cells and v is not None:
                # What was printed, quoted; a cell with nothing printed is said so (it read as
                # printed “（缺失）”, a text no report has).
                shown = f"印作“{v.raw}”" if v.raw is not None else "空白" if v.state == "blank" else "未读到数值"
                cells.append({"label": ed.cell_zh(cid), "shown": shown, "place": _place_zh(v.source)})
        rule = RULES.get(f["rule"])
        findings.append({**f, "title": rule.title_zh if rule else f["rule"], "cell_rows": cells})
    reps = services.repetitions_of(s.agency, row) if row.state == "current" else []
    history = (CollectedReport.objects.filter(office=s.agency, agency=row.agency, year=row.year).exclude(pk=row.pk)
               .defer("content").order_by("-uploaded_at")) if row.agency else []
    peers = None
    if row.agency is not None and row.year is not None and row.state == "current":
        peers = _peer_row(services.benchmarks_of(s.agency, row.year)[1], row.agency.name)
    form = form or {"picked": [], "due_on": "", "note": ""}
    return render(request, "supervision/report.html", _ctx(request, s, row=row, report=report, findings=findings,
                                                           reps=reps, history=history, peers=peers, form=form,
                                                           max_note=MAX_NOTICE_NOTE), status=status)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@login_required
@require_POST
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    row = get_object_or_404(CollectedReport.objects.defer("content").select_related("agency"), pk=pk, office=s.agency,
                            state="current")
    count = len(stored.findings(row.findings))
    picked = sorted({n for x in request.POST.getlist("finding") if (n := query_int(x)) is not None and 0 <= n < count})
    raw_due, note = request.POST.get("due_on", "")[:40], plain(request.POST.get("note", ""))
    due = _date(raw_due)
    if not picked:
        messages.error(request, "请勾选要求整改的问题")
    elif (why := _period_problem(due, "整改期限")) is not None:
        messages.error(request, why)
    elif len(note) > MAX_NOTICE_NOTE:
        messages.error(request, f"整改要求不超过 {MAX_NOTICE_NOTE} 个字（现有 {len(note)} 个），请精简后再发出")
    else:
        rectification.send(s.agency, request.user, row, picked, due, note)
        messages.success(request, f"已向{row.agency}发出整改通知（{len(picked)} 项）")
        return redirect("supervision:rectifications")
    # Refused: the page again with what was ticked and typed (a redirect lost both).
    return _report_page(request, s, row, {"picked": picked, "due_on": raw_due, "note": note[:20_000]},
                        status=422)


MAX_NOTICE_NOTE = 2000  # the 要求 of a 整改通知: a few paragraphs; the findings themselves are listed
MAX_DUE_DAYS = 366  # a 整改 or 催报 period: within the year (9999-12-31 was taken)


def _period_problem(due: dt.date | None, what: str) -> str | None:
    """Why a notice's due date is refused (`what`: 整改期限, 发布期限), or None."""
    today = clock.today()
    if due is None or due <= today:
        return f"请填写今天以后的{what}（年-月-日）"
    if due > today + dt.timedelta(days=MAX_DUE_DAYS):
        return f"{what}应在一年以内（{(today + dt.timedelta(days=MAX_DUE_DAYS)).isoformat()} 以前）"
    return None


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    notices = (Rectification.objects.filter(office=s.agency).select_related("agency", "report")
               .prefetch_related("items", "events__user").order_by("-created_at"))
    return render(request, "supervision/rectifications.html", _ctx(
        request, s, notices=notices, overdue=rectification.overdue(s.agency, clock.today())))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    item = get_object_or_404(RectificationItem.objects.select_related("notice"), pk=pk, notice__office=s.agency)
    close = request.POST.get("action") == "close"
    rectification.decide(item, request.user, close, request.POST.get("note", "")[:2000])
    messages.success(request, "已销号" if close else "已重新打开")
    return redirect("supervision:rectifications")


def _agency_staff(request: HttpRequest) -> Staff | None:
    s = staff_of(request.user)
    return s if s is not None and s.role != "supervisor" else None


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The agency's side: the notices it received, in its own workspace."""
    s = _agency_staff(request)
    if s is None:
        return refuse(request, 403, "只有被监督机关的工作人员可以查看")
    notices = (Rectification.objects.filter(agency=s.agency).select_related("office", "report")
               .prefetch_related("items").order_by("-created_at"))
    # A year the agency published in ogi is corrected in its workspace (the corrected version
    # reaches the office by itself), not by uploading an edited file.
    corrigible = set(AnnualReport.objects.filter(Q(state="published") | Q(published_on__isnull=False), agency=s.agency)
                     .values_list("year", flat=True))
    return render(request, "supervision/mine.html", {"staff": s, "notices": notices, "today": clock.today(),
                                                     "corrigible": corrigible})


@login_required
@require_POST
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    s = _agency_staff(request)
    if s is None:
        return refuse(request, 403, "只有被监督机关的工作人员可以操作")
    item = get_object_or_404(RectificationItem.objects.select_related("notice"), pk=pk, notice__agency=s.agency)
    text = request.POST.get("explanation", "").strip()[:4000]
    if not text:
        messages.error(request, "请写明不予更正的理由")
    elif item.state == "closed":
        messages.error(request, "该事项已销号")
    else:
        rectification.explain(item, request.user, text)
        messages.success(request, "已提交说明")
    return redirect("supervision:mine")


@login_required
@require_POST
def republish(request: HttpRequest, pk: int) -> HttpResponse:
    s = _agency_staff(request)
    if s is None:
        return refuse(request, 403, "只有被监督机关的工作人员可以操作")
    notice = get_object_or_404(Rectification, pk=pk, agency=s.agency)
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择更正后的年度报告文件")
        return redirect("supervision:mine")
    if f.size > services.MAX_UPLOAD_BYTES:
        messages.error(request, "文件过大（上限 200 MB）")
        return redirect("supervision:mine")
    result = rectification.republish(notice, request.user, f.name, f.read())
    if result["error"]:
        messages.error(request, f"{f.name}：{result['error']}")
    else:
        left = notice.items.filter(state__in=rectification.OPEN_STATES).count()
        messages.success(request, f"已重新发布并复核：{len(result['fixed'])} 项已更正" + (f"，{left} 项仍待整改" if left else ""))
    return redirect("supervision:mine")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    s = _office(request)
    if s is None:
        return _forbidden(request)
    from . import dashboard as board

    year = query_year(request.GET.get("year"), None)
    cell = request.GET.get("cell", "")
    data = board.dashboard(s.agency, year)
    drill = None
    if cell and data["year"] is not None:
        labels = {cid: label for cid, _, label in board.shown_cells()}
        if cell in labels:
            drill = {"label": labels[cell], "rows": board.behind(s.agency, cell, data["year"])}
    chart = {"years": data["years"], "indicators": data["indicators"],
             "levels": [x["label"] for x in data.get("by_level", [])],
             "status": [{"key": k, "label": v, "values": [x["counts"][k] for x in data.get("by_level", [])]}
                        for k, v in data["status_zh"].items()]}
    return render(request, "supervision/dashboard.html", _ctx(request, s, drill=drill, cell=cell, chart=chart, **data))


@login_required
def dataset(request: HttpRequest, fmt: str) -> HttpResponse:
    """The region's current reports as one table, in the format of `ogi dataset`."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    from ogi.corpus.dataset import WRITERS, rows

    if fmt not in WRITERS:
        return refuse(request, 404, "格式只能是 csv、xlsx 或 jsonl")
    qs = (CollectedReport.objects.filter(office=s.agency, state="current").defer("content")
          .select_related("agency").order_by("agency__name", "year"))
    results, findings = [], []
    for r in qs.iterator(chunk_size=500):
        report = stored.report(r.report, file=r.file_name)
        if report is None:
            continue
        results.append((r.file_name, report, None))
        findings.append([services.finding_from_json(f) for f in stored.findings(r.findings)])
    data = WRITERS[fmt](rows(results, findings))
    ctype = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''region-dataset.{fmt}"
    return resp


TREE_PAGE = 200  # agencies of one page of the tree


def _tree_page(request: HttpRequest, s: Staff, form: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    from . import tree_edit

    nodes = tree_edit.nodes(s.agency)
    page = Paginator(nodes, TREE_PAGE).get_page(request.GET.get("page"))
    changes = TreeChange.objects.filter(office=s.agency).select_related("user")[:50]
    return render(request, "supervision/tree.html", _ctx(
        request, s, page=page, total=len(nodes), names=[n.agency.name for n in nodes], changes=changes,
        form=form or {"parent": s.agency.name}, kinds=KINDS, levels=LEVELS), status=status)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The region's tree, one page at a time, with the form to add an agency and the log."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    if request.method == "POST":
        from .tree_edit import TreeRefused, save

        form = _tree_form(request)
        try:
            a = save(s.agency, request.user, form)
        except TreeRefused as e:
            for m in e.messages:
                messages.error(request, f"未保存：{m}")
            return _tree_page(request, s, form, status=422)
        messages.success(request, f"已新增“{a.name}”")
        return redirect("supervision:tree")
    return _tree_page(request, s)


def _tree_form(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(k, "")[:2000] for k in ("name", "parent", "kind", "level", "aliases")}


@login_required
def tree_agency(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency of the subtree: its form (changes saved on POST) and its removal."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    from .tree_edit import TreeRefused, remove, save

    agency = get_object_or_404(Agency.objects.select_related("parent"), pk=pk, pk__in=s.agency.subtree_ids())
    status = 200
    if request.method == "POST" and request.POST.get("action") == "remove":
        name = agency.name
        try:
            remove(s.agency, request.user, agency)
        except TreeRefused as e:
            for m in e.messages:
                messages.error(request, f"未删除：{m}")
            return redirect("supervision:tree_agency", pk=pk)
        messages.success(request, f"已删除“{name}”")
        return redirect("supervision:tree")
    if request.method == "POST":
        form = _tree_form(request)
        try:
            save(s.agency, request.user, form, agency)
        except TreeRefused as e:
            for m in e.messages:
                messages.error(request, f"未保存：{m}")
            status = 422
        else:
            messages.success(request, f"已保存“{agency.name}”")
            return redirect("supervision:tree_agency", pk=pk)
    else:
        form = {"name": agency.name, "parent": agency.parent.name if agency.parent_id and agency.pk != s.agency.pk else "",
                "kind": agency.kind, "level": agency.level, "aliases": "、".join(agency.aliases or [])}
    names = [n for n in Agency.objects.filter(pk__in=s.agency.subtree_ids()).values_list("name", flat=True)]
    changes = TreeChange.objects.filter(office=s.agency, agency=agency).select_related("user")[:50]
    return render(request, "supervision/tree_agency.html", _ctx(
        request, s, agency=agency, form=form, names=names, changes=changes, kinds=KINDS, levels=LEVELS,
        is_office=agency.pk == s.agency.pk), status=status)


def _figure(indicator: str, v: float | None) -> str:
    if v is None:
        return "—"
    if indicator == "appeals_per_100":
        return str(Decimal(str(v)).quantize(Decimal("0.1"), ROUND_HALF_UP))
    return percent_text(v)


_FLAG_ZH = {("low", "red"): "明显偏低", ("low", "yellow"): "偏低", ("high", "red"): "明显偏高", ("high", "yellow"): "偏高"}


def _spreads(group: PeerGroup) -> list[dict[str, Any]]:
    return [{"id": sp.benchmark.id, "label": sp.benchmark.label, "bad": "偏低须关注" if sp.benchmark.bad == "low" else "偏高须关注",
             "sample": sp.sample, "marked": sp.marked, "p25": _figure(sp.benchmark.id, sp.p25),
             "p50": _figure(sp.benchmark.id, sp.p50), "p75": _figure(sp.benchmark.id, sp.p75)} for sp in group.spreads]


def _marks(group: PeerGroup, marks: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for sp in group.spreads:
        m = marks.get(sp.benchmark.id)
        flag = m.flag if m is not None else None
        out.append({"value": _figure(sp.benchmark.id, m.value if m else None), "flag": flag or "",
                    "flag_zh": _FLAG_ZH.get((sp.benchmark.bad, flag), "") if flag else ""})
    return out


def _peer_row(groups: list[PeerGroup], agency: str) -> dict[str, Any] | None:
    """The agency's figures against its peer group, for its report's page."""
    for g in groups:
        for name, marks in g.members:
            if name == agency:
                return {"group": g, "rows": [{**sp, **mk} for sp, mk in zip(_spreads(g), _marks(g, marks), strict=True)],
                        "min_sample": default_benchmarks().min_sample}
    return None


@login_required
def benchmarks(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Each agency's indicators against its peer group's quartiles, one group at a time."""
    s = _office(request)
    if s is None:
        return _forbidden(request)
    y = _year(request, s.agency, year)
    _, groups = services.benchmarks_of(s.agency, y)
    chosen = request.GET.get("group", "")
    group = next((g for g in groups if g.key == chosen), groups[0] if groups else None)
    page = Paginator(group.members if group else [], PAGE).get_page(request.GET.get("page"))
    _, _, rows = services.standing(s.agency, y)
    members = [{"agency": name, "pk": rows[name]["pk"] if name in rows else None, "marks": _marks(group, marks)}
               for name, marks in page.object_list] if group else []
    return render(request, "supervision/benchmarks.html", _ctx(
        request, s, year=y, groups=groups, group=group, spreads=_spreads(group) if group else [], members=members, page=page,
        min_sample=default_benchmarks().min_sample))
