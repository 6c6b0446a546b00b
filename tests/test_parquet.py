"""The Parquet dataset: what `ogi check` finds is what the dataset holds (single-report
checks per file, cross-report checks as a pass over the written tables), reruns skip what
is there, and `ogi sql` answers the documented queries."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ogi.corpus.provinces import province_of

from .builders import setcells, zero_report
from .conftest import CORPUS, ROOT, SEED_FILES
from .test_cli import ogi

TEXT = ("我局高度重视政府信息公开工作，成立了由主要负责同志任组长的领导小组。全面梳理公开目录，及时更新各类信息。"
        "依申请公开办理规范，均在法定期限内答复。")


def _real_files() -> list[Path]:
    return [*SEED_FILES, *sorted((CORPUS / "text").glob("*")), CORPUS / "html" / "shuyang-fgj-2023.html",
            CORPUS / "pdf" / "hongze-gov-2023.pdf", CORPUS / "pdf" / "hongze-gov-2024.pdf"]


def _json_reports(tmp: Path) -> list[Path]:
    """Two years of one agency whose 结转 does not chain and whose narrative is copied,
    and another agency printing the same narrative the same year."""
    prev = setcells(zero_report("2021", year=2023), {"requests.carried_out.natural": 2, "requests.carried_out.total": 2,
                                                     "requests.carried_in.natural": 2, "requests.carried_in.total": 2})
    prev.agency = "洪泽区某某局"
    cur = zero_report("2021", year=2024)
    cur.agency = "淮安市洪泽区某某局"  # the same agency, its city written out
    other = zero_report("2021", year=2024)
    other.agency = "另一个局"
    for r in (prev, cur, other):
        r.sections["overview"] = TEXT
    out = []
    for name, r in (("prev", prev), ("cur", cur), ("other", other)):
        p = tmp / f"{name}.json"
        p.write_text(json.dumps(r.to_json(), ensure_ascii=False), encoding="utf-8")
        out.append(p)
    return out


def _findings_by_check(files: list[Path]) -> Counter:
    p = ogi("check", "--json", *files)
    assert p.returncode in (0, 1), p.stderr
    return Counter((e["file"], f["rule"], f["message_zh"]) for e in json.loads(p.stdout) for f in e["findings"])


def _findings_in(ds: Path) -> Counter:
    files = pq.read_table(ds / "files").to_pylist()
    name = {f["report_id"]: f["file"] for f in files}
    rows = pq.read_table(ds / "findings", partitioning="hive").to_pylist()
    return Counter((name[r["report_id"]], r["rule"], r["message_zh"]) for r in rows)


def test_dataset_holds_what_check_finds(shared, tmp_path):
    files = [*_real_files(), *_json_reports(tmp_path)]
    ds = tmp_path / "all.parquet"
    p = ogi("dataset", *files, "-o", ds)
    assert p.returncode == 0, p.stderr
    assert _findings_in(ds) == _findings_by_check(files)
    reports = pq.read_table(ds / "reports", partitioning="hive").to_pylist()
    assert len(reports) == len(files)
    across = [r for r in pq.read_table(ds / "findings", partitioning="hive").to_pylist() if r["across"]]
    assert {r["rule"] for r in across} == {"continuity.carried", "similarity.copied"}
    # Cells as printed, with where they were read.
    seed = next(r for r in reports if r["agency"] == "开封市商务局")
    cells = pq.read_table(ds / "cells", filters=[("report_id", "=", seed["report_id"])]).to_pylist()
    carried = next(c for c in cells if c["cell"] == "requests.carried_in.natural")
    assert (carried["state"], int(carried["value"]), carried["line"] is not None) == ("value", 1, True)
    assert int(next(r["year"] for r in pq.read_table(ds / "reports", partitioning="hive").to_pylist()
                    if r["report_id"] == seed["report_id"])) == 2019


def test_rerun_skips_what_is_written_and_redoes_the_cross_report_pass(shared, tmp_path):
    prev, cur, other = _json_reports(tmp_path)
    junk = tmp_path / "notice.txt"
    junk.write_text("关于举办培训班的通知\n各单位：定于下周举办培训。", encoding="utf-8")
    ds = tmp_path / "run.parquet"
    first = ogi("dataset", prev, junk, "-o", ds)
    assert first.returncode == 2 and "1 个无法读取" in first.stderr  # the notice: a row, with its reason
    second = ogi("dataset", prev, cur, other, junk, "-o", ds)
    assert "2 个文件此前已写入" in second.stderr, second.stderr
    files = pq.read_table(ds / "files").to_pylist()
    assert sorted(Path(f["file"]).name for f in files) == ["cur.json", "notice.txt", "other.json", "prev.json"]
    bad = next(f for f in files if not f["ok"])
    assert bad["error_code"] and "不是年度报告" in bad["message_zh"] and bad["sha256"]
    assert _findings_in(ds) == _findings_by_check([prev, cur, other])


def _doc_queries() -> list[str]:
    text = (ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def test_documented_queries_run(shared, tmp_path):
    ds = tmp_path / "q.parquet"
    ogi("dataset", *_real_files(), *_json_reports(tmp_path), "-o", ds)
    queries = _doc_queries()
    assert len(queries) >= 3
    for q in queries:
        p = ogi("sql", "-d", ds, q, "--json")
        assert p.returncode == 0, (q, p.stderr)
        assert json.loads(p.stdout)["columns"]
    rate = json.loads(ogi("sql", "-d", ds, queries[0], "--json").stdout)
    # 2023: 沭阳县发改局 and 洪泽区 processed 47 requests together, 30 of them disclosed (+ the zero report).
    assert ["（名称未含省份）", 2023, 3, "47.00", 0.6383] in rate["rows"]
    chain = json.loads(ogi("sql", "-d", ds, queries[1], "--json").stdout)
    assert [r[0] for r in chain["rows"]] == ["淮安市洪泽区某某局"]


def test_sql_errors_are_one_chinese_line(tmp_path):
    p = ogi("sql", "-d", tmp_path, "SELECT 1")
    assert p.returncode == 2 and "不是 ogi 数据集" in p.stderr and "Traceback" not in p.stderr
    ds = tmp_path / "empty.parquet"
    ogi("dataset", tmp_path / "nothing.txt", "-o", ds)
    p = ogi("sql", "-d", ds, "SELECT count(*) AS n FROM reports", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["rows"] == [[0]]
    p = ogi("sql", "-d", ds, "SELEC oops", "--json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"]["code"] == "sql" and "Traceback" not in p.stderr
    # Each kind of refusal is said in Chinese; the engine's words (naming the token or column) follow.
    for q, said in [("SELEC oops", "SQL 语法有误"), ("SELECT nosuch FROM reports", "无法对应到表中的列"),
                    ("SELECT * FROM nosuch", "可查询的表：reports、cells、findings、files"),
                    ("SELECT CAST('甲' AS INT)", "无法转换"), ("SELECT * FROM read_csv('/etc/passwd')", "只能读取本数据集")]:
        p = ogi("sql", "-d", ds, q)
        assert p.returncode == 2 and p.stderr.startswith("查询无法执行：") and said in p.stderr, (q, p.stderr)
        assert "数据库引擎的说明：" in p.stderr, (q, p.stderr)


def test_province_from_the_name_only_when_it_says():
    assert province_of("上海市科委") == "上海市"
    assert province_of("江苏省商务厅") == province_of(None, "江苏2024年报告") == "江苏省"
    assert province_of("新疆维吾尔自治区人民政府") == "新疆维吾尔自治区"
    assert province_of("吉林市人民政府") is None and province_of("吉林省人民政府") == "吉林省"
    assert province_of("淮安市洪泽区人民政府") is None and province_of(None, "") is None


# --- batches commit whole: a writer killed at any instant, then resumed -----------------

def kill_inputs() -> list[tuple[str, object, object]]:
    """Seven inputs over two years (one agency's 结转 does not chain) and one unreadable."""
    from ogi.ingest.errors import IngestError

    out: list[tuple[str, object, object]] = []
    for i in range(7):
        r = zero_report("2021", year=2023 + i % 2)
        r.agency = f"第{i // 2}局"
        if i == 3:
            setcells(r, {"requests.carried_in.natural": 5, "requests.carried_in.total": 5})
        out.append((f"in/r{i}.json", r, None))
    out.insert(4, ("in/notice.txt", None, IngestError("not_a_report", "不是年度报告", "not a report")))
    return out


def _tables(ds: Path) -> dict[str, Counter]:
    """Every table as a multiset of rows (a duplicate shows as a count of 2)."""
    from ogi.corpus.parquet import SCHEMAS, parts

    out = {}
    for table in SCHEMAS:
        rows = [r for p in parts(ds, table) for r in pq.read_table(p).to_pylist()]
        out[table] = Counter(json.dumps(r, sort_keys=True, default=str, ensure_ascii=False) for r in rows)
    return out


def _resume(ds: Path, inputs) -> None:
    from ogi.corpus.parquet import done_files, write_dataset

    done = done_files(ds) if ds.is_dir() else set()
    write_dataset([r for r in inputs if r[0] not in done], ds, batch=3)


def test_a_writer_failing_at_any_rename_resumes_to_the_same_dataset(tmp_path, monkeypatch):
    import os

    from ogi.corpus import parquet

    inputs = kill_inputs()
    whole = tmp_path / "whole.parquet"
    real = os.replace
    calls = 0

    def counting(a, b):
        nonlocal calls
        calls += 1
        real(a, b)

    monkeypatch.setattr(parquet.os, "replace", counting)
    parquet.write_dataset(inputs, whole, batch=3)
    monkeypatch.setattr(parquet.os, "replace", real)
    expected = _tables(whole)
    assert sum(expected["files"].values()) == len(inputs) and sum(expected["reports"].values()) == 7
    assert any('"across": true' in r for r in expected["findings"])
    assert calls > 15  # the manifest, the run's token, each part of three batches, the cross-report pass

    for k in range(calls):  # every rename there is, each in turn the one that fails
        ds = tmp_path / f"k{k}.parquet"
        seen = 0

        def failing(a, b, k=k):
            nonlocal seen
            seen += 1
            if seen > k:
                raise OSError("disk gone")
            real(a, b)

        monkeypatch.setattr(parquet.os, "replace", failing)
        with pytest.raises(OSError):
            parquet.write_dataset(inputs, ds, batch=3)
        monkeypatch.setattr(parquet.os, "replace", real)
        if (ds / "files").is_dir():  # what a reader sees meanwhile: whole batches only
            seen_now = _tables(ds)
            ids = {json.loads(r)["report_id"] for r in seen_now["files"] if json.loads(r)["ok"]}
            assert {json.loads(r)["report_id"] for r in seen_now["reports"]} == ids, k
        _resume(ds, inputs)
        assert _tables(ds) == expected, k
        assert not [p for p in ds.rglob("*") if p.name.endswith(parquet.TMP)]


KILLER = """
import os, signal, sys
from pathlib import Path
from ogi.corpus import parquet
from tests.test_parquet import kill_inputs
real, at, seen = os.replace, int(sys.argv[2]), 0
def replace(a, b):
    global seen
    seen += 1
    if seen == at:
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
parquet.os.replace = replace
parquet.write_dataset(kill_inputs(), Path(sys.argv[1]), batch=3)
"""


def test_a_writer_killed_mid_batch_leaves_no_half_batch(tmp_path):
    import subprocess
    import sys

    from ogi.corpus.parquet import TMP, done_files
    from ogi.corpus.sql import connect

    ds = tmp_path / "killed.parquet"
    # Calls 1–2 write the manifest and the run's token, 3–6 commit the first batch (two
    # years' reports, findings and cells, then files); the 9th is in the middle of the second.
    p = subprocess.run([sys.executable, "-c", KILLER, str(ds), "9"], cwd=ROOT, capture_output=True, timeout=60)
    assert p.returncode == -9, p.stderr.decode()
    left = sorted(q.name for q in ds.rglob("*") if q.is_file())
    assert any(n.endswith(TMP) for n in left), left  # the killed batch's parts, half renamed, half not
    done = done_files(ds)
    assert len(done) == 3
    con = connect(ds)  # `ogi sql` meanwhile: the first batch only
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == con.execute(
        "SELECT count(*) FROM files WHERE ok").fetchone()[0] == 3
    _resume(ds, kill_inputs())
    rows = pq.read_table(ds / "files").to_pylist()
    assert sorted(r["file"] for r in rows) == sorted(f for f, _, _ in kill_inputs())
    reports = pq.read_table(ds / "reports").column("report_id").to_pylist()
    assert len(reports) == len(set(reports)) == 7
    assert not [q for q in ds.rglob("*") if q.name.endswith(TMP)]


def test_a_batch_of_a_run_taken_over_does_not_commit(tmp_path):
    """A task of a stopped run, still running on some worker, finishes after the next run
    has begun: its batch must not land, or the next run's batch of the same files would
    make them twice."""
    from ogi.corpus.parquet import TMP, DatasetWriter, Superseded, done_files, end_run, start_run

    ds = tmp_path / "d.parquet"
    (name, report, err), *_ = kill_inputs()
    first = start_run(ds)
    late = DatasetWriter(ds, first)
    late.add(name, report, err, [])
    second = start_run(ds)
    with pytest.raises(Superseded):
        late.flush()
    end_run(ds, first)  # the stopped run letting go late changes nothing for the next
    ok = DatasetWriter(ds, second)
    ok.add(name, report, err, [])
    assert ok.flush()
    assert done_files(ds) == {name}
    end_run(ds, second)
    again = DatasetWriter(ds, second)  # nor can anything of a run that has ended
    again.add("other.json", report, err, [])
    with pytest.raises(Superseded):
        again.flush()
    assert done_files(ds) == {name} and not [p for p in ds.rglob("*") if p.name.endswith(TMP)]


def test_a_folder_of_someone_elses_files_is_never_adopted(tmp_path):
    """Tidying a dataset removes files: a folder that is not one is refused, and tidying
    touches only the dataset's own tables."""
    from ogi.corpus import parquet

    mine = tmp_path / "mine.parquet"
    (mine / "proj" / "spark.parquet").mkdir(parents=True)
    (mine / "proj" / "spark.parquet" / "part-00000-a.snappy.parquet").write_bytes(b"x")
    (mine / "docs").mkdir()
    (mine / "docs" / "thesis.tmp").write_text("y")
    r = ogi("dataset", str(SEED_FILES[0]), "-o", str(mine))
    assert r.returncode == 2 and "不是空目录，也不是 ogi 数据集" in r.stderr, r.stderr
    assert (mine / "docs" / "thesis.tmp").exists() and (mine / "proj" / "spark.parquet" / "part-00000-a.snappy.parquet").exists()

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:3], ds)
    (ds / "notes").mkdir()
    (ds / "notes" / "draft.tmp").write_text("mine")
    (ds / "notes" / "part-1.parquet").write_bytes(b"mine")
    stray = ds / "cells" / f".part-x.abc{parquet.TMP}"
    stray.write_bytes(b"half")
    assert parquet.tidy(ds) == 1
    assert not stray.exists() and (ds / "notes" / "draft.tmp").exists() and (ds / "notes" / "part-1.parquet").exists()


