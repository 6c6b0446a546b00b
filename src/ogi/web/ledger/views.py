"""Pages of the ledger. Every query goes through services.visible(): a user never sees,
by page or URL, what is not theirs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes
from ogi.web import clock
from ogi.web.accounts import access
from ogi.web.errors import refuse
from ogi.web.params import query_int
from ogi.workdays import CalendarFileError, default_calendar
from ogi.workflow.machine import Context
from ogi.workflow.requests import BY_EVENT, DUE_STATUS, REQUESTS, STATES, Refused, due_of

from . import export, notices, reminders, review, search, services
from .forms import CalendarForm, EventForm, HolidayNoticeForm, RegisterForm
from .models import CHANNELS, Event, Letter, Request

STATUS_ZH = DUE_STATUS


def _ctx(request: HttpRequest, **kw):  # type: ignore[no-untyped-def]
    return {"staff": access.staff_of(request.user), "status_zh": STATUS_ZH, **kw}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    groups = services.inbox(request.user)
    d = reminders.digest(request.user, groups=groups)
    # An agency's staff see their own agency's requests only: its name on every row was one
    # more column to scroll on a phone. The office above sees those of every agency below.
    s = access.staff_of(request.user)
    return render(request, "ledger/inbox.html", _ctx(request, groups=groups, today=clock.today(), digest=d,
                                                      many_agencies=s is not None and s.role == "supervisor",
                                                      provisional=_first_provisional(x for rows in groups.values() for _, x in rows)))


def _first_provisional(dues):  # type: ignore[no-untyped-def]
    """One provisional deadline among those shown, for the note that says why they are estimated."""
    return next((d for d in dues if d.provisional), None)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    found = search.find(request.user, request.GET)
    page = Paginator(found.qs, 50).get_page(request.GET.get("page"))
    day = clock.today()
    rows = [(r, due_of(r, day)) for r in page.object_list]
    base = {k: v for k, v in found.params.items() if k != "sort"}
    ctx = _ctx(request, page=page, rows=rows, states=STATES, categories=APPLICANT_CATEGORIES, channels=CHANNELS,
               outcomes=outcomes(), due_filters=search.DUE_FILTERS, f=found.params, found=found, mask=access.mask_name,
               query=urlencode(found.params), base_query=urlencode(base),
               headers=_headers(found, base),
               pages=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
               provisional=_first_provisional(d for _, d in rows))
    template = "ledger/_rows.html" if request.htmx else "ledger/list.html"
    return render(request, template, ctx)


# The list's columns in order; a key makes the header a sort link.
LIST_COLUMNS = [("tracking_no", "申请编号"), ("agency", "机关"), ("received_on", "收到日期"), (None, "申请人"),
                ("applicant_category", "类别"), ("state", "状态"), ("outcome", "办理结果"), (None, "截止日")]


def _headers(found: search.Search, base: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(key, label, link, arrow): a second click on the sorted column reverses it."""
    out = []
    for key, label in LIST_COLUMNS:
        if key is None:
            out.append(("", label, "", ""))
            continue
        current = found.sort.lstrip("-") == key
        desc = found.sort.startswith("-")
        sort = key if current and desc else f"-{key}" if current else key
        out.append((key, label, "?" + urlencode({**base, "sort": sort}), ("▼" if desc else "▲") if current else ""))
    return out


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX, streamed; every export is recorded in the audit log."""
    s = access.staff_of(request.user)
    if s is None:
        return refuse(request, 403, "请先登录")
    found = search.find(request.user, request.GET)
    day = clock.today()
    fh, n = export.write(found, day)
    conditions = "；".join(f"{k}={v}" for k, v in found.params.items()) or "全部"
    Event.objects.create(agency=s.agency, actor=request.user, on=day, event="export_requests", label="导出申请台账",
                         changes={"rows": [None, n], "personal": [None, found.personal]},
                         note=f"{n} 件（{'含' if found.personal else '不含'}申请人个人信息）；条件：{conditions}"[:1000])
    return FileResponse(fh, as_attachment=True, filename=f"申请台账-{day:%Y%m%d}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


_KEPT_TEXT = 6000  # (a field's longest text is 5000 characters)


def _keep_typed(request: HttpRequest, tracking_no: str, prefix: str) -> None:
    """What was typed into a form that was refused, for the page it goes back to: the
    officer corrects the one thing said to be wrong instead of typing it all again."""
    typed = {k[len(prefix) + 1:]: v[:_KEPT_TEXT] for k, v in request.POST.items()
             if k.startswith(prefix + "-") and k[len(prefix) + 1:] not in ("version",)}
    request.session[f"typed:{tracking_no}:{prefix}"] = typed


def _typed(request: HttpRequest, tracking_no: str, prefix: str) -> dict[str, str]:
    return request.session.pop(f"typed:{tracking_no}:{prefix}", None) or {}


@login_required
def detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    r = services.get_visible(request.user, tracking_no)
    s = access.staff_of(request.user)
    waiting = review.pending_for(r)
    actions = []
    now = Context(on=clock.today(), role=s.role if s else "", extra={"actor": request.user.pk})
    for t in (REQUESTS.offered(r, s.role, now) if s else []):
        proposed = waiting[t.event].submission.changes.get("proposed", {}) if t.event in waiting else {}
        initial = {"on": clock.today(), **proposed, **_typed(request, tracking_no, t.event), "version": r.version}
        actions.append((t, EventForm(t.inputs, initial=initial, prefix=t.event)))
    # What a clerk cannot do alone goes to the reviewer (答复、延长期限).
    submissions = []
    returned = review.returned_of(r) if s and s.role == "clerk" and s.agency_id == r.agency_id else []
    # A submission sent back comes back filled as it was sent, to be amended, not typed again.
    sent_back = {review.RETURNED[ev.event]: review.returned_submission(ev) for ev in returned}
    if s and s.role == "clerk" and s.agency_id == r.agency_id:
        for kind, (event, label, inputs) in review.SUBMISSIONS.items():
            t = BY_EVENT[event]
            if r.state in t.sources and s.role not in t.roles and REQUESTS.standing_refusal(r, t, now) is None:
                initial = {**(sent_back.get(kind) or {}), **_typed(request, tracking_no, kind)}
                form = EventForm(inputs, prefix=kind, initial=initial)
                del form.fields["on"], form.fields["version"]
                submissions.append((kind, label, form))
    letters = list(r.letters.all())
    return render(request, "ledger/detail.html", _ctx(
        request, r=r, due=due_of(r, clock.today()), actions=actions, events=r.events.select_related("actor"),
        corrections=list(r.corrections.select_related("event").defer("file")),
        masked={"name": access.mask_name(r.applicant_name), "id_no": access.mask_id(r.applicant_id_no),
                "contact": access.mask_contact(r.applicant_contact)},
        can_reveal=access.can_see_personal_data(request.user, r), letters=letters,
        has_receipt=any(x.kind == "receipt" for x in letters),
        submissions=submissions, waiting=list(waiting.values()), returned=returned if submissions else [],
        return_typed=_typed(request, tracking_no, "return").get("reason", "")))


@login_required
@require_POST
def reveal(request: HttpRequest, tracking_no: str) -> HttpResponse:
    r = services.get_visible(request.user, tracking_no)
    try:
        data = services.reveal(request.user, r)
    except Refused as e:
        return refuse(request, 403, e.message_zh)
    return render(request, "ledger/_personal.html", {"p": data})


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None, initial={"submitted_on": clock.today(), "received_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        again = form.cleaned_data.pop("again", False)
        try:
            r = services.register(request.user, form.cleaned_data, token=form.submission(),
                                  twin_within=None if again else TWIN_WINDOW)
        except Refused as e:
            form.add_error(None, e.message_zh)
        else:
            if getattr(r, "repeated", False):
                messages.info(request, f"这份申请刚刚已登记（申请编号 {r.tracking_no}），未重复登记；如确为另一份内容相同的申请，"
                                       "请在登记页勾选“另行登记”后提交")
            else:
                messages.success(request, f"已登记，申请编号 {r.tracking_no}")
            return redirect("detail", tracking_no=r.tracking_no)
    return render(request, "ledger/register.html", _ctx(request, form=form, rules=services.RECEIPT_RULE))


# How long ago the same request (who, what, when received) is taken for the page's form
# sent again: Back brings the form back with a new token, the typed fields restored.
TWIN_WINDOW = dt.timedelta(minutes=30)


def form_errors_zh(form: forms.Form) -> str:
    """A form's errors as one line: “field”：what is wrong (a field without a label, a
    hidden one, says only what is wrong)."""
    parts = []
    for k, errors in form.errors.items():
        label = form.fields[k].label if k in form.fields else None
        text = "".join(errors)
        parts.append(f"“{label}”：{text}" if label else text)
    return "；".join(parts)


@login_required
@require_POST
def event(request: HttpRequest, tracking_no: str, name: str) -> HttpResponse:
    t = BY_EVENT.get(name)
    if t is None:
        return refuse(request, 400, "没有这个操作")
    services.get_visible(request.user, tracking_no)  # 404 before anything else
    form = EventForm(t.inputs, request.POST, prefix=name)
    if not form.is_valid():
        messages.error(request, form_errors_zh(form))
        _keep_typed(request, tracking_no, name)
        return redirect("detail", tracking_no=tracking_no)
    data = dict(form.cleaned_data)
    on, version = data.pop("on"), data.pop("version")
    try:
        services.record_event(request.user, tracking_no, name, on, data, expected_version=version)
    except Refused as e:
        messages.error(request, e.message_zh)
        if e.code != "conflict":  # (a page out of date is shown afresh)
            _keep_typed(request, tracking_no, name)
    else:
        messages.success(request, f"已{t.label}")
    return redirect("detail", tracking_no=tracking_no)


@login_required
def letter(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """The request's latest reply letter (the link kept from before letters were numbered)."""
    r = services.get_visible(request.user, tracking_no)
    row = r.letters.filter(kind="reply").order_by("-pk").first()
    if row is None:
        return refuse(request, 404, "该申请尚未答复或终止，没有答复书")
    return _download(request, r, row, "docx")


