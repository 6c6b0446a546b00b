"""The text reader and the locator on the shapes of text reports: tab-per-cell extracts,
Markdown pipe tables and flattened rows; typo tolerance, order, and never a wrong fill."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.corpus.truth import load_truth, score
from ogi.corpus.variants import separated
from ogi.ingest.document import Paragraph, Table
from ogi.ingest.locate import locate
from ogi.ingest.text import read_text
from ogi.render.markdown import render_markdown

from .conftest import SEED_2020
from .strategies import consistent_reports


def parse(text: str):
    return locate(read_text(text))


@settings(max_examples=40, deadline=None)
@given(consistent_reports())
def test_markdown_roundtrip_keeps_every_cell(report):
    back = parse(render_markdown(report))
    assert back.edition == report.edition
    assert {k: (v.state, v.value) for k, v in back.cells.items()} == {k: (v.state, v.value) for k, v in report.cells.items()}
    assert (back.agency, back.year, back.issued_on) == (report.agency, report.year, report.issued_on)
    assert back.sections == report.sections
    assert back.labels == [] and back.unplaced == []


def test_tab_cells_wrap_onto_following_lines():
    doc = read_text(SEED_2020.read_text(encoding="utf-8"))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    header = [c.text for c in tables[0].rows[1]]
    assert header == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert not any(isinstance(b, Paragraph) and b.text == "制作数量" for b in doc.blocks)


MD_2021 = """# 某某县某某局2023年政府信息公开工作年度报告

## 一、总体情况
全年共收到政府信息公开申请 5 件。

## 二、主动公开政府信息情况

| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 3 | 1 | 12 |

行政许可 97
行政处罚 8
行政强制 —
行政事业性收费 4068.208

## 三、收到和处理政府信息公开申请情况

| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|
| 一、本年新收政府信息公开申请数量 | 4 | 1 | 0 | 0 | 0 | 0 | 5 |
| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （一）予以公开 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |
| （六）其他处理 | | | | | | | |
| 3.其他 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （七）总计 | 4 | 1 | 0 | 0 | 0 | 0 | 5 | 9 |
| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 |

## 六、其他需要报告的事项
本年度未收取信息处理费。

