"""Server time of the supervising office's dashboard, ranking, timeliness and benchmarks
pages for a region of 5000 agencies × 3 years of collected reports (goal: p95 under
300 ms), both warm (the office's reports unchanged since the last request) and cold (the
first request after one report changed: what an office sees right after an upload). A
fresh SQLite database in a temporary data directory, or PostgreSQL when OGI_DATABASE_URL
is set. Rows are made from one real report (the 2020 sample) with its figures varied.

With --against REV (e.g. main), the same pages are served by that version too (its src/
taken with `git archive`), each version in its own process on the same database, the
requests interleaved round by round so that both see the same load.

    python bench/supervise_pages.py [agencies] [rounds] [--against REV] [--samples]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from previous import previous_src

YEARS = (2023, 2024, 2025)
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "ogi" / "data" / "samples" / "lvyuan-swj-2020.txt"
PAGES = [("dashboard", "/supervision/dashboard/?year=2025"), ("ranking", "/supervision/2025/ranking/"),
         ("timeliness", "/supervision/2025/timeliness/"), ("benchmarks", "/supervision/2025/benchmarks/")]
GOAL_MS = 300


def _django() -> None:
    os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"
    import django

    django.setup()


def fill(n: int) -> int:
    """The region (once per data directory); returns the office's id."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ogi.checks import check
    from ogi.ingest.load import load_report
    from ogi.web.accounts.models import Agency, Staff
    from ogi.web.supervision.models import CollectedReport
    from ogi.web.supervision.services import table_figures

    call_command("migrate", interactive=False, verbosity=0)
    office = Agency.objects.filter(code="BMOFFICE").first()
    if office is not None:
        return office.pk
    rng = random.Random(11)
    office = Agency.objects.create(name="基准市人民政府", code="BMOFFICE", kind="government", level="city")
    user = get_user_model().objects.create_user("bench", password="bench")
    Staff.objects.create(user=user, agency=office, role="supervisor")
    counties = [Agency(name=f"基准区{i}人民政府", code=f"BMC{i}", kind="government", level="county", parent=office)
                for i in range(max(1, n // 50))]  # at least one county, however small the region
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
    return office.pk


def serve() -> None:
    """One version's server: reads `warm URL` or `cold ROW URL` lines, answers the
    milliseconds of the request (cold: after row ROW was changed)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from ogi.web.supervision.models import CollectedReport

    c = Client()
    c.force_login(get_user_model().objects.get(username="bench"))  # the login form's throttling needs a request
    for line in sys.stdin:
        mode, *rest = line.split()
        url = rest[-1]
        if mode == "cold":
            CollectedReport.objects.filter(pk=int(rest[0])).update(updated_at=timezone.now())
        else:
            c.get(url)  # warm: computed once before
        t0 = time.perf_counter()
        resp = c.get(url)
        ms = (time.perf_counter() - t0) * 1000
        assert resp.status_code in (200, 404), (url, resp.status_code)
        print(f"{ms:.3f}" if resp.status_code == 200 else "nan", flush=True)  # 404: a page this version has not


class Server:
    def __init__(self, src: Path | None):
        env = dict(os.environ)
        if src is not None:
            env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True)

    def ask(self, line: str) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20)[18] if len(ms) >= 2 else ms[0]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
    if against in args:
        args.remove(against)
    n = int(args[0]) if args else 5000
    rounds = int(args[1]) if len(args) > 1 else 20
    _django()
    t0 = time.perf_counter()
    office = fill(n)
    from django.db import connection

    from ogi.web.supervision.models import CollectedReport

    count = CollectedReport.objects.filter(office_id=office).count()
    changed = list(CollectedReport.objects.filter(office_id=office, state="current", year=YEARS[-1]).values_list("pk", flat=True))
    connection.close()
    print(f"database: {connection.vendor}, {n} agencies, {count} reports, filled in {time.perf_counter() - t0:.0f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="ogi-bench-previous-") as tmp:
        versions = {"this": Server(None)}
        if against:
            versions[against] = Server(previous_src(against, Path(tmp)))
        rng = random.Random(5)
        times: dict[tuple[str, str, str], list[float]] = {}
        try:
            for r in range(rounds):
                order = list(versions) if r % 2 == 0 else list(reversed(versions))
                for name, url in PAGES:
                    # Cold: one report of the year shown changed just before (the same one for each version).
                    row = rng.choice(changed)
                    for mode in ("warm", "cold"):
                        for v in order:
                            line = f"cold {row} {url}" if mode == "cold" else f"warm {url}"
                            ms = versions[v].ask(line)
                            if ms == ms:  # not NaN
                                times.setdefault((name, mode, v), []).append(ms)
        finally:
            for s in versions.values():
                s.close()
    print(f"load average after: {os.getloadavg()[0]:.1f}; {rounds} rounds, versions interleaved")
    if "--samples" in sys.argv:
        for (name, mode, v), ms in sorted(times.items()):
            print(f"  {name} {mode} {v}: " + " ".join(f"{x:.0f}" for x in ms))
    for name, _ in PAGES:
        for mode in ("warm", "cold"):
            ms = times[(name, mode, "this")]
            line = (f"{name:11} {mode}  p50 {statistics.median(ms):7.1f} ms  p95 {_p95(ms):7.1f} ms  "
                    f"{'ok' if _p95(ms) < GOAL_MS else 'MISSED'} (goal p95 < {GOAL_MS} ms)")
            old = times.get((name, mode, against or ""))
            if old:
                line += f"   {against}: p50 {statistics.median(old):8.1f} ms  p95 {_p95(old):8.1f} ms  p95 ratio {_p95(ms) / _p95(old):.2f}"
            print(line)


if __name__ == "__main__":
    serve() if "--serve" in sys.argv else main()
