"""Accuracy of ogi's readers on the development corpus against the hand-typed ground truth
(tests/data/truth). Prints, per file and per file type: cells right / cells scored, cells
wrongly filled (the worst error), cells missed, and cells the file itself does not print.

    python bench/accuracy.py [--ocr]      # --ocr also reads each PDF as a scan
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ogi.corpus.truth import Score, load_truth, score
from ogi.ingest.document import Document
from ogi.ingest.load import load_report
from ogi.ingest.locate import locate
from ogi.ingest.ocr import ocr_pdf_pages

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
TRUTH = ROOT / "tests" / "data" / "truth"


def main() -> None:
    with_ocr = "--ocr" in sys.argv
    by_type: dict[str, Score] = {}
    print(f"{'file':44} {'right/scored':>13} {'wrong':>6} {'missed':>7} {'not printed':>12}")
    for tf in sorted(TRUTH.glob("*.yaml")):
        truth = load_truth(tf)
        path = SHARED / ("corpus/" + truth.file if not truth.file.startswith("seeds/") else truth.file)
        runs = [(path.suffix.lstrip(".") or "txt", load_report(path))]
        if with_ocr and path.suffix == ".pdf":
            import pypdfium2 as pdfium

            t0 = time.perf_counter()
            n = len(pdfium.PdfDocument(path.read_bytes()))
            pages = ocr_pdf_pages(path.read_bytes(), list(range(1, n + 1)))
            doc = Document([b for p in sorted(pages) for b in pages[p]], file=str(path), kind="ocr")
            runs.append(("scan", locate(doc)))
            print(f"  (OCR of {n} pages: {time.perf_counter() - t0:.1f} s, {(time.perf_counter() - t0) / n:.1f} s/page)")
        for kind, report in runs:
            s = score(report, truth)
            by_type.setdefault(kind, Score()).add(s)
            name = f"{truth.file}" + (" [as scan]" if kind == "scan" else "")
            print(f"{name:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {s.lost_by_file:>12}")
            if s.wrong_cells:
                print(f"    wrong: {', '.join(s.wrong_cells[:8])}{' …' if len(s.wrong_cells) > 8 else ''}")
    print()
    print(f"{'by file type':44} {'right/scored':>13} {'wrong':>6} {'missed':>7} {'not printed':>12}")
    for kind, s in sorted(by_type.items()):
        pct = 100 * s.right / s.total if s.total else 0
        print(f"{kind:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {s.lost_by_file:>12}   {pct:.1f}%")


if __name__ == "__main__":
    main()
