"""Import and check of a region's reports: N report files (the two bundled samples written
out as Markdown under N agencies' names with narratives of their own, and as ZIP) read, matched to the tree, versioned
and checked together — reports per second, in one process and in one per core.

    python bench/supervise_import.py [reports]
"""

from __future__ import annotations

import copy
import os
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from ogi.ingest.load import load_report
from ogi.render import render
from ogi.supervision.collect import collect
from ogi.supervision.tree import build_region

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "ogi" / "data" / "samples"


WORDS = "信息公开政务服务平台建设制度规范办理答复申请群众企业数据开放解读回应监督考核培训队伍网站专栏基层标准化"


def narrative(rng: random.Random) -> str:
    """Sentences of the agency's own (one in twenty copies another's: 年年雷同 happens)."""
    return "".join("本机关" + "".join(rng.choice(WORDS) for _ in range(rng.randint(14, 30))) + "。" for _ in range(8))


def make(n: int, folder: Path) -> list[tuple[int | None, dict[str, str]]]:
    base = [load_report(p) for p in sorted(SAMPLES.glob("*.txt"))]
    rng = random.Random(5)
    tree = []
    texts: list[str] = []
    for i in range(n):
        r = copy.deepcopy(base[i % len(base)])
        r.agency = f"基准市第{i}局"
        r.title = None
        texts.append(rng.choice(texts) if texts and rng.random() < 0.05 else narrative(rng))
        r.sections = {**r.sections, "overview": texts[-1], "problems": narrative(rng)}
        (folder / f"{i:05d}.md").write_bytes(render(r, "md"))
        tree.append((None, {"name": r.agency, "level": "市级", "kind": "部门"}))
    return tree


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        region, problems = build_region(make(n, folder))
        assert not problems
        z = Path(tmp) / "reports.zip"
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
            for f in sorted(folder.iterdir()):
                out.write(f, f.name)
        for name, source, jobs in [("folder, 1 process", folder, 1), (f"folder, {os.cpu_count()} processes", folder, None),
                                   ("ZIP, 1 process", z, 1)]:
            t0 = time.perf_counter()
            c = collect(region, [source], jobs=jobs)
            dt = time.perf_counter() - t0
            assert len(c.current) == n and not c.queue and not c.unreadable, (len(c.current), len(c.queue), len(c.unreadable))
            print(f"{name:22} {n} reports in {dt:6.1f} s   {n / dt:6.1f} reports/s")


if __name__ == "__main__":
    main()