某某县某某局
二〇二四年一月十九日
"""


def test_markdown_and_flat_rows():
    r = parse(MD_2021)
    assert r.edition == "2021"
    assert (r.agency, r.year, r.issued_on) == ("某某县某某局", 2023, dt.date(2024, 1, 19))
    c = r.cells
    assert (c["active.normative.issued"].value, c["active.normative.repealed"].value, c["active.normative.in_force"].value) == (3, 1, 12)
    assert c["active.licensing.decisions"].value == 97
    assert c["active.penalty.decisions"].value == 8
    assert (c["active.coercion.decisions"].state, c["active.coercion.decisions"].value) == ("dash", 0)
    assert str(c["active.fees.amount"].value) == "40682080"  # printed in 万元
    assert c["requests.granted.commercial"].value == 1
    # Order and parent context: "3.其他" under （六）其他处理 is requests.other.other.
    assert c["requests.other.other.natural"].value == 1


def test_label_typos_are_tolerated_and_reported():
    r = parse(MD_2021)
    assert [(x.found, x.standard) for x in r.labels] == [("规范性文件", "行政规范性文件")]


def test_never_a_wrong_fill():
    r = parse(MD_2021)
    c = r.cells
    # A row of figures with no label is not guessed into a row.
    assert r.unplaced[0]["labels"] == [] and r.unplaced[0]["values"] == ["0"] * 7
    # More figures than columns: the whole row is missing, nothing shifted.
    assert {c[f"requests.processed_total.{k}"].state for k in ("natural", "total")} == {"missing"}
    # Fewer figures than columns in a Markdown table: which one was lost is unknown.
    assert {c[f"requests.carried_out.{k}"].state for k in ("natural", "other_org", "total")} == {"missing"}
    # Rows never printed stay missing, with a reason.
    assert c["requests.withheld.state_secret.natural"].state == "missing"
    assert c["requests.withheld.state_secret.natural"].note


def test_tab_rows_short_at_the_end_keep_their_figures():
    r = parse(SEED_2020.read_text(encoding="utf-8"))
    assert [r.cells[f"active.penalty.{k}"].state for k in ("prev_items", "change", "decisions")] == ["value", "value", "missing"]


def test_headings():
    text = "\n".join(["某某局2022年政府信息公开工作年度报告", "一、总体情况", "（二）主动公开政府信息情况", "正文。",
                      "主动公开政府信息情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"])
    r = parse(text)
    assert [(h.section, h.text) for h in r.headings] == [
        ("overview", "一、总体情况"), ("active", "主动公开政府信息情况"), ("requests", "三、收到和处理政府信息公开申请情况")]
    # A level-two heading inside 总体情况 is body text of that section.
    assert r.sections["overview"] == "（二）主动公开政府信息情况\n正文。"


def test_table_labels_printed_as_headings_are_the_tables_not_the_sections_text(shared):
    """Crawler text (shuyang 2025) prints table 三's rows and column groups, and table 四's
    column groups, as Markdown headings inside their sections: they are the tables' labels,
    not text to carry into the report (the rendered report printed twelve such lines)."""
    from ogi.ingest.load import load_report

    r = load_report(shared / "corpus" / "text" / "shuyang-gov-2025.txt")
    assert r.sections["requests"] == "" and r.sections["appeals"] == ""
    assert r.cells["requests.new.natural"].value == 705  # the labels still lead to their figures
    # The same lines around narrative of the section's own: only the labels go.
    text = "\n".join(["三、收到和处理政府信息公开申请情况", "（一）依申请公开办理情况", "全年共收到申请3件。",
                      "### 申请人情况 (自然人)", "(一) 予以公开", "二、上年结转政府信息公开申请数量",
                      "四、政府信息公开行政复议、行政诉讼情况", "行政诉讼（复议后起诉）", "本年度未发生行政诉讼。"])
    r = parse(text)
    assert r.sections["requests"] == "（一）依申请公开办理情况\n全年共收到申请3件。"
    assert r.sections["appeals"] == "本年度未发生行政诉讼。"
    # In another section the same words are that section's text (a sub-heading that names a row).
    r = parse("一、总体情况\n(一) 予以公开\n全年予以公开2件。")
    assert r.sections["overview"] == "(一) 予以公开\n全年予以公开2件。"
    # In its own section, a numbered sub-heading over its narrative is the section's too.
    text = "\n".join(["四、政府信息公开行政复议、行政诉讼情况", "（一）行政复议", "本年度收到行政复议申请2件。",
                      "（二）行政诉讼", "本年度发生行政诉讼1件。"])
    assert parse(text).sections["appeals"] == "\n".join(text.split("\n")[1:])


def test_wrapped_body_line_is_not_a_heading():
    text = "\n".join(["一、总体情况", "报告全文包括总体情况、因政府信息公开工作被申请行政复议和提起行政",
                      "诉讼情况、政府信息公开工作存在的主要问题及改进情况，以及"])
    r = parse(text)
    assert [h.section for h in r.headings] == ["overview"]


def test_numbered_heading_with_typo_is_found_and_flagged():
    r = parse("一、总体情况\n五、存在的主要问题和改进情况\n")
    assert [h.section for h in r.headings] == ["overview", "problems"]
    assert [(x.kind, x.standard) for x in r.labels] == [("section", "五、存在的主要问题及改进情况")]


def test_metadata_variants():
    r = parse("2024 年上海市科委政府信息公开工作\n年度报告\n本年度报告中所列数据的统计周期为 2024 年 1 月 1 日至 12 月 31 日。\n")
    assert (r.agency, r.year, r.year_evidence) == ("上海市科委", 2024, {"title": 2024, "period": 2024, "body": 2024})
    r = parse("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n")
    assert (r.agency, r.year, r.issued_on, r.kind, r.level) == ("沐阳县人民政府", 2025, dt.date(2026, 1, 23), "government", "county")
    r = parse("政府信息公开工作年度报告\n开封市商务局根据《条例》编制本报告。2019年，我局……\n")
    assert (r.agency, r.year, r.issued_on) == ("开封市商务局", 2019, None)
    r = parse("淮安市人民政府2024年政府信息公开工作年度报告\n正文。\n淮安市人民政府 2025年3月5日\n")
    assert (r.agency, r.issued_on, r.level) == ("淮安市人民政府", dt.date(2025, 3, 5), "city")


def test_page_numbers_are_not_figures():
    r = parse("一、总体情况\n正文第一段\n— 1 —\n正文第二段\n")
    assert r.sections["overview"] == "正文第一段\n正文第二段"
    assert r.unplaced == []


def _read_separated(truth_file: str, **kw):
    truth = load_truth(truth_file)
    return truth, score(parse(separated(truth, **kw)), truth)


@pytest.mark.parametrize("kw", [
    {"sep": "\t", "unit": "件", "thousands": True}, {"sep": "   ", "unit": "件", "thousands": True},
    {"sep": "\t", "unit": "件"}, {"sep": "  ", "thousands": True},
])
def test_counts_printed_with_a_unit_or_thousands_separator_read_whole(kw, shared):
    truth, s = _read_separated("tests/data/truth/huaian-gov-2024.pdf.yaml", **kw)
    assert s.wrong == 0, s.wrong_cells
    active = [c for c, v in truth.cells.items() if c.startswith("active.") and isinstance(v, int)]
    assert active and not set(active) & set(s.missed_cells)


@pytest.mark.parametrize("blank_between", [False, True])
def test_rows_printed_one_cell_per_line_read_as_rows(blank_between, shared):
    """A browser's copy of a table, or pdftotext without -layout: each cell on a line of
    its own (blank lines between for pdftotext)."""
    truth = load_truth("tests/data/truth/huaian-gov-2024.pdf.yaml")
    text = separated(truth, one_per_line=True)
    if blank_between:
        text = text.replace("\n", "\n\n")
    r = parse(text)
    s = score(r, truth)
    assert s.wrong == 0, s.wrong_cells
    c = r.cells
    assert [c[f"active.normative.{k}"].value for k in ("issued", "repealed", "in_force")] == [8, 26, 66]
    assert c["requests.new.total"].value == 3119 and c["requests.carried_in.natural"].value == 34


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=999), min_size=3, max_size=3), st.sampled_from(["：", "，"]))
def test_figures_printed_apart_are_never_taken_for_digits_run_together(figures, punct):
    """A row the flat-row reading refuses (a colon after its label) keeps its figures apart:
    the run-together reading must not split its first figure into the row's cells."""
    text = MD_2021.replace("| 规章 | 0 | 0 | 0 |\n", "").replace(
        "行政许可 97", f"规章{punct}{' '.join(map(str, figures))}\n行政许可 97")
    c = parse(text).cells
    got = [c[f"active.regulations.{k}"] for k in ("issued", "repealed", "in_force")]
    assert all(v.state == "missing" for v in got) or [v.value for v in got] == figures