def test_an_input_that_is_not_a_regular_file_is_not_read_whole(tmp_path):
    import os

    from ogi.corpus.parquet import file_stat

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert file_stat(str(fifo)) == (None, None)  # would block
    assert file_stat("/dev/zero") == (None, None)  # would never end
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(3 << 20)
    size, digest = file_stat(str(big))
    assert size == 3 << 20 and len(digest) == 64


def test_sql_reads_the_dataset_and_nothing_else(tmp_path):
    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:2], ds)
    outside = tmp_path / "outside.csv"
    refused = [f"SELECT * FROM read_text('{ROOT / 'README.md'}')", "SELECT * FROM read_csv('/etc/passwd')",
               "SELECT * FROM glob('/etc/*')", f"COPY (SELECT 1) TO '{outside}'", f"ATTACH '{tmp_path / 'x.db'}'",
               "INSTALL httpfs", "SET enable_external_access = true", "CREATE TABLE t AS SELECT 1",
               f"COPY (SELECT 1) TO '{ds / 'files' / 'x.parquet'}'"]
    for q in refused:
        p = ogi("sql", "-d", ds, q, "--json")
        assert p.returncode == 2, (q, p.stdout)
        assert json.loads(p.stdout)["error"]["code"] in ("not_a_query", "sql"), (q, p.stdout)
        assert "Traceback" not in p.stderr
    assert not outside.exists() and not (tmp_path / "x.db").exists() and not (ds / "files" / "x.parquet").exists()
    p = ogi("sql", "-d", ds, "SELECT count(*) AS n FROM reports", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["rows"] == [[2]]


def test_sql_json_holds_every_duckdb_type(tmp_path):
    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:1], ds)
    q = ("SELECT 'abc'::BLOB AS b, uuid() IS NOT NULL AS u, TIME '10:00' AS t, INTERVAL 3 DAY AS i, "
         "'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, [1, 2] AS l, {'k': 1} AS s, uuid() AS id")
    p = ogi("sql", "-d", ds, q, "--json")
    assert p.returncode == 0, p.stderr
    row = json.loads(p.stdout)["rows"][0]  # strict JSON: no NaN
    assert row[:8] == ["616263", True, "10:00:00", "3 days, 0:00:00", None, None, [1, 2], {"k": 1}]
    assert len(row[8]) == 36


