"""Server time of the supervising office's dashboard, ranking and timeliness pages for a
region of 5000 agencies × 3 years of collected reports (goal: p95 under 300 ms). A fresh
SQLite database in a temporary data directory, or PostgreSQL when OGI_DATABASE_URL is set.
Rows are made from one real report (the 2020 sample) with its figures varied.

    python bench/supervise_pages.py [agencies] [rounds]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from ledger import timed  # noqa: E402  (the same timing as the ledger bench, bench/ on sys.path)
from ogi.checks import check  # noqa: E402
from ogi.ingest.load import load_report  # noqa: E402
from ogi.web.accounts.models import Agency, Staff  # noqa: E402
from ogi.web.supervision.models import CollectedReport  # noqa: E402
from ogi.web.supervision.services import table_figures  # noqa: E402

YEARS = (2023, 2024, 2025)
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ogi" / "data" / "samples" / "lvyuan-swj-2020.txt"


def fill(n: int) -> Agency:
    call_command("migrate", interactive=False, verbosity=0)
    office = Agency.objects.filter(code="BMOFFICE").first()
    if office is not None:
        return office
    rng = random.Random(11)
    office = Agency.objects.create(name="基准市人民政府", code="BMOFFICE", kind="government", level="city")
    user = get_user_model().objects.create_user("bench", password="bench")
    Staff.objects.create(user=user, agency=office, role="supervisor")
    counties = [Agency(name=f"基准区{i}人民政府", code=f"BMC{i}", kind="government", level="county", parent=office)
                for i in range(n // 50)]
    Agency.objects.bulk_create(counties)
    counties = list(Agency.objects.filter(code__startswith="BMC"))
    rest = []
    for i in range(n - len(counties) - 1):
        county = counties[i % len(counties)]
        if i % 10 == 0:
            rest.append(Agency(name=f"基准街道{i}", code=f"BMT{i}", kind="government", level="township", parent=county))
        else:
            rest.append(Agency(name=f"基准局{i}", code=f"BMD{i}", parent=county if i % 3 else office))
    Agency.objects.bulk_create(rest, batch_size=2000)
    report = load_report(SAMPLE)
    base_figures = table_figures(report)
    findings = [f.to_json() for f in check(report)]
    rows = []
    for a in Agency.objects.filter(code__startswith="BM").exclude(pk=office.pk):
        for year in YEARS:
            if rng.random() < 0.05:
                continue  # not found
            fig = {k: v + rng.randint(0, 30) for k, v in base_figures.items()}
            rows.append(CollectedReport(
                office=office, agency=a, year=year, printed_agency=a.name, file_name=f"{a.code}-{year}.txt", content=b"",
                sha256="0", report={}, findings=findings[: rng.randint(0, len(findings))] * rng.randint(1, 3), figures=fig,
                repetition={"previous": round(rng.random(), 4), "sibling": round(rng.random() * 0.6, 4)},
                published_on=dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(0, 80)), state="current"))
    CollectedReport.objects.bulk_create(rows, batch_size=2000)
    return office


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    t0 = time.perf_counter()
    office = fill(n)
    count = CollectedReport.objects.filter(office=office).count()
    print(f"database: {django.db.connection.vendor}, {n} agencies, {count} reports, filled in {time.perf_counter() - t0:.0f} s")
    c = Client()
    c.force_login(get_user_model().objects.get(username="bench"))  # the login form's throttling needs a request
    pages = [("dashboard", "/supervision/dashboard/?year=2025"), ("ranking", "/supervision/2025/ranking/"),
             ("timeliness", "/supervision/2025/timeliness/")]
    for name, url in pages:
        ms = timed(c, url, rounds)
        p95 = statistics.quantiles(ms, n=20)[18]
        print(f"{name:12} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   p95/goal {p95 / 300:.2f} "
              f"{'ok' if p95 < 300 else 'MISSED'} (goal p95 < 300 ms)")


if __name__ == "__main__":
    main()
