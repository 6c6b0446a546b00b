"""Export of the request list to XLSX with 100 000 rows: seconds and peak memory, this
version and the previous one (model instances and a calendar lookup per row) interleaved,
and the bare library (XlsxWriter writing the same cells from a list, no database) as the
floor. Memory is the growth of the process's peak resident set during each export (Linux:
reset through /proc/self/clear_refs), so the workbook's own buffers count too; the same
export over a tenth of the rows shows whether memory grows with the rows. The ledger of
bench/ledger.py on SQLite in a temporary data directory, or on PostgreSQL when
OGI_DATABASE_URL is set.

    python bench/export.py [requests] [rounds]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO

os.environ.setdefault("OGI_DATA_DIR", tempfile.mkdtemp(prefix="ogi-bench-"))
sys.path.insert(0, os.path.dirname(__file__))

import xlsxwriter
from django.contrib.auth import get_user_model

from ledger import TODAY, fill
from ogi.web.ledger import export, search
from ogi.workflow.requests import due_of


def previous_write(found: search.Search, day: dt.date) -> tuple[IO[bytes], int]:
    """export.write as it was: a model instance per row, its display methods, due_of with the
    calendar looked up per row."""
    out = tempfile.TemporaryFile()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet("申请台账")
    head = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    cols = export.COLUMNS + (export.PERSONAL if found.personal else []) + export.REST
    for c, (_, title, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(0, c, title, head)
    ws.freeze_panes(1, 0)
    n = 0
    for r in found.qs.iterator(chunk_size=2000):
        d = due_of(r, day)
        values = {"tracking_no": r.tracking_no, "agency": r.agency.name, "channel": r.get_channel_display(),
                  "submitted_on": r.submitted_on, "received_on": r.received_on, "category": r.get_applicant_category_display(),
                  "name": r.applicant_name, "id_no": r.applicant_id_no, "contact": r.applicant_contact, "content": r.content,
                  "state": r.state_label, "outcome": r.outcome_label, "answered_on": r.answered_on, "closed_on": r.closed_on,
                  "due": d.due, "due_note": f"推定：{d.provisional_reason_zh}" if d.provisional else ""}
        n += 1
        for c, (key, _, _) in enumerate(cols):
            v = values[key]
            if isinstance(v, dt.date):
                ws.write_datetime(n, c, dt.datetime(v.year, v.month, v.day), date)
            elif v:
                ws.write_string(n, c, str(v))
    ws.autofilter(0, 0, max(n, 1), len(cols) - 1)
    wb.close()
    out.seek(0)
    return out, n


def bare_write(rows: list[list[object]]) -> tuple[IO[bytes], int]:
    """The floor: XlsxWriter in the same mode writing the same cells, taken from a list."""
    out = tempfile.TemporaryFile()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet("申请台账")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for n, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(n, c, v, date)
            elif v:
                ws.write_string(n, c, str(v))
    wb.close()
    out.seek(0)
    return out, len(rows)


def _peak_rss_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets the peak resident set (VmHWM)
        return True
    except OSError:
        return False


def _peak_rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(run: Callable[[], tuple[IO[bytes], int]]) -> tuple[int, float, int, int]:
    """(rows, seconds, growth of the resident set during the run in bytes, file size)."""
    can = _peak_rss_reset()
    base = _rss() if can else 0
    t0 = time.perf_counter()
    fh, rows = run()
    seconds = time.perf_counter() - t0
    peak = _peak_rss() - base if can else 0
    size = fh.seek(0, 2)
    fh.close()
    return rows, seconds, peak, size


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    fill(n)
    users = get_user_model().objects
    # The supervisor sees every agency's requests (without personal data); the clerk their own
    # agency's half, with the applicant's name, ID and contact.
    cases = [("supervisor, all", users.get(username="bench-sup"), {}), ("clerk, own agency", users.get(username="bench"), {}),
             ("supervisor, one year", users.get(username="bench-sup"), {"year": "2025"})]
    import django

    print(f"database: {django.db.connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, user, params in cases:
        found = search.find(user, params)
        now, before = [], []
        for _ in range(rounds):
            now.append(measure(lambda found=found: export.write(found, TODAY)))
            before.append(measure(lambda found=found: previous_write(found, TODAY)))
        rows, s_now, peak_now, size = min(now, key=lambda m: m[1])
        _, s_before, peak_before, _ = min(before, key=lambda m: m[1])
        print(f"{name:20} {rows:6} rows ({size / 2**20:.1f} MB): {s_now:5.1f} s ({rows / s_now:6.0f} rows/s), memory "
              f"+{peak_now / 2**20:.1f} MiB at peak; previous {s_before:5.1f} s, +{peak_before / 2**20:.1f} MiB; "
              f"time ratio {s_now / s_before:.2f}")
    # The floor: the same cells, already in a list.
    found = search.find(users.get(username="bench-sup"), {})
    cells = []
    for r in found.qs.values_list("tracking_no", "agency__name", "channel", "submitted_on", "received_on", "applicant_category",
                                  "content", "state", "outcome", "answered_on", "closed_on").iterator(chunk_size=2000):
        cells.append([dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) else v for v in r])
    rows, s_bare, _, _ = measure(lambda: bare_write(cells))
    print(f"bare XlsxWriter, same cells from a list: {rows} rows {s_bare:.1f} s ({rows / s_bare:.0f} rows/s); "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