@pytest.mark.parametrize("last_heading", ["其他", "总计"])
def test_a_column_heading_before_a_rows_figures_is_not_the_row_of_that_name(last_heading, shared):
    """pdftotext without -layout puts a row's label before the header's lines, so the
    last heading (其他, 总计) stands right before the row's figures: it is no row."""
    truth = load_truth("tests/data/truth/huaian-gov-2024.pdf.yaml")
    text = separated(truth, one_per_line=True, sep="\n")
    headings = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert "\n".join(headings) + "\n一、本年新收政府信息公开申请数量\n" in text
    headings.remove(last_heading)
    text = text.replace("\n".join([*headings, last_heading]) + "\n一、本年新收政府信息公开申请数量\n",
                        "\n".join(["一、本年新收政府信息公开申请数量", *headings, last_heading]) + "\n")
    s = score(parse(text), truth)
    assert s.wrong == 0, s.wrong_cells


@pytest.mark.parametrize("truth_file", ["tests/data/truth/huaian-gov-2024.pdf.yaml",
                                        "tests/data/truth/shuyang-gov-2025.txt.yaml", "tests/data/truth/seed-002.yaml"])
@pytest.mark.parametrize("kw", [{"sep": " "}, {"sep": "  "}, {"sep": "\t", "parents_inline": True},
                                {"sep": " ", "parents_inline": True}])
def test_rows_with_their_cells_apart_read_every_cell(truth_file, kw, shared):
    """Rows printed 'label figures' with spaces or tabs between: labels numbered 1.,
    labels explaining in brackets with commas (（二）部分公开（区分处理的，…）), and a group's
    label opening its first row's line (三、本年度办理结果 （一）予以公开 …)."""
    truth, s = _read_separated(truth_file, **kw)
    assert s.wrong == 0, s.wrong_cells
    assert not [c for c in s.missed_cells if c.startswith("requests.")]
    assert s.missed == 0 or truth.edition != "2021", s.missed_cells


@pytest.mark.parametrize("line", ["1.本年共收到申请 35 件", "1.本年共收到申请 35件", "本年共收到申请 35件",
                                  "2.全年办理申请，共 12 3", "2024年12月 31"])
def test_prose_ending_in_a_figure_is_not_a_table_row(line):
    doc = read_text(f"一、总体情况\n{line}\n二、主动公开政府信息情况\n")
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)][1] == line
    assert not [b for b in doc.blocks if isinstance(b, Table)]
