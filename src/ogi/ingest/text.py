"""Reader for reports as plain text.

Three shapes of table are recognised in one pass, since converters mix them:
- the tab-per-cell layout of common DOCX text extractors (each cell on a line after a
  tab, a blank line between rows, long cells wrapped onto following lines);
- Markdown pipe tables;
- table rows flattened to a label followed by figures ("行政处罚 0").
Everything else is a paragraph.
"""

from __future__ import annotations

import re

from ..textnorm import looks_like_figure
from .document import Cell, Document, Paragraph, Table

_CELL_LINE = re.compile(r"^[ \u3000]*\t")
_PIPE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?(\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")
# Extractor artefacts that are not content.
_ARTEFACTS = re.compile(r"\[bookmark: [^\]]*\]")
# A wrapped cell continues on lines without a tab; such fragments are short.
_MAX_WRAP = 12
# A count may carry its unit (35,791件), as the figures of a table printed as text do.
_FIGURE_TOKEN = r"(?:[+-]?\d[\d,]*(?:\.\d+)?(?:万元|元|件|个|项|次|人|宗|条|家)?|—|－|-|/)"
_FIGURE_LAST = "元件个项次人宗条家—－-/"  # the last character of a figure token that is not a digit
# A label starts with a character that is no digit, or with its numbering (1.属于国家秘密).
_FLAT_ROW = re.compile(rf"^(?P<label>(?:\d{{1,2}}[.．、](?!\d)|[^\d\s|#])[^|]*?)(?P<gap>\s+)"
                       rf"(?P<figs>{_FIGURE_TOKEN}(?:\s+{_FIGURE_TOKEN})*)\s*$")
# Where a second label starts on a row's line (三、本年度办理结果 （一）予以公开 …): spaces,
# then a numbering.
_LABEL_BREAK = re.compile(r"\s+(?=[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?!\d))")
# What a label explains in brackets may be a sentence (（区分处理的，只计这一情形，…）).
_BRACKETED = re.compile(r"[（(][^（）()]*[)）]")
_COUNT_UNIT = "件个项次人宗条家"
_LONE_FIGURE = re.compile(rf"^{_FIGURE_TOKEN}$")
_FIGURE_FIRST = "+-—－/"  # what a figure token may start with besides a digit
_WHOLE_PART = re.compile(r"[+-]?(\d[\d,]*)")
_CELL_DIGITS = 8  # a year's count of decisions runs to millions (3985758), not more
_FIGURES_ONLY = re.compile(rf"^\s*{_FIGURE_TOKEN}(?:\s+{_FIGURE_TOKEN})+\s*$")
_SENTENCE = re.compile(r"[，。；：！？,;]")
_EMPHASIS = re.compile(r"^\*\*(.+)\*\*$")
# Page numbers and running footers of paginated originals ("— 3 —", "第 3 页 共 7 页").
_PAGE_NUMBER = re.compile(r"^(?:[—\-－–]\s*\d{1,3}\s*[—\-－–]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})$")
_PAGE_NUMBER_FIRST = "—-－–第"  # or a digit (\d: any decimal digit)


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def read_text(text: str, file: str | None = None) -> Document:
    """Turn decoded text into a Document."""
    lines = _ARTEFACTS.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Paragraph | Table] = []
    table: list[list[Cell]] | None = None
    table_start = 0
    row: list[Cell] = []
    table_kind = ""

    def close_row() -> None:
        nonlocal row
        if row and table is not None:
            table.append(row)
        row = []

    def close_table() -> None:
        nonlocal table
        close_row()
        if table:
            blocks.append(Table(table, {"line": table_start}, short_rows_lose_tail=table_kind == "tab"))
        table = None

    def open_table(kind: str, lineno: int) -> None:
        nonlocal table, table_start, table_kind
        if table is None or table_kind != kind:
            close_table()
            table = []
            table_start = lineno
            table_kind = kind

    prev_was_cell = False
    joined = _one_cell_per_line(lines)
    for i, line in enumerate(lines):
        lineno = i + 1
        if i in joined:
            got = joined[i]
            if got is None:
                continue  # a figure of the row joined onto its label's line
            if isinstance(got, list):  # its cells, empty ones among them
                open_table("flat", lineno)
                close_row()
                row = [Cell(c, {"line": lineno, "col": j + 1}) for j, c in enumerate(got)]
                close_row()
                prev_was_cell = False
                continue
            line = got
        # (Each pattern is tried only where the character it needs is there: most lines
        # are prose, and a report has hundreds.)
        if "\t" in line and _CELL_LINE.match(line):
            open_table("tab", lineno)
            parts = line.split("\t")[1:]
            for p in parts:
                row.append(Cell(p.strip(), {"line": lineno}))
            prev_was_cell = True
            continue
        stripped = line.strip()
        if not stripped:
            if table_kind == "tab":
                close_row()
            elif table is not None:
                close_table()
            prev_was_cell = False
            continue
        if prev_was_cell and row and table_kind == "tab" and _is_wrap(lines, i, stripped):
            row[-1].text = _join(row[-1].text, stripped)
            continue
        prev_was_cell = False
        if (stripped[0] in _PAGE_NUMBER_FIRST or stripped[0].isdecimal()) and _PAGE_NUMBER.match(stripped):
            continue
        if "|" in line and _PIPE_LINE.match(line):
            if _PIPE_RULE.match(line):
                continue
            open_table("pipe", lineno)
            close_row()
            cells = line.strip().strip("|").split("|")
            row = [Cell(c.strip(), {"line": lineno, "col": j + 1}) for j, c in enumerate(cells)]
            close_row()
            continue
        flat = _flat_row(stripped)
        if flat is not None:
            open_table("flat", lineno)
            close_row()
            row = [Cell(c, {"line": lineno, "col": j + 1}) for j, c in enumerate(flat)]
            close_row()
            continue
        close_table()
        heading = stripped.startswith("#")
        text_line = stripped.lstrip("#").strip() if heading else stripped
        if text_line.startswith("**"):
            text_line = _EMPHASIS.sub(r"\1", text_line)
        if text_line:
            blocks.append(Paragraph(text_line, {"line": lineno}, "heading" if heading else ""))
    close_table()
    return Document(blocks, file=file, kind="text")


