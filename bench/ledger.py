"""Server time of the inbox and the filtered request list with 100 000 requests in the
database (goal: p95 under 200 ms). Runs on a fresh SQLite database in a temporary data
directory, or on PostgreSQL when OGI_DATABASE_URL is set.

    python bench/ledger.py [requests] [rounds]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from ogi.records.outcomes import APPLICANT_CATEGORIES, outcomes  # noqa: E402
from ogi.web.accounts.models import Agency, Staff  # noqa: E402
from ogi.web.ledger.models import Request  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def fill(n: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    if Request.objects.count() >= n:
        return
    rng = random.Random(7)
    agencies = [Agency.objects.get_or_create(name=f"基准测试局{i}", code=f"BM{i}")[0] for i in range(2)]
    user = get_user_model().objects.create_user("bench", password="bench")
    Staff.objects.create(user=user, agency=agencies[0], role="clerk")
    codes = list(outcomes())
    cats = list(APPLICANT_CATEGORIES)
    batch = []
    start = dt.date(2019, 1, 2)
    span = (TODAY - start).days
    for i in range(n):
        received = start + dt.timedelta(days=int(span * (i / n)))
        recent = (TODAY - received).days < 40
        open_states = ["registered", "registered", "correction", "answered"]
        state = rng.choice(open_states) if recent else rng.choice(["answered", "archived", "closed"])
        agency = agencies[i % 2]
        batch.append(Request(
            agency=agency, tracking_no=f"{agency.code}-{received.year}-{i:06d}", channel="online", submitted_on=received,
            received_on=received, applicant_category=rng.choice(cats), applicant_name="张三", content="基准测试",
            state=state, outcome=None if state in ("registered", "correction") else rng.choice(codes),
            answered_on=None if state in ("registered", "correction") else received + dt.timedelta(days=15),
            correction_requested_on=received + dt.timedelta(days=2) if state == "correction" else None,
            correction_due=received + dt.timedelta(days=25) if state == "correction" else None))
        if len(batch) == 5000:
            Request.objects.bulk_create(batch)
            batch = []
    Request.objects.bulk_create(batch)


def timed(client: Client, url: str, rounds: int) -> list[float]:
    client.get(url)  # warm up
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        resp = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    t0 = time.perf_counter()
    fill(n)
    print(f"database: {django.db.connection.vendor}, {Request.objects.count()} requests "
          f"({Request.objects.filter(state__in=['registered', 'correction']).count()} open), filled in {time.perf_counter() - t0:.0f} s")
    c = Client()
    assert c.login(username="bench", password="bench")
    pages = [("inbox", "/"), ("list, all", "/requests/"), ("list, filtered", "/requests/?state=answered&category=natural&year=2024"),
             ("list, page 20", "/requests/?page=20"), ("list, by number", "/requests/?q=BM0-2025"),
             ("search, name", "/requests/?q=%E5%BC%A0"), ("search, content", "/requests/?q=%E6%B5%8B%E8%AF%95&sort=tracking_no"),
             ("search, no match", "/requests/?q=%E4%B8%8D%E5%AD%98%E5%9C%A8"), ("filter, overdue", "/requests/?due=overdue"),
             ("filter, dates+sort", "/requests/?from=2024-01-01&to=2024-06-30&sort=-state&page=3")]
    for name, url in pages:
        ms = timed(c, url, rounds)
        p95 = statistics.quantiles(ms, n=20)[18]
        print(f"{name:18} p50 {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   {'ok' if p95 < 200 else 'MISSED'} (goal p95 < 200 ms)")


if __name__ == "__main__":
    main()
