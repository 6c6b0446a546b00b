"""Seconds per scanned page, read and located, this version against a previous one (a git
revision, by default the parent of the first commit that checked the scans' figures),
side by side: each round reads the same scans once with each version, in fresh processes,
in alternating order, so that a changing machine load weighs on both.

    python bench/scan_speed.py [--base REV] [--rounds N]

The scans are tests/scans.py's: 淮安市 2024 (6 pages) as a flatbed scan and as a phone's,
both at 150 dpi. Models are loaded before the timing.
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

from previous import previous_src

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
BASE = "a9f6d6d"

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ogi.ingest.load import read_bytes
from ogi.ingest.locate import locate
from ogi.ingest.ocr import ocr_image
import numpy as np
ocr_image(np.full((200, 400, 3), 255, np.uint8))  # the models, loaded outside the timing
out = {}
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    t = time.perf_counter()
    locate(read_bytes(data, path))
    out[path] = time.perf_counter() - t
print(json.dumps(out))
"""


def _run(src: Path, scans: list[Path]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    p = subprocess.run([sys.executable, "-c", _CHILD, str(src), *map(str, scans)], capture_output=True, text=True,
                       env=env, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default=BASE)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import pypdfium2 as pdfium
    from tests.scans import scanned_pdf

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        previous_src(args.base, base)
        pdf = (SHARED / "corpus/pdf/huaian-gov-2024.pdf").read_bytes()
        pages = len(pdfium.PdfDocument(pdf))
        scans = []
        for kind in ("scanner", "phone"):
            scans.append(Path(tmp) / f"huaian-{kind}.pdf")
            scans[-1].write_bytes(scanned_pdf(pdf, kind))
        times: dict[str, dict[str, list[float]]] = {"this": {}, "base": {}}
        versions = [("this", ROOT / "src"), ("base", base / "src")]
        for r in range(args.rounds):
            for name, src in versions if r % 2 == 0 else versions[::-1]:
                for path, secs in _run(src, scans).items():
                    times[name].setdefault(Path(path).stem, []).append(secs / pages)
        print(f"{'scan':18} {'this s/page':>12} {'base s/page':>12} {'ratio':>7}   (base = {args.base}, {args.rounds} rounds)")
        for stem in times["this"]:
            a, b = statistics.median(times["this"][stem]), statistics.median(times["base"][stem])
            print(f"{stem:18} {a:>12.2f} {b:>12.2f} {a / b:>7.2f}")


if __name__ == "__main__":
    main()
