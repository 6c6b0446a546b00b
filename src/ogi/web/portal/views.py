"""Pages for the public: file a request online and follow it with the tracking number and
query code handed out on filing. No login; nothing of other people's requests is shown,
and an applicant sees the dates and decisions of their own request, never staff notes."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ogi.render import render as render_report
from ogi.report import Report
from ogi.web import clock
from ogi.web.errors import refuse
from ogi.web.ledger import services
from ogi.web.ledger.models import Request
from ogi.web.ledger.views import letter_response
from ogi.web.params import query_year
from ogi.web.reporting import services as reports
from ogi.web.reporting.models import AnnualReport, PublishedVersion
from ogi.web.security import client_address
from ogi.web.uploads import uploaded_file
from ogi.workflow.requests import BY_EVENT, OPEN_STATES, Refused, due_of, public_text

from . import downloads
from .forms import CorrectionForm, PublicRequestForm, TrackForm
from .limits import give_back, take, time_left

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
        "html": "text/html; charset=utf-8"}
FORMATS = ("pdf", "docx")  # what letters and reports are downloaded as

# Guessing query codes: after this many wrong tries on one tracking number the form rests for
# that number, from anywhere (which also stops one address guessing one request's code). A
# right code does not count.
MAX_FAILED = 10
# An office or a school behind one address (NAT) follows many requests: one person's wrong
# tries must not lock out the others, so the address as a whole has a higher limit, against
# trying many numbers. 50 in the window is far more than a room of people mistyping their own
# codes, while a script gets 50 guesses per 15 minutes (4 800 a day), each with a chance of
# 1 in 31^8 (about 10^12) of hitting a code: no guess is ever expected to succeed.
MAX_FAILED_PER_ADDRESS = 50
FAILED_WINDOW = dt.timedelta(minutes=15)
_KEYED_NUMBER = 100  # characters of a typed tracking number its counter is kept under
# Filing: a person files a few requests a day; more from one address is a script.
MAX_FILED_PER_DAY = 20
_TRACKED = "ogi_tracked"  # session key: the requests this browser has shown its code for


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    form = PublicRequestForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        submission = form.submission()
        data = {k: v for k, v in form.cleaned_data.items() if k != "agency"}
        key = f"filed:{client_address(request)}:{clock.today().isoformat()}"
        if not take(key, MAX_FILED_PER_DAY, dt.timedelta(days=1)):
            error, status = "今天从本网络提交的申请已达上限，请明天再提交，或通过信函、当面等方式提交", 429
        else:
            try:
                r = services.file_online(form.cleaned_data["agency"], data, token=submission,
                                         tracked=request.session.get(_TRACKED, []))
            except Refused as e:
                give_back(key)
                error, status = e.message_zh, 422
            else:
                if getattr(r, "repeated", False):
                    give_back(key)  # the same form sent again: one request, counted once
                request.session["ogi_receipt"] = {"tracking_no": r.tracking_no, "query_code": r.query_code,
                                                  "repeated": bool(getattr(r, "repeated", False))}
                _remember(request, r)
                return redirect("public_receipt")
    elif request.method == "POST":
        status = 422
    return render(request, "portal/public_apply.html", {"form": form, "error": error, "public_page": True}, status=status)


def receipt(request: HttpRequest) -> HttpResponse:
    # Shown once: the query code does not stay in the session for whoever uses the browser next.
    data = request.session.pop("ogi_receipt", None)
    if not data:
        return redirect("public_track")
    r = Request.objects.select_related("agency").filter(tracking_no=data["tracking_no"]).first()
    if r is None:
        return redirect("public_track")
    return render(request, "portal/public_receipt.html", {"r": r, "code": data["query_code"], "public_page": True,
                                                         "repeated": data.get("repeated", False), **_status(r)})


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    ctx: dict[str, Any] = {"form": form, "public_page": True}
    if request.method == "POST" and form.is_valid():
        number = unicodedata.normalize("NFKC", form.cleaned_data["tracking_no"]).replace(" ", "").strip().upper()
        # (NFKC makes some characters many — ﷺ eighteen —, so 40 typed can be hundreds, past
        # the counter's key column; no tracking number is that long: the count goes by its start.)
        limits = ((f"track-no:{number[:_KEYED_NUMBER]}", MAX_FAILED, "该申请编号的查询失败次数过多"),
                  (f"track:{client_address(request)}", MAX_FAILED_PER_ADDRESS, "从您所在网络发出的查询失败次数过多"))
        keys: list[str] = []
        for key, limit, why in limits:
            if not take(key, limit, FAILED_WINDOW):
                for k in keys:
                    give_back(k)
                return _rested(request, ctx, key, why)
            keys.append(key)
        r = services.find_by_code(number, form.cleaned_data["query_code"])
        if r is None:
            ctx["error"] = "申请编号或查询码不正确，请核对回执"
            return render(request, "portal/public_track.html", ctx, status=404)
        for key in keys:
            give_back(key)
        _remember(request, r)
        ctx.update(r=r, **_status(r))
    return render(request, "portal/public_track.html", ctx)


def _rested(request: HttpRequest, ctx: dict[str, Any], key: str, why: str) -> HttpResponse:
    """The tracking form refused for too many wrong tries: says which count ran out and when
    to try again (the minutes left of its window, not the whole window)."""
    minutes = max(1, math.ceil(time_left(key).total_seconds() / 60))
    ctx["error"] = f"{why}，为防止查询码被猜中，暂停查询，请{minutes}分钟后再试"
    resp = render(request, "portal/public_track.html", ctx, status=429)
    resp["Retry-After"] = str(minutes * 60)
    return resp


def published_reports(request: HttpRequest) -> HttpResponse:
    """Every published annual report, newest year first: the version the public page shows
    (a report being corrected stays listed as it was published)."""
    published = (AnnualReport.objects.filter(Q(state="published") | Q(publications__isnull=False)).distinct()
                 .select_related("agency"))
    agencies = sorted(set(published.values_list("agency__name", flat=True)))
    years = sorted(set(published.values_list("year", flat=True)), reverse=True)
    agency = request.GET.get("agency", "").strip()
    year = query_year(request.GET.get("year"), None)
    rows = published
    if agency:
        rows = rows.filter(agency__name=agency)
    if year:
        rows = rows.filter(year=year)
    shown = [(r, reports.versions(r)[-1]) for r in rows.order_by("-year", "agency__name").prefetch_related("publications")]
    return render(request, "portal/public_reports.html", {
        "rows": shown, "public_page": True, "agencies": agencies, "years": years, "agency": agency, "year": year})


@require_http_methods(["POST"])
def withdraw(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """The applicant withdraws an open request (条例: a request may be withdrawn before the answer)."""
    if tracking_no not in request.session.get(_TRACKED, []):
        return refuse(request, 403, "请先用申请编号和查询码查询该申请")
    if not Request.objects.filter(tracking_no=tracking_no).exists():
        return refuse(request, 404, "没有这个申请")
    ctx: dict[str, Any] = {"form": TrackForm(), "public_page": True}
    if request.POST.get("confirm") != "yes":
        ctx["error"] = "请勾选“确认撤回”后再提交"
    else:
        try:
            services.withdraw_online(tracking_no, request.POST.get("reason", "")[:500])
        except Refused as e:
            ctx["error"] = e.message_zh
        else:
            ctx["notice"] = "申请已撤回，本机关将不再处理该申请"
    r = Request.objects.select_related("agency").get(tracking_no=tracking_no)
    ctx.update(r=r, **_status(r))
    return render(request, "portal/public_track.html", ctx)


@require_http_methods(["POST"])
def correct(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """The applicant sends the correction the agency asked for (条例第三十条), from the
    tracking page of the request: recorded as 收到补正, the answer's time limit counted again."""
    if tracking_no not in request.session.get(_TRACKED, []):
        return refuse(request, 403, "请先用申请编号和查询码查询该申请")
    if not Request.objects.filter(tracking_no=tracking_no).exists():
        return refuse(request, 404, "没有这个申请")
    ctx: dict[str, Any] = {"form": TrackForm(), "public_page": True}
    status = 200
    f, too_large = uploaded_file(request, "attachment")
    form = CorrectionForm(request.POST, request.FILES)
    if too_large:
        ctx["correction_error"], status = too_large, 413
    elif not form.is_valid():
        ctx["correction_error"], status = "请按提示修改后再提交", 422
    else:
        try:
            c = services.correct_online(tracking_no, form.cleaned_data["text"], (f.name, f.read()) if f else None,
                                        token=form.submission())
        except Refused as e:
            ctx["correction_error"], status = e.message_zh, 409 if e.code == "wrong_state" else 422
        else:
            day = c.event.on
            ctx["notice"] = (f"该补正已于{day.year}年{day.month}月{day.day}日提交，未重复提交" if getattr(c, "repeated", False)
                             else f"已收到您的补正（{day.year}年{day.month}月{day.day}日），答复期限自收到补正之日起重新计算")
            ctx["receipt"] = c
    r = Request.objects.select_related("agency").get(tracking_no=tracking_no)
    ctx.update(r=r, **_status(r))
    if "correction_error" in ctx and ctx.get("correction_form") is not None:
        # Refused: what was typed comes back to be amended (a file is chosen again).
        ctx["correction_form"] = form
    return render(request, "portal/public_track.html", ctx, status=status)