def test_sql_is_stopped_at_its_time_limit(tmp_path):
    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:1], ds)
    p = ogi("sql", "-d", ds, "SELECT count(*) FROM range(100000000000000)", "--timeout", "1", "--json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"]["code"] == "timeout", p.stderr


def test_sql_is_stopped_at_its_memory_limit(tmp_path):
    """A query building a 20 GB string took 4.2 GB before its time limit stopped it: DuckDB's
    default is 80 % of the machine. Past the limit it now fails, said as such."""
    import resource

    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:1], ds)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = ogi("sql", "-d", ds, "SELECT length(string_agg(repeat('x', 1000000), '')) FROM range(20000)", "--memory", "200",
            "--timeout", "120", "--json")
    err = json.loads(p.stdout)["error"]
    assert p.returncode == 2 and err["code"] == "sql" and "内存上限" in err["message_zh"], p.stderr
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert max(peak, before) < 1024 * 1024  # KiB: under 1 GiB, the command and DuckDB together


def test_sql_rows_are_held_to_the_memory_limit_too(tmp_path):
    """The limit bounded DuckDB's buffers, not the rows it hands back: 1 000 rows of 1 MB took
    3 GB and 21 s under --memory 64 and wrote 1 GB of JSON."""
    import resource

    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:1], ds)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = ogi("sql", "-d", ds, "SELECT repeat('x', 1000000) s FROM range(1000)", "--memory", "64", "--json")
    err = json.loads(p.stdout)["error"]
    assert p.returncode == 2 and ("内存上限" in err["message_zh"] or "查询结果超过" in err["message_zh"]), p.stderr
    assert max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) < 1024 * 1024  # KiB (3 GB before)
    # Many rows of 100 KB: refused once they pass half the limit, not gathered whole.
    p = ogi("sql", "-d", ds, "SELECT repeat('x', 100000) FROM range(3000)", "--memory", "256", "--rows", "100000", "--json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"]["code"] in ("sql", "result_too_large"), p.stdout[:300]
    ok = ogi("sql", "-d", ds, "SELECT count(*) AS n FROM cells", "--memory", "64", "--json")
    assert ok.returncode == 0, ok.stderr


