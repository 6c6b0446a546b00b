"""Editions are data: a third format, written as a file into a temporary folder named by
OGI_EDITIONS_DIR, is read, checked, compiled and rendered by the code as it stands — with
labels of its own, one more row in tables 二 and 三, one more applicant column, and its own
years (from 2027, when it becomes the current edition)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ogi.checks import check
from ogi.editions import (
    EDITIONS_DIR_ENV,
    EditionError,
    current_edition,
    edition_for_year,
    edition_ids,
    load_edition,
)
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.records.compile import CaseRecord, DocumentRecord, RequestRecord, YearFigures, compile_report
from ogi.records.draft import draft_overview
from ogi.records.outcomes import applicant_categories, case_kinds, case_results, document_kinds, outcomes
from ogi.render import render
from ogi.report import Report, Value

from .builders import zero_report

_OUTCOME_ROWS = [
    ("granted", "（一）予以公开", []),
    ("partial", "（二）部分公开", []),
    ("withheld.state_secret", "1.属于国家秘密", ["（三）不予公开"]),
    ("withheld.law_prohibited", "2.其他法律行政法规禁止公开", ["（三）不予公开"]),
    ("withheld.security_stability", "3.危及“三安全一稳定”", ["（三）不予公开"]),
    ("withheld.third_party", "4.保护第三方合法权益", ["（三）不予公开"]),
    ("withheld.internal_affairs", "5.属于三类内部事务信息", ["（三）不予公开"]),
    ("withheld.process_info", "6.属于四类过程性信息", ["（三）不予公开"]),
    ("withheld.enforcement_file", "7.属于行政执法案卷", ["（三）不予公开"]),
    ("withheld.query_matter", "8.属于行政查询事项", ["（三）不予公开"]),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息", ["（四）无法提供"]),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作", ["（四）无法提供"]),
    ("unavailable.unclear", "3.补正后申请内容仍不明确", ["（四）无法提供"]),
    ("not_processed.petition", "1.信访举报投诉类申请", ["（五）不予处理"]),
    ("not_processed.duplicate", "2.重复申请", ["（五）不予处理"]),
    ("not_processed.publication", "3.要求提供公开出版物", ["（五）不予处理"]),
    ("not_processed.excessive", "4.无正当理由大量反复申请", ["（五）不予处理"]),
    ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息", ["（五）不予处理"]),
    # The row this edition adds to table 三.
    ("not_processed.already_public", "6.要求提供已主动公开的政府信息", ["（五）不予处理"]),
    ("other.no_correction", "1.申请人逾期不补正、行政机关不再处理", ["（六）其他处理"]),
    ("other.unpaid_fee", "2.申请人逾期未缴纳信息处理费、行政机关不再处理", ["（六）其他处理"]),
    ("other.other", "3.其他", ["（六）其他处理"]),
    ("processed_total", "（七）总计", []),
]


def _rows_yaml() -> str:
    lines = ["          - {key: new, label: 一、本年度新收申请数量}",
             "          - {key: carried_in, label: 二、上年度结转申请数量}"]
    for key, label, parents in _OUTCOME_ROWS:
        path = ", ".join(["三、本年度办理结果", *parents])
        lines.append(f"          - {{key: {key}, label: {label}, parents: [{path}]}}")
    lines.append("          - {key: carried_out, label: 四、结转下一年度继续办理}")
    return "\n".join(lines)


APPLICANTS = ["natural", "commercial", "research", "nonprofit", "legal_service", "sole_trader", "other_org"]

THIRD = f"""\
id: "2027"
title: 政府信息公开工作年度报告格式（第三版）
document: 国办公开办函〔2026〕99号
first_year: 2027
last_year: null
overview_length_guidance: 800

sections:
  - {{key: overview, number: 一, title: 年度工作总体情况}}
  - {{key: active, number: 二, title: 主动公开政府信息情况}}
  - {{key: requests, number: 三, title: 收到和处理政府信息公开申请情况}}
  - {{key: appeals, number: 四, title: 政府信息公开行政复议、行政诉讼情况}}
  - {{key: problems, number: 五, title: 存在的主要问题及改进措施}}
  - {{key: other, number: 六, title: 其他需要报告的事项}}

