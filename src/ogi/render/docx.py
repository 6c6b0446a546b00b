"""The report as a Word document in the official layout: A4 with the margins of
GB/T 9704, title in 小标宋, body 仿宋 三号, level-one headings 黑体 and level-two 楷体
(East Asian font names set in w:eastAsia), the three tables as the template lays them
out, signature, and "— 1 —" page numbers."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..report import Report
from .layout import Grid, grids, positioned
from .text import date_zh, heading, is_subheading, paragraphs, title_lines

BODY = "仿宋_GB2312"
TITLE = "方正小标宋简体"
HEI = "黑体"
KAI = "楷体_GB2312"
TABLE_FONT = "仿宋_GB2312"
SIZE_BODY = Pt(16)  # 三号
SIZE_TITLE = Pt(22)  # 二号
SIZE_TABLE = Pt(10.5)  # 五号
SIZE_NOTE = Pt(12)  # 小四: a note on the file, below the report
TEXT_WIDTH_MM = 210 - 28 - 26
# GB/T 9704: 22 lines of 28 characters on A4 — a fixed line pitch of 28.95 pt.
LINE_PITCH = Pt(28.95)


def set_fonts(run_or_style, name: str, size: Pt | None = None, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    font = run_or_style.font
    font.name = name
    font.bold = bold
    if size is not None:
        font.size = size
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def add_paragraph(doc, text: str, font: str, size: Pt, align=None, indent: bool = True):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        p.alignment = align
    set_fonts(p.add_run(text), font, size)
    return p


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(p.add_run("— "), "宋体", Pt(14))
    run = p.add_run()
    set_fonts(run, "宋体", Pt(14))
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    set_fonts(p.add_run(" —"), "宋体", Pt(14))


def row_flags(row, header: bool) -> None:  # type: ignore[no-untyped-def]
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _table(doc, grid: Grid) -> None:  # type: ignore[no-untyped-def]
    placed = positioned(grid)
    table = doc.add_table(rows=len(grid.rows), cols=grid.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(TEXT_WIDTH_MM * f) for f in grid.fractions()]
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w
    # Fetched once: table.cell() walks the whole table on every call. Merged regions do not
    # overlap, so these stay valid while merging.
    docx_cells = []
    for r, row in enumerate(table.rows):
        row_flags(row, r < grid.header_rows)
        docx_cells.append(list(row.cells))
        for cell, w in zip(docx_cells[-1], widths, strict=True):
            cell.width = w
    for r, cells in enumerate(placed):
        for c, cell in cells:
            target = docx_cells[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(docx_cells[r + cell.rowspan - 1][c + cell.colspan - 1])
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = target.paragraphs[0]
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            if cell.role == "label":
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                p.paragraph_format.left_indent = Pt(SIZE_TABLE.pt * cell.depth)
            else:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_fonts(p.add_run(cell.text), TABLE_FONT, SIZE_TABLE)


def new_document():  # type: ignore[no-untyped-def]
    """An empty official document: A4, GB/T 9704 margins, body font, page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    set_fonts(doc.styles["Normal"], BODY, SIZE_BODY)
    _page_number_footer(section)
    return doc


def render_docx(report: Report, note: str = "") -> bytes:
    """The whole report as DOCX bytes; `note` printed after the signature."""
    ed = report.edition_obj
    if ed is None:
        raise ValueError("report has no edition")
    doc = new_document()
    lines = title_lines(report, TEXT_WIDTH_MM / SIZE_TITLE.mm)
    p = add_paragraph(doc, lines[0], TITLE, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for line in lines[1:]:
        run = p.add_run()
        run.add_break()
        run.add_text(line)
        set_fonts(run, TITLE, SIZE_TITLE)
    add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
    tables = {g.table.section: g for g in grids(report)}
    last = None
    for s in ed.sections:
        # A heading stays on the page of what it heads (as the PDF's h2 does).
        last = add_paragraph(doc, heading(s), HEI, SIZE_BODY)
        last.paragraph_format.keep_with_next = True
        for line in paragraphs(report.sections.get(s.key)):
            last = add_paragraph(doc, line, KAI if is_subheading(line) else BODY, SIZE_BODY)
        if s.key in tables:
            _table(doc, tables[s.key])
            last = None
    sig = [x for x in (report.agency, date_zh(report.issued_on)) if x]
    if sig:
        # The agency and date never stand alone on the last page (as GB/T 9704 asks): they are
        # kept with the report's last lines.
        if last is not None:
            last.paragraph_format.keep_with_next = True
        gap = add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
        lines = [gap] + [add_paragraph(doc, x, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False) for x in sig]
        for p in lines[:-1]:
            p.paragraph_format.keep_with_next = True
        last = lines[-1]
    if note:
        # Nor does the note on the file stand alone there: it begins on the signature's page.
        if last is not None:
            last.paragraph_format.keep_with_next = True
        gap = add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
        gap.paragraph_format.keep_with_next = True
        add_paragraph(doc, note, BODY, SIZE_NOTE, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
