"""The office's 通报 on a year's reports: publication, scores and ranking by peer group, the
problems found most often, and what must be corrected — as a DOCX in the official layout
(the page, fonts and page numbers of render/docx.py) and as an XLSX for further work."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from ..render.docx import (
    BODY,
    HEI,
    KAI,
    SIZE_BODY,
    SIZE_TABLE,
    SIZE_TITLE,
    TABLE_FONT,
    TITLE,
    add_paragraph,
    new_document,
    row_flags,
    set_fonts,
)
from ..render.text import date_zh
from .ranking import Group, issuer_in
from .rubric import Score
from .timeliness import Timeliness
from .tree import Region

_NUMERALS = "一二三四五六七八九十"


@dataclass
class Notice:
    office: str  # who issues it
    year: int  # the report year judged
    region: Region
    timeliness: Sequence[Timeliness]
    groups: Sequence[Group]
    issued_on: dt.date
    due: dt.date | None = None  # rectification deadline
    rubric_name: str = "评分细则"

    def __post_init__(self) -> None:
        # The issuer reports to the level above, not to itself: neither counted nor ranked here.
        issuer = issuer_in(self.region, self.office)
        self.timeliness = [t for t in self.timeliness if t.agency != issuer]

    @property
    def title(self) -> str:
        return f"关于{self.year}年度政府信息公开工作年度报告评议情况的通报"

    def scores(self) -> list[Score]:
        return [r.score for g in self.groups for r in g.ranked]


def _due(n: Notice) -> int:
    """The agencies whose report was due, or is out already: not those with nothing
    published before their deadline (a government's falls later than its departments')."""
    return sum(1 for t in n.timeliness if t.status != "not_due")


def _summary(n: Notice) -> str:
    c = Counter(t.status for t in n.timeliness)
    return (f"应发布年度报告的机关共 {_due(n)} 家，其中按时发布 {c['on_time']} 家，逾期发布 {c['late']} 家，"
            f"未发布 {c['not_found']} 家" + (f"，未注明日期 {c['undated']} 家" if c["undated"] else "") + "。"
            + (f"另有 {c['not_due']} 家尚未到发布期限，未列入统计。" if c["not_due"] else ""))


def _deduction_text(s: Score, limit: int = 3) -> str:
    if s.pending:
        return "—"
    if not s.deductions:
        return "无"
    ds = sorted(s.deductions, key=lambda d: -d.points)
    parts = [d.text_zh for d in ds[:limit]]
    return "；".join(parts) + ("等" if len(ds) > limit else "")


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float]) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for r, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        row_flags(row, r == 0)
        for cell, text, w in zip(row.cells, values, widths_mm, strict=True):
            cell.width = Mm(w)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or w < 30 else WD_ALIGN_PARAGRAPH.LEFT
            set_fonts(p.add_run(text), HEI if r == 0 else TABLE_FONT, SIZE_TABLE)


def render_notice_docx(n: Notice) -> bytes:
    doc = new_document()
    add_paragraph(doc, n.title, TITLE, SIZE_TITLE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
    add_paragraph(doc, "各有关单位：", BODY, SIZE_BODY, indent=False)
    add_paragraph(doc, f"根据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，{n.office}按照《{n.rubric_name}》，"
                       f"对{_due(n)}家机关{n.year}年度政府信息公开工作年度报告的发布情况和内容质量进行了评议。"
                       "现将有关情况通报如下。", BODY, SIZE_BODY)
    heads = iter(_NUMERALS)
    add_paragraph(doc, f"{next(heads)}、发布情况", HEI, SIZE_BODY)
    add_paragraph(doc, _summary(n), BODY, SIZE_BODY)
    late = [t for t in n.timeliness if t.status in ("late", "not_found", "undated")]
    if late:
        _table(doc, ["机关", "截止日期", "发布日期", "情况"],
               [[t.agency, date_zh(t.deadline) or "", date_zh(t.published_on) or "—", t.status_zh] for t in late],
               [66, 32, 32, 26])
    add_paragraph(doc, f"{next(heads)}、评分与排名", HEI, SIZE_BODY)
    for i, g in enumerate(n.groups):
        add_paragraph(doc, f"（{_NUMERALS[i] if i < 10 else i + 1}）{g.title_zh}", KAI, SIZE_BODY)
        _table(doc, ["名次", "机关", "得分", "主要扣分项"],
               [[r.rank_zh, r.score.agency, r.total_zh, _deduction_text(r.score)] for r in g.ranked],
               [14, 50, 16, 76])
    counts = Counter(d.name_zh for s in n.scores() for d in s.deductions)  # (agencies, not places)
    if counts:
        add_paragraph(doc, f"{next(heads)}、主要问题", HEI, SIZE_BODY)
        for k, (label, c) in enumerate(counts.most_common(), start=1):
            add_paragraph(doc, f"{k}. {label}：{c} 家。", BODY, SIZE_BODY)
    add_paragraph(doc, f"{next(heads)}、工作要求", HEI, SIZE_BODY)
    due = f"于{date_zh(n.due)}前" if n.due else "及时"
    add_paragraph(doc, f"请存在问题的机关对照本通报{due}完成整改，更正后的年度报告重新发布，并将整改情况报{n.office}。"
                       "逾期未发布年度报告的机关，应尽快补发并说明原因。", BODY, SIZE_BODY)
    add_paragraph(doc, "", BODY, SIZE_BODY, indent=False)
    for x in (n.office, date_zh(n.issued_on) or ""):
        add_paragraph(doc, x, BODY, SIZE_BODY, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_notice_xlsx(n: Notice) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "border": 1, "text_wrap": True})
    num = wb.add_format({"num_format": "0.0#"})
    ws = wb.add_worksheet("排名")
    for c, h in enumerate(("组别", "名次", "机关", "得分", "扣分合计", "主要扣分项")):
        ws.write(0, c, h, head)
    r = 1
    for g in n.groups:
        for x in g.ranked:
            s = x.score
            if s.pending:  # not ranked: its report is not due yet
                ws.write_row(r, 0, [g.title_zh, x.rank_zh, s.agency, x.total_zh])
            else:
                ws.write_row(r, 0, [g.title_zh, x.rank, s.agency])
                ws.write_number(r, 3, float(s.total), num)
                ws.write_number(r, 4, float(s.full_marks - s.total), num)
                ws.write_string(r, 5, _deduction_text(s, limit=99))
            r += 1
    ws.set_column(0, 0, 14)
    ws.set_column(2, 2, 32)
    ws.set_column(5, 5, 80)
    ws.freeze_panes(1, 0)
    ws = wb.add_worksheet("扣分明细")
    for c, h in enumerate(("机关", "评分项", "扣分", "处数", "是否达到上限", "依据")):
        ws.write(0, c, h, head)
    r = 1
    for s in n.scores():
        for d in s.deductions:
            ws.write_row(r, 0, [s.agency, d.label])
            ws.write_number(r, 2, float(d.points), num)
            ws.write_row(r, 3, [d.count, "是" if d.capped else "否", "；".join(d.evidence)])
            r += 1
    ws.set_column(0, 1, 32)
    ws.set_column(5, 5, 100)
    ws.freeze_panes(1, 0)
    ws = wb.add_worksheet("发布情况")
    for c, h in enumerate(("机关", "层级", "类别", "截止日期", "发布日期", "情况", "逾期天数")):
        ws.write(0, c, h, head)
    for r, t in enumerate(n.timeliness, start=1):
        a = n.region[t.agency]
        ws.write_row(r, 0, [t.agency, a.level_zh, a.kind_zh, t.deadline.isoformat(),
                            t.published_on.isoformat() if t.published_on else "", t.status_zh, t.days_late])
    ws.set_column(0, 0, 32)
    ws.set_column(3, 5, 12)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()
