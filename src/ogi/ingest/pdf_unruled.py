"""Tables printed without rules (a browser's print with borders off, a "three-line" table
with only its top and bottom rule, a Word table whose borders were removed): rebuilt from
where the words stand, since no rule says where a cell ends.

The figures say it: a table's figures stand in columns (centred, right- or left-aligned,
the figures of one column overlap across the rows), each row's figures on one line. A
row's label is printed left of its figures and, wrapped over several lines, stands with
its middle at the figures' line (or nearest to it); the lines above the first row that
print words over the columns are the header. Whatever does not fit that geometry without
doubt is left to the text lines, as before: a figure not read is missing, never shifted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ..textnorm import DASHES, looks_like_figure
from .document import Cell

_SPACE = {" ", "\u3000", "\xa0"}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Lines of a table stand closer than this many line heights (a row's padding included);
# a wider gap ends the table.
_MAX_GAP = 2.5
# A label line between two rows' figures is taken for the nearer only when it is nearer by
# at least this share of a line height.
_CLEAR = 0.25
# Text set larger than the figures by this much is a heading, never a cell.
_HEADING_SIZE = 1.25
# A cell's wrapped lines stand no further apart than this many sizes (a line height of
# 1.5); the next row's cell stands its padding further.
_LEADING = 0.5
# A row's label lines, cut from a run of several rows' lines, stand with their middle
# within this many sizes of the row's figures.
_FIT = 0.3
# A label line whose middle stands within this many sizes of a row's figures is on their line.
_ON_LINE = 0.15
# A label standing further than this many sizes from every row's figures, none of its
# lines on theirs, is a row of its own printed without figures.
_EMPTY = 1.0
# Lines of figures whose middles stand closer than this many sizes are one row's.
_SAME_ROW = 0.8


@dataclass(eq=False)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def figure(self) -> bool:
        t = self.text.rstrip(_SUPERSCRIPTS)  # a footnote mark (3119¹) is no part of the figure
        return bool(t) and (t in DASHES or (any(c.isdigit() for c in t) and looks_like_figure(t)))


@dataclass(eq=False)
class _Line:
    words: list[_Word]
    top: float
    bottom: float
    chars: list[dict[str, Any]] = field(default_factory=list)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def figures(self) -> list[_Word]:
        """The figures the line ends with (a row's cells), when it is a row of figures."""
        k = len(self.words)
        while k > 0 and self.words[k - 1].figure:
            k -= 1
        return self.words[k:]


@dataclass
class UnruledTable:
    bbox: tuple[float, float, float, float]
    rows: list[list[Cell]]
    chars: list[dict[str, Any]]  # the characters it took from the page's text
    # Where each of its columns of figures stands (x0, x1), in the order of its cells: a
    # table continued on the next page without its header is read by them.
    columns: list[tuple[float, float]] = field(default_factory=list)


def _lines(chars: list[dict[str, Any]]) -> list[_Line]:
    """The characters as lines (one per baseline) of words: a word is a run of characters
    with no wider gap than a third of their size (a table's cells stand further apart)."""
    upright = [c for c in chars if c.get("upright", True) and c.get("size") and c.get("text")]
    upright.sort(key=lambda c: (c["bottom"], c["x0"]))
    groups: list[list[dict[str, Any]]] = []
    for c in upright:
        g = groups[-1] if groups else None
        if g is not None and abs(c["bottom"] - g[0]["bottom"]) <= 0.3 * float(c["size"]):
            g.append(c)
        else:
            groups.append([c])
    out = []
    for g in groups:
        g.sort(key=lambda c: c["x0"])
        words: list[_Word] = []
        cur: list[dict[str, Any]] = []
        gap_space = False
        for c in g:
            if c["text"] in _SPACE:
                gap_space = True
                continue
            if cur and c["x0"] - cur[-1]["x1"] > float(c["size"]) / 3:
                words.append(_word(cur))
                cur = []
            elif cur and gap_space:
                cur.append({**c, "text": " " + c["text"]})
                gap_space = False
                continue
            gap_space = False
            cur.append(c)
        if cur:
            words.append(_word(cur))
        if words:
            out.append(_Line(words, min(w.top for w in words), max(w.bottom for w in words), g))
    return out


def _word(chars: list[dict[str, Any]]) -> _Word:
    return _Word("".join(c["text"] for c in chars), chars[0]["x0"], chars[-1]["x1"], min(c["top"] for c in chars),
                 max(c["bottom"] for c in chars), max(float(c["size"]) for c in chars))


def _figure_line(line: _Line) -> bool:
    figs = line.figures()
    if not figs:
        return False
    labels = line.words[:len(line.words) - len(figs)]
    # A label and its first figure stand in cells apart, not a word's space apart (共 26).
    return not labels or figs[0].x0 - labels[-1].x1 > figs[0].size


def _isolated(lines: list[_Line], k: int) -> bool:
    size = max(w.size for w in lines[k].words)
    above = lines[k].top - lines[k - 1].bottom if k > 0 else float("inf")
    below = lines[k + 1].top - lines[k].bottom if k + 1 < len(lines) else float("inf")
    return min(above, below) > _MAX_GAP * size


def _standalone_figures(chars: list[dict[str, Any]]) -> int:
    """Runs of digits standing apart from the characters drawn before and after them (a
    table's figure, not 2023年), counted in drawing order: a cheap look before lines are made."""
    count = 0
    start = True  # whether the run being read stands apart at its start
    prev: dict[str, Any] | None = None
    in_run = False
    for c in chars:
        text = c.get("text", "")
        digit = text.isdigit()
        apart = prev is None or text in _SPACE or prev.get("text") in _SPACE or _apart(prev, c)
        if in_run and (not digit or apart):
            count += start and (apart or text in _SPACE)
            in_run = False
        if digit and not in_run:
            in_run, start = True, apart
        prev = c
    return count + (in_run and start)


def _apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
    size = float(b.get("size") or 0) or 10.0
    return abs(a["bottom"] - b["bottom"]) > 0.3 * size or not -1 <= b["x0"] - a["x1"] <= size / 3


def find_unruled(chars: list[dict[str, Any]], continues: UnruledTable | None = None,
                 margin: float = 0.0) -> list[UnruledTable]:
    """The tables the page's characters (those outside its ruled tables) print without
    rules, each as rows of cells: labels, then one cell per column of figures. `continues`
    is the table that ended the page before: a table opening this page (nothing above it
    but the top `margin`) without a header is its continuation when its figures stand in
    that table's columns, one column of figures under each (a page break in a table whose
    header is not repeated, as web pages print)."""
    if _standalone_figures(chars) < 2:
        return []  # (the common case: prose around ruled tables, read as before at no cost)
    from .pdf import PAGE_NUMBER

    lines = _lines(chars)
    # The page number, standing apart in the margin, is no row (a figure's wrapped part,
    # alone on its line too, stands by its row).
    lines = [ln for k, ln in enumerate(lines) if not (PAGE_NUMBER.match(" ".join(w.text for w in ln.words))
                                                      and _isolated(lines, k))]
    figure_lines = [line for line in lines if _figure_line(line)]
    # One line of figures is a table's only when it prints several (table 四's one row).
    if len(figure_lines) < 2 and not any(len(line.figures()) >= 3 for line in figure_lines):
        return []
    out: list[UnruledTable] = []
    used: set[int] = set()
    for i, line in enumerate(lines):
        if i in used or not _figure_line(line):
            continue
        first, last = _region(lines, i, used)
        used.update(range(first, last + 1))
        opens_page = all(ln.bottom <= margin for ln in lines[:first])
        table = _build(lines[first:last + 1], continues if opens_page else None)
        if table is not None:
            out.append(table)
    return out


def _region(lines: list[_Line], seed: int, used: set[int]) -> tuple[int, int]:
    """The lines around a row of figures that make one table: down over rows of figures and
    label lines, up over the header; a line with a word across the border between the
    labels and the figures (a heading, prose, a title spanning the table) ends it."""
    bound = lines[seed].figures()[0].x0
    size = lines[seed].figures()[0].size
    last = seed
    k = seed + 1
    while k < len(lines) and k not in used:
        line = lines[k]
        if line.top - lines[last].bottom > _MAX_GAP * size or _larger(line, size):
            break
        if _figure_line(line):
            figs = line.figures()
            new = min(bound, figs[0].x0)
            labels = [w for j in range(seed, k + 1) for w in _labels_of(lines[j])]
            if any(w.x1 > new - 1 for w in labels):
                break
            bound = new
        elif any(w.x0 < bound - 1 < w.x1 for w in line.words):
            break  # across the border
        elif any(w.x0 >= bound - 1 for w in line.words):
            break  # words over the columns after rows of figures: another table's header
        last = k
        k += 1
    # Above the rows, the header: its headings over the columns may start left of the
    # figures (a heading wider than its figures), never left of the rows' labels' end.
    edge = _label_edge(lines[seed:last + 1], bound)
    first = seed
    k = seed - 1
    header = False
    while k >= 0 and k not in used:
        line = lines[k]
        if lines[first].top - line.bottom > _MAX_GAP * size or _figure_line(line) or _larger(line, size):
            break
        if any(w.x0 < edge - 1 and w.x1 > bound - 1 for w in line.words):
            break
        header = header or any(w.x0 >= edge - 1 for w in line.words)
        first = k
        k -= 1
    # Label lines above the header's top line are text before the table.
    while first < seed and not any(w.x0 >= edge - 1 for w in lines[first].words) and header:
        first += 1
    return first, last


def _larger(line: _Line, size: float) -> bool:
    """A line set larger than the table's figures: a heading, not a cell."""
    return max(w.size for w in line.words) > _HEADING_SIZE * size


def _label_edge(lines: list[_Line], bound: float) -> float:
    """Where the rows' labels end (the figures' left edge for rows without labels)."""
    ends = [w.x1 for ln in lines for w in ln.words if w.x1 <= bound and not (_figure_line(ln) and w in ln.figures())]
    return max(ends, default=bound)


def _labels_of(line: _Line) -> list[_Word]:
    if _figure_line(line):
        return line.words[:len(line.words) - len(line.figures())]
    return []


def _overlap(a: _Word, b: _Word) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1


def _clusters(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped by their x-extents overlapping (one column's cells)."""
    out: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if out and w.x0 < max(v.x1 for v in out[-1]):
            out[-1].append(w)
        else:
            out.append([w])
    return out


@dataclass
class _Row:
    """A table row's lines of figures: one, or several where a narrow cell wrapped a long
    figure (300 over 1) and the row's other figures stand between its lines."""

    lines: list[_Line]

    @property
    def middle(self) -> float:
        return (self.lines[0].middle + self.lines[-1].middle) / 2

    def figures(self) -> list[_Word]:
        return [w for ln in self.lines for w in ln.figures()]

    def labels(self) -> list[_Word]:
        return [w for ln in self.lines for w in ln.words[:len(ln.words) - len(ln.figures())]]


def _rows(lines: list[_Line], size: float) -> list[_Row]:
    """Lines of figures closer than a line's height are one row: two rows' lines stand at
    least a line apart."""
    out: list[_Row] = []
    for ln in lines:
        if not _figure_line(ln):
            continue
        if out and ln.middle - out[-1].lines[-1].middle < _SAME_ROW * size:
            out[-1].lines.append(ln)
        else:
            out.append(_Row([ln]))
    return out


def _continued_columns(columns: list[list[_Word]], before: list[tuple[float, float]]
                       ) -> list[tuple[float, list[_Word], list[_Word]]] | None:
    """The columns of a table continued without its header, as _build's (x, figures,
    heading): each column of figures under one of the table's columns before the break
    and no other, every column of that table kept (blank here when no figure stands under
    it). None where a column of figures stands under none, or under two."""
    out: list[tuple[float, list[_Word], list[_Word]]] = [(x0, [], []) for x0, _ in before]
    for col in columns:
        x0, x1 = min(f.x0 for f in col), max(f.x1 for f in col)
        under = [k for k, (a, b) in enumerate(before) if x0 < b and a < x1]
        if len(under) != 1 or out[under[0]][1]:
            return None
        out[under[0]] = (before[under[0]][0], col, [])
    return out


def _build(lines: list[_Line], continues: UnruledTable | None = None) -> UnruledTable | None:
    figure_lines = [ln for ln in lines if _figure_line(ln)]
    bound = min(ln.figures()[0].x0 for ln in figure_lines) - 1
    sizes = sorted(w.size for ln in figure_lines for w in ln.figures())
    size = sizes[len(sizes) // 2]
    rows = _rows(lines, size)
    lines = _trim_edges(lines, rows, bound, size)
    figures = [w for r in rows for w in r.figures()]
    columns = _clusters(figures)
    if len(columns) < 2:
        return None  # one column of figures: numbers in prose set on lines of their own as well as a table
    where = {id(w): k for k, col in enumerate(columns) for w in col}
    for r in rows:
        for ln in r.lines:
            if len({where[id(w)] for w in ln.figures()}) < len(ln.figures()):
                return None  # two figures of a line in one column: no columns to trust
        if len(r.lines) > 1 and not _wrapped(r, where):
            return None
    # The header: the lines above the first row with words over the columns.
    start = next(k for k, ln in enumerate(lines) if ln is rows[0].lines[0])
    edge = _label_edge(lines[start:], bound)
    head_end = 0
    header_words: list[_Word] = []
    for k, ln in enumerate(lines[:start]):
        if any(w.x0 >= edge - 1 for w in ln.words):
            head_end = k + 1
    head_bottom = lines[head_end - 1].bottom if head_end else None
    label_lines = [ln for ln in lines if not _figure_line(ln)]
    head_labels: list[_Word] = []
    fragments: list[_Word] = []
    for ln in label_lines:
        for w in ln.words:
            if head_bottom is not None and ln.middle <= head_bottom:
                (header_words if w.x0 >= edge - 1 else head_labels).append(w)
            else:
                fragments.append(w)
    if any(w.x0 >= bound for w in fragments) or any(w.figure for w in header_words):
        return None  # words over the columns among the rows, figures among the headings
    for r in rows:
        fragments += r.labels()
    if any(w.figure and any(c.isdigit() for c in w.text) for w in fragments):
        return None  # a figure among the labels: another column's row beside this table's (a page set in two columns)
    left = min(f.x1 for f in columns[0])
    spanning: list[_Word] = []
    unplaced: list[list[_Word]] = []
    all_columns: list[tuple[float, list[_Word], list[_Word]]]  # (x, figures, heading)
    went_on: list[tuple[float, float]] | None = None  # the columns of the table continued
    if not header_words and not head_labels:
        # No header to say which edition's columns these are (a heading set large was
        # taken for one), unless the table goes on from the page before in its columns.
        if continues is None or not continues.columns or any(w.x1 > continues.columns[0][0] for w in fragments):
            return None
        continued = _continued_columns(columns, continues.columns)
        if continued is None:
            return None
        all_columns, went_on = continued, continues.columns
    else:
        # Columns printed blank in every row are known by their heading alone.
        spanning, leaves = _split_header(header_words, columns)
        if leaves is None:
            return None
        # Only between columns of figures: a heading before the first (信息内容 centred over
        # the labels) or after the last may be the labels' or a note's, not a column's.
        right = max(f.x0 for f in columns[-1])
        blank = [st for st in leaves if not any(_overlap(w, f) for w in st for col in columns for f in col)
                 and all(left < w.x0 and w.x1 < right for w in st)]
        unplaced = [st for st in leaves if not any(_overlap(w, f) for w in st for col in columns for f in col)
                    and not any(st is b for b in blank)]
        all_columns = []
        for col in columns:
            heading = [st for st in leaves if any(_overlap(w, f) for w in st for f in col)]
            if len(heading) > 1:
                return None
            all_columns.append((min(f.x0 for f in col), col, heading[0] if heading else []))
        if blank and any(not heading for _, _, heading in all_columns):
            return None  # a heading over no figures beside figures under no heading: the header stands off its columns
        for st in blank:
            all_columns.append((min(w.x0 for w in st), [], st))
        all_columns.sort(key=lambda c: c[0])
    shown = [c for c in all_columns if c[1] or c[2]]
    for a, b in itertools.pairwise(shown):
        if max(w.x1 for w in a[1] + a[2]) > min(w.x0 for w in b[1] + b[2]):
            return None  # columns that overlap: no order to trust
    # Each label to the row whose figures stand nearest its middle: a cell's lines together
    # (their middle is the row's when the label is centred on its figures), or, where the
    # lines of several rows' labels run on without a gap between them, line by line.
    by_row: dict[int, list[_Word]] = {k: [] for k in range(len(rows))}
    doubtful: list[tuple[_Word, int, int]] = []
    empty: list[tuple[float, list[_Word]]] = []
    blocks = _blocks(fragments, size)
    for block in blocks:
        top = min(w.top for w in block)
        bottom = max(w.bottom for w in block)
        if sum(top <= r.middle <= bottom for r in rows) > 1:
            # Several rows' labels run on without a gap (no padding between the cells):
            # cut where each row's lines stand centred on its figures, if only one way.
            # Lines with other labels right of them name groups of rows (三、本年度办理结果
            # set a character a line): only a hint to the rows, each goes to the nearest.
            own = [w for w in block if not _beside(w, block, blocks)]
            split = _split_block(own, rows, size) if own else []
            if split is None:
                return None  # rows' own labels that no cut parts: joined, they would name another row
            for k, part in split:
                by_row[k] += part
            parts = [[w] for w in block if all(w is not v for v in own)]
        else:
            on = {k for w in block for k, r in enumerate(rows) if abs((w.top + w.bottom) / 2 - r.middle) <= _ON_LINE * size}
            if len(on) == 1:
                by_row[on.pop()] += block  # a label set at the top (or foot) of its cell, on its figures' line
                continue
            if not on and min(abs((top + bottom) / 2 - r.middle) for r in rows) > _EMPTY * size:
                empty.append(((top + bottom) / 2, block))  # a row printed with no figure at all
                continue
            parts = [block]
        for part in parts:
            mid = (min(w.top for w in part) + max(w.bottom for w in part)) / 2
            dist = sorted((abs(mid - r.middle), k) for k, r in enumerate(rows))
            if len(dist) > 1 and dist[1][0] - dist[0][0] < _CLEAR * size:
                doubtful += [(w, dist[0][1], dist[1][1]) for w in part]
                continue
            by_row[dist[0][1]] += part
    for w, a, b in doubtful:
        # Halfway between two rows: a label over several rows (merged down: （三）不予公开)
        # names both rows' own labels as their parent; anything else is a doubt.
        if not all(any(v.x0 > w.x1 for v in by_row[r]) for r in (a, b)):
            return None
    out: list[list[Cell]] = []
    src = {"unruled": True}
    for line_words in _header_lines(spanning):
        out.append([Cell(w.text, dict(src)) for w in line_words])
    if header_words or head_labels:
        before = [st for st in unplaced if st[0].x1 <= left]
        row = [Cell(_join(st), dict(src)) for st in [*_clusters(head_labels), *before]]
        row += [Cell(_join(c[2]), dict(src)) for c in all_columns]
        row += [Cell(_join(st), dict(src)) for st in unplaced if st[0].x1 > left]
        out.append(row)
    body: list[tuple[float, list[Cell]]] = []
    for k, r in enumerate(rows):
        cells: dict[int, str] = {}
        for w in r.figures():  # (in the order of the lines: a wrapped figure's parts top to bottom)
            cells[where[id(w)]] = cells.get(where[id(w)], "") + w.text
        texts = [cells.get(where[id(c[1][0])], "") if c[1] else "" for c in all_columns]
        body.append((r.middle, [Cell(_join(st), dict(src)) for st in _clusters(by_row[k])]
                     + [Cell(t, dict(src)) for t in texts]))
    for middle, block in empty:
        body.append((middle, [Cell(_join(st), dict(src)) for st in _clusters(block)]
                     + [Cell("", dict(src)) for _ in all_columns]))
    out += [row for _, row in sorted(body, key=lambda b: b[0])]
    if any("。" in c.text for row in out for c in row):
        return None  # a sentence among the labels: prose beside the figures (a section's heading after it)
    x0 = min(w.x0 for ln in lines for w in ln.words)
    x1 = max(w.x1 for ln in lines for w in ln.words)
    chars = [c for ln in lines for c in ln.chars]
    extents = []
    for k, (_, figs, heading) in enumerate(all_columns):
        words = figs + heading
        if not words:  # (a column blank on the continued page keeps where it stood before it)
            assert went_on is not None  # (a header's blank columns are known by their heading)
            extents.append(went_on[k])
        else:
            extents.append((min(w.x0 for w in words), max(w.x1 for w in words)))
    return UnruledTable((x0, lines[0].top, x1, lines[-1].bottom), out, chars, extents)


def _wrapped(row: _Row, where: dict[int, int]) -> bool:
    """Whether a row of several lines of figures is one of long figures wrapped in narrow
    cells: some column has digits on several of its lines. Lines of figures apart in
    other columns only (each column's figure on one line or the other) are no row to trust."""
    parts: dict[int, list[_Word]] = {}
    for w in row.figures():
        parts.setdefault(where[id(w)], []).append(w)
    split = [ws for ws in parts.values() if len(ws) > 1]
    return bool(split) and all(all(c.isdigit() for w in ws for c in w.text) for ws in split)


def _trim_edges(lines: list[_Line], rows: list[_Row], bound: float, size: float) -> list[_Line]:
    """Label lines below the last row (and above the first, when no header is over it)
    as far as that row's label reaches on its other side: a label stands with its middle
    at its figures, and what lies beyond is text after (or before) the table."""
    first, last = lines.index(rows[0].lines[0]), lines.index(rows[-1].lines[-1])
    edge = _label_edge(lines[first:], bound)
    heads = [ln.bottom for ln in lines[:first] if any(w.x0 >= edge - 1 for w in ln.words)]
    half = (rows[-2].middle + rows[-1].middle) / 2 if len(rows) > 1 else max(heads, default=-1e9)
    above = [ln for ln in lines[:last] if ln.middle > half and all(ln is not x for x in rows[-1].lines)]
    reach = max((rows[-1].middle - ln.middle for ln in above), default=0.0) + 0.6 * size
    end = last + 1
    while end < len(lines) and lines[end].middle - rows[-1].middle <= reach:
        end += 1
    start = first
    if not any(w.x0 >= edge - 1 for ln in lines[:first] for w in ln.words):
        half = (rows[0].middle + rows[1].middle) / 2 if len(rows) > 1 else 1e9
        below = [ln for ln in lines[first + 1:] if ln.middle < half and all(ln is not x for x in rows[0].lines)]
        reach = max((ln.middle - rows[0].middle for ln in below), default=0.0) + 0.6 * size
        while start > 0 and rows[0].middle - lines[start - 1].middle <= reach:
            start -= 1
    else:
        start = 0
    return lines[start:end]


def _blocks(words: list[_Word], size: float) -> list[list[_Word]]:
    """Label lines stacked one under the next (a wrapped cell's lines: no wider gap than
    its leading) and overlapping across: one cell's text."""
    blocks: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for b in blocks:
            last = b[-1]
            if 0 <= w.top - last.bottom <= _LEADING * size and _overlap(w, last):
                b.append(w)
                break
        else:
            blocks.append([w])
    return blocks


def _beside(word: _Word, block: list[_Word], blocks: list[list[_Word]]) -> bool:
    """Whether another cell's label stands right of the word, on its line."""
    return any(v.x0 > word.x1 and v.top <= word.bottom and word.top <= v.bottom
               for b in blocks if b is not block for v in b)


def _split_block(block: list[_Word], rows: list[_Row], size: float) -> list[tuple[int, list[_Word]]] | None:
    """A run of label lines cut into one run per row (a row may have none here), each run
    centred on its row's figures; None unless exactly one cut does it."""
    near = [k for k, r in enumerate(rows) if block[0].top - size <= r.middle <= block[-1].bottom + size]
    n, m = len(block), len(near)
    # A line on a row's line of figures is that row's (a label of one or three lines).
    on = [next((k for k in near if abs((w.top + w.bottom) / 2 - rows[k].middle) <= _ON_LINE * size), None)
          for w in block]

    def fits(i: int, j: int, k: int) -> bool:
        if i == j:
            return True  # no line for this row here
        if any(on[x] not in (None, k) for x in range(i, j)):
            return False
        top, bottom = block[i].top, block[j - 1].bottom
        if any(top < r.middle < bottom for x, r in enumerate(rows) if x != k):
            return False  # a cell's label does not reach over another row's figures
        return abs((top + bottom) / 2 - rows[k].middle) <= _FIT * size

    # ways[j][i]: the number of cuts (1, or 2 for more than one) giving lines[:i] to near[:j].
    ways = [[0] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    ways[0][0] = 1
    for j in range(1, m + 1):
        for i in range(n + 1):
            for start in range(i + 1):
                if ways[j - 1][start] and fits(start, i, near[j - 1]):
                    if ways[j][i] == 0:
                        back[j][i] = start
                    ways[j][i] = min(2, ways[j][i] + ways[j - 1][start])
    if ways[m][n] != 1:
        return None
    out = []
    i = n
    for j in range(m, 0, -1):
        start = back[j][i]
        if start < i:
            out.append((near[j - 1], block[start:i]))
        i = start
    return out


def _split_header(words: list[_Word], columns: list[list[_Word]]) -> tuple[list[_Word], list[list[_Word]] | None]:
    """The header's words over the columns: those spanning several columns (申请人情况,
    法人或其他组织), and the stacks of the rest, one per column (商业 / 企业)."""
    spanning = []
    rest = []
    for w in words:
        over = sum(any(_overlap(w, f) for f in col) for col in columns)
        # Over two narrower words that stand apart: a group's heading over its columns.
        under = [v for v in words if v is not w and _overlap(v, w) and v.x1 - v.x0 < w.x1 - w.x0]
        apart = any(not _overlap(a, b) for a in under for b in under)
        (spanning if over > 1 or apart else rest).append(w)
    stacks = _clusters(rest)
    for st in stacks:
        if sum(any(_overlap(w, f) for w in st for f in col) for col in columns) > 1:
            return spanning, None
    return spanning, [sorted(st, key=lambda w: w.top) for st in stacks]


def _header_lines(words: list[_Word]) -> list[list[_Word]]:
    out: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if out and abs(out[-1][0].top - w.top) < 0.3 * w.size:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _join(words: list[_Word]) -> str:
    return "".join(w.text for w in sorted(words, key=lambda w: (w.top, w.x0)))
