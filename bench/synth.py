"""Accuracy and speed on a synthetic corpus made from the development corpus
(`ogi.corpus.synth`): cells right / wrongly filled / missed, injected defects found, and
read+check reports per second per file type (CPU time, one process).

    python bench/synth.py            # 400 reports
    python bench/synth.py 2000 DIR   # 2 000 reports, kept in DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
SOURCES = [*sorted((SHARED / "seeds").glob("*.txt")), *sorted((SHARED / "corpus" / "text").glob("*")),
           SHARED / "corpus" / "html" / "shuyang-fgj-2023.html", SHARED / "corpus" / "docx" / "shuyang-fgj-2023.docx",
           *sorted((SHARED / "corpus" / "pdf").glob("*.pdf"))]


def main() -> None:
    from ogi.checks import check
    from ogi.corpus.synth import Accuracy, make_corpus, score
    from ogi.ingest.load import load_report

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="ogi-synth-"))
    sources = [load_report(p) for p in SOURCES]
    t = time.process_time()
    made = list(make_corpus(sources, n, out))
    make_s = time.process_time() - t
    acc = Accuracy(files=n)
    per_type: dict[str, list[float]] = defaultdict(list)
    wrong_files = []
    for m in made:
        t = time.process_time()
        read = load_report(m.file)
        found = check(read)
        per_type[m.file.suffix].append(time.process_time() - t)
        if score(m.report, read, acc):
            wrong_files.append(m.file.name)
        if m.defect:
            acc.defects += 1
            acc.defects_found += any(m.defect in f.cells and f.severity == "error" for f in found)
    print(f"{n} synthetic reports from {len(sources)} real ones in {out} (made in {make_s:.1f} s CPU)")
    print(f"cells right {acc.cells_right}, wrongly filled {acc.wrongly_filled}, missed {acc.missed}"
          + (f" (files: {', '.join(wrong_files[:5])})" if wrong_files else ""))
    print(f"injected defects found {acc.defects_found}/{acc.defects}")
    for ext, times in sorted(per_type.items()):
        print(f"{ext:>6}: {len(times) / sum(times):7.1f} reports/s read+check (CPU, one process)")


if __name__ == "__main__":
    main()