def test_one_file_named_several_ways_is_one_report(tmp_path):
    import shutil

    src = tmp_path / "in"
    src.mkdir()
    for f in SEED_FILES[:2]:
        shutil.copy(f, src / f.name)
    names = sorted(p.name for p in src.iterdir())
    ds = tmp_path / "d.parquet"
    (tmp_path / "link").symlink_to(src / names[0])
    first = ogi("dataset", src / names[0], src / names[0], src / ".." / "in" / names[0], tmp_path / "link", "-o", ds)
    assert first.returncode == 0, first.stderr
    assert sum(_tables(ds)["reports"].values()) == 1
    # Resumed with the files named another way: the one already held is skipped, the other read.
    second = ogi("dataset", *(f"{src}/./{n}" for n in names), "-o", ds)
    assert second.returncode == 0 and "1 个文件此前已写入或重复给出" in second.stderr, second.stderr
    assert sum(_tables(ds)["reports"].values()) == 2
    assert not any("similarity.copied" in r for r in _tables(ds)["findings"])


def test_a_damaged_part_is_named_with_the_way_back(tmp_path):
    from ogi.corpus import parquet

    inputs = kill_inputs()[:4]
    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(inputs, ds, batch=2)
    whole = _tables(ds)
    part = sorted((ds / "cells").glob("*/part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:200])  # a copy cut short
    p = ogi("sql", "-d", ds, "SELECT count(*) FROM cells", "--json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"]["code"] == "damaged", p.stdout
    assert part.name in p.stderr and f"files/{part.name}" in p.stderr and "Traceback" not in p.stderr
    # The way back the message gives: both files removed, the same inputs written again.
    part.unlink()
    (ds / "files" / part.name).unlink()
    parquet.write_dataset([i for i in inputs if i[0] not in parquet.done_files(ds)], ds, batch=2)
    assert _tables(ds) == whole


def test_sql_refuses_a_dataset_of_another_version(tmp_path):
    from ogi.corpus import parquet

    ds = tmp_path / "ds.parquet"
    parquet.write_dataset(kill_inputs()[:1], ds)
    manifest = ds / parquet.MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"schema_version": 2', '"schema_version": 1'),
                        encoding="utf-8")
    p = ogi("sql", "-d", ds, "SELECT 1", "--json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"]["code"] == "schema_version"
