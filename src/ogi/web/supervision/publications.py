"""Reports published in ogi's own workspaces arrive at the offices above the agency by
themselves: the report as published (the frozen Report JSON, with its publication date)
is filed for every supervising office above the agency in the tree as an upload of it
would be — its agency is the tree's node that published it (no name to match), it is
checked with the office's other reports, and a version there already is kept as history."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction

from ogi.checks import check
from ogi.supervision.collect import Collected
from ogi.supervision.match import Match
from ogi.web.accounts.models import Agency, Staff
from ogi.web.reporting.models import AnnualReport

from . import rectification, services, stored
from .models import CollectedReport

log = logging.getLogger("ogi.supervision")


def offices_above(agency: Agency) -> list[Agency]:
    """The agencies above `agency` (nearest first) that have a supervisor user: the offices
    that follow it."""
    above, seen, cur = [], {agency.pk}, agency.parent
    while cur is not None and cur.pk not in seen:  # a tree is a few levels deep: one query each
        seen.add(cur.pk)
        above.append(cur)
        cur = cur.parent
    offices = set(Staff.objects.filter(agency__in=above, role="supervisor").values_list("agency_id", flat=True))
    return [a for a in above if a.pk in offices]


def file_publication(row: AnnualReport, user: Any = None) -> list[CollectedReport]:
    """The published report filed for each office above its agency; the rows made (none
    where the same report is filed already)."""
    report = stored.report(row.frozen)
    if report is None or row.published_on is None:
        log.error("published report %s of %s %s has no readable frozen report", row.pk, row.agency, row.year)
        return []
    report.year = row.year
    report.published_on = row.published_on
    report.issued_on = row.issued_on or report.issued_on
    data = json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    name = f"{row.agency.name}{row.year}年度报告（本系统发布）.json"
    filed = []
    for office in offices_above(row.agency):
        region, by_name = services.region_of(office)
        if row.agency.name not in region.agencies:
            continue
        a = region[row.agency.name]
        report.kind, report.level = a.kind, a.level  # the deadline check uses the tree's
        item = Collected(name, report, report.agency, Match("assigned", a.name, "published"), a.name, check(report))
        with transaction.atomic():
            made = services.file_version(office, user, item, data, by_name)
            if made is None:
                continue
            services.recheck(office)
            rectification.recheck_items(row.agency, row.year, user)
        filed.append(made)
    return filed


def on_published(sender: Any, row: AnnualReport, user: Any = None, **kw: Any) -> None:
    # The agency's publication stands whatever happens here: a failure is logged for the
    # operator, never shown to the agency as a failed publication.
    try:
        file_publication(row, user)
    except Exception:
        log.exception("filing the published report %s of %s %s for the offices above failed", row.pk, row.agency, row.year)
