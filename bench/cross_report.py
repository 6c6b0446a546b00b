"""The cross-report passes at 1 000 / 10 000 / 100 000 synthetic reports: CPU time, time per
report relative to the smallest size (1.0 = linear), and peak memory of the passes.

The reports are made in memory, as the passes see them: agencies with two or three
consecutive years (one in ten written without its city the second year), narratives
mostly their own (a shared template sentence in most, as real reports have), 3 % copied
from another agency of the same year, 2 % copied from the agency's previous report.
Each size runs in its own process so that peak memory is its own.

    python bench/cross_report.py                 # 1 000, 10 000, 100 000
    python bench/cross_report.py 1000 5000       # other sizes
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000)
WORDS = [chr(c) for c in range(0x4E00 + 500, 0x4E00 + 3500)]
TEMPLATES = ["我单位认真贯彻落实中华人民共和国政府信息公开条例，按照上级统一部署扎实推进政务公开工作。",
             "坚持以公开为常态、不公开为例外，进一步提升政府信息公开工作的质量和实效。",
             "下一步将继续加强政府信息公开队伍建设，强化业务培训，提升工作人员的业务水平。"]


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(18, 40))) + "。"


def make(n: int, seed: int = 1) -> list:
    from ogi.report import Report, Value

    rng = random.Random(seed)
    reports: list[Report] = []
    zero, one = Value("value", 0, "0"), Value("value", 1, "1")
    cells = {f"requests.carried_{d}.{c}": zero for d in ("in", "out") for c in ("natural", "total")}
    while len(reports) < n:
        a = len(reports)
        city, dept = f"第{a}市", rng.choice(["商务局", "教育局", "人民政府", "财政局", "司法局"])
        first = rng.choice([2021, 2022])
        for k in range(rng.choice([2, 3])):
            agency = f"{city}{rng.choice('东西南')}{a}区{dept}" if k == 0 else reports[-1].agency
            if k and rng.random() < 0.1:
                agency = agency.removeprefix(city)
            text = ([rng.choice(TEMPLATES)] if rng.random() < 0.8 else []) + [_sentence(rng) for _ in range(8)]
            if k and rng.random() < 0.02:
                text = reports[-1].sections["overview"].split("\n")  # last year's, copied
            elif len(reports) > 10 and rng.random() < 0.03:
                text = reports[rng.randrange(len(reports) - 10, len(reports))].sections["overview"].split("\n")
            r = Report(edition="2021", agency=agency, year=first + k, cells=dict(cells))
            r.sections["overview"] = "\n".join(text)
            if rng.random() < 0.05:
                r.cells["requests.carried_in.natural"] = one  # does not chain
            reports.append(r)
    return reports[:n]


def _passes(n: int) -> dict:
    from ogi.checks.continuity import check_appeals, check_carried, check_in_force
    from ogi.checks.similarity import check_copied
    from ogi.corpus.dataset import compare

    reports = make(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict = {"n": n}
    for name, run in [("continuity", lambda: sum(1 for f in (check_carried, check_in_force, check_appeals) for _ in f(reports))),
                      ("similarity", lambda: sum(1 for _ in check_copied(reports))),
                      ("compare", lambda: len(compare([(str(i), r, None) for i, r in enumerate(reports)],
                                                      [[] for _ in reports])["agencies"]))]:
        # CPU time, not wall time: the machine is shared and other work must not count.
        t = time.process_time()
        out[f"{name}_count"] = run()
        out[f"{name}_s"] = time.process_time() - t
    out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    out["reports_mb"] = base / 1024
    return out


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(_passes(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    rows = []
    for n in sizes:
        env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, env=env, check=True)
        rows.append(json.loads(done.stdout))
    print(f"{'reports':>8} {'continuity s':>13} {'similarity s':>13} {'compare s':>10} "
          f"{'per report vs smallest':>24} {'findings':>9} {'agencies':>9} {'passes peak MB':>15}")
    first = rows[0]
    for r in rows:
        total = sum(r[f"{k}_s"] for k in ("continuity", "similarity", "compare"))
        total0 = sum(first[f"{k}_s"] for k in ("continuity", "similarity", "compare"))
        ratio = (total / r["n"]) / (total0 / first["n"])
        print(f"{r['n']:>8} {r['continuity_s']:>13.2f} {r['similarity_s']:>13.2f} {r['compare_s']:>10.2f} "
              f"{ratio:>23.2f}× {r['continuity_count'] + r['similarity_count']:>9} {r['compare_count']:>9} {r['peak_mb']:>15.0f}")


if __name__ == "__main__":
    main()
