from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ogi.web.accounts.models import Agency


def test_models_and_migrations_agree(db) -> None:  # type: ignore[no-untyped-def]
    # A model field without its migration would break every fresh installation.
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_agency_keeps_level_and_printed_names() -> None:
    a = Agency.objects.create(name="淮安市洪泽区人民政府", code="HZQ", kind="government", level="county",
                              aliases=["洪泽区人民政府", "洪泽区政府"])
    a.refresh_from_db()
    assert (a.level, a.get_level_display(), a.aliases) == ("county", "县级", ["洪泽区人民政府", "洪泽区政府"])


# The last migrations of the release before the apps were split (ledger held every table).
BEFORE_SPLIT = [("ledger", "0009_request_import_key"), ("supervision", "0002_updated_at_index")]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_upgrades_in_place_with_its_data() -> None:
    """A database made by the release that kept every table in the ledger app migrates to the
    apps by capability with every row where it was: the tables are not copied or renamed."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_SPLIT)
    old = executor.loader.project_state(BEFORE_SPLIT).apps
    OldAgency, OldStaff, OldRequest = (old.get_model("ledger", m) for m in ("Agency", "Staff", "Request"))
    OldReport, OldCase, OldFigures = (old.get_model("ledger", m) for m in ("AnnualReport", "AppealCase", "YearFigures"))
    OldCollected = old.get_model("supervision", "CollectedReport")
    User = old.get_model("auth", "User")
    city = OldAgency.objects.create(name="某市人民政府", code="SZF", kind="government", level="city")
    dept = OldAgency.objects.create(name="某市商务局", code="SWJ", parent=city, aliases=["市商务局"])
    user = User.objects.create(username="old-clerk", password="x")
    OldStaff.objects.create(user=user, agency=dept, role="clerk")
    req = OldRequest.objects.create(agency=dept, tracking_no="SWJ-2025-00001", query_code="ABCDEFGH", channel="letter",
                                    submitted_on=dt.date(2025, 3, 3), received_on=dt.date(2025, 3, 4), applicant_category="natural",
                                    applicant_name="张三", content="某文件", state="answered", outcome="granted",
                                    answered_on=dt.date(2025, 3, 20))
    OldReport.objects.create(agency=dept, year=2025, state="published", sections={"overview": "概述"}, slug="swj-2025",
                             issued_on=dt.date(2026, 1, 20))
    OldCase.objects.create(agency=dept, request=req, kind="review", filed_on=dt.date(2025, 5, 1))
    OldFigures.objects.create(agency=dept, year=2025, values={"licensing.decisions": 7})
    OldCollected.objects.create(office=city, agency=dept, file_name="a.txt", sha256="0" * 64, report={}, state="current", year=2025)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from ogi.web.accounts.models import Agency as NewAgency
    from ogi.web.accounts.models import Staff
    from ogi.web.ledger.models import Request
    from ogi.web.reporting.models import AnnualReport, AppealCase, YearFigures
    from ogi.web.supervision.models import CollectedReport

    dept_now = NewAgency.objects.get(code="SWJ")
    assert (dept_now.parent.name, dept_now.aliases) == ("某市人民政府", ["市商务局"])
    assert Staff.objects.get(user__username="old-clerk").agency == dept_now
    r = Request.objects.get(tracking_no="SWJ-2025-00001")
    assert (r.agency, r.outcome, r.applicant_id_type) == (dept_now, "granted", "")
    assert AnnualReport.objects.get(slug="swj-2025").sections == {"overview": "概述"}
    assert AppealCase.objects.get().request == r and YearFigures.objects.get().values == {"licensing.decisions": 7}
    assert CollectedReport.objects.get().office.code == "SZF"
    with connection.cursor() as cur:
        tables = set(connection.introspection.table_names(cur))
    assert {"ledger_agency", "ledger_annualreport", "ledger_request"} <= tables and "accounts_agency" not in tables


BEFORE_SUBMITTED_ON = [("reporting", "0004_chinese_field_names"), ("ledger", "0016_chinese_field_names")]


@pytest.mark.django_db(transaction=True)
def test_a_report_submitted_before_the_date_was_kept_takes_it_from_the_audit_log() -> None:
    """Reports already in review when the submission day became a column show the day of their
    last submission (the audit log has it), not a blank; drafts stay without one."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_SUBMITTED_ON)
    old = executor.loader.project_state(BEFORE_SUBMITTED_ON).apps
    OldAgency, OldReport = old.get_model("accounts", "Agency"), old.get_model("reporting", "AnnualReport")
    OldEvent = old.get_model("ledger", "Event")
    dept = OldAgency.objects.create(name="某市商务局", code="SWJ")
    for year, state in ((2025, "published"), (2026, "review"), (2024, "draft")):
        OldReport.objects.create(agency=dept, year=year, state=state)
    for year, day in ((2026, dt.date(2027, 1, 8)), (2026, dt.date(2027, 1, 13)), (2025, dt.date(2026, 1, 9))):
        OldEvent.objects.create(agency=dept, on=day, event="report.submit", label=f"{year}年度报告：提交审核")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from ogi.web.reporting.models import AnnualReport

    got = dict(AnnualReport.objects.values_list("year", "submitted_on"))
    assert got == {2026: dt.date(2027, 1, 13), 2025: dt.date(2026, 1, 9), 2024: None}


BEFORE_CORRECTIONS = [("reporting", "0005_report_submitted_on")]


@pytest.mark.django_db(transaction=True)
def test_a_report_published_before_corrections_keeps_its_published_copy_as_first_version() -> None:
    """Reports published before published versions were kept have their published copy as
    version 1 (a correction started later keeps it as the version before); drafts have none."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_CORRECTIONS)
    old = executor.loader.project_state(BEFORE_CORRECTIONS).apps
    OldAgency, OldReport = old.get_model("accounts", "Agency"), old.get_model("reporting", "AnnualReport")
    dept = OldAgency.objects.create(name="某市商务局", code="SWJ")
    frozen = {"edition": "2021", "agency": "某市商务局", "year": 2025, "cells": {}}
    OldReport.objects.create(agency=dept, year=2025, state="published", frozen=frozen, slug="swj-2025",
                             issued_on=dt.date(2026, 1, 18), published_on=dt.date(2026, 1, 20))
    OldReport.objects.create(agency=dept, year=2026, state="draft")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from ogi.web.reporting.models import AnnualReport, PublishedVersion

    [v] = PublishedVersion.objects.all()
    assert (v.report.year, v.number, v.frozen, v.issued_on, v.published_on, v.reason) == (
        2025, 1, frozen, dt.date(2026, 1, 18), dt.date(2026, 1, 20), "")
    assert AnnualReport.objects.get(year=2025).corrected_on is None