# The letters sent to the applicant, which the applicant may download again (a letter to a
# third party consulted is not the applicant's).
APPLICANT_LETTERS = ("receipt", "correction", "extension", "fee", "reply")


def public_letter(request: HttpRequest, tracking_no: str, year: int | None = None, seq: int | None = None,
                  fmt: str = "docx") -> HttpResponse:
    """A letter sent to the applicant (the reply, when none is named), for the browser that
    has shown this request's query code: as DOCX, or as PDF for whoever cannot open one."""
    if fmt not in FORMATS:
        return refuse(request, 404, "没有这份文书")
    if tracking_no not in request.session.get(_TRACKED, []):
        return refuse(request, 403, "请先用申请编号和查询码查询该申请")
    r = Request.objects.select_related("agency").filter(tracking_no=tracking_no).first()
    rows = r.letters.filter(kind__in=APPLICANT_LETTERS).select_related("agency", "request") if r else None
    if rows is not None and year is not None:
        row = rows.filter(year=year, seq=seq).first()
    else:
        row = rows.filter(kind="reply").order_by("-pk").first() if rows is not None else None
    if row is None:
        return refuse(request, 404, "没有这份文书" if year is not None else "该申请尚未答复或终止，没有答复书")
    return letter_response(request, row, fmt)


