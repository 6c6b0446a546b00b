"""Accuracy of ogi's readers on the development corpus against the hand-typed ground truth
(tests/data/truth). Prints, per file and per file type and variant: cells right / cells
scored, cells wrongly filled (the worst error), cells missed, cells the file itself does
not print, cells left in doubt (`cell.uncertain`, counted among the missed), and how many
files had agency, year, issued_on and published_on right.

Variants besides the files themselves: each report as a crawler's plain-text extraction
with the cells of every row run together (`flat`: one row per line; `flat-inline`: the
whole report in one paragraph), built from the truth files; with --ocr, each PDF as a scan
(pages rendered at 150 dpi, tests/scans.py): `scan-scanner` (blur, grey paper, noise, JPEG),
`scan-faded` (grey ink, heavy noise and blur), `scan-phone` (perspective, a turn, light
from one side, JPEG), and a 2019-edition report with signed 本年增/减 written by ogi's own
PDF writer (`signed-2019`), as its text-layer PDF and the same three scans.

    python bench/accuracy.py [--ocr]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ogi.corpus.truth import METADATA, Score, Truth, load_truth, metadata_right, score
from ogi.corpus.variants import flattened
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.ingest.text import read_text
from ogi.render import render
from ogi.report import Report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.scans import scanned_pdf, signed_report, signed_truth  # noqa: E402

SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
TRUTH = ROOT / "tests" / "data" / "truth"
SCANS = ("scanner", "faded", "phone")
HEADER = (f"{'right/scored':>13} {'wrong':>6} {'missed':>7} {'in doubt':>9} {'not printed':>12}"
          f"  metadata right ({'/'.join(METADATA)})")


def _scans(data: bytes, name: str) -> list[tuple[str, Report]]:
    out = []
    for kind in SCANS:
        t0 = time.perf_counter()
        scan = scanned_pdf(data, kind)
        out.append((f"scan-{kind}", locate(read_bytes(scan, name))))
        print(f"  ({name} as scan-{kind}: {time.perf_counter() - t0:.1f} s)", flush=True)
    return out


def _runs(truth: Truth, path: Path, with_ocr: bool) -> list[tuple[str, Report]]:
    runs = [(path.suffix.lstrip(".") or "txt", load_report(path))]
    if with_ocr and path.suffix == ".pdf":
        runs += _scans(path.read_bytes(), path.name)
    runs.append(("flat", locate(read_text(flattened(truth)))))
    runs.append(("flat-inline", locate(read_text(flattened(truth, inline=True)))))
    return runs


def _signed_runs() -> tuple[Truth, list[tuple[str, Report]]]:
    made = signed_report(SHARED / "seeds" / "000_9e37d6351cd66a1a.txt")
    pdf = render(made, "pdf")
    return signed_truth(made), [("signed-2019 pdf", locate(read_bytes(pdf, "signed.pdf"))),
                                *((f"signed-2019 {k}", r) for k, r in _scans(pdf, "signed.pdf"))]


def main() -> None:
    with_ocr = "--ocr" in sys.argv
    by_type: dict[str, Score] = {}
    doubt: dict[str, int] = {}
    meta: dict[str, dict[str, int]] = {}
    files: dict[str, int] = {}
    print(f"{'file':44} {HEADER}")
    work: list[tuple[Truth, list[tuple[str, Report]]]] = []
    for tf in sorted(TRUTH.glob("*.yaml")):
        truth = load_truth(tf)
        path = SHARED / ("corpus/" + truth.file if not truth.file.startswith("seeds/") else truth.file)
        work.append((truth, _runs(truth, path, with_ocr)))
    if with_ocr:
        work.append(_signed_runs())
    for truth, runs in work:
        for kind, report in runs:
            s = score(report, truth)
            in_doubt = len({c for u in report.uncertain for c in u.get("cells", ())})
            by_type.setdefault(kind, Score()).add(s)
            doubt[kind] = doubt.get(kind, 0) + in_doubt
            m = metadata_right(report, truth)
            files[kind] = files.get(kind, 0) + 1
            for k, ok in m.items():
                meta.setdefault(kind, dict.fromkeys(METADATA, 0))[k] += ok
            name = f"{truth.file}" + (f" [{kind}]" if kind.startswith(("scan", "flat", "signed")) else "")
            flags = " ".join("✓" if m[k] else "✗" for k in METADATA)
            print(f"{name[:44]:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {in_doubt:>9} {s.lost_by_file:>12}  {flags}")
            if s.wrong_cells:
                print(f"    wrong: {', '.join(s.wrong_cells[:8])}{' …' if len(s.wrong_cells) > 8 else ''}")
    print()
    print(f"{'by file type and variant':44} {HEADER}")
    for kind, s in sorted(by_type.items()):
        pct = 100 * s.right / s.total if s.total else 0
        md = "/".join(str(meta[kind][k]) for k in METADATA)
        print(f"{kind:44} {s.right:>6}/{s.total:<6} {s.wrong:>6} {s.missed:>7} {doubt[kind]:>9} {s.lost_by_file:>12}  "
              f"{md} of {files[kind]}   {pct:.1f}% right")


if __name__ == "__main__":
    main()
