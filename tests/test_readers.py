"""Every form a report is published in, read into the same Report: accuracy against the
hand-typed ground truth, the defects the checks must find in the files themselves,
provenance, and the reader chosen by content."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from ogi.checks import check, check_all
from ogi.corpus.truth import load_truth, score
from ogi.ingest.load import load_report, read_bytes
from ogi.ingest.locate import locate

from .conftest import CORPUS, SHARED

TRUTH = Path(__file__).resolve().parent / "data" / "truth"
TRUTH_FILES = sorted(TRUTH.glob("*.yaml"))
THIRD_PARTY = {"md", "txt"}


def _path(truth) -> Path:
    return SHARED / truth.file if truth.file.startswith("seeds/") else CORPUS / truth.file


@pytest.fixture(scope="module")
def reports(shared):
    return {t.name: load_report(_path(load_truth(t))) for t in TRUTH_FILES}


@pytest.mark.parametrize("truth_file", TRUTH_FILES, ids=lambda p: p.stem)
def test_cells_against_ground_truth(reports, truth_file):
    truth = load_truth(truth_file)
    report = reports[truth_file.name]
    s = score(report, truth)
    assert s.wrong == 0, f"wrongly filled: {s.wrong_cells}"
    kind = Path(truth.file).suffix.lstrip(".")
    if truth.file.startswith("seeds/") or kind not in THIRD_PARTY:
        # Official files: every printed cell right; only what the file lost may be missing.
        assert s.missed == 0, f"missed: {s.missed_cells}"
    assert (report.edition, report.agency, report.year) == (truth.edition, truth.agency, truth.year)
    assert (report.issued_on.isoformat() if report.issued_on else None) == (
        str(truth.issued_on) if truth.issued_on else None)


def _findings(reports, name):
    return check(reports[name])


def test_hongze_2023_appeals_totals_found(reports):
    fs = [f for f in _findings(reports, "hongze-gov-2023.pdf.yaml") if f.rule == "appeals.total"]
    assert sorted((f.where["row"], f.found, f.expected) for f in fs) == [
        ("行政复议", 0, 11), ("行政诉讼/复议后起诉", 0, 5)]
    assert all(f.source and f.source["page"] == 4 for f in fs)


def test_hongze_one_row_other_is_an_edition_mismatch(reports):
    for name in ("hongze-gov-2023.pdf.yaml", "hongze-gov-2024.pdf.yaml"):
        fs = _findings(reports, name)
        assert [f.found for f in fs if f.rule == "edition.mismatch"] == ["（六）其他处理"]
        # The row as printed still takes part in the identities: no false alarm for it.
        assert not [f for f in fs if f.rule in ("requests.processed_total", "requests.balance")]


def test_label_typos_found(reports):
    hongze = [(f.found, f.expected) for f in _findings(reports, "hongze-gov-2023.pdf.yaml") if f.rule == "label.nonstandard"]
    assert hongze == [("2.其他法律行政止公开", "2.其他法律行政法规禁止公开")]
    fgj = {(f.found, f.expected) for f in _findings(reports, "shuyang-fgj-2023.html.yaml") if f.rule == "label.nonstandard"}
    assert ("规范性文件", "行政规范性文件") in fgj


def test_fgj_blank_columns_found(reports):
    for name in ("shuyang-fgj-2023.html.yaml", "shuyang-fgj-2023.docx.yaml"):
        blank = [f for f in _findings(reports, name) if f.rule == "cell.blank"]
        assert len(blank) == 1
        assert {c.rsplit(".", 1)[1] for c in blank[0].cells} == {"commercial", "research", "nonprofit", "legal_service", "other_org"}


def test_huaian_has_no_false_arithmetic_alarm(reports):
    fs = _findings(reports, "huaian-gov-2024.pdf.yaml")
    assert [f for f in fs if f.severity == "error"] == []
    assert str(reports["huaian-gov-2024.pdf.yaml"].cells["active.fees.amount"].value) == "961716000"


def test_kewei_blank_total_found(reports):
    fs = _findings(reports, "shanghai-kewei-2024.md.yaml")
    blank_totals = [f for f in fs if f.rule == "cell.blank" and f.cells == ["requests.carried_out.total"]]
    assert blank_totals and blank_totals[0].expected == 1


def test_kewei_table_four_read_past_a_stray_total_line(reports):
    """The converter left the header's 总计 on a line of its own between table 四's title
    and its one row of figures; 总计 is printed in table 三 too, and must not take the
    locator back there."""
    r = reports["shanghai-kewei-2024.md.yaml"]
    appeals = {cid: v.value for cid, v in r.cells.items() if cid.startswith("appeals.")}
    assert appeals["appeals.review.upheld"] == 1 and appeals["appeals.review.total"] == 1
    assert sum(v for v in appeals.values()) == 2 and len(appeals) == 15


def test_hongze_pair_is_continuous(reports):
    a, b = reports["hongze-gov-2023.pdf.yaml"], reports["hongze-gov-2024.pdf.yaml"]
    from ogi.checks.continuity import consecutive

    assert list(consecutive([a, b])) == [(0, 1)]
    assert not [f for fs in check_all([a, b]) for f in fs if f.rule.startswith("continuity")]


def test_provenance(reports):
    pdf = reports["huaian-gov-2024.pdf.yaml"].cells["requests.new.natural"].source
    assert pdf["page"] == 4 and {"table", "row", "col"} <= set(pdf)
    html = reports["shuyang-fgj-2023.html.yaml"].cells["requests.new.natural"].source
    assert {"table", "row", "col"} <= set(html)
    docx = reports["shuyang-fgj-2023.docx.yaml"].cells["appeals.review.pending"].source
    assert {"table", "row", "col"} <= set(docx)


def test_reader_is_chosen_by_content(shared, tmp_path):
    for src, name in ((CORPUS / "html/shuyang-fgj-2023.html", "page.txt"), (CORPUS / "pdf/hongze-gov-2024.pdf", "report.dat"),
                      (CORPUS / "docx/shuyang-fgj-2023.docx", "report.bin")):
        dst = tmp_path / name
        shutil.copy(src, dst)
        assert load_report(dst).year in (2023, 2024)


def test_gbk_web_page(shared):
    html = (CORPUS / "html/shuyang-fgj-2023.html").read_text(encoding="utf-8")
    declared = html.replace('<meta charset="utf-8" />', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', 1)
    undeclared = html.replace('<meta charset="utf-8" />', "", 1).replace('<meta charset="utf-8">', "")
    for text in (declared, undeclared):
        r = locate(read_bytes(text.encode("gb18030"), "page.html"))
        assert r.agency == "沭阳县发展和改革局"
        assert r.cells["requests.new.natural"].value == 26


def test_layout_table_and_site_chrome():
    page = """<html><head><meta charset="gbk"><script>var x="<table>";</script></head><body>
    <div class="nav">首页 &gt; 政府信息公开 &gt; 年报</div>
    <table class="layout"><tr><td><p>某某县民政局2023年政府信息公开工作年度报告</p>
      <table border="1"><tr><td rowspan="2">规章</td><td>0</td><td>0</td><td>0</td></tr>
      <tr><td colspan="3">（下行为行政规范性文件）</td></tr>
      <tr><td>行政规范性文件</td><td>2</td><td>1</td><td>9</td></tr></table>
    </td><td>相关链接</td></tr></table></body></html>"""
    r = locate(read_bytes(page.encode("gbk"), "x.html"))
    assert r.agency == "某某县民政局"
    assert [r.cells[f"active.normative.{k}"].value for k in ("issued", "repealed", "in_force")] == [2, 1, 9]
    assert r.cells["active.regulations.in_force"].value == 0


def _xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws.append(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, "申请人情况"])
    ws.merge_cells("A1:B2")
    ws.merge_cells("C1:I1")
    ws.append([None, None, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    ws.append(["一、本年新收政府信息公开申请数量", None, 3, 1, 0, 0, 0, 0, "=SUM(C3:H3)"])
    ws.append(["二、上年结转政府信息公开申请数量", None, 1, 0, 0, 0, 0, 0, "=C4+D4+E4+F4+G4+H4"])
    ws.merge_cells("A3:B3")
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def test_xlsx_merged_cells_and_uncached_formulas():
    r = locate(read_bytes(_xlsx_bytes(), "w.xlsx"))
    assert r.cells["requests.new.total"].value == 4  # SUM evaluated: openpyxl writes no cached value
    assert r.cells["requests.carried_in.total"].value == 1
    assert r.cells["requests.new.commercial"].value == 1
    assert r.cells["requests.new.natural"].source == {"sheet": "表三", "row": 3, "col": 3}


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_bytes() -> bytes:
    """A DOCX written by hand: list numbering for the headings, a text box, a vertical and
    a horizontal merge, and a table nested in a cell."""
    def p(text, num=None):
        numpr = f'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr>' if num else ""
        return f"<w:p>{numpr}<w:r><w:t>{text}</w:t></w:r></w:p>"

    def tc(text, extra=""):
        return f"<w:tc><w:tcPr>{extra}</w:tcPr>{p(text)}</w:tc>"

    rows = [
        tc("规章", '<w:vMerge w:val="restart"/>') + tc("0") + tc("0") + tc("0"),
        tc("", "<w:vMerge/>") + tc("（说明）", '<w:gridSpan w:val="3"/>'),
        tc("行政规范性文件") + tc("5") + tc("2") + tc("40"),
    ]
    nested = f"<w:tbl>{''.join(f'<w:tr>{r}</w:tr>' for r in [tc('行政许可') + tc('12')])}</w:tbl>"
    outer = f"<w:tbl><w:tr><w:tc>{nested}{p('')}</w:tc><w:tc>{p('旁注')}</w:tc></w:tr></w:tbl>"
    box = ('<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:drawing><w:txbxContent>'
           '<w:p><w:r><w:t>文本框中的说明</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r></w:p>')
    body = (p("某某市某某局2023年政府信息公开工作年度报告") + p("总体情况", 1) + box + p("主动公开政府信息情况", 1)
            + f"<w:tbl>{''.join(f'<w:tr>{r}</w:tr>' for r in rows)}</w:tbl>" + outer + p("其他需要报告的事项", 1))
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
    numbering = (f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}><w:abstractNum w:abstractNumId="0">'
                 '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
                 '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document)
        z.writestr("word/numbering.xml", numbering)
    return b.getvalue()


def test_docx_numbering_merges_nested_tables_and_text_boxes():
    doc = read_bytes(_docx_bytes(), "x.docx")
    texts = [b.text for b in doc.paragraphs]
    assert "一、总体情况" in texts and "二、主动公开政府信息情况" in texts and "三、其他需要报告的事项" in texts
    assert "文本框中的说明" in texts
    r = locate(doc)
    assert [r.cells[f"active.normative.{k}"].value for k in ("issued", "repealed", "in_force")] == [5, 2, 40]
    assert r.cells["active.licensing.decisions"].value == 12  # from the nested table
    assert [h.section for h in r.headings][:2] == ["overview", "active"]


@pytest.mark.parametrize("turn", [0, 180], ids=["upright", "upside-down"])
def test_scanned_page_is_read_by_ocr(shared, turn):
    """Render a page of an official PDF to an image (upright, and as if scanned upside
    down), OCR it, and recover table 三 — with no figure wrongly read: the recogniser's
    angle classifier once turned the lone 9 of 行政执法案卷/总计 into a 6."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((CORPUS / "pdf/huaian-gov-2024.pdf").read_bytes())
    img = pdf[3].render(scale=2).to_pil().rotate(turn)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    r = locate(read_bytes(buf.getvalue(), "page4.png"))
    truth = load_truth(TRUTH / "huaian-gov-2024.pdf.yaml")
    page_cells = [c for c in truth.cells if c.startswith(("requests.new.", "requests.carried_in.", "requests.granted.",
                                                          "requests.partial.", "requests.withheld.",
                                                          "requests.unavailable.not_held.", "active.penalty.",
                                                          "active.coercion.", "active.fees."))]
    read = [c for c in page_cells if r.cells[c].state == "value"]
    wrong = [c for c in read if r.cells[c].number != load_report_value(truth, c)]
    assert not wrong and len(read) >= 0.9 * len(page_cells), (wrong, len(read), len(page_cells))
    assert r.cells["requests.withheld.enforcement_file.total"].value == 9
    src = r.cells["requests.new.natural"].source
    assert "box" in src and 0 < src["confidence"] <= 1