def _download(request: HttpRequest, r: Request, row: Letter, fmt: str) -> HttpResponse:
    # A letter names the applicant: the same permission and audit as the personal-data view.
    if not access.can_see_personal_data(request.user, r):
        return refuse(request, 403, "只有本机关工作人员可以下载文书（文书含申请人个人信息）")
    Event.objects.create(request=r, agency=r.agency, actor=request.user, on=clock.today(), event="download_letter",
                         label="下载文书", note=f"{row.get_kind_display()} {row.number}（{fmt.upper()}）", changes={})
    return letter_response(request, row, fmt)


def letter_response(request: HttpRequest, row: Letter, fmt: str = "docx") -> HttpResponse:
    """A stored letter as a DOCX or PDF download, named by its kind and number."""
    if fmt == "pdf":
        try:
            data, ctype = notices.pdf_of(row), "application/pdf"
        except Refused as e:
            return refuse(request, 503, e.message_zh)
    else:
        data, ctype = notices.docx_of(row), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    resp = HttpResponse(data, content_type=ctype)
    name = f"{row.get_kind_display()}-{row.request.tracking_no}-{row.year}-{row.seq}.{fmt}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@login_required
def letter_file(request: HttpRequest, tracking_no: str, year: int, seq: int, fmt: str) -> HttpResponse:
    r = services.get_visible(request.user, tracking_no)
    row = r.letters.filter(year=year, seq=seq).select_related("agency", "request").first()
    fmt = fmt.lower()  # (…/2026-3.PDF, as a link typed or copied by hand writes it)
    if row is None or fmt not in ("docx", "pdf"):
        return refuse(request, 404, "没有这份文书")
    return _download(request, r, row, fmt)


