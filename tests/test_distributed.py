"""The run on a Dask cluster (ogi.corpus.distributed): a local cluster of two workers,
one of them killed mid-run; a run stopped by Ctrl-C and one killed outright, each
resumed without any file being done twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ogi.corpus.distributed import JOURNAL, Journal, cluster, distribute, expand

from .conftest import SEED_2019, SEED_2020

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def client():
    with cluster(workers=2, dashboard=False) as c:
        yield c


def _files(folder: Path, n: int) -> list[str]:
    """`n` reports (the two seed reports under other names) and one file that is not one."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"r{i:03d}.txt"
        shutil.copy(SEED_2019 if i % 2 else SEED_2020, p)
        out.append(str(p))
    bad = folder / "broken.bin"
    bad.write_bytes(bytes(range(256)) * 8)
    return [*out, str(bad)]


def _rows(out: Path) -> list[dict]:
    return pq.read_table(out / "files").to_pylist()


def test_a_worker_killed_mid_run_loses_no_file(client, tmp_path):
    files = _files(tmp_path / "in", 8)
    pids = client.run(os.getpid)
    killed: list[str] = []

    def kill_one(_outcome, counts):
        if killed or counts.files < 2:
            return
        busy = [a for a, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    counts = distribute(files, tmp_path / "ds", client, batch=4, on_result=kill_one)
    assert killed, "no worker was busy to be killed"
    rows = _rows(tmp_path / "ds")
    assert sorted(r["file"] for r in rows) == sorted(files)  # every file, each once
    by_file = {r["file"]: r for r in rows}
    assert by_file[files[-1]]["ok"] is False and by_file[files[-1]]["error_code"] == "binary"
    assert all(by_file[f]["ok"] for f in files[:-1])
    assert counts.files == len(files) and counts.unreadable == 1 and not counts.interrupted
    assert not (tmp_path / "ds" / JOURNAL).exists()
    reports = pq.read_table(tmp_path / "ds" / "reports").num_rows
    assert reports == len(files) - 1


def test_stopped_run_resumes_and_does_nothing_twice(client, tmp_path):
    files = _files(tmp_path / "in", 9)
    out = tmp_path / "ds"

    def stop(_outcome, counts):
        if counts.files == 4:
            raise KeyboardInterrupt  # what Ctrl-C does in the loop

    first = distribute(files, out, client, batch=100, on_result=stop)
    assert first.interrupted and first.files == 4 and first.across == 0
    assert len(_rows(out)) == 4  # the journal was written out on the way out
    second = distribute(files, out, client, batch=100)
    assert second.skipped == 4 and second.submitted == len(files) - 4 and second.files == len(files) - 4
    assert sorted(r["file"] for r in _rows(out)) == sorted(files)
    third = distribute(files, out, client)
    assert third.submitted == 0 and third.files == 0 and third.skipped == len(files)


def test_killed_run_resumes_from_its_journal(client, tmp_path):
    files = _files(tmp_path / "in", 8)
    out = tmp_path / "ds"
    # The whole command, killed (SIGKILL: no chance to write anything out) once a few
    # results are in its journal and before any Parquet part is written (--batch 1000).
    child = subprocess.Popen([sys.executable, "-m", "ogi.cli", "distribute", *files, "-o", str(out), "-w", "1",
                              "--batch", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    journal = Journal(out)
    deadline = time.monotonic() + 45
    try:
        while len(journal.replay()) < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    journaled = {o.file for o in journal.replay()}
    stderr = child.stderr.read().decode() if child.stderr else ""
    assert len(journaled) >= 3, stderr
    assert "Dask 仪表板：http://" in stderr  # the dashboard's address, printed first
    assert not (out / "files").exists()  # nothing had reached Parquet: all of it is in the journal
    counts = distribute(files, out, client)
    assert counts.replayed == len(journaled) and counts.submitted == len(files) - len(journaled)
    assert sorted(r["file"] for r in _rows(out)) == sorted(files)


def test_a_collection_folder_stands_for_its_reports(tmp_path):
    from ogi.corpus.store import Row, Store

    store = Store(tmp_path / "c")
    store.record(Row(url="http://x/a.html", role="column", status=200, file_type="html"), b"<html>column</html>")
    store.record(Row(url="http://x/r.html", role="report", status=200, file_type="html"), b"<html>report</html>")
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "b.txt").write_text("x", encoding="utf-8")
    names = expand([tmp_path / "c", loose, "given.pdf"])
    assert len(names) == 3 and names[0].endswith(".html") and "/reports/" in names[0]
    assert names[1:] == [str(loose / "b.txt"), "given.pdf"]


def test_cli_bad_scheduler_and_output_are_one_chinese_line(tmp_path):
    files = _files(tmp_path / "in", 1)
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    for extra, message in ((["-o", tmp_path / "ds", "--scheduler", "nonsense"], "调度器地址无效"),
                           (["-o", tmp_path / "taken"], "不是目录")):
        r = subprocess.run([sys.executable, "-m", "ogi.cli", "distribute", *files, *map(str, extra)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