def test_scan_labels_wrapped_over_three_lines_join_their_row(shared):
    """In a scan the first and last lines of a label wrapped over three lines stand
    above and below its figures; the table's rules say which row they belong to."""
    import pypdfium2 as pdfium

    from ogi.ingest.document import Table
    from ogi.ingest.ocr import ocr_image

    pdf = pdfium.PdfDocument((CORPUS / "pdf/huaian-gov-2024.pdf").read_bytes())
    blocks = ocr_image(pdf[4].render(scale=2).to_pil().convert("RGB"), 5)
    rows = [[c.text for c in row] for b in blocks if isinstance(b, Table) for row in b.rows]
    assert ["1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "67", "3", "0", "0", "1", "0", "71"] in rows
    assert any(r[-8:] == ["2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "6", "0", "0", "0", "0", "0", "6"]
               for r in rows)


def load_report_value(truth, cid):
    from ogi.editions import load_edition
    from ogi.textnorm import parse_figure

    cdef = load_edition(truth.edition).cells[cid]
    return parse_figure(str(truth.cells[cid]), cdef.unit, cdef.column.printed_in).number


@pytest.mark.parametrize("name", ["hongze-gov-2023.pdf", "huaian-gov-2024.pdf"])
def test_pdfium_page_objects_are_pdfminers(shared, name):
    """The fast path gives pdfplumber the characters and rulings pdfminer would: same text
    in the same order, boxes within a quarter point (vertical writing included: 洪泽's
    table 三 header), the same table edges."""
    import pdfplumber
    import pypdfium2 as pdfium

    from ogi.ingest.pdf_objects import PageObjects

    path = CORPUS / "pdf" / name
    doc = pdfium.PdfDocument(path)
    with pdfplumber.open(path) as pdf:
        for pno, page in enumerate(pdf.pages, start=1):
            ref_chars, ref_edges = page.chars, page.edges
            mine = PageObjects(doc[pno - 1], pno, float(page.height), page.initial_doctop).objects()
            assert [c["text"] for c in mine["char"]] == [c["text"] for c in ref_chars]
            for a, b in zip(mine["char"], ref_chars, strict=True):
                assert all(abs(a[k] - b[k]) < 0.25 for k in ("x0", "x1", "top", "bottom", "doctop")), (pno, a, b)
            page._objects = mine
            key = lambda e: (e["orientation"], round(e["x0"], 1), round(e["top"], 1), round(e["x1"], 1), round(e["bottom"], 1))  # noqa: E731
            assert sorted(map(key, page.edges)) == sorted(map(key, ref_edges)), pno
    doc.close()


def _cut(row_texts: list[str], x0: float = 100, width: float = 40) -> tuple[list, dict]:
    from ogi.ingest.document import Cell

    cells = [Cell(t, {"page": 1}) for t in row_texts]
    return cells, {id(c): (x0 + k * width, x0 + (k + 1) * width) for k, c in enumerate(cells)}


def test_a_figure_a_page_break_cut_is_put_back_together():
    """103 wrapped in a narrow cell as 10 | 3 with the break between (LibreOffice's PDF of
    a DOCX): the next page's table opens with the 3 alone, under the 10."""
    from ogi.ingest.document import Paragraph, Table
    from ogi.ingest.pdf import _join_cut_rows

    label = "四、结转下年度继续办理"
    before, spans = _cut([label, "10", "0", "0", "0", "0", "0", "1"])
    after, more = _cut(["", "3", "", "", "", "", "", "03"])
    header, more2 = _cut(["行政复议", "行政诉讼"])
    nxt = Table([after, header])
    pages = [[(1.0, Table([before])), (800.0, Paragraph("— 11 —", {"margin": True}))], [(40.0, nxt)]]
    _join_cut_rows(pages, {**spans, **more, **more2})
    assert [c.text for c in before] == [label, "103", "0", "0", "0", "0", "0", "103"]
    assert nxt.rows == [header]

    # The next page's first row is a header: nothing of it goes into the figures; and a
    # row of figures under a header row (table 四 cut after its header) stays its own.
    for top, bottom in ((["规范性文件", "8", "2"], ["信息内容", "本年新制作数量", "本年新公开数量"]),
                        (["结果维持", "结果纠正", "总计"], ["", "12", "1"]), (["结果维持", "3", "1"], ["7", "12", "1"])):
        a, s1 = _cut(top)
        b, s2 = _cut(bottom)
        pages = [[(1.0, Table([a]))], [(40.0, Table([b]))]]
        _join_cut_rows(pages, {**s1, **s2})
        assert [c.text for c in a] == top and len(pages[1]) == 1


def test_a_row_split_between_its_figures_and_its_label_is_joined():
    """A browser's PDF (WeasyPrint, A5, the header repeated): the figures of 8.属于行政查询事项
    at the foot of one page with its label cell empty, the label at the head of the next,
    figures empty. Read apart: seven cells blank and five false 总计 errors."""
    from ogi.ingest.document import Table
    from ogi.ingest.pdf import _join_split_rows

    head1, s1 = _cut(["", "", "自然人", "商业企业", "总计"])
    head2, s2 = _cut(["", "", "自然人", "商业企业", "总计"])
    figures, s3 = _cut(["", "", "101", "102", "203"])
    label, s4 = _cut(["", "8.属于行政查询事项", "", "", ""])
    after, s5 = _cut(["", "1.本机关不掌握相关政府信息", "1", "2", "3"])
    nxt = Table([head2, label, after])
    pages = [[(1.0, Table([head1, figures]))], [(40.0, nxt)]]
    _join_split_rows(pages, {**s1, **s2, **s3, **s4, **s5})
    assert [c.text for c in figures] == ["", "8.属于行政查询事项", "101", "102", "203"]
    assert nxt.rows == [head2, after]
    # A row of figures with its own label, or a next row that has figures, is left as it is.
    for top, bottom in ((["", "7.属于行政执法案卷", "1", "2", "3"], ["", "8.属于行政查询事项", "", "", ""]),
                        (["", "", "1", "2", "3"], ["", "8.属于行政查询事项", "4", "5", "9"])):
        a, t1 = _cut(top)
        b, t2 = _cut(bottom)
        pages = [[(1.0, Table([a]))], [(40.0, Table([b]))]]
        _join_split_rows(pages, {**t1, **t2})
        assert [c.text for c in a] == top and len(pages[1][0][1].rows) == 1


def test_a_text_page_with_only_its_signature_is_no_scan():
    """The last page of a text PDF held the signature alone (12 characters): taken for a scan,
    it went through OCR and the reader was told 第 4 页为扫描图像."""
    import weasyprint

    from ogi.ingest.pdf import read_pdf

    body = "".join(f"<p>第{i}段：本机关认真贯彻落实政府信息公开条例，主动公开政府信息。</p>" for i in range(12))
    pdf = weasyprint.HTML(string=f'<html><body>{body}<p style="break-before:page">某某市人民政府</p></body></html>').write_pdf()
    doc = read_pdf(pdf, "signed.pdf")
    assert not doc.scanned and not doc.notices
    assert "某某市人民政府" in [p.text for p in doc.paragraphs]


def test_a_browsers_pdf_of_a_small_page_reads_every_cell(shared):
    """The report's web page printed by a browser engine on A5, rows allowed to break: rows
    split between pages read as their figures, not blank."""
    import weasyprint

    from ogi.ingest.load import load_report, read_bytes
    from ogi.ingest.locate import locate
    from ogi.render import render

    original = load_report(shared / "seeds" / "002_b220d2f9fe7791d7.txt")
    page = render(original, "html").decode("utf-8").replace(
        "</style>", "@page{size:A5;margin:15mm} body{font-size:12pt} table{font-size:10pt} "
                    "tr{break-inside:auto !important} thead{display:table-header-group}</style>")
    report = locate(read_bytes(weasyprint.HTML(string=page).write_pdf(), "a5.pdf"))
    got = {cid: (v.state, v.number) for cid, v in report.cells.items()}
    assert got == {cid: (v.state, v.number) for cid, v in original.cells.items()}


def test_a_figure_merged_down_across_a_page_break_reads_on_the_next_page():
    """0 merged down the 科研机构 column over rows a page break cuts: printed on the first
    page only; its rest on the next page, merged down in its turn, is that 0, not blank."""
    from ogi.ingest.document import Cell, Table
    from ogi.ingest.pdf import _continue_merged

    def page(rows: list[tuple[str, str]], merged: str) -> Table:
        top = Cell(merged, {"row": 1, "col": 2})
        grid = [[Cell(rows[0][0]), top]]
        grid += [[Cell(label), Cell(merged, top.source, copy="v")] for label, _ in rows[1:]]
        return Table(grid)

    first = page([("1. 属于国家秘密", ""), ("2. 其他法律行政法规禁止公开", "")], "0")
    second = page([("3. 危及“三安全一稳定”", ""), ("4. 保护第三方合法权益", ""), ("5. 属于三类内部事务信息", "")], "")
    _continue_merged([[(1.0, first)], [(40.0, second)]])
    assert [row[1].text for row in second.rows] == ["0", "0", "0"]

    # A blank cell of its own at the top of the next page (not merged down) stays blank.
    lone = Table([[Cell("3. 危及“三安全一稳定”"), Cell("")], [Cell("4. 保护第三方合法权益"), Cell("2")]])
    _continue_merged([[(1.0, page([("1", ""), ("2", "")], "0"))], [(40.0, lone)]])
    assert [row[1].text for row in lone.rows] == ["", "2"]


def test_a_gb18030_or_utf16_file_cut_inside_a_character_is_read_up_to_the_cut():
    """As a UTF-8 file cut short is: read, with the notice (a GB18030 page cut one byte into
    its last character was taken for another encoding: “不是年度报告”)."""
    page = (CORPUS / "html" / "shuyang-fgj-2023.html").read_text(encoding="utf-8")
    whole = page.encode("gb18030")
    # A cut one byte into a two-byte character near the end.
    at = next(i for i in range(len(whole) - 200, 0, -1) if whole[i] >= 0x81 and whole[i + 1] >= 0x40)
    full, cut = load_cells(whole), read_bytes(whole[: at + 1], "page.html")
    assert [n["code"] for n in cut.notices] == ["truncated"]
    assert locate(cut).cells.keys() == full.keys()
    assert {k: (v.state, v.value) for k, v in locate(cut).cells.items()} == {k: (v.state, v.value) for k, v in full.items()}
    text = (CORPUS.parent / "seeds" / "000_9e37d6351cd66a1a.txt").read_text(encoding="utf-8").encode("utf-16")
    doc = read_bytes(text[:-1], "report.txt")
    assert [n["code"] for n in doc.notices] == ["truncated"] and locate(doc).agency == "绿园区商务局"


def load_cells(data: bytes):  # type: ignore[no-untyped-def]
    return locate(read_bytes(data, "page.html")).cells