@login_required
def correction_file(request: HttpRequest, tracking_no: str, pk: int) -> HttpResponse:
    """The file an applicant attached to an online correction: it may show an identity
    document, so the same permission and audit as the applicant's personal data."""
    from ogi.web.uploads import ATTACHMENT_TYPES

    r = services.get_visible(request.user, tracking_no)
    c = r.corrections.filter(pk=pk).first()
    if c is None or not c.file_name or c.file is None:
        return refuse(request, 404, "没有这个补正附件")
    if not access.can_see_personal_data(request.user, r):
        return refuse(request, 403, "只有本机关工作人员可以下载补正附件（附件可能含申请人个人信息）")
    Event.objects.create(request=r, agency=r.agency, actor=request.user, on=clock.today(), event="download_correction",
                         label="下载补正附件", note=f"{c.event.on:%Y-%m-%d} 收到的补正的附件", changes={})
    resp = HttpResponse(bytes(c.file), content_type=ATTACHMENT_TYPES.get(c.file_kind, "application/octet-stream"))
    name = f"补正附件-{r.tracking_no}-{c.pk}.{c.file_kind or 'bin'}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@login_required
@require_POST
def issue_receipt(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """受理回执 for a request handed in or posted: the applicant's proof of the day of receipt."""
    r = services.get_visible(request.user, tracking_no)
    s = access.staff_of(request.user)
    if s is None or s.role == "supervisor" or s.agency_id != r.agency_id:
        return refuse(request, 403, "只有本机关工作人员可以出具受理回执")
    try:
        with transaction.atomic():
            # One receipt a request: the request's row locked, a second click finds the first.
            Request.objects.select_for_update().filter(pk=r.pk).first()
            issued = r.letters.filter(kind="receipt").order_by("pk").first()
            if issued is not None:
                messages.info(request, f"本申请已出具受理回执 {issued.number}，可在下方“文书”中再次下载，未重复出具")
                return redirect("detail", tracking_no=tracking_no)
            r.refresh_from_db(fields=["state"])
            if not r.is_open:  # (numbered after the reply, a receipt acknowledged what was already answered)
                messages.error(request, "该申请已办结，不再出具受理回执")
                return redirect("detail", tracking_no=tracking_no)
            ev = Event.objects.create(request=r, agency=r.agency, actor=request.user, on=clock.today(), event="issue_receipt",
                                      label="出具受理回执", changes={})
            row = notices.issue(r, "receipt", clock.today(), request.user, event=ev)
    except Refused as e:
        messages.error(request, e.message_zh)
    else:
        messages.success(request, f"已出具受理回执 {row.number}")
    return redirect("detail", tracking_no=tracking_no)


CALENDAR_EXAMPLE = """years:
  2027:
    notice: 国务院办公厅关于2027年部分节假日安排的通知
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
    workdays: [2027-02-14]"""


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The working-day calendar: the years whose notice it holds, and for the agency
    administrator a form to add the next year's notice when the State Council publishes it."""
    can_add = services.may_edit_calendar(request.user)
    cal = default_calendar()
    # Two ways in: the notice typed field by field (the usual one), or its file pasted or uploaded.
    typed = request.method == "POST" and "year" in request.POST
    form = CalendarForm(request.POST if request.method == "POST" and not typed else None, request.FILES or None)
    notice = HolidayNoticeForm(request.POST if typed else None, year=cal.last_year + 1, prefix=None)
    if request.method == "POST":
        if not can_add:
            return refuse(request, 403, services.CALENDAR_EDITORS_ZH)
        if typed:
            form = notice
        if form.is_valid():
            try:
                years, moved, confirmed = services.add_calendar_year(form.cleaned_data["raw"], request.user)
            except CalendarFileError as e:
                form.add_error(None, e.message_zh)
            except Refused as e:
                return refuse(request, 403, e.message_zh)
            else:
                names = "、".join(f"{y}年" for y in years)
                messages.success(request, f"已添加{names}的节假日安排；{services.calendar_effect_zh(moved, confirmed)}")
                return redirect("calendar")
    return render(request, "ledger/calendar.html", _ctx(
        request, cal=cal, years=sorted(cal.years.items(), reverse=True), form=form if not typed else CalendarForm(),
        notice_form=notice, can_add=can_add,
        next_year=cal.last_year + 1, provisional_count=services.provisional_count(request.user, clock.today()), example=CALENDAR_EXAMPLE))


@login_required
@require_POST
def send_back(request: HttpRequest, tracking_no: str, kind: str) -> HttpResponse:
    """The reviewer sends a submission back to its clerk, with the reason."""
    try:
        review.send_back(request.user, tracking_no, kind, request.POST.get("return-reason", ""),
                         query_int(request.POST.get("submission", "")))
    except Refused as e:
        messages.error(request, e.message_zh)
        if e.code == "bad_input":
            _keep_typed(request, tracking_no, "return")
    else:
        messages.success(request, "已退回，经办人将在待办中看到退回理由")
    return redirect("detail", tracking_no=tracking_no)


@login_required
@require_POST
def submit(request: HttpRequest, tracking_no: str, kind: str) -> HttpResponse:
    """The clerk's answer or extension, sent to the reviewer."""
    spec = review.SUBMISSIONS.get(kind)
    if spec is None:
        return refuse(request, 404, "没有这个操作")
    services.get_visible(request.user, tracking_no)
    form = EventForm(spec[2], request.POST, prefix=kind)
    form.fields["on"].required = False
    form.fields["version"].required = False
    if not form.is_valid():
        messages.error(request, form_errors_zh(form))
        _keep_typed(request, tracking_no, kind)
        return redirect("detail", tracking_no=tracking_no)
    try:
        ev = review.submit(request.user, tracking_no, kind, form.cleaned_data)
    except Refused as e:
        messages.error(request, e.message_zh)
        _keep_typed(request, tracking_no, kind)
    else:
        replaced = "；此前延长答复期限的提请已由本次答复提请取代" if ev.changes.get("supersedes") else ""
        messages.success(request, f"已提请审核，审核人将在待办中看到{replaced}")
    return redirect("detail", tracking_no=tracking_no)
