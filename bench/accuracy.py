"""Accuracy of ogi's readers on the development corpus against the hand-typed ground truth
(tests/data/truth). Prints, per file and per file type and variant: cells right / cells
scored, cells wrongly filled (the worst error), cells missed, cells the file itself does
not print, and how many files had agency, year, issued_on and published_on right.

Variants besides the files themselves: each report as a crawler's plain-text extraction
with the cells of every row run together (`flat`: one row per line; `flat-inline`: the
whole report in one paragraph), built from the truth files.

    python bench/accuracy.py [--ocr]      # --ocr also reads each PDF as a scan
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ogi.corpus.truth import METADATA, Score, Truth, load_truth, metadata_right, score
from ogi.corpus.variants import flattened
from ogi.ingest.document import Document
from ogi.ingest.load import load_report
from ogi.ingest.locate import locate
from ogi.ingest.ocr import ocr_pdf_pages
from ogi.ingest.text import read_text
from ogi.report import Report

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
TRUTH = ROOT / "tests" / "data" / "truth"
HEADER = f"{'right/scored':>13} {'wrong':>6} {'missed':>7} {'not printed':>12}  metadata right ({'/'.join(METADATA)})"


def _runs(truth: Truth, path: Path, with_ocr: bool) -> list[tuple[str, Report]]:
    runs = [(path.suffix.lstrip(".") or "txt", load_report(path))]
    if with_ocr and path.suffix == ".pdf":
        import pypdfium2 as pdfium

        t0 = time.perf_counter()
        n = len(pdfium.PdfDocument(path.read_bytes()))
        pages = ocr_pdf_pages(path.read_bytes(), list(range(1, n + 1)))
        doc = Document([b for p in sorted(pages) for b in pages[p]], file=str(path), kind="ocr")
        runs.append(("scan", locate(doc)))
        print(f"  (OCR of {n} pages: {time.perf_counter() - t0:.1f} s, {(time.perf_counter() - t0) / n:.1f} s/page)")
    runs.append(("flat", locate(read_text(flattened(truth)))))
    runs.append(("flat-inline", locate(read_text(flattened(truth, inline=True)))))
    return runs


def main() -> None:
    with_ocr = "--ocr" in sys.argv
    by_type: dict[str, Score] = {}
    meta: dict[str, dict[str, int]] = {}
    files: dict[str, int] = {}
    print(f"{'file':44} {HEADER}")
    for tf in sorted(TRUTH.glob("*.yaml")):
        truth = load_truth(tf)
        path = SHARED / ("corpus/" + truth.file if not truth.file.startswith("seeds/") else truth.file)
        for kind, report in _runs(truth, path, with_ocr):
            s = score(report, truth)
            by_type.setdefault(kind, Score()).add(s)
            m = metadata_right(report, truth)
            files[kind] = files.get(kind, 0) + 1
            for k, ok in m.items():
                meta.setdefault(kind, dict.fromkeys(METADATA, 0))[k] += ok
            name = f"{truth.file}" + (f" [{kind}]" if kind in ("scan", "flat", "flat-inline") else "")
            flags = " ".join("✓" if m[k] else "✗" for k in METADATA)
            print(f"{name:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {s.lost_by_file:>12}  {flags}")
            if s.wrong_cells:
                print(f"    wrong: {', '.join(s.wrong_cells[:8])}{' …' if len(s.wrong_cells) > 8 else ''}")
    print()
    print(f"{'by file type and variant':44} {HEADER}")
    for kind, s in sorted(by_type.items()):
        pct = 100 * s.right / s.total if s.total else 0
        md = "/".join(str(meta[kind][k]) for k in METADATA)
        print(f"{kind:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {s.lost_by_file:>12}  {md} of {files[kind]}"
              f"   {pct:.1f}% right")


if __name__ == "__main__":
    main()
