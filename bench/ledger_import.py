"""Import of an existing ledger of 10 000 rows (XLSX): seconds for the preview (every row
checked, then rolled back) and for the import, and the re-run of the same file (nothing
new). Fresh SQLite database in a temporary data directory, or PostgreSQL when
OGI_DATABASE_URL is set.

    python bench/ledger_import.py [rows]
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
import time

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ogi.web.settings"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from ogi.web.accounts.models import Agency, Staff  # noqa: E402
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    call_command("migrate", interactive=False, verbosity=0)
    agency, _ = Agency.objects.get_or_create(name="导入基准测试局", code="DRJ")
    user = get_user_model().objects.create_user(f"import-bench-{time.time_ns()}", password="x")
    Staff.objects.create(user=user, agency=agency, role="clerk")
    data = workbook(n)
    t0 = time.perf_counter()
    table = imp.read_table(data, "ledger.xlsx")
    mapping = imp.guess_mapping(table.headers)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    preview = imp.run(user, table, mapping, commit=False)
    preview_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = imp.run(user, table, mapping, commit=True)
    commit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = imp.run(user, table, mapping, commit=True)
    again_s = time.perf_counter() - t0
    print(f"database: {django.db.connection.vendor}; {n} rows ({len(data) / 2**20:.1f} MB): read {read:.1f} s, "
          f"preview {preview_s:.1f} s ({n / preview_s:.0f} rows/s, {preview.count('rejected')} rejected), "
          f"import {commit_s:.1f} s ({done.count('new')} new, committed={done.committed}), "
          f"same file again {again_s:.1f} s ({again.count('new')} new, {again.count('duplicate')} skipped); "
          f"{Request.objects.filter(agency=agency).count()} requests in the ledger")


if __name__ == "__main__":
    main()
