"""Completeness and form: lost, blank and dashed cells, the six sections, labels, and
whether the layout is the one in force for the report year."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..editions import Edition, edition_for_year
from ..report import Finding, Report
from ..textnorm import label_diff_en, label_diff_zh, too_long
from .places import source_of
from .registry import finding, rule


def _lines(ed: Edition) -> Iterator[tuple[str, list[str]]]:
    """(table key, cell ids) per printed line, in template order."""
    for line in ed.printed_lines():
        yield line.table, list(line.cells)


def _totals(report: Report) -> dict[str, int | None]:
    """Total cells → the value their parts add up to (None when a part is missing)."""
    ed = report.edition_obj
    out: dict[str, int | None] = {}
    if ed is None:
        return out
    for ident in ed.identities:
        if ident.total is None:
            continue
        parts = [report.number(c) for c in ident.right]
        out[ident.total] = None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
    return out


@rule("cell.missing", "error", "单元格缺失或无法识别")
def check_missing(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    tables_done: set[str] = set()
    for t in ed.tables:
        ids = list(ed.table_cells(t.key))
        if all(report.cells[cid].state == "missing" for cid in ids):
            tables_done.add(t.key)
            codes = {n.get("code") for n in report.notices}
            if "ocr" in codes:
                zh = f"扫描件中未能识别表{t.number}（{t.title}）的任何数据（文字识别未读出，不一定是报告缺失，请对照原件核对）"
                en = f"no figure of table {t.number} was recognised in the scan"
            elif "pictures_unread" in codes:
                zh = (f"文字中未找到表{t.number}（{t.title}）的任何数据；文件中有未能读取的图片，该表可能以图片形式发布"
                      "（不一定是报告缺失，请对照原网页或原件核对）")
                en = f"no figure of table {t.number} in the text; it may be printed in a picture that could not be read"
            elif "layout_lost" in codes:
                zh = f"文本中未能按行读出表{t.number}（{t.title}）的任何数据（表格结构已丢失，不一定是报告缺失，请对照原件核对）"
                en = f"no figure of table {t.number} could be read by row: the text lost the table's layout"
            else:
                zh, en = f"未找到表{t.number}（{t.title}）的任何数据", f"no figure of table {t.number} was found"
            yield finding("cell.missing", zh, en, cells=ids, where={"section": t.number, "table": t.title})
    # A figure read but not confirmed is cell.uncertain's, not lost.
    doubted = {c for u in report.uncertain for c in u.get("cells", ())}
    for table, cells in _lines(ed):
        if table in tables_done:
            continue
        # A figure too long to be read is value.type's finding, not a lost value.
        lost = [c for c in cells if report.cells[c].state == "missing" and not too_long(report.cells[c].raw)
                and c not in doubted]
        if not lost:
            continue
        first = report.cells[lost[0]]
        names = ed.cells_zh(lost)
        reason = first.note or "无法识别"
        raw = f"（印为「{first.raw}」）" if first.raw else ""
        yield finding("cell.missing", f"{names}的数值缺失{raw}：{reason}",
                      f"value lost for {', '.join(lost)}" + (f" (printed '{first.raw}')" if first.raw else ""),
                      cells=lost, culprit=lost[0] if len(lost) == 1 else None, found=first.raw,
                      source=first.source or source_of(report, cells), where=ed.place(lost[0]))


_DOUBT = {
    "run_together": ("连在一起的数字「{raw}」", "the run-together digits '{raw}'"),
    "ocr": ("识别结果「{raw}」", "the OCR reading '{raw}'"),
}


@rule("cell.uncertain", "warning", "读取的数值无法确认（读取的疑问，不是报告的错误）")
def check_uncertain(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    for u in report.uncertain:
        cells = [c for c in u.get("cells", ()) if c in ed.cells]
        if not cells:
            continue
        zh, en = _DOUBT.get(u.get("reason", ""), ("读取结果「{raw}」", "the reading '{raw}'"))
        raw = u.get("raw") or ""
        cands = u.get("candidates") or []
        shown = "；".join("、".join(str(x) for x in c) for c in cands[:5])
        more = len(cands) - 5 + int(u.get("more") or 0)
        options = (f"可能的读法：{shown}" + (f"等（另有 {more} 种）" if more > 0 else "")) if cands else "没有一种读法与表内勾稽关系相符"
        yield finding("cell.uncertain",
                      f"{ed.cells_zh(cells)}：{zh.format(raw=raw)}无法确定各单元格的数值，{options}。"
                      "这是读取上的疑问，不是报告本身的错误，请对照原件核实",
                      f"{', '.join(cells)}: {en.format(raw=raw)} cannot be read with certainty "
                      f"({len(cands)} candidate readings); the doubt is the reader's, not the report's",
                      cells=cells, found=raw, expected=cands or None, source=u.get("source"), where=ed.place(cells[0]))


@rule("cell.blank", "warning", "单元格空白")
def check_blank(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None or not any(v.state == "blank" for v in report.cells.values()):
        return
    totals = _totals(report)
    reported: set[str] = set()
    # Whole columns left blank (a frequent way of saying "none") are one finding each table.
    for t in ed.tables:
        for b in t.blocks:
            if b.transposed or len(b.rows) < 2:
                continue
            cols = [c for c in b.columns if all(report.cells[b.cell_id(r, c)].state == "blank" for r in b.rows)]
            if not cols:
                continue
            cells = [b.cell_id(r, c) for c in cols for r in b.rows]
            reported.update(cells)
            names = "」「".join(c.label for c in cols)
            yield finding("cell.blank", f"表{t.number}「{names}」列整列为空白，计算时按 0 处理",
                          f"table {t.number}: columns {', '.join(c.key for c in cols)} are entirely blank, read as 0",
                          cells=cells, source=source_of(report, cells), where={"section": t.number, "table": t.title})
    for _table, cells in _lines(ed):
        blank = [c for c in cells if report.cells[c].state == "blank" and c not in reported]
        plain = [c for c in blank if c not in totals]
        if plain:
            yield finding("cell.blank", f"{ed.cells_zh(plain)}为空白，计算时按 0 处理",
                          f"blank, read as 0: {', '.join(plain)}", cells=plain,
                          source=source_of(report, plain), where=ed.place(plain[0]))
        for c in blank:
            if c in totals:
                exp = totals[c]
                tail_zh = f"，按各分项应为 {exp}" if exp is not None else ""
                tail_en = f"; the parts give {exp}" if exp is not None else ""
                yield finding("cell.blank", f"合计单元格{ed.cell_zh(c)}为空白{tail_zh}",
                              f"total cell {c} is blank{tail_en}", cells=[c], culprit=c, expected=exp,
                              source=report.cells[c].source, where=ed.place(c))


@rule("cell.dash", "info", "单元格以“—”“/”“无”表示")
def check_dash(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    for _table, cells in _lines(ed):
        dashed = [c for c in cells if report.cells[c].state == "dash"]
        if dashed:
            raw = report.cells[dashed[0]].raw
            names = ed.cells_zh(dashed)
            yield finding("cell.dash", f"{names}印为「{raw}」，按 0 处理",
                          f"written as '{raw}', read as 0: {', '.join(dashed)}", cells=dashed,
                          source=source_of(report, dashed), where=ed.place(dashed[0]))


@rule("section.missing", "error", "缺少规定的章节")
def check_section_missing(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    found = {h.section for h in report.headings}
    with_table = {t.section for t in ed.tables}
    for s in ed.sections:
        text = report.sections.get(s.key)
        if s.key not in found and text is None:
            yield finding("section.missing", f"缺少第{s.number}部分「{s.number}、{s.title}」",
                          f"section {s.number} ({s.key}) is missing", where={"section": s.number})
        elif s.key not in with_table and text is not None and not text.strip():
            # A section that is all text says nothing when it is empty.
            yield finding("section.missing", f"第{s.number}部分「{s.number}、{s.title}」没有内容",
                          f"section {s.number} ({s.key}) is empty", where={"section": s.number})


@rule("section.order", "warning", "章节顺序不符合格式")
def check_section_order(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    rank = {s.key: i for i, s in enumerate(ed.sections)}
    seen = sorted(report.headings, key=lambda h: h.order)
    for a, b in itertools.pairwise(seen):
        if rank[b.section] < rank[a.section]:
            sa, sb = ed.section(a.section), ed.section(b.section)
            yield finding("section.order", f"第{sb.number}部分「{sb.title}」出现在第{sa.number}部分「{sa.title}」之后",
                          f"section {sb.key} comes after section {sa.key}", source=b.source,
                          where={"section": sb.number})


@rule("label.nonstandard", "warning", "标签与标准文本不一致")
def check_labels(report: Report) -> Iterator[Finding]:
    for x in report.labels:
        yield finding("label.nonstandard",
                      f"{x.where}：「{x.found}」与标准文本「{x.standard}」不一致（{label_diff_zh(x.found, x.standard)}）",
                      f"{x.where}: label differs from the standard text ({label_diff_en(x.found, x.standard)})",
                      found=x.found, expected=x.standard, source=x.source,
                      where={"section": x.section} if x.section else None)


@rule("edition.mismatch", "warning", "表格格式不是报告年度适用的版本")
def check_edition(report: Report) -> Iterator[Finding]:
    ed = report.edition_obj
    if ed is None:
        return
    if report.year is not None:
        due = edition_for_year(report.year)
        if due is not None and due.id != ed.id:
            yield finding("edition.mismatch",
                          f"{report.year}年度报告应使用{due.document}格式，但表格采用的是{ed.document}格式",
                          f"a {report.year} report should use the {due.id} layout; the tables follow the {ed.id} layout",
                          found=ed.id, expected=due.id)
    for agg in report.aggregates:
        number = ed.table(agg["table"]).number
        yield finding("edition.mismatch",
                      f"表{number}「{agg['label']}」印为一行，而{ed.document}格式将其分为若干细项",
                      f"'{agg['standard']}' is printed as one row; the {ed.id} layout splits it into sub-rows",
                      found=agg["label"], source=agg.get("source"))

