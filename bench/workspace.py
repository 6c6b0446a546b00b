"""Server time of the annual report's pages with a year of 50 000 requests: the workspace of a
draft (compiled from the records on each page, once per request), a section saved while
typing (the htmx request that runs the checks again), a cell's drill-down, and the public
page of a published report (served as frozen, nothing compiled).

Runs the same pages against another checkout side by side (`--against DIR`, e.g. a worktree
of the previous release: its `src` is put first on the path of a second process), on fresh
SQLite databases, and prints the medians and the ratio.

    python bench/workspace.py [--requests 50000] [--rounds 5] [--against /path/to/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

YEAR = 2025


def measure(n: int, rounds: int) -> dict[str, float]:
    """In this process: fill a database, then time each page `rounds` times (ms)."""
    import datetime as dt
    import random
    import time

    os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-ws-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"
    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    def model(name: str):  # type: ignore[no-untyped-def]
        # The models lived in the ledger app before the apps were split; either layout works here.
        for label in ("accounts", "reporting", "ledger"):
            try:
                return apps.get_model(label, name)
            except LookupError:
                continue
        raise LookupError(name)

    Agency, Staff, Request, AnnualReport = (model(m) for m in ("Agency", "Staff", "Request", "AnnualReport"))
    call_command("migrate", interactive=False, verbosity=0)
    agency = Agency.objects.create(name="基准测试局", code="BM")
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Staff.objects.create(user=user, agency=agency, role="clerk")
    rng = random.Random(7)
    cats = ["natural", "commercial", "research", "nonprofit", "legal_service", "other_org"]
    outs = ["granted", "partial", "unavailable.not_held", "not_processed.duplicate", "withheld.state_secret"]
    rows = []
    for i in range(n):
        received = dt.date(YEAR, 1, 2) + dt.timedelta(days=i * 360 // n)
        done = i % 10 != 0
        rows.append(Request(agency=agency, tracking_no=f"BM-{YEAR}-{i:06d}", channel="online", submitted_on=received,
                            received_on=received, applicant_category=rng.choice(cats), applicant_name="张三", content="基准测试",
                            state="answered" if done else "registered", outcome=rng.choice(outs) if done else None,
                            answered_on=received + dt.timedelta(days=10) if done else None))
    Request.objects.bulk_create(rows, batch_size=5000)
    Request.objects.bulk_create([Request(agency=agency, tracking_no=f"BM-{YEAR - 1}-{i:06d}", channel="online",
                                         submitted_on=dt.date(YEAR - 1, 6, 1), received_on=dt.date(YEAR - 1, 6, 1),
                                         applicant_category="natural", applicant_name="李四", content="上年",
                                         state="answered", outcome="granted", answered_on=dt.date(YEAR - 1, 6, 20))
                                 for i in range(n // 10)], batch_size=5000)
    c = Client()
    c.force_login(user)
    c.get(f"/reports/{YEAR}/")  # the first look (and, in the previous release, the row it created)
    # A second agency's published report, frozen as approved: what the public reads.
    published = Agency.objects.create(name="已发布局", code="FB")
    Request.objects.bulk_create([Request(agency=published, tracking_no=f"FB-{YEAR}-{i:06d}", channel="online",
                                         submitted_on=dt.date(YEAR, 3, 1), received_on=dt.date(YEAR, 3, 1),
                                         applicant_category="natural", applicant_name="王五", content="公开",
                                         state="answered", outcome="granted", answered_on=dt.date(YEAR, 3, 10))
                                 for i in range(n)], batch_size=5000)
    reviewer = get_user_model().objects.create_user("bench-r", password="bench-password-1")
    Staff.objects.create(user=reviewer, agency=published, role="admin")
    r = Client()
    r.force_login(reviewer)
    r.get(f"/reports/{YEAR}/")
    r.post(f"/reports/{YEAR}/sections/problems/", {"text": "（一）存在的主要问题：……（二）改进情况：……"})  # section 五, the office's own
    r.post(f"/reports/{YEAR}/state/submit/", {"acknowledge": "1"})
    approver = get_user_model().objects.create_user("bench-a", password="bench-password-1")
    Staff.objects.create(user=approver, agency=published, role="reviewer")
    a = Client()
    a.force_login(approver)  # who submitted does not approve
    for event in ("approve", "publish"):
        a.post(f"/reports/{YEAR}/state/{event}/", {"acknowledge": "1"})
    slug = AnnualReport.objects.get(agency=published, year=YEAR).slug
    pages = {
        "workspace (draft)": lambda: c.get(f"/reports/{YEAR}/"),
        "section saved (htmx)": lambda: c.post(f"/reports/{YEAR}/sections/problems/", {"text": f"改进措施{time.time()}"},
                                               HTTP_HX_REQUEST="true"),
        "cell drill-down": lambda: c.get(f"/reports/{YEAR}/cells/requests.new.natural/", HTTP_HX_REQUEST="true"),
        "public page (published)": lambda: Client().get(f"/public/reports/{slug}/"),
    }
    out = {}
    for name, page in pages.items():
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            resp = page()
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, (name, resp.status_code)
        out[name] = statistics.median(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--against", type=Path, help="another checkout to measure side by side (its src/ first on the path)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests, args.rounds)))
        return
    runs = {"this": None, "against": args.against}
    results = {}
    for label, checkout in runs.items():
        if label == "against" and checkout is None:
            continue
        env = {**os.environ, "OGI_DATA_DIR": tempfile.mkdtemp(prefix=f"ogi-bench-ws-{label}-")}
        if checkout is not None:
            env["PYTHONPATH"] = str(checkout / "src")
        done = subprocess.run([sys.executable, __file__, "--child", "--requests", str(args.requests), "--rounds", str(args.rounds)],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{label}: {done.stderr[-3000:]}")
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"server time per page, median of {args.rounds}, {args.requests} requests in the year (ms)")
    for page, ms in results["this"].items():
        line = f"  {page:26s} {ms:9.1f}"
        if "against" in results:
            before = results["against"][page]
            line += f"   before {before:9.1f}   ratio {ms / before:5.2f}"
        print(line)


if __name__ == "__main__":
    main()
