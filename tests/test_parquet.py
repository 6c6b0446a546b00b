"""The Parquet dataset: what `ogi check` finds is what the dataset holds (single-report
checks per file, cross-report checks as a pass over the written tables), reruns skip what
is there, and `ogi sql` answers the documented queries."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

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


def test_province_from_the_name_only_when_it_says():
    assert province_of("上海市科委") == "上海市"
    assert province_of("江苏省商务厅") == province_of(None, "江苏2024年报告") == "江苏省"
    assert province_of("新疆维吾尔自治区人民政府") == "新疆维吾尔自治区"
    assert province_of("吉林市人民政府") is None and province_of("吉林省人民政府") == "吉林省"
    assert province_of("淮安市洪泽区人民政府") is None and province_of(None, "") is None
