"""Compiling one year's report from 50 000 requests (goal: under 1 s): the counting
alone, and from the ledger database (SQLite in a temporary data directory, or PostgreSQL
when OGI_DATABASE_URL is set) including the query.

    python bench/compile.py [requests]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from ogi.records.compile import RequestRecord, compile_report  # noqa: E402
from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes  # noqa: E402
from ogi.web.accounts.models import Agency  # noqa: E402
from ogi.web.ledger.models import Request  # noqa: E402
from ogi.web.reporting.services import compile_agency  # noqa: E402

YEAR = 2025


def records(n: int) -> list[RequestRecord]:
    rng = random.Random(3)
    codes, cats = list(outcomes()), list(APPLICANT_CATEGORIES)
    out = []
    for i in range(n):
        received = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
        done = received + dt.timedelta(days=rng.randrange(10, 40))
        out.append(RequestRecord(f"R{i}", received, rng.choice(cats), rng.choice(codes), done if done.year == YEAR else None))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    recs = records(n)
    t0 = time.perf_counter()
    c = compile_report("基准测试局", YEAR, recs)
    counting = time.perf_counter() - t0
    assert c.report.cells["requests.new.total"].value == n
    print(f"counting {n} requests: {counting:.3f} s {'ok' if counting < 1 else 'MISSED'} (goal < 1 s)")

    call_command("migrate", interactive=False, verbosity=0)
    agency, _ = Agency.objects.get_or_create(name="基准测试局", code="BMC")
    if not Request.objects.filter(agency=agency).exists():
        Request.objects.bulk_create([
            Request(agency=agency, tracking_no=f"BMC-{YEAR}-{i:06d}", channel="online", submitted_on=r.received_on,
                    received_on=r.received_on, applicant_category=r.category, applicant_name="张三", content="基准测试",
                    state="answered" if r.done_on else "registered", outcome=r.outcome if r.done_on else None, answered_on=r.done_on)
            for i, r in enumerate(recs)], batch_size=5000)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        c = compile_agency(agency, YEAR)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"from the {django.db.connection.vendor} ledger (query + counting): best of 3 {best:.3f} s "
          f"{'ok' if best < 1 else 'MISSED'} (goal < 1 s)")


if __name__ == "__main__":
    main()
