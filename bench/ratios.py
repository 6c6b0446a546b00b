"""Per file type, ogi's read+check time as a ratio to the bare library on the same files,
the two interleaved in one run (so both see the same machine load), CPU time; and the
start-up of `ogi check` on one small file against `python -c pass`.

Goals (issue 15): HTML ≤ 3× lxml, text ≤ 8× a regex baseline, XLSX ≤ 3× openpyxl
read-only, start-up of `ogi check` ≤ 120 ms.

    python bench/ratios.py [--against REV] [--startup-only]
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from previous import previous_src

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGI_SHARED", ROOT.parent / "shared"))
ROUNDS = 30
GOALS = {"html": 3.0, "text": 8.0, "xlsx": 3.0}
# The baseline of a text report: decode it and look for each of 60 labels.
_LABELS = [re.compile(re.escape(w)) for w in ("规章", "规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费",
                                              "政府集中采购", "新收政府信息公开申请", "上年结转", "予以公开", "部分公开",
                                              "不予公开", "无法提供", "不予处理", "其他处理", "总计", "结转下年度",
                                              "行政复议", "行政诉讼", "维持", "纠正", "其他结果", "尚未审结")] * 3


def _bare_html(data: bytes) -> int:
    import lxml.html

    doc = lxml.html.fromstring(data)
    return sum(len(td.text_content()) for td in doc.iter("td", "th"))


def _bare_text(data: bytes) -> int:
    text = data.decode("utf-8", errors="replace")
    return sum(1 for p in _LABELS[:60] if p.search(text))


def _bare_xlsx(data: bytes) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    wb.close()
    return n


def _inputs() -> dict[str, list[tuple[str, bytes]]]:
    from ogi.ingest.load import load_report
    from ogi.render import render

    text = [*sorted((SHARED / "seeds").glob("*.txt")), *sorted((SHARED / "corpus" / "text").glob("*"))]
    # ogi's own workbooks of the real reports (merged ranges, formulas), as agencies fill them in.
    xlsx = [(p.name + ".xlsx", render(load_report(p), "xlsx")) for p in text[:4]]
    return {"html": [(p.name, p.read_bytes()) for p in sorted((SHARED / "corpus" / "html").glob("*.html"))],
            "text": [(p.name, p.read_bytes()) for p in text], "xlsx": xlsx}


def _ogi(data: bytes, name: str) -> int:
    from ogi.checks import check
    from ogi.ingest.load import read_bytes
    from ogi.ingest.locate import locate

    return len(check(locate(read_bytes(data, name))))


def ratios() -> None:
    bare = {"html": _bare_html, "text": _bare_text, "xlsx": _bare_xlsx}
    inputs = _inputs()
    print(f"{'type':6} {'ogi ms/file':>12} {'library ms/file':>16} {'ratio':>7} {'goal':>6}")
    for kind, files in inputs.items():
        for name, data in files:  # warm: caches, imports, the editions
            _ogi(data, name)
            bare[kind](data)
        t_ogi = t_lib = 0.0
        for _ in range(ROUNDS):
            for name, data in files:
                t = time.process_time()
                _ogi(data, name)
                t_ogi += time.process_time() - t
                t = time.process_time()
                bare[kind](data)
                t_lib += time.process_time() - t
        n = ROUNDS * len(files)
        ratio = t_ogi / t_lib
        print(f"{kind:6} {1000 * t_ogi / n:>12.2f} {1000 * t_lib / n:>16.2f} {ratio:>6.1f}× {'≤ ' + str(GOALS[kind]):>6}"
              f" {'ok' if ratio <= GOALS[kind] else 'MISSED'}")


def startup(runs: int = 9, against: str | None = None) -> None:
    """CPU time (user + system, of the command and its reading worker) of `ogi check --json`
    on one small report, against `python -c pass`, interleaved; median of `runs`. Measured
    as installed: with every module's bytecode cached (in a cache of its own, written by a
    first run, since the environment may keep bytecode from being written beside the sources).
    With `against` (a git revision), that version's src/ is measured in the same rounds."""
    import resource
    import tempfile

    seed = sorted((SHARED / "seeds").glob("*.txt"))[0]

    def child_cpu(cmd: list[str], env: dict[str, str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    ogi = [sys.executable, "-m", "ogi.cli", "check", "--json", str(seed)]
    bare = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        envs = {"now": {**base, "PYTHONPATH": str(ROOT / "src"), "PYTHONPYCACHEPREFIX": f"{tmp}/now"}}
        if against:
            envs[against] = {**base, "PYTHONPATH": str(previous_src(against, Path(tmp))),
                             "PYTHONPYCACHEPREFIX": f"{tmp}/before"}
        for env in envs.values():
            child_cpu(ogi, env)  # writes the bytecode
        times: dict[str, list[float]] = {name: [] for name in [*envs, "bare"]}
        for _ in range(runs):
            for name, env in envs.items():
                times[name].append(child_cpu(ogi, env))
            times["bare"].append(child_cpu(bare, envs["now"]))
    med = {name: sorted(t)[runs // 2] for name, t in times.items()}
    o, b = med["now"], med["bare"]
    line = (f"start-up of `ogi check --json` on {seed.name}: {1000 * o:.0f} ms CPU (median of {runs}), "
            f"`python -c pass` {1000 * b:.0f} ms ({o / b:.1f}×); goal ≤ 120 ms {'ok' if o <= 0.12 else 'MISSED'}")
    if against:
        line += f"; {against}: {1000 * med[against]:.0f} ms (now ÷ {against} {o / med[against]:.2f})"
    print(line + f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    rev = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
    if "--startup-only" not in sys.argv:
        ratios()
    startup(15 if rev else 9, rev)
