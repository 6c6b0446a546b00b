"""The bounded workers take small files several at a time; a worker that dies or runs out
of memory in the middle of its hand costs only the file it was reading, and the files it
had not begun are read by another worker."""

from __future__ import annotations

import os
import signal

import pytest

from ogi.ingest import bounded
from ogi.ingest.limits import Limits
from ogi.report import Report

from .conftest import SEED_2019, SEED_2020


@pytest.fixture
def files(tmp_path):
    """Small report files; reading one named crash-* kills its worker, one named oom-*
    runs out of memory (the workers are forked, so they read with this module's _read)."""
    if bounded._context(Limits()).get_start_method() != "fork":
        pytest.skip("the workers are forked (and read with this module's _read) only from a small process without threads")
    out = []
    for i, name in enumerate(["a", "b", "crash-c", "d", "oom-e", "f", "g", "h", "i", "j", "k"]):
        p = tmp_path / f"{name}.txt"
        p.write_bytes((SEED_2019 if i % 2 else SEED_2020).read_bytes())
        out.append(p)
    return out


def _faulty_read(read):
    def faulty(task):
        name = os.path.basename(task.file)
        if name.startswith("crash-"):
            os.kill(os.getpid(), signal.SIGKILL)
        if name.startswith("oom-"):
            raise MemoryError
        return read(task)
    return faulty


def test_a_worker_lost_mid_hand_costs_only_its_file(files, monkeypatch):
    monkeypatch.setattr(bounded, "_read", _faulty_read(bounded._read))
    started: list[tuple[str, int]] = []
    results = {r.index: r for r in bounded.read_many(files, Limits(timeout_s=60), jobs=1,
                                                     on_start=lambda i, f, pid: started.append((f, pid)))}
    assert sorted(results) == list(range(len(files)))
    names = [p.stem for p in files]
    assert results[names.index("crash-c")].error.code == "worker_killed"
    assert results[names.index("oom-e")].error.code == "memory"
    for i, name in enumerate(names):
        if name not in ("crash-c", "oom-e"):
            assert results[i].ok and results[i].report is not None, name
    # Every file was begun once, in order, and three workers read them: the first until the
    # crash, the second until it ran out of memory, the third the rest.
    assert [os.path.basename(f) for f, _ in started] == [p.name for p in files]
    pids = [pid for _, pid in started]
    assert len(set(pids)) == 3 and pids == sorted(pids, key=pids.index)


def test_small_files_share_a_hand_large_ones_go_alone(tmp_path):
    small = tmp_path / "small.txt"
    small.write_bytes(SEED_2019.read_bytes())
    big = tmp_path / "big.txt"
    big.write_bytes(SEED_2019.read_bytes() + b"\n" * (bounded._SMALL_BYTES + 1))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    tasks = [bounded._task(i, str(p), None, True) for i, p in enumerate([small, small, big, small, scan, small])]
    assert [t.small for t in tasks] == [True, True, False, True, False, True]
    pending = bounded.deque(tasks)
    hands = []
    while pending:
        hands.append([t.index for t in bounded._batch(pending, bounded._AHEAD)])
    assert hands == [[0, 1], [2], [3], [4], [5]]


def test_a_process_already_near_the_cap_starts_its_workers_clean(monkeypatch):
    # A forked worker inherits its parent's address space: past half the cap it could
    # hardly allocate, so the workers come from a fork server instead.
    monkeypatch.setattr(bounded, "address_space_mb", lambda: 2000.0)
    assert bounded._context(Limits(memory_mb=3072)).get_start_method() == "forkserver"
    [r] = bounded.read_many([SEED_2019], Limits(memory_mb=3072, timeout_s=60), jobs=1)
    assert r.ok and r.report is not None and r.report.agency == "开封市商务局"


class _Kept(Report):
    """A Report of a kind of its own (pickled by reference, so at module level)."""


def test_a_report_comes_back_from_its_process_whole():
    """What a reading process sends back (a Report pickled with its cells as columns) is the
    Report it read: every field, every cell in its order, Decimal amounts, notes, a source
    shared by two cells still shared, and a subclass still itself."""
    import pickle
    from decimal import Decimal

    from ogi.ingest.load import load_report
    from ogi.report import Value

    for seed in (SEED_2019, SEED_2020):
        report = load_report(seed)
        back = pickle.loads(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == report and list(back.cells) == list(report.cells)
    where = {"page": 3, "box": [1.0, 2.0, 3.0, 4.0]}
    odd = _Kept(edition="gb2021", agency="某局", year=2024, notices=[{"code": "cut", "message_zh": "截断"}],
               cells={"b": Value("value", Decimal("12.50"), "12.50", where), "a": Value("missing", None, "x", where, "扫描件中未能识别")})
    back = pickle.loads(pickle.dumps(odd))
    assert type(back) is _Kept and back == odd and list(back.cells) == ["b", "a"]
    assert back.cells["b"].source is back.cells["a"].source and back.cells["b"].value == Decimal("12.50")


def test_files_read_one_after_another_through_the_library_are_each_counted_alone():
    """The cells of a file's tables are counted against document_cells per file. Counted for
    the whole thread, the library refused every file after some 2 500 reports (here: after
    two, with the limit at 1.5 reports' cells); a file over the limit is still refused."""
    import subprocess
    import sys

    from .conftest import CORPUS

    page = CORPUS / "html" / "shuyang-fgj-2023.html"
    code = f"""
from pathlib import Path
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.errors import IngestError
cells = sum(len(r) for t in read_bytes(Path({str(page)!r}).read_bytes(), "p.html").tables for r in t.rows)
print(cells)
"""
    cells = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    loop = code + f"""
for _ in range(5):
    assert load_report(Path({str(page)!r})).cells
rows = "".join("<tr>" + "<td>1</td>" * 10 + "</tr>" for _ in range(cells // 5))
try:
    read_bytes(f"<html><body><table>{{rows}}</table></body></html>".encode(), "big.html")
except IngestError as e:
    print(e.code, e.limit)
"""
    env = {**os.environ, "OGI_LIMIT_DOCUMENT_CELLS": str(cells * 3 // 2)}
    done = subprocess.run([sys.executable, "-c", loop], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split()[-2:] == ["too_large", "document_cells"]