def _lone_figure(stripped: str) -> bool:
    """A line that can be one cell's figure. Digits run together (a row's cells with
    nothing between, 000000000000000) are not: no cell prints a leading zero or more
    than _CELL_DIGITS digits."""
    if not stripped or _LONE_FIGURE.match(stripped) is None or _PAGE_NUMBER.match(stripped):
        return False
    whole = _WHOLE_PART.match(stripped)
    if whole is not None:
        digits = whole.group(1).replace(",", "")
        if len(digits) > _CELL_DIGITS or (len(digits) > 1 and digits[0] == "0"):
            return False
    return looks_like_figure(stripped)


def _one_cell_per_line(lines: list[str]) -> dict[int, str | list[str] | None]:
    """Rows printed one cell per line (a browser's copy of a table, pdftotext without
    -layout): a label line followed by lines of one figure each, blank lines between
    allowed, is the row 'label f1 f2 …' when it reads as a flat row. Returns the label's
    line index → the joined row (or its cells, when blank lines are empty cells), and each
    joined figure's (and blank's) index → None."""
    out: dict[int, str | None] = {}
    i, n = 0, len(lines)
    while i < n:
        first = lines[i]
        stripped = first.strip()
        if not stripped or (first[0] in " \u3000\t" and _CELL_LINE.match(first)):
            i += 1
            continue
        k = i + 1
        while k < n and not lines[k].strip():
            k += 1
        # (Most lines are prose followed by prose: a row needs a figure on the next line, and
        # a figure starts with a digit or a sign. Looked at first, it spares the rest.)
        nxt = lines[k].lstrip() if k < n else ""
        if not nxt or not (nxt[0].isdigit() or nxt[0] in _FIGURE_FIRST):
            i += 1
            continue
        if _lone_figure(stripped) or _flat_row(stripped) is not None:
            i += 1
            continue
        figs: list[str] = []
        taken: list[int] = []
        j = i + 1
        while j < n:
            t = lines[j].strip()
            if t and not ("\t" not in lines[j] and _lone_figure(t)):
                break
            taken.append(j)
            if t:
                figs.append(t)
            j += 1
        while taken and not lines[taken[-1]].strip():
            taken.pop()  # a blank after the last figure still ends the row
        row = f"{stripped} {' '.join(figs)}" if figs else ""
        # One figure alone after a line is too weak a sign of a row (a caption, a page's
        # stray number); a row of one cell is read as prose reads it.
        flat = _flat_row(row) if len(figs) >= 2 else None
        if flat is not None:
            cells = [lines[j].strip() for j in taken]
            out[i] = [*flat[:len(flat) - len(figs)], *cells] if _blanks_are_cells(cells) else row
            out.update(dict.fromkeys(taken))
            i = taken[-1] + 1
        else:
            i += 1
    return out


def _blanks_are_cells(cells: list[str]) -> bool:
    """Whether the blank lines among a row's figures (one cell per line) are its empty
    cells, as LibreOffice's text export writes a table — no blank between two cells, an
    empty cell a blank line (26, five blanks, 26: a row of seven cells) — rather than the
    blank line pdftotext puts after nearly every line (now and then none, or two). Told by
    which the gaps between figures mostly are: none, or one."""
    gaps, run, seen = [], 0, False
    for c in cells:
        if c:
            if seen or run:
                gaps.append(run)
            run, seen = 0, True
        else:
            run += 1
    return any(gaps) and (1 not in gaps or gaps.count(0) > gaps.count(1))


def _is_wrap(lines: list[str], i: int, stripped: str) -> bool:
    """A tab-less line right after a cell continues that cell when the table goes on
    right after it, or when it is as short as a wrapped fragment. A line with a tab inside
    is cells of its own (结果维持⇥1⇥5⇥9 under a header line of tabbed cells)."""
    if "\t" in stripped:
        return False
    if len(stripped) <= _MAX_WRAP:
        return True
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(_CELL_LINE.match(nxt))


def _flat_row(line: str) -> list[str] | None:
    """'行政处罚 0 0 0' → ['行政处罚', '0', '0', '0']; a line of figures only → the figures."""
    if not (line[-1].isdigit() or line[-1] in _FIGURE_LAST):
        return None  # (most lines are prose, ending in 。: neither pattern can match)
    if _FIGURES_ONLY.match(line):
        return line.split()
    m = _FLAT_ROW.match(line)
    if not m:
        return None
    label = m.group("label").strip()
    if _SENTENCE.search(_BRACKETED.sub("", label)) or label.endswith(("年", "月", "第", "共", "为")):
        return None
    labels = _LABEL_BREAK.split(label)
    if any(len(x) > 40 for x in labels):
        return None
    figs = m.group("figs").split()
    if len(figs) == 1 and figs[0][-1] in _COUNT_UNIT and m.group("gap") == " ":
        return None  # 本年共收到申请 35件: prose, which sets a count apart by a space at most
    if not all(looks_like_figure(f) for f in figs):
        return None
    return [*labels, *figs]
