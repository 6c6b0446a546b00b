"""Import of an existing ledger of 10 000 rows (XLSX): seconds for the preview (every row
checked, then rolled back) and for the import, and the re-run of the same file (nothing
new); this version, the previous one and this one without the search index's triggers,
interleaved round by round. Fresh SQLite database in a temporary data directory, or
PostgreSQL when OGI_DATABASE_URL is set.

    python bench/ledger_import.py [rows] [rounds]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from unittest import mock

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from ogi.web.accounts.models import Agency, Staff  # noqa: E402
from ogi.web.ledger import fulltext, services  # noqa: E402
from ogi.web.ledger import ledger_import as imp  # noqa: E402
from ogi.web.ledger.models import Request  # noqa: E402

HEADERS = ["序号", "申请方式", "收到日期", "申请人类型", "申请人", "联系电话", "申请内容", "答复结果", "答复日期"]


def workbook(n: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for i in range(n):
        received = dt.date(2025, 1, 2) + dt.timedelta(days=i % 330)
        answered = i % 4 != 0
        ws.append([f"2025-{i:05d}", ["网上申请", "当面提交", "邮寄"][i % 3], received.isoformat(),
                   ["自然人", "商业企业", "法律服务机构"][i % 3], f"申请人{i}", f"138{i:08d}", f"第{i}号地块的征收补偿方案",
                   ["予以公开", "部分公开", "本机关不掌握相关政府信息"][i % 3] if answered else "",
                   (received + dt.timedelta(days=14)).isoformat() if answered else ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@contextlib.contextmanager
def previous() -> Iterator[None]:
    """The import as it was: the user's staff record looked up again for every row, and each
    row saved whole after registration."""
    register, save = services.register, Request.save

    def register_each(user, data, agency=None, *, staff=None):  # type: ignore[no-untyped-def]
        return register(user, data, agency)

    def save_whole(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.pop("update_fields", None)
        return save(self, *args, **kwargs)

    with mock.patch.object(services, "register", register_each), mock.patch.object(Request, "save", save_whole):
        yield


@contextlib.contextmanager
def without_index() -> Iterator[None]:
    """The ledger without the full-text index's triggers: what the index costs a write."""
    fulltext.uninstall(connection)
    try:
        yield
    finally:
        fulltext.install(connection)


def one(n: int, data: bytes) -> tuple[float, float, float, float, int]:
    """(read, preview, import, the same file again) seconds and the rows imported, for a new agency."""
    run = time.time_ns()
    agency = Agency.objects.create(name=f"导入基准测试局{run}", code=f"DR{run}"[:20])
    user = get_user_model().objects.create_user(f"import-bench-{run}", password="x")
    Staff.objects.create(user=user, agency=agency, role="clerk")
    t0 = time.perf_counter()
    table = imp.read_table(data, "ledger.xlsx")
    mapping = imp.guess_mapping(table.headers)
    t1 = time.perf_counter()
    preview = imp.run(user, table, mapping, commit=False)
    t2 = time.perf_counter()
    done = imp.run(user, table, mapping, commit=True)
    t3 = time.perf_counter()
    again = imp.run(user, table, mapping, commit=True)
    t4 = time.perf_counter()
    assert preview.count("rejected") == 0 and done.committed and again.count("new") == 0
    assert Request.objects.filter(agency=agency).count() == n
    return t1 - t0, t2 - t1, t3 - t2, t4 - t3, done.count("new")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    call_command("migrate", interactive=False, verbosity=0)
    data = workbook(n)
    print(f"database: {django.db.connection.vendor}; {n} rows ({len(data) / 2**20:.1f} MB); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    variants = [("now", contextlib.nullcontext), ("previous import", previous), ("now, no search index", without_index)]
    results: dict[str, list[tuple[float, float, float, float, int]]] = {}
    for _ in range(rounds):
        for name, context in variants:
            with context():
                results.setdefault(name, []).append(one(n, data))
    for name, _ in variants:
        read, preview, commit, again, new = min(results[name], key=lambda r: r[1] + r[2])
        print(f"{name:22} read {read:4.1f} s, preview {preview:5.1f} s ({n / preview:4.0f} rows/s), import {commit:5.1f} s "
              f"({new} new), same file again {again:4.1f} s (0 new)")
    now, before = min(results["now"], key=lambda r: r[1] + r[2]), min(results["previous import"], key=lambda r: r[1] + r[2])
    print(f"preview + import, now / previous: {(now[1] + now[2]) / (before[1] + before[2]):.2f}; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