# Digits of the longest version, year or letter number an address can hold (a version is
# a small integer, a letter's year four digits, its number within the year a few more).
_LONGEST_NUMBER = 9


def canonical(request: HttpRequest, to: str, **written: str) -> HttpResponse:
    """A public file or page asked for at another spelling of its address (the extension in
    capitals, zeros before a number): a permanent redirect to the one address, or 404 when
    no such address can be."""
    parts: dict[str, Any] = {}
    for name, value in written.items():
        if name == "fmt":
            value = value.lower()
            if value not in FORMATS:
                return refuse(request, 404, "没有这种格式的文件")
            parts[name] = value
        elif name in ("number", "year", "seq"):
            # Read as written, zeros set aside: int() of a path of thousands of digits raises
            # (Python's limit on converting long digit strings), and no number is that long.
            digits = value.lstrip("0")
            if not digits or len(digits) > _LONGEST_NUMBER:
                return refuse(request, 404, "页面不存在")
            parts[name] = int(digits)
        else:
            parts[name] = value
    if to == "public_letter" and parts.pop("fmt") == "pdf":
        to = "public_letter_pdf"  # letter.pdf and letter.docx are two addresses, the format in neither's kwargs
    url = reverse(to, kwargs=parts)
    if url == request.path:  # written as it is already: nothing to send on to
        return refuse(request, 404, "页面不存在")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def _remember(request: HttpRequest, r: Request) -> None:
    seen = [t for t in request.session.get(_TRACKED, []) if t != r.tracking_no][-19:]
    request.session[_TRACKED] = [*seen, r.tracking_no]


