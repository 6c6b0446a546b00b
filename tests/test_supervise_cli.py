"""`ogi supervise` as an office runs it on a ZIP of the seeds and a text report."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from .conftest import SEED_2019, SEED_2020
from .test_cli import ogi

TREE = """机关名称,上级机关,类别,层级,其他名称
某市人民政府,,人民政府,市级,
开封市商务局,某市人民政府,部门,市级,
长春市绿园区商务局,某市人民政府,部门,县级,
某市民政局,某市人民政府,部门,市级,
"""


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path]:
    tree = tmp_path / "名录.csv"
    tree.write_text(TREE, encoding="utf-8")
    z = tmp_path / "年报.zip"
    with zipfile.ZipFile(z, "w") as out:
        out.write(SEED_2019, "2019/开封.txt")
        out.write(SEED_2020, "2020/绿园.txt")
        out.writestr("说明.txt", "这是一份通知，不是年度报告。请各单位按时报送。")
    return z, tree


def test_import_json_assigns_and_reports_the_unreadable(office) -> None:  # type: ignore[no-untyped-def]
    z, tree = office
    p = ogi("supervise", "import", z, "--tree", tree, "--json")
    assert p.returncode == 2, p.stderr  # one file is not a report
    out = json.loads(p.stdout)
    got = {(a["agency"], a["year"], a["how"]) for a in out["assigned"]}
    # 绿园区商务局 is printed without its city: assigned by the place rule.
    assert got == {("开封市商务局", 2019, "exact"), ("长春市绿园区商务局", 2020, "place")}
    assert out["queue"] == [] and [u["error"]["code"] for u in out["unreadable"]] == ["not_a_report"]
    assert out["unreadable"][0]["file"].endswith("说明.txt")


def test_timeliness_score_and_rank(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    z, tree = office
    p = ogi("supervise", "timeliness", z, "--tree", tree, "--year", "2020", "--json")
    rows = {r["agency"]: r for r in json.loads(p.stdout)["agencies"]}
    # The notice in the ZIP is no report: exit 2, and it is named (the status alone said nothing).
    assert p.returncode == 2 and "说明.txt：" in p.stderr and "不是年度报告" in p.stderr
    assert [u["file"].endswith("说明.txt") for u in json.loads(p.stdout)["unreadable"]] == [True]
    # The 2020 seed is dated 2021-01-21, a department: due 2021-01-31.
    assert rows["长春市绿园区商务局"]["status"] == "on_time" and rows["长春市绿园区商务局"]["published_on"] == "2021-01-21"
    assert rows["某市民政局"]["status"] == "not_found" and rows["某市人民政府"]["deadline"] == "2021-03-10"
    rubric = tmp_path / "细则.yaml"
    rubric.write_text("full_marks: 10\nitems:\n  - {id: nf, label: 未发布, points: 4, when: {timeliness: [not_found]}}\n"
                      "  - {id: cm, label: 单元格缺失, points: 1, per: finding, when: {rules: [cell.missing]}}\n", encoding="utf-8")
    p = ogi("supervise", "score", z, "--tree", tree, "--year", "2020", "--rubric", rubric, "--json")
    scores = {s["agency"]: s for s in json.loads(p.stdout)["scores"]}
    # The 2020 seed lost one cell (cell.missing): 10 - 1; not found: 10 - 4.
    assert scores["长春市绿园区商务局"]["total"] == "9" and scores["某市民政局"]["total"] == "6"
    assert scores["长春市绿园区商务局"]["deductions"][0]["evidence"]
    notice = tmp_path / "通报.docx"
    p = ogi("supervise", "rank", z, "--tree", tree, "--year", "2020", "--rubric", rubric, "--json", "--notice", notice,
            "--office", "某市政务公开办", "--due", "2021-05-31")
    groups = json.loads(p.stdout)["groups"]
    assert [(g["title_zh"], [(x["rank"], x["agency"]) for x in g["ranked"]]) for g in groups] == [
        ("市级人民政府", [(1, "某市人民政府")]), ("市级部门", [(1, "开封市商务局"), (1, "某市民政局")]),
        ("县级部门", [(1, "长春市绿园区商务局")])]
    from docx import Document

    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    assert "某市政务公开办" in text and "2021年5月31日前" in text


def test_bad_inputs_answer_in_one_chinese_line(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    z, tree = office
    bad = tmp_path / "坏.yaml"
    bad.write_text("items: [{id: a, label: b, points: x, when: {timeliness: [late]}}]", encoding="utf-8")
    for args, says in [(("score", z, "--tree", tree, "--rubric", bad), "应为数字"),
                       (("import", z, "--tree", tmp_path / "无.csv"), "无法读取"),
                       (("import", tmp_path / "无目录", "--tree", tree), "不存在"),
                       (("rank", z, "--tree", tree, "--notice", tmp_path / "x.pdf"), ".docx 或 .xlsx")]:
        p = ogi("supervise", *map(str, args))
        assert p.returncode == 2 and says in p.stderr and "Traceback" not in p.stderr, p.stderr
