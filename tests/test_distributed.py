"""The run on a Dask cluster (ogi.corpus.distributed): a local cluster of two workers,
each task writing its batch into the dataset; one worker killed mid-run; a task that
fails split down to the file at fault; a run stopped by Ctrl-C and one killed outright,
each resumed without any file being done twice."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ogi.corpus.distributed import batches, cluster, distribute, expand, warm
from ogi.corpus.parquet import RUN, TMP, done_files

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


def _whole(out: Path, files: list[str]) -> None:
    """Every file once; each report once, with its cells; nothing half-written left."""
    rows = _rows(out)
    assert sorted(r["file"] for r in rows) == sorted(files)
    ids = [r["report_id"] for r in rows if r["ok"]]
    reports = pq.read_table(out / "reports").column("report_id").to_pylist()
    assert sorted(reports) == sorted(ids)
    cells = Counter(pq.read_table(out / "cells", columns=["report_id"]).column("report_id").to_pylist())
    assert set(cells) == set(ids) and set(cells.values()) <= {198, 200}  # each report's cells once
    batches = {p.name for p in (out / "files").glob("*.parquet")}
    assert {p.name for p in out.rglob("part-*.parquet")} == batches  # no part of a batch that did not commit
    assert not [p for p in out.rglob("*") if p.name.endswith(TMP)]
    assert not (out / RUN).exists()  # the run let go of the dataset


def test_a_worker_killed_mid_run_loses_no_file(client, tmp_path):
    files = _files(tmp_path / "in", 8)
    assert set(warm(client)) == set(client.scheduler_info()["workers"])  # each worker ready before the clock
    pids = client.run(os.getpid)
    killed: list[str] = []

    def kill_one(_done, counts):
        if killed or counts.files < 2:
            return
        busy = [a for a, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    counts = distribute(files, tmp_path / "ds", client, batch=2, on_result=kill_one)
    assert killed, "no worker was busy to be killed"
    _whole(tmp_path / "ds", files)
    by_file = {r["file"]: r for r in _rows(tmp_path / "ds")}
    assert by_file[files[-1]]["ok"] is False and by_file[files[-1]]["error_code"] == "binary"
    assert all(by_file[f]["ok"] for f in files[:-1])
    assert counts.files == len(files) and counts.unreadable == 1 and not counts.interrupted
    assert counts.tasks == 5 and counts.reports == len(files) - 1
    assert counts.read_seconds > 0 and counts.write_seconds > 0  # measured on the workers, sent back
    # The worker started again in place of the killed one can start reading processes too.
    assert not any(client.run(lambda: __import__("multiprocessing").current_process().daemon).values())


def test_a_failing_task_is_split_down_to_the_file_at_fault(client, tmp_path):
    files = _files(tmp_path / "in", 5)
    culprit = files[2]

    def break_one(name: str) -> None:
        import ogi.corpus.parquet as d

        real = d.file_stat

        def stat(file: str):
            if file == name:
                raise RuntimeError("boom")
            return real(file)

        d._real_stat, d.file_stat = real, stat

    def mend() -> None:
        import ogi.corpus.parquet as d

        d.file_stat = getattr(d, "_real_stat", d.file_stat)

    # The worker killed in another test is started again by its nanny; patch only once both
    # are back, or the split-off task may land on the one that never saw the patch.
    client.wait_for_workers(2, timeout=60)
    assert len(client.run(break_one, culprit)) == 2
    try:
        counts = distribute(files, tmp_path / "ds", client, retries=0, batch=3)
    finally:
        client.run(mend)
    _whole(tmp_path / "ds", files)
    bad = {r["file"]: r for r in _rows(tmp_path / "ds") if not r["ok"]}
    assert set(bad) == {culprit, files[-1]}, [(r["file"][-8:], r["error_code"], r["message_en"]) for r in bad.values()]
    assert bad[culprit]["error_code"] == "task_failed" and "RuntimeError" in bad[culprit]["message_zh"]
    assert counts.split == 1 and counts.unreadable == 2


def test_stopped_run_resumes_and_does_nothing_twice(client, tmp_path):
    files = _files(tmp_path / "in", 9)
    out = tmp_path / "ds"

    def stop(_done, counts):
        if counts.files >= 4:
            raise KeyboardInterrupt  # what Ctrl-C does in the loop

    first = distribute(files, out, client, batch=2, on_result=stop)
    assert first.interrupted and first.files == 4 and first.across == 0
    time.sleep(0.5)  # a task still running on a worker would have committed by now, were it allowed to
    held = len(_rows(out))
    assert 4 <= held < len(files)
    second = distribute(files, out, client, batch=2)
    assert second.skipped == held and second.submitted == second.files == len(files) - held
    _whole(out, files)
    third = distribute(files, out, client)
    assert third.submitted == 0 and third.files == 0 and third.skipped == len(files)


def test_killed_run_resumes_from_its_committed_batches(client, tmp_path):
    # Enough batches that the run is still going when the test sees the first one committed
    # (on an idle machine nine files were all done within one look).
    files = _files(tmp_path / "in", 39)
    out = tmp_path / "ds"
    # The whole command, killed (SIGKILL: no chance to clean up) once a batch has committed.
    child = subprocess.Popen([sys.executable, "-m", "ogi.cli", "distribute", *files, "-o", str(out), "-w", "1",
                              "--batch", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 45
    try:
        while not done_files(out) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    committed = done_files(out)
    stderr = child.stderr.read().decode() if child.stderr else ""
    assert 2 <= len(committed) < len(files), stderr
    assert "Dask 仪表板：http://" in stderr  # the dashboard's address, printed first
    assert (out / RUN).exists()  # killed: it never let go, and the next run takes over
    counts = distribute(files, out, client)
    assert counts.skipped == len(committed) and counts.submitted == len(files) - len(committed)
    _whole(out, files)


def test_batches_shrink_towards_the_end():
    sizes = [len(b) for b in batches([str(i) for i in range(300)], 2, 50)]
    assert sum(sizes) == 300 and sizes[:3] == [50] * 3  # large first: one reading process for many files
    assert sizes[3:] == sorted(sizes[3:], reverse=True) and sizes[-1] <= 4  # small last: no worker left waiting
    assert [len(b) for b in batches(list("abcdefghi"), 2, 2)] == [2, 2, 2, 2, 1]
    assert list(batches([], 2, 50)) == []


def test_reading_ahead_keeps_order_errors_and_stops_its_source():
    from ogi.corpus.distributed import _ahead

    closed: list[bool] = []

    def source(n: int, fail_at: int | None = None):
        try:
            for i in range(n):
                if i == fail_at:
                    raise ValueError("bad")
                yield i
        finally:
            closed.append(True)

    assert list(_ahead(source(50))) == list(range(50))
    with pytest.raises(ValueError):
        list(_ahead(source(5, fail_at=3)))
    it = _ahead(source(1000))
    assert [next(it), next(it)] == [0, 1]
    it.close()  # a task that stops early: the source (the reading process) is closed, not left waiting
    assert closed == [True, True, True]


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
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "_ogi_dataset.json").write_text('{"schema_version": 1}', encoding="utf-8")
    for extra, message in ((["-o", tmp_path / "ds", "--scheduler", "nonsense"], "调度器地址无效"),
                           (["-o", tmp_path / "taken"], "不是目录"),
                           (["-o", tmp_path / "v1"], "格式版本为 1，本程序写入版本 2")):
        r = subprocess.run([sys.executable, "-m", "ogi.cli", "distribute", *files, *map(str, extra)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def _listening(reply: bytes | None):
    """A server on a free local port that says `reply` on accepting (None: nothing)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            if reply is not None:
                conn.sendall(reply)
            time.sleep(3)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv, f"tcp://127.0.0.1:{srv.getsockname()[1]}"


def test_only_a_dask_scheduler_is_taken_for_one(client, tmp_path):
    """A web server (silent until asked) hung the run; one that answers with text made
    Dask allocate exabytes. Both are refused at once, and no dataset is made."""
    from ogi.corpus.distributed import speaks_dask

    from .test_cli import ogi

    assert speaks_dask(client.scheduler.address)
    for reply in (None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"):
        srv, address = _listening(reply)
        try:
            assert not speaks_dask(address, timeout=1)
            started = time.monotonic()
            p = ogi("distribute", SEED_2019, "-o", tmp_path / "d.parquet", "--scheduler", address, "--json")
            assert p.returncode == 2 and time.monotonic() - started < 30, p.stderr
            assert json.loads(p.stdout)["error"]["code"] == "no_scheduler"
            assert "不是 Dask 调度器" in p.stderr and not (tmp_path / "d.parquet").exists()
        finally:
            srv.close()
