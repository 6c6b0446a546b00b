"""Reports published in ogi's own workspaces arrive at the offices above the agency by
themselves: the report as published (the frozen Report JSON, with its publication date)
is filed for every supervising office above the agency in the tree as an upload of it
would be — its agency is the tree's node that published it (no name to match), it is
checked with the office's other reports, and a version there already is kept as history.

A corrected version published in the workspace is filed the same way and becomes the current
one whatever the dates say (its publication date is still the first one, on which
timeliness is judged); the office's open 整改通知 of that agency and year are told it was
republished and their items are looked for again, as when the agency uploads one."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction

from ogi.checks import check
from ogi.supervision.collect import Collected
from ogi.supervision.match import Match
from ogi.web.accounts.models import Agency, Staff
from ogi.web.reporting.models import AnnualReport, PublishedVersion

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


def file_publication(row: AnnualReport, user: Any = None, publication: PublishedVersion | None = None) -> list[CollectedReport]:
    """The published report filed for each office above its agency; the rows made (none
    where the same report is filed already). `publication`: the version that went up (a
    number above 1 is a correction)."""
    report = stored.report(publication.frozen if publication is not None else row.frozen)
    if report is None or row.published_on is None:
        log.error("published report %s of %s %s has no readable frozen report", row.pk, row.agency, row.year)
        return []
    report.year = row.year
    report.published_on = row.published_on
    issued = publication.issued_on if publication is not None else row.issued_on
    report.issued_on = issued or report.issued_on
    data = json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    corrected = publication is not None and publication.number > 1
    if corrected:
        assert publication is not None and publication.published_on is not None
        day = publication.published_on
        name = f"{row.agency.name}{row.year}年度报告（本系统发布，{day.year}年{day.month}月{day.day}日更正）.json"
    else:
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
            made = services.file_version(office, user, item, data, by_name, newest=corrected)
            if made is None:
                continue
            services.recheck(office)
            if corrected:
                rectification.republished(office, row.agency, row.year, user,
                                          f"{made.file_name}；更正理由：{publication.reason}")  # type: ignore[union-attr]
            rectification.recheck_items(row.agency, row.year, user)
        filed.append(made)
    return filed


def on_published(sender: Any, row: AnnualReport, user: Any = None, publication: PublishedVersion | None = None,
                 **kw: Any) -> None:
    # The agency's publication stands whatever happens here: a failure is logged for the
    # operator, never shown to the agency as a failed publication.
    try:
        file_publication(row, user, publication)
    except Exception:
        log.exception("filing the published report %s of %s %s for the offices above failed", row.pk, row.agency, row.year)
