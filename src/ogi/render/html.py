"""The report as one self-contained, accessible web page fit to publish on a portal:
semantic tables with scoped headers and the template's merges, a print stylesheet, no
external assets, Chinese fonts by name with fallbacks."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from html import escape

from ..report import Report
from .layout import Grid, GridCell, grids
from .text import date_zh, heading, is_subheading, paragraphs, title

# Official fonts by name, then what Linux, macOS and Windows machines have.
FONTS_BODY = '"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif'
FONTS_TITLE = '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif CJK SC", "SimSun", serif'
FONTS_HEI = '"黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
FONTS_KAI = '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif'

CSS = f"""
:root {{ color-scheme: light; }}
body {{ font-family: {FONTS_BODY}; font-size: 16pt; line-height: 1.8; color: #000; background: #fff;
       max-width: 960px; margin: 2em auto; padding: 0 1em; }}
h1 {{ font-family: {FONTS_TITLE}; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 1em 0; }}
h2 {{ font-family: {FONTS_HEI}; font-size: 16pt; font-weight: normal; margin: 0.6em 0 0.2em; text-indent: 2em; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
p.sub {{ font-family: {FONTS_KAI}; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 10.5pt; line-height: 1.4; }}
th, td {{ border: 1px solid #000; padding: 4px 6px; vertical-align: middle; }}
th {{ font-weight: normal; }}
thead th, th[scope="colgroup"] {{ text-align: center; }}
th[scope="row"] {{ text-align: left; }}
th.d1 {{ padding-left: 1.2em; }} th.d2 {{ padding-left: 2.4em; }}
td {{ text-align: center; font-variant-numeric: tabular-nums; }}
.signature {{ text-align: right; text-indent: 0; margin-top: 2em; }}
.signature p {{ text-align: right; text-indent: 0; }}
.file-note {{ margin-top: 2em; border-top: 1px solid #000; padding-top: 0.5em; font-size: 12pt; }}
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center {{ content: "— " counter(page) " —"; font-family: "Noto Serif CJK SC", serif; font-size: 14pt; }} }}
h1 .keep {{ white-space: nowrap; }}
@media screen and (max-width: 640px) {{
  body {{ font-size: 13pt; margin: 1em auto; }} h1 {{ font-size: 17pt; }} h1 .keep {{ white-space: normal; }} h2 {{ font-size: 13pt; }}
  .table-wrap {{ overflow-x: auto; }} .table-wrap table {{ min-width: 36em; font-size: 10pt; }} }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }} tr {{ break-inside: avoid; }} h2 {{ break-after: avoid; }}
               tr.head {{ break-after: avoid; }}
               .signature {{ break-before: avoid; break-inside: avoid; }}
               .file-note {{ break-before: avoid; }} }}
"""


def split_at(grid: Grid, breaks: Iterable[int]) -> Grid:
    """The grid with every merged cell that a page break cuts (table 三's
    三、本年度办理结果 down the left) made two, one each side of the break: a merged cell split
    over pages prints its text on the first page only, and the rows on the next were left
    without their label."""
    cuts_at = sorted(b for b in breaks if grid.header_rows < b < len(grid.rows))
    if not cuts_at:
        return grid
    placed: list[tuple[int, int, GridCell]] = []
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid.rows):  # each cell's column, as a browser places it
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            placed.append((r, col, cell))
            taken.update((r + dr, col + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            col += cell.colspan
    out: list[tuple[int, int, GridCell]] = []
    for r, col, cell in placed:
        bounds = [r, *(b for b in cuts_at if r < b < r + cell.rowspan), r + cell.rowspan]
        out += [(a, col, dataclasses.replace(cell, rowspan=z - a)) for a, z in itertools.pairwise(bounds)]
    rows: list[list[GridCell]] = [[] for _ in grid.rows]
    for r, _, cell in sorted(out, key=lambda x: (x[0], x[1])):
        rows[r].append(cell)
    return dataclasses.replace(grid, rows=rows)


def _table(grid: Grid, k: int = 0) -> str:
    head, body = [], []
    for i, row in enumerate(grid.rows):
        cells = []
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            text = escape(c.text)
            if c.role == "value":
                cells.append(f"<td{span}>{text}</td>")
            elif c.role == "label":
                cells.append(f'<th scope="row" class="d{c.depth}"{span}>{text}</th>')
            elif c.role == "heading":
                cells.append(f'<th scope="colgroup"{span}>{text}</th>')
            else:
                scope = "colgroup" if c.colspan > 1 else "col"
                cells.append(f'<th scope="{scope}"{span}>{text}</th>')
        # A row of headings only (a band such as 第二十条第（八）项 and the column heads under
        # it) stays on the page of the figures it heads.
        cls = ' class="head"' if not any(c.role == "value" for c in row) else ""
        if i < grid.header_rows:
            head.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        else:  # (named, so the PDF can find which row a page begins with)
            body.append(f'<tr{cls} data-row="{k}.{i}">' + "".join(cells) + "</tr>")
    caption = f"<caption hidden>表{grid.table.number}　{escape(grid.table.title)}</caption>"
    caption += "<colgroup>" + "".join(f'<col style="width:{f * 100:.1f}%">' for f in grid.fractions()) + "</colgroup>"
    thead = f"<thead>{''.join(head)}</thead>" if head else ""
    # (Wrapped: on a phone the table scrolls sideways inside the page, the page does not.)
    return (f'<div class="table-wrap"><table aria-label="{escape(grid.table.title)}">{caption}{thead}'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _title_html(report: Report) -> str:
    """The title, broken (when it must be) after the agency's name, not inside
    年度报告: the rest is kept on one line."""
    full = title(report)
    agency = report.agency or ""
    if not agency or not full.startswith(agency):
        return escape(full)
    return f'{escape(agency)}<span class="keep">{escape(full[len(agency):])}</span>'


def render_html(report: Report, breaks: Mapping[int, Iterable[int]] | None = None, note: str = "") -> str:
    """The whole report as HTML; with `breaks` (table → rows a page begins with, as the PDF
    found them), merged cells are split there; `note` printed after the signature."""
    ed = report.edition_obj
    if ed is None:
        raise ValueError("report has no edition")
    tables = {g.table.section: split_at(g, (breaks or {}).get(k, ())) for k, g in enumerate(grids(report))}
    number = {s: k for k, s in enumerate(tables)}
    parts = [f"<h1>{_title_html(report)}</h1>"]
    for s in ed.sections:
        parts.append(f"<h2>{escape(heading(s))}</h2>")
        for line in paragraphs(report.sections.get(s.key)):
            cls = ' class="sub"' if is_subheading(line) else ""
            parts.append(f"<p{cls}>{escape(line)}</p>")
        if s.key in tables:
            parts.append(_table(tables[s.key], number[s.key]))
    sig = [x for x in (report.agency, date_zh(report.issued_on)) if x]
    if sig:
        parts.append('<div class="signature">' + "".join(f"<p>{escape(x)}</p>" for x in sig) + "</div>")
    if note:
        parts.append(f'<p class="file-note" role="note">{escape(note)}</p>')
    doc_title = escape(title(report))
    return (f'<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{doc_title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<article>\n"
            + "\n".join(parts) + "\n</article>\n</main>\n</body>\n</html>\n")
