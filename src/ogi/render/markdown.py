"""The report as Markdown: headings, the six sections, and the three tables as pipe
tables laid out so that ogi's own text reader reads every cell back."""

from __future__ import annotations

from ..editions import Block, Column, Edition
from ..report import Report, Value
from ..textnorm import money_text


def _cell(v: Value, column: Column) -> str:
    if v.state in ("blank", "missing"):
        return ""
    if v.state == "dash":
        return v.raw or "—"
    if column.unit == "yuan" and v.value is not None:
        return money_text(v.value, column.printed_in)
    return str(v.value)


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "｜") for c in cells) + " |"


def _block(report: Report, ed: Edition, block: Block) -> list[str]:
    out: list[str] = []
    if block.heading:
        out += [f"**{block.heading}**", ""]
    if block.note:
        out += [block.note, ""]
    if block.transposed:
        n = len(block.columns)
        groups: list[str] = []
        subgroups: list[str] = []
        for r in block.rows:
            parent = r.parents[-1] if r.parents else r.label
            groups += [parent] + [""] * (n - 1)
            subgroups += [r.label if r.parents else ""] + [""] * (n - 1)
        out.append(_pipe(groups))
        out.append(_pipe(["---"] * len(groups)))
        out.append(_pipe(subgroups))
        out.append(_pipe([c.label for _ in block.rows for c in block.columns]))
        out.append(_pipe([_cell(report.cells[block.cell_id(r, c)], c) for r in block.rows for c in block.columns]))
        return [*out, ""]
    out.append(_pipe([block.corner or "项目", *(c.label for c in block.columns)]))
    out.append(_pipe(["---"] * (len(block.columns) + 1)))
    printed_parents: set[str] = set()
    for r in block.rows:
        for p in r.parents:
            if p not in printed_parents:
                printed_parents.add(p)
                out.append(_pipe([p] + [""] * len(block.columns)))
        out.append(_pipe([r.label, *(_cell(report.cells[block.cell_id(r, c)], c) for c in block.columns)]))
    return [*out, ""]


def render_markdown(report: Report) -> str:
    """Markdown of the whole report."""
    ed = report.edition_obj
    if ed is None:
        raise ValueError("report has no edition")
    year = f"{report.year}年" if report.year else ""
    lines = [f"# {report.agency or ''}{year}政府信息公开工作年度报告", ""]
    tables = {t.section: t for t in ed.tables}
    for s in ed.sections:
        lines += [f"## {s.number}、{s.title}", ""]
        text = report.sections.get(s.key)
        if text:
            lines += [text, ""]
        t = tables.get(s.key)
        if t is not None:
            for b in t.blocks:
                lines += _block(report, ed, b)
    if report.agency:
        lines.append(report.agency)
    if report.issued_on:
        d = report.issued_on
        lines.append(f"{d.year}年{d.month}月{d.day}日")
    return "\n".join(lines).rstrip() + "\n"