def _status(r: Request) -> dict[str, Any]:
    """What the applicant is told: state, the date the answer is due by, and what happened when."""
    timeline = []
    for e in r.events.all():
        if e.event == "register":
            timeline.append((e.on, "收到申请"))
            continue
        t = BY_EVENT.get(e.event)
        if t is None or not t.public:
            continue
        text = public_text(t, r, e.changes if isinstance(e.changes, dict) else None)
        timeline.append((e.on, text))
    # (An applicant asked to correct was told only 通知补正: the 补正告知书 says what to correct.)
    letters = list(r.letters.filter(kind__in=APPLICANT_LETTERS).order_by("issued_on", "pk"))
    today = clock.today()
    # The form while the period runs; past it the page says why there is none (the request
    # stays 待补正 until the office records that it lapsed).
    waiting = r.state == "correction"
    in_period = waiting and (r.correction_due is None or today <= r.correction_due)
    return {"due": due_of(r, today), "timeline": timeline, "can_withdraw": r.state in OPEN_STATES,
            "letters": letters, "correction_letter": next((x for x in reversed(letters) if x.kind == "correction"), None),
            "correction_form": CorrectionForm() if in_period else None, "correction_lapsed": waiting and not in_period,
            "corrections": list(r.corrections.select_related("event").defer("file"))}


def _published(slug: str, number: int | None = None) -> tuple[AnnualReport, PublishedVersion, list[PublishedVersion]]:
    """The report at its public address, the version asked for (the newest when none is),
    and all its versions."""
    row = AnnualReport.objects.filter(slug=slug).select_related("agency").first()
    kept = reports.versions(row) if row is not None else []
    if not kept:
        raise Http404("没有这份已发布的报告")
    shown = kept[-1] if number is None else next((v for v in kept if v.number == number), None)
    if shown is None:
        raise Http404("没有这一版本的报告")
    return row, shown, kept  # type: ignore[return-value]


def _as_published(request: HttpRequest, version: PublishedVersion) -> Report | None:
    """The report as it was approved and published: the frozen copy, served as it is (no
    compiling, no checks)."""
    try:
        report = Report.from_json(version.frozen) if version.frozen is not None else None
    except Exception:  # a stored copy of any shape: the page says so instead of failing
        report = None
    if report is None or report.edition_obj is None:
        return None
    report.issued_on = version.issued_on
    return report


def public(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    row, version, kept = _published(slug, number)
    report = _as_published(request, version)
    if report is None:
        return refuse(request, 404, "这份报告保存的数据无法读取，暂时无法显示；请联系发布机关")
    html = render_report(report, "html").decode("utf-8")
    # The report page stays the self-contained statutory document; the way back to the
    # list and the downloads sit above it and are not printed. What says the report was
    # corrected, and the version before, is printed with it.
    earlier = next((v for v in reversed(kept) if v.number < version.number), None)
    nav = render(request, "portal/_public_report_nav.html", {
        "row": row, "version": version, "current": kept[-1], "earlier": earlier,
        "is_current": version.number == kept[-1].number}).content.decode("utf-8")
    html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, html, count=1)
    return HttpResponse(html, content_type=MIME["html"])


def public_download(request: HttpRequest, slug: str, fmt: str, number: int | None = None) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("不支持的格式")
    row, version, kept = _published(slug, number)
    report = _as_published(request, version)
    if report is None:
        return refuse(request, 404, "这份报告保存的数据无法读取，暂时无法下载；请联系发布机关")
    note = reports.version_note(version, kept)
    data = downloads.rendered(downloads.key(version.frozen, version.issued_on, fmt, note),
                              lambda: render_report(report, fmt, note=note))
    resp = HttpResponse(data, content_type=MIME[fmt])
    # The name the report prints (it keeps the one it was published with when the agency is renamed).
    superseded = "" if version.number == kept[-1].number else f"（第{version.number}版，已更正）"
    name = f"{report.agency or row.agency.name}{row.year}年政府信息公开工作年度报告{superseded}.{fmt}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
