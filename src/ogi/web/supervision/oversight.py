"""The supervising office's view of the agencies below it that keep their ledger in ogi:
work in hand, late requests, and where each year's report stands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ogi.corpus.indicators import figures, shown
from ogi.web import clock
from ogi.web.accounts.access import staff_of
from ogi.web.accounts.models import Agency, Staff
from ogi.web.errors import refuse
from ogi.web.ledger import services
from ogi.web.ledger.models import Request
from ogi.web.params import FIRST_REPORT_YEAR, query_year
from ogi.web.reporting.models import AnnualReport
from ogi.web.reporting.services import publication, standing
from ogi.web.supervision import services as supervision
from ogi.workflow.requests import DUE_STATUS
from ogi.workspace import count_by_severity


@login_required
def oversight(request: HttpRequest) -> HttpResponse:
    """The supervising office's view of the agencies below it: work in hand, late
    requests, and where each year's report stands."""
    s = staff_of(request.user)
    if s is None or s.role != "supervisor":
        return refuse(request, 403, supervision.SUPERVISORS_ONLY)
    day = clock.today()
    groups = services.inbox(request.user, day)
    by_agency: dict[int, dict[str, int]] = {}
    for status, rows in groups.items():
        for r, d in rows:
            counts = by_agency.setdefault(r.agency_id, {})
            counts[status] = counts.get(status, 0) + 1
            counts["provisional"] = counts.get("provisional", 0) + d.provisional
    # The year whose report is written or published; the year under way is offered too,
    # with its figures so far, and said to be so.
    year = query_year(request.GET.get("year"), day.year - 1, day.year)
    agencies = Agency.objects.filter(pk__in=s.agency.subtree_ids()).exclude(pk=s.agency_id).order_by("name")
    reports = {r.agency_id: r for r in AnnualReport.objects.filter(agency__in=agencies, year=year)}
    # An agency that keeps no ledger here (its reports only collected): where its report stands
    # is what the office collected, not a report never compiled here.
    keeps = set(Staff.objects.filter(agency__in=agencies).exclude(role="supervisor").values_list("agency_id", flat=True))
    keeps |= set(Request.objects.filter(agency__in=agencies).values_list("agency_id", flat=True).distinct())
    collected = {t.agency: t for t in supervision.standing(s.agency, year)[1]} if any(
        a.pk not in keeps and a.pk not in reports for a in agencies) else {}
    rows = [(a, by_agency.get(a.pk, {}), reports.get(a.pk), publication(a, year, reports.get(a.pk), day),
             collected.get(a.name) if a.pk not in keeps and a.pk not in reports else None) for a in agencies]
    # The year's reports side by side, each as it stands (its workspace, or compiled from the records).
    # …and has no figures to compile: shown as such, not as a row of zeros.
    compared = []
    for a in agencies:
        if a.pk not in keeps and a.pk not in reports:
            compared.append((a, None, None))
            continue
        report, found = standing(a, year)
        fig = figures(report)
        # A report not begun has no text yet: its missing parts are no fault to count.
        n = count_by_severity(found) if a.pk in reports else None
        compared.append((a, [(fig[i.id], i.rate is not None) for i in shown()], n))
    provisional = next((d for rows in groups.values() for _, d in rows if d.provisional), None)
    return render(request, "supervision/oversight.html", {
        "staff": s, "rows": rows, "year": year, "today": day, "compared": compared, "provisional": provisional,
        "indicators": shown(), "years": range(day.year, FIRST_REPORT_YEAR - 1, -1), "under_way": year == day.year,
        "status_zh": DUE_STATUS})


