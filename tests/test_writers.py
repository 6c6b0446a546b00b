"""The writers: every format read back by ogi's own readers gives the same report; the
official layout of the DOCX (LibreOffice opens it, the template's table shapes); the
fill-in workbook; --fill-totals."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate
from ogi.render import render
from ogi.render.layout import grids
from ogi.report import Report, Value

from .conftest import CORPUS, SEED_2019, SEED_2020
from .strategies import publishable_reports

FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Rendering a PDF takes a second: few examples, and no shrinking (it would take minutes).
SLOW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.reuse, Phase.generate])


def _same(a: Report, b: Report) -> None:
    assert b.edition == a.edition
    diff = {k: (a.cells[k].state, a.cells[k].value, b.cells[k].state, b.cells[k].value)
            for k in a.cells if (a.cells[k].state, a.cells[k].value) != (b.cells[k].state, b.cells[k].value)}
    assert diff == {}
    assert (b.agency, b.year, b.issued_on) == (a.agency, a.year, a.issued_on)
    assert b.sections == a.sections


def roundtrip(report: Report, fmt: str) -> Report:
    return locate(read_bytes(render(report, fmt), f"r.{fmt}"))


@pytest.mark.parametrize("fmt", ["docx", "html", "xlsx", "md"])
def test_roundtrip(fmt):
    @FAST
    @given(publishable_reports())
    def prop(report):
        _same(report, roundtrip(report, fmt))

    prop()


def test_roundtrip_pdf():
    @SLOW
    @given(publishable_reports())
    def prop(report):
        _same(report, roundtrip(report, "pdf"))

    prop()


def test_json_roundtrip_through_render():
    r = load_report(SEED_2019)
    back = Report.from_json(__import__("json").loads(render(r, "json")))
    assert back.to_json() == r.to_json()


@pytest.mark.parametrize("seed", [SEED_2019, SEED_2020])
def test_seeds_render_and_read_back(seed):
    r = load_report(seed)
    for fmt in ("docx", "pdf", "html", "xlsx"):
        back = roundtrip(r, fmt)
        same = [k for k in r.cells if (r.cells[k].state, r.cells[k].value) == (back.cells[k].state, back.cells[k].value)]
        lost = [k for k, v in r.cells.items() if v.state == "missing"]
        # A cell the seed lost is printed empty: it comes back blank; every other cell as it was.
        assert len(same) + len(lost) == len(r.cells), fmt
        assert back.agency == r.agency and back.year == r.year


def test_docx_has_the_templates_table_shapes(shared):
    from docx import Document

    template = Document(str(CORPUS / "templates/template-2021-blank.docx"))
    expected = [(len(t.rows), len(t.columns)) for t in template.tables]
    r = load_report(CORPUS / "pdf/huaian-gov-2024.pdf")
    ours = Document(io.BytesIO(render(r, "docx")))
    assert [(len(t.rows), len(t.columns)) for t in ours.tables] == expected == [(14, 4), (28, 10), (4, 15)]
    # The template's merges: the note over three rows and three columns, 三、本年度办理结果 over 22 rows.
    g = grids(r)[1]
    assert (g.rows[0][0].rowspan, g.rows[0][0].colspan) == (3, 3)
    assert g.rows[5][0].text == "三、本年度办理结果" and g.rows[5][0].rowspan == 22


def test_docx_fonts_and_page():
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    d = Document(io.BytesIO(render(load_report(SEED_2020), "docx")))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert (round(s.top_margin.mm), round(s.bottom_margin.mm), round(s.left_margin.mm), round(s.right_margin.mm)) == (37, 35, 28, 26)
    title = d.paragraphs[0]
    assert title.text == "绿园区商务局\n2020年政府信息公开工作年度报告"  # too long for one line of 二号
    assert title.runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    heading = next(p for p in d.paragraphs if p.text == "一、总体情况")
    assert heading.runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert "PAGE" in s.footer.paragraphs[0]._p.xml
    assert d.paragraphs[-1].text == "2021年1月21日" and d.paragraphs[-2].text == "绿园区商务局"
    assert Mm(1)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by .ci/run")
def test_libreoffice_opens_the_docx(tmp_path):
    f = tmp_path / "report.docx"
    f.write_bytes(render(load_report(SEED_2019), "docx"))
    p = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(f)],
                       capture_output=True, timeout=180)
    assert p.returncode == 0 and (tmp_path / "report.pdf").stat().st_size > 10_000


def test_pdf_text_is_selectable_and_fonts_embedded():
    import pdfplumber

    data = render(load_report(SEED_2019), "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "开封市商务局2019年政府信息公开工作年度报告" in text.replace(" ", "").replace("\n", "")
    from pypdf import PdfReader

    embedded = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object()
            if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                embedded.add(str(desc["/FontName"]))
    assert any("CJK" in name for name in embedded), embedded


def test_template_workbook_filled_in_reads_back(tmp_path):
    import openpyxl

    from ogi.editions import load_edition

    ed = load_edition("2021")
    empty = Report.empty("2021", agency="某某局", year=2025)
    empty.cells = {cid: Value("blank") for cid in ed.cells}
    data = render(empty, "xlsx", template=True)
    back = locate(read_bytes(data, "t.xlsx"))
    assert (back.agency, back.year) == ("某某局", 2025)
    assert back.cells["requests.new.natural"].state == "blank"
    # An office fills it in (openpyxl, like a program would: formulas then have no cached value).
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["表三"]
    ws["D4"] = 5   # 一、本年新收 — 自然人
    ws["E4"] = 2   # 商业企业
    ws["D28"] = 7  # 四、结转下年度 — 自然人
    wb["封面与正文"]["B5"] = "2026年1月20日"
    buf = io.BytesIO()
    wb.save(buf)
    filled = locate(read_bytes(buf.getvalue(), "filled.xlsx"))
    assert filled.cells["requests.new.natural"].value == 5
    assert filled.cells["requests.new.total"].value == 7  # the total formula, evaluated
    assert filled.cells["requests.carried_out.natural"].value == 7
    assert str(filled.issued_on) == "2026-01-20"


def test_fill_totals_only_fills_blank_totals():
    from ogi.render.totals import fill_totals

    from .builders import setcells, zero_report

    r = setcells(zero_report(), {"requests.new.natural": 3, "requests.new.commercial": 2})
    r.cells["requests.new.total"] = Value("blank")
    r.cells["requests.carried_in.total"] = Value("value", 9, "9")  # printed wrong: left as it is
    assert fill_totals(r) == ["requests.new.total"]
    assert r.cells["requests.new.total"].value == 5
    assert r.cells["requests.carried_in.total"].value == 9


def test_cli_render_and_template(shared, tmp_path):
    import subprocess
    import sys

    run = lambda *a: subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, a)], capture_output=True, text=True, timeout=120)  # noqa: E731
    p = run("render", SEED_2020, "--to", "xlsx", "-o", tmp_path / "a.xlsx")
    assert p.returncode == 0 and "已写入" in p.stderr
    assert load_report(tmp_path / "a.xlsx").agency == "绿园区商务局"
    p = run("render", CORPUS / "pdf/hongze-gov-2024.pdf", "--to", "md")
    assert p.returncode == 0 and p.stdout.startswith("# 淮安市洪泽区人民政府2024年")
    p = run("template", "--edition", "2019", "--agency", "某某局", "--year", "2020", "--to", "docx", "-o", tmp_path / "t.docx")
    assert p.returncode == 0
    assert load_report(tmp_path / "t.docx").edition == "2019"
    p = run("render", tmp_path / "missing.json", "--to", "pdf")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = subprocess.run([sys.executable, "-m", "ogi.cli", "render", str(SEED_2020), "--to", "md", "-o", "-"], capture_output=True,
                       timeout=120, cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("# 绿园区商务局".encode()) and not (tmp_path / "-").exists()  # - is stdout
    p = run("render", SEED_2020, "--to", "odt")
    assert p.returncode == 2 and "用法错误" in p.stderr
    assert Path(tmp_path / "a.xlsx").exists()


def test_the_title_breaks_after_the_agency_and_heading_rows_stay_with_their_figures():
    """The title, when too long for a line, breaks after the agency's name (it broke as
    …工作年 / 度报告); a row of headings is kept on the page of the figures under it."""
    from ogi.ingest.load import load_report
    from ogi.render.html import render_html

    from .conftest import SHARED

    report = load_report(sorted((SHARED / "seeds").glob("*.txt"))[0])
    html = render_html(report)
    agency = report.agency
    assert agency and f'<h1>{agency}<span class="keep">{report.year}年政府信息公开工作年度报告</span></h1>' in html
    assert '<tr class="head">' in html and "tr.head { break-after: avoid; }" in html



def test_the_docx_title_breaks_after_the_agency_only_when_it_does_not_fit():
    """Word wrapped the title of shuyang 2025 as …工作年 / 度报告; a short title stays one line."""
    import docx

    from ogi.render.text import title_lines

    from .conftest import SHARED

    report = load_report(SHARED / "corpus" / "text" / "shuyang-gov-2025.txt")
    first = docx.Document(io.BytesIO(render(report, "docx"))).paragraphs[0]
    assert first.text == f"{report.agency}\n{report.year}年政府信息公开工作年度报告"
    report.agency = "某局"
    assert docx.Document(io.BytesIO(render(report, "docx"))).paragraphs[0].text == "某局2025年政府信息公开工作年度报告"
    # An agency too long for a line of its own: the title is left to wrap as it will.
    report.agency = "某某省某某市某某区人民政府办公室政务公开科某某中心"
    assert title_lines(report, 20) == [f"{report.agency}2025年政府信息公开工作年度报告"]


@pytest.mark.parametrize("fmt", ["docx", "html", "md", "pdf", "xlsx"])
@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_a_blank_form_reads_back_blank_table_four_included(fmt, edition):
    """Table 四's one line has no label: printed empty, it was read as missing, and a blank
    form (or a report with no case, its row left empty) got the error that table 四 was not
    found at all."""
    from ogi.editions import load_edition

    ed = load_edition(edition)
    blank = Report.empty(ed.id, agency="某某局", year=2025 if edition == "2021" else 2020)
    blank.cells = {cid: Value("blank") for cid in ed.cells}
    back = locate(read_bytes(render(blank, fmt, template=True), f"t.{fmt}"))
    # (The workbook's totals are formulas: they read as 0.)
    states = {cid: v.state for cid, v in back.cells.items()
              if cid.startswith("appeals.") and not (fmt == "xlsx" and cid.endswith(".total"))}
    assert set(states.values()) == {"blank"}, states


def test_the_official_blank_form_reads_table_four_as_blank(shared):
    report = load_report(CORPUS / "templates/template-2021-blank.docx")
    assert {v.state for cid, v in report.cells.items() if cid.startswith("appeals.")} == {"blank"}


def test_a_merged_label_cut_by_a_page_break_is_printed_on_both_pages():
    """Table 三's 三、本年度办理结果 and （三）不予公开 run down the left of rows on two pages:
    printed on the first page only, the rows on the next were left without their label."""
    import pypdfium2 as pdfium

    report = load_report(SEED_2019)
    data = render(report, "pdf")
    pdf = pdfium.PdfDocument(data)
    pages = [pdf[i].get_textpage().get_text_range().replace("\r", "").replace("\n", "") for i in range(len(pdf))]
    pdf.close()
    cont = next(i for i, t in enumerate(pages) if "危及" in t and "属于国家秘密" not in t)  # table 三 goes on here
    assert "本年" in pages[cont] and "办理结果" in pages[cont] and "不予公开" in pages[cont], pages[cont][:300]
    assert "办理结果" in pages[cont - 1]
    back = locate(read_bytes(data, "r.pdf"))
    assert {k: (v.state, v.value) for k, v in back.cells.items()} == {k: (v.state, v.value) for k, v in report.cells.items()}


def test_splitting_merged_cells_keeps_every_position_covered_once():
    from ogi.render.html import split_at

    for grid in grids(load_report(SEED_2019)):
        for cut in range(grid.header_rows + 1, len(grid.rows)):
            split = split_at(grid, [cut])
            assert _covered(split) == _covered(grid), (grid.table.key, cut)
            assert all(c.rowspan <= 1 or not (r < cut < r + c.rowspan)
                       for r, row in enumerate(split.rows) for c in row), "a merged cell still crosses the break"


def _covered(grid) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    taken: list[tuple[int, int]] = []
    for r, row in enumerate(grid.rows):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            taken += [(r + dr, col + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)]
            col += cell.colspan
    return sorted(taken)


def test_a_row_of_empty_cells_before_table_fours_figures_does_not_blank_them():
    """An empty spacer row, then table 四's figures in a row that cannot be placed (a label that
    names nothing): the figures must not turn into 15 blank cells that pass every check."""
    html = render(load_report(SEED_2020), "html").decode("utf-8")
    row = re.search(r'<tr data-row="\d\.\d+">(?:<td>[^<]*</td>){15}</tr>', html)
    assert row is not None
    figures = "".join(f"<td>{x}</td>" for x in (3, 1, 0, 0, 4, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0))
    for rows in ("<tr>" + "<td></td>" * 15 + "</tr><tr><td>件数</td>" + figures + "</tr>",
                 "<tr>" + "<td></td>" * 15 + "</tr><tr>" + figures[: figures.rindex("<td>")] + "</tr>"):
        report = locate(read_bytes(html.replace(row.group(0), rows).encode("utf-8"), "r.html"))
        assert {v.state for c, v in report.cells.items() if c.startswith("appeals.")} == {"missing"}


def test_the_signature_never_stands_alone_on_the_last_page():
    """The agency and the date of issue went to a page of their own when the text before
    them filled the page (a published report of 某某市商务局 ended so): in the PDF and the
    DOCX they are kept with the report's last lines."""
    import docx
    import pypdfium2 as pdfium
    from weasyprint import HTML

    from ogi.render.html import render_html
    from ogi.render.text import date_zh

    from .conftest import SHARED

    report = load_report(sorted((SHARED / "seeds").glob("*.txt"))[0])
    assert report.agency and report.issued_on

    def with_lines(n: int) -> None:
        report.sections = {**report.sections, "other": "\n".join(f"第{i}项情况说明。" for i in range(n))}

    # Laid out once with one line of text in 六, to see how much of its page is left; then as
    # many lines more as fill it, so that no room is left for the signature under them.
    with_lines(1)
    page = HTML(string=render_html(report)).render().pages[-1]._page_box
    lines = [b for b in page.descendants() if type(b).__name__ == "LineBox"]
    mine = next(b for b in lines if "第0项情况说明。" in "".join(t.text for t in b.descendants() if hasattr(t, "text")))
    bottom = page.content_box_y() + page.height
    with_lines(1 + int((bottom - (mine.position_y + mine.height)) // mine.height))
    signature = {report.agency, date_zh(report.issued_on)}
    pdf = pdfium.PdfDocument(render(report, "pdf"))
    last = [x.strip() for x in pdf[len(pdf) - 1].get_textpage().get_text_range().splitlines() if x.strip()]
    assert [x for x in last if x not in signature and not re.fullmatch(r"\W*\d+\W*", x)], last
    paras = docx.Document(io.BytesIO(render(report, "docx"))).paragraphs
    at = max(i for i, p in enumerate(paras) if p.text == report.agency)
    # Word keeps each of these with the next: the last line of text, the blank line, the agency.
    assert paras[at - 2].text.endswith("项情况说明。")
    assert all(p.paragraph_format.keep_with_next for p in paras[at - 2:at + 1])
    headings = [p for p in paras if p.text.startswith(("一、", "二、", "三、", "四、", "五、", "六、"))]
    assert len(headings) == 6 and all(p.paragraph_format.keep_with_next for p in headings)


def test_the_note_on_a_corrected_file_never_stands_alone_on_the_last_page():
    """A published version's file says below the signature that it was corrected. When the
    signature ended at the foot of its page, the note went to a page of its own, a rule and
    two lines on an empty page: it begins on the signature's page (in the PDF, the report's
    last lines and the signature go over with it; in the DOCX, Word keeps them together)."""
    import docx
    import pypdfium2 as pdfium
    from weasyprint import HTML

    from ogi.render.html import render_html
    from ogi.render.text import date_zh

    from .conftest import SHARED

    report = load_report(sorted((SHARED / "seeds").glob("*.txt"))[0])
    assert report.agency and report.issued_on
    note = "更正说明：本报告已于2027年2月15日更正，本文件为更正后的第2版。更正理由：表三自然人一栏误印为26件，应为62件。"

    def with_lines(n: int) -> None:
        report.sections = {**report.sections, "other": "\n".join(f"第{i}项情况说明。" for i in range(n))}

    def text(box) -> str:  # type: ignore[no-untyped-def]
        return "".join(t.text for t in box.descendants() if hasattr(t, "text"))

    # As many lines of text in 六 as leave the signature at the foot of its page, with no
    # room for the note under it.
    with_lines(1)
    page = HTML(string=render_html(report)).render().pages[-1]._page_box
    lines = [b for b in page.descendants() if type(b).__name__ == "LineBox"]
    mine = next(b for b in lines if "第0项情况说明。" in text(b))
    date = next(b for b in lines if date_zh(report.issued_on) in text(b))
    bottom = page.content_box_y() + page.height
    with_lines(1 + int((bottom - (date.position_y + date.height)) // mine.height))
    pdf = pdfium.PdfDocument(render(report, "pdf", note=note))
    last = [x.strip() for x in pdf[len(pdf) - 1].get_textpage().get_text_range().splitlines() if x.strip()]
    assert last[0].startswith("第") and report.agency in last and any(x.startswith("更正说明") for x in last), last
    before = [x.strip() for x in pdf[len(pdf) - 2].get_textpage().get_text_range().splitlines() if x.strip()]
    assert report.agency not in before
    paras = docx.Document(io.BytesIO(render(report, "docx", note=note))).paragraphs
    at = next(i for i, p in enumerate(paras) if p.text.startswith("更正说明"))
    # The date, the blank line and the note: each of the first two kept with the next.
    assert paras[at - 2].text == date_zh(report.issued_on) and paras[at - 1].text == ""
    assert all(p.paragraph_format.keep_with_next for p in paras[at - 2:at])