tables:
  - key: active
    number: 二
    section: active
    title: 主动公开政府信息情况
    blocks:
      - heading: 第二十条第（一）项
        corner: 信息内容
        columns:
          - {{key: issued, label: 本年度新制定件数}}
          - {{key: repealed, label: 本年度废止件数}}
          - {{key: in_force, label: 年末现行有效件数}}
        rows:
          - {{key: regulations, label: 政府规章}}
          - {{key: normative, label: 行政规范性文件}}
      - heading: 第二十条第（五）项
        corner: 信息内容
        columns:
          - {{key: decisions, label: 本年度处理决定数量}}
        rows:
          - {{key: licensing, label: 行政许可}}
          - {{key: confirmation, label: 行政确认}}
      - heading: 第二十条第（八）项
        corner: 信息内容
        columns:
          - {{key: amount, label: 本年度收费金额（单位：万元）, unit: yuan, printed_in: 万元}}
        rows:
          - {{key: fees, label: 行政事业性收费}}

  - key: requests
    number: 三
    section: requests
    title: 收到和处理政府信息公开申请情况
    blocks:
      - note: （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
        headers: [申请人情况, 法人或其他组织]
        columns:
          - {{key: natural, label: 公民个人}}
          - {{key: commercial, label: 商业企业, group: 法人或其他组织}}
          - {{key: research, label: 科研机构, group: 法人或其他组织}}
          - {{key: nonprofit, label: 社会公益组织, group: 法人或其他组织}}
          - {{key: legal_service, label: 法律服务机构, group: 法人或其他组织}}
          - {{key: sole_trader, label: 个体工商户, group: 法人或其他组织}}
          - {{key: other_org, label: 其他组织, group: 法人或其他组织}}
          - {{key: total, label: 合计}}
        rows:
{_rows_yaml()}

  - key: appeals
    number: 四
    section: appeals
    title: 政府信息公开行政复议、行政诉讼情况
    blocks:
      - transposed: true
        headers: [行政诉讼]
        columns:
          - {{key: upheld, label: 维持原行为}}
          - {{key: corrected, label: 纠正原行为}}
          - {{key: other, label: 其他结果}}
          - {{key: pending, label: 尚未审结}}
          - {{key: total, label: 合计}}
        rows:
          - {{key: review, label: 行政复议}}
          - {{key: litigation_direct, label: 直接起诉, parents: [行政诉讼]}}
          - {{key: litigation_after_review, label: 复议后起诉, parents: [行政诉讼]}}

records:
  requests: {{table: requests, columns: [{", ".join(APPLICANTS)}]}}
  register: {{table: active, rows: [regulations, normative], columns: {{issued: issued, repealed: repealed, in_force: in_force}}}}
  cases:
    table: appeals
    rows: [review, litigation_direct, litigation_after_review]
    results: [upheld, corrected, other]
    pending: pending

identities:
  - {{rule: requests.balance, table: requests, each: column, left: [new, carried_in], right: [processed_total, carried_out]}}
  - rule: requests.processed_total
    table: requests
    each: column
    total: processed_total
    parts: [granted, partial, withheld.*, unavailable.*, not_processed.*, other.*]
  - {{rule: requests.row_total, table: requests, each: row, total: total, parts: [{", ".join(APPLICANTS)}]}}
  - {{rule: appeals.total, table: appeals, each: row, total: total, parts: [upheld, corrected, other, pending]}}

inequalities: []

roles:
  received: requests.new.total
  carried_in: requests.carried_in.total
  carried_out: requests.carried_out.total
  carried_in_row: requests.carried_in
  carried_out_row: requests.carried_out
  processed: requests.processed_total.total
  other_outcomes: [requests.other.no_correction.total, requests.other.unpaid_fee.total, requests.other.other.total]
  normative_in_force: active.normative.in_force
  in_force:
    - {{in_force: active.regulations.in_force, issued: active.regulations.issued, repealed: active.regulations.repealed}}
    - {{in_force: active.normative.in_force, issued: active.normative.issued, repealed: active.normative.repealed}}
  appeals_pending: [appeals.review.pending, appeals.litigation_direct.pending, appeals.litigation_after_review.pending]
  review_cases: [appeals.review.total]
  litigation_cases: [appeals.litigation_direct.total, appeals.litigation_after_review.total]
  fee_statement: other
