"""Reading speed and memory per file type: files per second (one core) and the peak
memory of a process that reads only that type.

Goals (issue 3): HTML/DOCX/XLSX >= 50 reports/s per core; PDF with text >= 5 reports/s;
OCR <= 5 s per page on this 2-core machine and under 1.5 GB of memory.

    python bench/speed.py            # every type, each in its own process
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
GOALS = {"txt": (">=", 200, "reports/s"), "html": (">=", 50, "reports/s"), "docx": (">=", 50, "reports/s"),
         "xlsx": (">=", 50, "reports/s"), "pdf": (">=", 5, "reports/s"), "pdf-2cores": (">=", 5, "reports/s"),
         "ocr": ("<=", 5, "s/page")}


def _xlsx_sample() -> bytes:
    """A workbook holding a real report's tables (淮安市 2024), as agencies collect them."""
    import openpyxl

    from ogi.ingest.load import load_report

    r = load_report(CORPUS / "pdf/huaian-gov-2024.pdf")
    ed = r.edition_obj
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in ed.tables:
        ws = wb.create_sheet(f"表{t.number}")
        for b in t.blocks:
            if b.heading:
                ws.append([b.heading])
            ws.append(["", *(c.label for c in b.columns)] if not b.transposed else [c.label for _ in b.rows for c in b.columns])
            if b.transposed:
                ws.append([r.cells[b.cell_id(row, c)].number for row in b.rows for c in b.columns])
            else:
                for row in b.rows:
                    ws.append([row.label, *(r.cells[b.cell_id(row, c)].number for c in b.columns)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _inputs(kind: str) -> list[tuple[str, bytes]]:
    if kind == "txt":
        paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((CORPUS / "text").glob("*"))
    elif kind == "xlsx":
        return [("huaian.xlsx", _xlsx_sample())]
    elif kind in ("pdf", "ocr", "pdf-2cores"):
        paths = sorted((CORPUS / "pdf").glob("*.pdf"))
    else:
        paths = sorted((CORPUS / kind).glob(f"*.{kind}"))
    return [(p.name, p.read_bytes()) for p in paths]


def measure(kind: str) -> dict:
    from ogi.checks import check
    from ogi.ingest.load import read_bytes
    from ogi.ingest.locate import locate

    files = _inputs(kind)
    if kind == "ocr":
        import pypdfium2 as pdfium

        from ogi.ingest.ocr import ocr_pdf_pages

        name, data = next((n, d) for n, d in files if n.startswith("huaian"))
        pages = list(range(1, len(pdfium.PdfDocument(data)) + 1))
        ocr_pdf_pages(data, [pages[0]])  # load the models outside the timing
        t0 = time.perf_counter()
        ocr_pdf_pages(data, pages)
        per_page = (time.perf_counter() - t0) / len(pages)
        value = per_page
        detail = f"{len(pages)} pages of {name}"
    elif kind == "pdf-2cores":
        # The batch path of `ogi check` on many files: one process per core.
        import tempfile

        from ogi.corpus.batch import read_many

        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i in range(60):
                name, data = files[i % len(files)]
                p = Path(tmp) / f"{i}-{name}"
                p.write_bytes(data)
                paths.append(p)
            t0 = time.perf_counter()
            results = read_many(paths, jobs=os.cpu_count() or 2)
            value = len(results) / (time.perf_counter() - t0)
            assert all(r is not None for _, r, _ in results)
        detail = f"{len(paths)} files on {os.cpu_count()} processes (ogi check -j)"
    else:
        for name, data in files:
            check(locate(read_bytes(data, name)))
        n = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 5 or n < 20:
            name, data = files[n % len(files)]
            check(locate(read_bytes(data, name)))
            n += 1
        value = n / (time.perf_counter() - t0)
        detail = f"{n} reads of {len(files)} files"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"type": kind, "value": value, "detail": detail, "max_rss_mib": rss}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--type":
        print(json.dumps(measure(sys.argv[2])))
        return
    print(f"{'type':6} {'result':>16} {'goal':>14} {'peak RSS':>10}  inputs")
    for kind, (op, goal, unit) in GOALS.items():
        out = subprocess.run([sys.executable, __file__, "--type", kind], capture_output=True, text=True, check=True,
                             env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")})
        m = json.loads(out.stdout.strip().splitlines()[-1])
        ok = m["value"] >= goal if op == ">=" else m["value"] <= goal
        print(f"{kind:6} {m['value']:>9.1f} {unit:9} {op + ' ' + str(goal):>8} {'ok' if ok else 'MISSED':>5}"
              f" {m['max_rss_mib']:>7.0f} MiB  {m['detail']}")


if __name__ == "__main__":
    main()