"""


@pytest.fixture
def third(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / "e2027.yaml").write_text(THIRD, encoding="utf-8")
    monkeypatch.setenv(EDITIONS_DIR_ENV, str(folder))
    return folder


def _records() -> tuple[list[RequestRecord], list[DocumentRecord], list[CaseRecord]]:
    d = dt.date
    requests = [
        RequestRecord("R1", d(2026, 12, 20), "natural"),  # open across the year's start
        RequestRecord("R2", d(2027, 2, 1), "sole_trader", "not_processed.already_public", d(2027, 2, 20)),
        RequestRecord("R3", d(2027, 3, 1), "sole_trader", "granted", d(2027, 3, 15)),
        RequestRecord("R4", d(2027, 4, 1), "commercial", "other.unpaid_fee", d(2027, 5, 1)),
        RequestRecord("R5", d(2027, 12, 28), "natural"),  # open at the year's end
    ]
    documents = [DocumentRecord("D1", "normative", d(2025, 6, 1)),
                 DocumentRecord("D2", "normative", d(2027, 6, 1)),
                 DocumentRecord("D3", "regulations", d(2024, 1, 1), d(2027, 9, 1))]
    cases = [CaseRecord("C1", "litigation_direct", d(2027, 5, 1), "corrected", d(2027, 10, 1)),
             CaseRecord("C2", "review", d(2027, 11, 1))]
    return requests, documents, cases


def _compiled() -> Report:
    requests, documents, cases = _records()
    c = compile_report("某某市某某局", 2027, requests, documents, cases,
                       YearFigures({"confirmation.decisions": 4, "licensing.decisions": 9}))
    assert c.unusable == []
    r = c.report
    r.issued_on = dt.date(2028, 1, 10)
    r.kind = "department"
    r.sections = {s.key: f"这是第{s.number}部分的正文。" for s in r.edition_obj.sections}
    r.sections["overview"] = draft_overview(r)
    r.sections["other"] = "本年度未收取信息处理费。"
    return r


def test_the_file_is_an_edition_with_its_years_and_its_labels(third):
    assert edition_ids() == ["2019", "2021", "2027"]
    assert current_edition().id == "2027"
    assert (edition_for_year(2026).id, edition_for_year(2027).id, edition_for_year(2040).id) == ("2021", "2027", "2027")
    ed = load_edition("2027")
    assert len(ed.cells) == 6 + 2 + 1 + 26 * 8 + 15
    # What the records may hold follows the current edition: its labels, its extra row and column.
    assert applicant_categories()["natural"] == "公民个人"
    assert applicant_categories()["sole_trader"] == "法人或其他组织·个体工商户"
    assert outcomes()["not_processed.already_public"] == "（五）不予处理6.要求提供已主动公开的政府信息"
    assert document_kinds() == {"regulations": "政府规章", "normative": "行政规范性文件"}
    assert case_kinds()["litigation_direct"] == "行政诉讼（直接起诉）"
    assert case_results()["upheld"] == "维持原行为"
    # The two shipped editions are as they were.
    assert applicant_categories(load_edition("2021"))["natural"] == "自然人"
    # A 2027 report printed in the 2021 layout is told which format its year uses.
    [mismatch] = [f for f in check(zero_report("2021", year=2027)) if f.rule == "edition.mismatch"]
    assert mismatch.expected == "2027" and "国办公开办函〔2026〕99号" in mismatch.message_zh
    assert [f for f in check(zero_report("2021", year=2026)) if f.rule == "edition.mismatch"] == []


def test_the_folder_is_read_again_when_the_variable_changes(third, monkeypatch):
    monkeypatch.delenv(EDITIONS_DIR_ENV)
    assert edition_ids() == ["2019", "2021"] and current_edition().id == "2021"
    with pytest.raises(KeyError):
        load_edition("2027")


def test_records_compile_into_the_new_rows_and_columns(third):
    requests, documents, cases = _records()
    c = compile_report("某某市某某局", 2027, requests, documents, cases, YearFigures({"confirmation.decisions": 4}))
    r = c.report
    assert r.edition == "2027" and list(r.sections) == [s.key for s in load_edition("2027").sections]
    n = {cid: v.value for cid, v in r.cells.items()}
    assert n["requests.new.sole_trader"] == 2 and n["requests.new.total"] == 4
    assert c.sources["requests.not_processed.already_public.sole_trader"] == ["R2"]
    assert n["requests.processed_total.sole_trader"] == 2 and n["requests.processed_total.total"] == 3
    assert n["requests.carried_out.natural"] == 2 and n["requests.carried_in.total"] == 1
    assert (n["active.normative.issued"], n["active.normative.in_force"], n["active.regulations.repealed"]) == (1, 2, 1)
    assert n["active.confirmation.decisions"] == 4
    assert (n["appeals.litigation_direct.corrected"], n["appeals.review.pending"], n["appeals.review.total"]) == (1, 1, 1)
    assert "被申请行政复议1件，被提起行政诉讼1件" in draft_overview(r)
    identities = {i.rule for i in r.edition_obj.identities}
    assert identities and {f.rule for f in check(r)} & identities == set()  # the sums hold by construction


def test_records_the_older_edition_has_no_place_for_are_named(third):
    d = dt.date
    c = compile_report("某某市某某局", 2025, [
        RequestRecord("A", d(2025, 2, 1), "natural", "not_processed.already_public", d(2025, 2, 20)),
        RequestRecord("B", d(2025, 3, 1), "sole_trader", "granted", d(2025, 3, 15)),
        RequestRecord("C", d(2025, 3, 1), "natural", "other.unpaid_fee", d(2025, 3, 15)),
    ])
    assert c.report.edition == "2021" and c.report.cells["requests.other.unpaid_fee.natural"].value == 1
    reasons = {u.key: u.reason_zh for u in c.unusable}
    assert reasons == {
        "A": "办理结果“（五）不予处理6.要求提供已主动公开的政府信息”在2021年版格式的表三中没有对应的行",
        "B": "申请人类别“法人或其他组织·个体工商户”不是2021年版格式表三的列",
    }


def test_rendered_reports_read_back_in_the_new_edition(third, tmp_path):
    r = _compiled()
    for fmt in ("docx", "html", "xlsx", "md"):
        back = locate(read_bytes(render(r, fmt), f"报告.{fmt}"))
        assert back.edition == "2027", fmt
        diff = {k for k in r.cells if (r.cells[k].state, r.cells[k].value) != (back.cells[k].state, back.cells[k].value)}
        assert diff == set(), fmt
        assert (back.agency, back.year, back.issued_on) == (r.agency, r.year, r.issued_on), fmt
        assert back.sections == r.sections, fmt
        assert back.labels == [], fmt  # every label read is the new edition's own
    # The Report's JSON names the edition and is accepted back as a file.
    f = tmp_path / "报告.json"
    f.write_bytes(render(r, "json"))
    assert load_report(f).to_json() == r.to_json()


def test_a_text_report_is_checked_by_the_identities_of_its_file(third, tmp_path):
    r = _compiled()
    text = tmp_path / "报告.txt"
    text.write_bytes(render(r, "md"))
    read = load_report(text)
    assert read.edition == "2027" and read.year == 2027
    assert {f.rule for f in check(read) if f.severity == "error"} == set()
    # One figure of the new column misprinted: the row total of this edition's columns fails,
    # and the cell is named with the file's labels.
    read.cells["requests.new.sole_trader"] = Value("value", 5, "5")
    bad = [f for f in check(read) if f.rule == "requests.row_total"]
    assert bad and bad[0].culprit == "requests.new.sole_trader"
    assert "个体工商户" in bad[0].message_zh and "一、本年度新收申请数量" in bad[0].message_zh
    assert {f.rule for f in check(read) if f.severity == "error"} >= {"requests.balance"}


def test_the_command_line_reads_the_new_edition_from_the_variable(third, tmp_path):
    text = tmp_path / "报告.txt"
    text.write_bytes(render(_compiled(), "md"))
    env = {**os.environ, EDITIONS_DIR_ENV: str(third)}
    p = subprocess.run([sys.executable, "-m", "ogi.cli", "check", "--json", str(text)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    [entry] = json.loads(p.stdout)
    assert entry["report"]["edition"] == "2027" and entry["report"]["cells"]["requests.new.sole_trader"]["value"] == 2
    # A folder that is not there: the file is not read, and the line says why, in Chinese.
    wrong = subprocess.run([sys.executable, "-m", "ogi.cli", "check", str(text)], capture_output=True, text=True,
                           env={**env, EDITIONS_DIR_ENV: str(third / "missing")}, timeout=120)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert f"{EDITIONS_DIR_ENV} 中的 {third / 'missing'} 不是文件夹" in wrong.stderr


@pytest.mark.parametrize(("change", "words"), [
    (lambda t: t.replace("parts: [upheld, corrected, other, pending]", "parts: [upheld, corrected, other, waiting]"),
     "勾稽关系 appeals.total 中的 .*waiting 在表四的任何一块中都不齐全"),
    (lambda t: t.replace("pending: pending", "pending: undecided"), "表四没有 undecided 这一列"),
    (lambda t: t.replace('id: "2027"', 'id: "2021"'), "重复定义"),
    (lambda t: t.replace("first_year: 2027", "first_year: 2021").replace('id: "2027"', 'id: "2027b"'), "起始年度相同"),
    (lambda t: t.replace("tables:", "tablez:"), "缺少必需的项 'tables'"),
    (lambda t: t.replace("records:", "recorded:"), "缺少必需的项 'records'"),
    (lambda t: t + "\n  - [", "不是有效的 YAML"),
])
def test_a_wrong_file_is_refused_with_its_name_and_why(third, change, words):
    f = third / "e2027.yaml"
    f.write_text(change(THIRD), encoding="utf-8")
    with pytest.raises(EditionError, match=words) as e:
        edition_ids()
    assert "e2027" in str(e.value) or "2027" in str(e.value)
