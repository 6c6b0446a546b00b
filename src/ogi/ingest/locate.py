"""The locator: maps any Document onto an edition through its printed labels.

Rows are recognised by their labels (typo-tolerant, with the parent rows and the order
of the template as tie-breakers), never by position alone; a figure that cannot be tied
to a cell is reported as unplaced and its cell stays missing, so values are never
shifted silently. Section headings and metadata are read here too.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from ..editions import CellDef, Edition, PrintedLine, all_editions, edition_for_year
from ..editions import Table as TableDef
from ..report import Heading, LabelSeen, Report, Value
from ..textnorm import (
    is_parenthesised_numbering,
    looks_like_figure,
    nfkc,
    norm_label,
    normalising_once,
    numbering,
    parse_figure,
    squash,
    strip_punct,
)
from .document import Cell, Document, Paragraph, Table
from .metadata import key_values, read_metadata

# Labels of up to this many characters (normalised) must match exactly: two short
# labels differ by one character too often (行政许可/行政处罚).
_SHORT = 4
NOT_FOUND = "未在文档中找到该单元格"
NOT_RECOGNISED = "扫描件中未能识别该单元格"
_THRESHOLD = 80.0
_HEADING_THRESHOLD = 85.0
_MAX_HEADING = 40
# OCR readings below this confidence are not taken as figures.
MIN_CONFIDENCE = 0.8


@dataclass(frozen=True)
class _Form:
    """One way a label may be printed."""

    norm: str
    text: str  # the standard text it stands for
    kind: str  # standard | equivalent | variant


@dataclass(frozen=True)
class _Target:
    kind: str  # row | parent | header
    table: str
    forms: tuple[_Form, ...]
    line: int | None = None  # index into printed lines, for rows
    parents: tuple[str, ...] = ()  # normalised parent labels, for rows
    # For a row of a transposed block (行政复议 …): its cells, which a table may print as
    # a small table of their own under that label.
    cells: tuple[str, ...] = ()
    # For a column heading (or a group of columns: 法人或其他组织) of a block that is not
    # transposed: the block's index in its table, and the indices of its columns in the block.
    block: int | None = None
    columns: tuple[int, ...] = ()


@dataclass
class _Layout:
    edition: Edition
    lines: list[PrintedLine]
    targets: list[_Target]
    # Every form of every target: exact look-up by normalised text, and a list for fuzzy
    # search of the longer ones.
    exact: dict[str, list[tuple[_Target, _Form]]] = field(default_factory=dict)
    fuzzy_norms: list[str] = field(default_factory=list)
    fuzzy_refs: list[tuple[_Target, _Form]] = field(default_factory=list)
    # _candidates per query: reports print the same labels over and over, and the fuzzy
    # search is most of the locator's time.
    found: dict[str, list[tuple[_Target, _Form, float]]] = field(default_factory=dict)
    # Row labels (normalised) → their printed lines, and by their last character.
    row_lines: dict[str, list[int]] = field(default_factory=dict)
    row_ends: dict[str, list[str]] = field(default_factory=dict)
    # Printed line → (its table, the index of its block in the table).
    line_blocks: list[tuple[str, int]] = field(default_factory=list)


def _forms(label: str, equivalents: tuple[str, ...] = (), variants: tuple[str, ...] = ()) -> tuple[_Form, ...]:
    out = [_Form(norm_label(label), label, "standard")]
    out += [_Form(norm_label(e), label, "equivalent") for e in equivalents]
    out += [_Form(norm_label(v), label, "variant") for v in variants]
    return tuple(out)


@cache
def _layout(edition: Edition) -> _Layout:
    lines = edition.printed_lines()
    targets: list[_Target] = []
    parents_seen: dict[tuple[str, str], bool] = {}
    for i, line in enumerate(lines):
        if line.row is not None:
            r = line.row
            targets.append(
                _Target("row", line.table, _forms(r.label, r.equivalents, r.variants), i,
                        tuple(norm_label(p) for p in r.parents))
            )
            for p in r.parents:
                parents_seen[(line.table, p)] = True
    for (table, p), _ in parents_seen.items():
        targets.append(_Target("parent", table, _forms(p)))
    for t in edition.tables:
        targets.append(_Target("header", t.key, _forms(t.title)))
        for k, b in enumerate(t.blocks):
            if b.transposed:
                for r in b.rows:
                    # "行政诉讼（复议后起诉）" names the row with its parent.
                    joined = tuple("".join((*r.parents, r.label)) for _ in r.parents[:1])
                    targets.append(_Target("subrow", t.key, _forms(r.label, joined, r.variants),
                                           cells=tuple(b.cell_id(r, c) for c in b.columns)))
            for h in b.header_labels():
                c = next((c for c in b.columns if c.label == h), None)
                forms = _forms(h, c.equivalents, c.variants) if c else _forms(h)
                under = tuple(j for j, col in enumerate(b.columns) if col.label == h or col.group == h)
                if under and not b.transposed:
                    targets.append(_Target("header", t.key, forms, block=k, columns=under))
                else:
                    targets.append(_Target("header", t.key, forms))
    layout = _Layout(edition, lines, targets)
    layout.line_blocks = [(t.key, k) for t in edition.tables for k, b in enumerate(t.blocks) for _ in b.printed_lines()]
    assert len(layout.line_blocks) == len(lines)
    for t in targets:
        for f in t.forms:
            layout.exact.setdefault(f.norm, []).append((t, f))
            if t.kind == "row" and t.line is not None:
                layout.row_lines.setdefault(f.norm, []).append(t.line)
            if len(f.norm) > _SHORT:
                layout.fuzzy_norms.append(f.norm)
                layout.fuzzy_refs.append((t, f))
    for norm in layout.row_lines:
        layout.row_ends.setdefault(norm[-1:], []).append(norm)
    return layout


# Bound on the memo of _candidates per edition (a long batch of odd documents).
_MEMO = 50_000


def _candidates(layout: _Layout, query: str) -> list[tuple[_Target, _Form, float]]:
    """Targets whose label the query matches: exactly, or (for labels longer than
    _SHORT) with a similarity of at least _THRESHOLD, best form per target."""
    hit = layout.found.get(query)
    if hit is None:
        if len(layout.found) >= _MEMO:
            layout.found.clear()
        hit = layout.found[query] = _search(layout, query)
    return hit


def _search(layout: _Layout, query: str) -> list[tuple[_Target, _Form, float]]:
    found: dict[int, tuple[_Target, _Form, float]] = {}
    for t, f in layout.exact.get(query, ()):
        found[id(t)] = (t, f, 100.0)
    if not found and len(query) > _SHORT:
        for _, score, idx in process.extract(query, layout.fuzzy_norms, scorer=fuzz.ratio,
                                             score_cutoff=_THRESHOLD, limit=None):
            t, f = layout.fuzzy_refs[idx]
            if id(t) not in found or found[id(t)][2] < score:
                found[id(t)] = (t, f, score)
    return list(found.values())


@dataclass
class _Segment:
    labels: list[Cell]
    values: list[Cell]
    source: dict
    lose_tail: bool = True  # see Table.short_rows_lose_tail
    opens_table: bool = False  # the first segment of a table of the document
    unsplit: list[Cell] | None = None  # the values with no cell split in two, when one was

    has_figures: bool = field(init=False)

    def __post_init__(self) -> None:
        self.has_figures = any(c.text.strip() and c.copy is None for c in self.values)

    @property
    def blank(self) -> bool:
        """A row of empty cells: no label, no figure."""
        return not self.labels and not self.has_figures


def _segments(row: list[Cell]) -> list[_Segment]:
    """Split a table row into label+figures runs. A label after figures starts a new run:
    converters sometimes run two printed rows together."""
    segs: list[_Segment] = []
    labels: list[Cell] = []
    values: list[Cell] = []
    pending: list[Cell] = []  # empty cells whose role depends on what follows
    swallow, swallow_source = 0, None  # positions of a cell already split into its figures
    whole: list[Cell] = []  # the values with no cell split (2 6 may be one figure spaced out)
    split = False
    for cell in row:
        if swallow and cell.copy == "h" and cell.source is swallow_source:
            swallow -= 1
            whole.append(cell)
            continue
        text = cell.text.strip()
        if cell.copy is not None:
            if not text or looks_like_figure(text):
                # A position covered by a merged figure (or blank) keeps its column, so
                # that the figures after it stay in theirs; what it reads is _fill's.
                pending.append(cell)
                continue
            if cell.copy == "h":
                continue  # a label spanning columns counts once
            # Below a merged label, the label still names the rows it spans (三、本年度办理结果).
        if not text:
            pending.append(cell)
            continue
        if looks_like_figure(text):
            figures = _figures_in(cell, text)
            if len(figures) > 1:
                # Spanning the columns of its figures, the cell's covered positions are theirs.
                swallow, swallow_source = len(figures) - 1, cell.source
                split = True
            values += [*pending, *figures]
            whole += [*pending, cell]
            pending = []
            continue
        if values:
            segs.append(_Segment(labels, values, (labels or values)[0].source, unsplit=whole if split else None))
            labels, values, whole, split = [], [], [], False
        pending = []
        labels.append(cell)
    if labels or values:
        values += pending
        whole += pending
        segs.append(_Segment(labels, values, (labels or values or [Cell("")])[0].source, unsplit=whole if split else None))
    elif pending and not segs and any(c.copy is None for c in pending):
        segs.append(_Segment([], pending, pending[0].source))  # a row of empty cells (table 四 left blank)
    return segs


_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?")
_GROUP_TAIL = re.compile(r"\d{3}(?:\.\d+)?")  # the last group of 1 234 or 1 234.56


def _figures_in(cell: Cell, text: str) -> list[Cell]:
    """A cell holding two figures apart (12 0: a PDF whose rule between two columns is
    not drawn) as one cell per figure; 1 234 (a space between thousands) stays one."""
    if " " not in text and "\u3000" not in text:
        return [cell]
    parts = text.split()
    if len(parts) < 2 or not all(_DIGIT_RUN.fullmatch(p) for p in parts):
        return [cell]
    if 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:-1]) and _GROUP_TAIL.fullmatch(parts[-1]):
        return [cell]
    return [Cell(p, cell.source) for p in parts]


@dataclass
class _State:
    report: Report
    layout: _Layout
    filled: set[int] = field(default_factory=set)
    subrow: tuple[str, ...] = ()  # the transposed row last named by a label
    # The columns of a transposed block in the order the document's table (by number)
    # prints them in its header row, when it prints each once: (table_no, table, order).
    transposed_header: tuple[int, str, tuple[int, ...]] | None = None
    # Its rows as a header row printing each once (the block set the other way round:
    # one row per result, one column per kind of case): (table_no, table, rows' cells).
    transposed_rows: tuple[int, str, tuple[tuple[str, ...], ...]] | None = None
    # The document's tables (by number) that print figures: a table of header rows alone
    # (a text's header line set apart from its rows) heads the table after it.
    figure_tables: set[int] = field(default_factory=set)
    table: str | None = None
    parent: str | None = None
    last_line: int = -1
    score: float = 0.0
    labels_seen: set[tuple[str, str, str]] = field(default_factory=set)
    # Which of the edition's tables the document's table being read is shown to be, by a
    # heading just before it or a header row of the edition's in it (None: not shown).
    # A line first read from a table not shown to be the report's (a page's sidebar of
    # counts, a statistics table before the article) gives way to the same line in one that is.
    heading: str | None = None
    anchored: str | None = None
    # Whether the table being read was shown so by a header row of its own, not only by a
    # heading before it (which names whatever table comes next: a statistics table printed
    # between the heading and the report's table took its word).
    anchored_by_header: bool = False
    # An amount column whose header says it is printed in 元 where the edition prints 万元.
    in_yuan: bool = False
    # The column headings of the edition read in the header rows of the document's table
    # that last showed a block's header (a header row showing its table: two clear
    # labels), per block: one list per row, in printed order (each a heading's columns).
    headings: dict[tuple[str, int], list[list[tuple[int, ...]]]] = field(default_factory=dict)
    headings_from: dict[tuple[str, int], int] = field(default_factory=dict)
    table_no: int = 0  # the document's table being read
    # Blocks whose header prints the edition's columns in another order.
    reordered: set[tuple[str, int]] = field(default_factory=set)
    unanchored: dict[int, _Segment] = field(default_factory=dict)
    # Lines first read from a table shown to be the report's by a heading alone: a later
    # table shown so too (by a heading or a header row) that prints other figures leaves
    # the line to neither.
    headed: dict[int, _Segment] = field(default_factory=dict)
    # What each line placed added to the score: a line given up again (contested, or read
    # anew from the report's own table) takes it back, so that a table not the report's
    # does not make the document fit the edition whose lines it happens to print.
    line_score: dict[int, float] = field(default_factory=dict)
    # Lines two such tables printed with other figures: taken from neither (only a table
    # shown to be the report's can still fill them).
    contested: set[int] = field(default_factory=set)
    # Lines printed with more figures than columns that read as copies of merged cells:
    # line → its possible readings (see _collapsed), kept until the identities can be evaluated.
    # (With the segment, its table and the reason it is unplaced unless confirmed.)
    repeated: dict[int, tuple[list[list[tuple[Cell, bool]]], _Segment, str | None, str]] = field(default_factory=dict)
    # Rows of empty cells that could be a line printed without a label (table 四 left
    # blank), taken only when nothing else filled it: line → the empty cells.
    blank_lines: dict[int, list[Cell]] = field(default_factory=dict)
    # Tables of the edition whose figures were read somewhere but not placed.
    unplaced_tables: set[str] = field(default_factory=set)


def locate(doc: Document, edition: Edition | None = None) -> Report:
    """Map a Document onto an edition (the best-fitting one when not given)."""
    unread = 0
    with normalising_once():
        report = _locate(doc, edition)
        if doc.pictures and _lost_tables(report):
            report, doc, unread = _with_pictures(report, doc, edition)
    report.notices = list(doc.notices)
    if any(n.get("code") == "ocr" for n in doc.notices):  # (a scan: not a page's pictures read by OCR)
        # A figure the recogniser did not give is the reading's failure as much as the report's.
        for v in report.cells.values():
            if v.state == "missing" and v.note == NOT_FOUND:
                v.note = NOT_RECOGNISED
    elif doc.kind == "text" and _layout_lost(report, doc):
        report.notices.append(LAYOUT_LOST)
        for v in report.cells.values():
            if v.state == "missing" and v.note == NOT_FOUND:
                v.note = NOT_IN_ROWS
    lost = _lost_tables(report) if unread else []
    if lost:
        from .pictures import unread_notice

        report.notices.append(unread_notice(unread))
        for t in lost:
            for c in report.edition_obj.table_cells(t.key):  # type: ignore[union-attr]
                if report.cells[c].note in (NOT_FOUND, NOT_RECOGNISED):
                    report.cells[c].note = IN_A_PICTURE
    return report


def _lost_tables(report: Report) -> list[TableDef]:
    """The edition's tables of which not one figure was found."""
    ed = report.edition_obj
    if ed is None:
        return []
    return [t for t in ed.tables if all(report.cells[c].state == "missing" for c in ed.table_cells(t.key))]


def _with_pictures(report: Report, doc: Document, edition: Edition | None) -> tuple[Report, Document, int]:
    """The report read again with the tables of the document's pictures where they stand,
    when that finds more; and how many pictures that may hold a table could not be read."""
    from .pictures import notice, splice

    pictures = doc.pictures() if callable(doc.pictures) else doc.pictures
    read = splice(doc.blocks, pictures, doc.pages)
    if not read.read:
        return report, doc, read.unread
    seen = dataclasses.replace(doc, blocks=read.blocks, pages=read.pages, pictures=[],
                               notices=[*doc.notices, notice(read.read)])
    again = _locate(seen, edition)
    found = sum(v.state != "missing" for v in report.cells.values())
    if sum(v.state != "missing" for v in again.cells.values()) > found:
        return again, seen, read.unread
    return report, doc, read.unread


IN_A_PICTURE = "未在文字中找到该表；文件中有未能读取的图片，该表可能以图片形式发布"


NOT_IN_ROWS = "文本中未能按行读出该单元格（表格结构已丢失）"
LAYOUT_LOST = {"code": "layout_lost",
               "message_zh": "文本中印有统计表的行标签，但多数数值未能按行读出：表格的结构在复制或转换（如网页复制、PDF 转文本）中丢失了。"
                             "缺失的数值不一定是报告本身缺失，请对照原件（网页、PDF 或 Word）核对",
               "message_en": "the text prints the tables' row labels but most figures could not be read by row: the "
                             "tables' structure was lost in copying or conversion; check against the original"}
# A text whose figures are mostly missing while it prints this many of the row labels
# has lost its tables' layout (a page copied from a browser, a PDF turned to text).
_LABELS_PRINTED = 8


def _layout_lost(report: Report, doc: Document) -> bool:
    missing = sum(v.state == "missing" for v in report.cells.values())
    if missing * 2 < len(report.cells) or report.edition_obj is None:
        return False
    # A label on a line of its own, or opening one (a cell per line, a row's text with
    # its figures apart): prose that names 行政许可 in a sentence is no lost table.
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    texts += [c.text for b in doc.blocks if isinstance(b, Table) for row in b.rows for c in row]
    lines = {norm_label(t) for t in texts if len(t) <= 80}
    labels = {f.norm for t in _layout(report.edition_obj).targets if t.kind == "row" for f in t.forms if len(f.norm) >= 4}
    return sum(1 for q in labels if q in lines or any(line.startswith(q) for line in lines)) >= _LABELS_PRINTED


def _locate(doc: Document, edition: Edition | None) -> Report:
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    fields = key_values([[c.text for c in row if c.copy is None] for t in doc.tables for row in t.rows if len(row) <= 8])
    md = read_metadata([p.text for p in paragraphs], [*doc.meta, *fields],
                       headings=frozenset(i for i, p in enumerate(paragraphs) if p.role == "heading"),
                       links=frozenset(i for i, p in enumerate(paragraphs) if p.role == "link"))
    stream = _stream(doc)
    if edition is not None:
        report, _ = _locate_with(stream, edition)
    else:
        report = _best_fit(stream, md.year)
    _run_together(report, doc)
    if getattr(doc, "pages", None) is not None:  # a PDF or a scan: its pages can be read again
        from .reread import confirm_readings

        confirm_readings(report, doc)  # a scan's figures checked by the identities, read again where in doubt
    report.title = md.title
    report.agency = md.agency
    report.year = md.year
    report.issued_on = md.issued_on
    report.published_on = md.published_on
    report.provenance = md.provenance
    report.kind = md.kind
    report.level = md.level
    report.year_evidence = md.year_evidence
    report.file = doc.file
    _sections(report, doc, paragraphs, md.signature)
    return report


# Labels of its own an edition must show, with none of another's, to be taken without
# locating the document in every edition.
_DECISIVE = 3


@cache
def _own_labels() -> list[tuple[Edition, frozenset[str]]]:
    """Each edition with the labels (normalised) that no other edition prints: the
    columns of table 二, a few rows that were renamed or added."""
    keys = [(e, set(_layout(e).exact)) for e in all_editions()]
    return [(e, frozenset(k.difference(*(o for f, o in keys if f is not e)))) for e, k in keys]


def _decided(stream: list[_Segment | str]) -> Edition | None:
    """The edition a document's labels decide: the one whose own labels it prints at
    least _DECISIVE times while printing none of another's. None when undecided (then
    every edition is tried and the best fit wins)."""
    own = _own_labels()
    counts = [0] * len(own)
    for item in stream:
        for text in (item,) if isinstance(item, str) else (c.text for c in item.labels):
            q = norm_label(text)
            for k, (_, labels) in enumerate(own):
                if q in labels:
                    counts[k] += 1
    found = [k for k, n in enumerate(counts) if n]
    if len(found) == 1 and counts[found[0]] >= _DECISIVE:
        return own[found[0]][0]
    return None


# Lines by which another edition must fit better than the one in force for the report's
# year, when no label of either decides: the editions' own rows (2021's three 其他处理
# rows, 2019's one) tip a score by a line or two whichever form was printed.
_IN_FORCE_MARGIN = 2.0


def _best_fit(stream: list[_Segment | str], year: int | None) -> Report:
    """The document located in the edition it fits best: the one its own labels decide,
    else the highest score over every edition, unless the one in force for the year fits
    within _IN_FORCE_MARGIN of it (a table 二 printed without its header fits both; read
    in the older one, a 2023 report was said to use the old form)."""
    decided = _decided(stream)
    first = _locate_with(stream, decided) if decided is not None else None
    if first is not None and first[1] > 0:
        return first[0]
    results = [first if first is not None and e is decided else _locate_with(stream, e) for e in all_editions()]
    in_force = edition_for_year(year) if year else None
    results.sort(key=lambda rs: (rs[1], in_force is not None and rs[0].edition == in_force.id), reverse=True)
    if in_force is not None:
        own = next((rs for rs in results if rs[0].edition == in_force.id), None)
        if own is not None and own[1] > 0 and own[1] >= results[0][1] - _IN_FORCE_MARGIN:
            return own[0]
    return results[0][0]


def _stream(doc: Document) -> list[_Segment | str]:
    """The document as the locator walks it: table rows split into segments, and the
    short paragraphs between tables (which may name the table that follows)."""
    out: list[_Segment | str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            first = True
            for row in block.rows:
                for seg in _segments(row):
                    seg.lose_tail = block.short_rows_lose_tail
                    if not seg.blank:  # (a row of empty cells neither opens a table nor ends a row cut by a page)
                        seg.opens_table, first = first, False
                    out.append(seg)
        elif isinstance(block, Paragraph) and len(block.text) <= 2 * _MAX_HEADING:
            out.append(block.text)
    return out


def _locate_with(stream: list[_Segment | str], edition: Edition) -> tuple[Report, float]:
    report = Report.empty(edition.id)
    st = _State(report, _layout(edition))
    unnamed: _Segment | None = None  # the last segment, when its labels named nothing
    for item in stream:
        if isinstance(item, str):
            # A table's title printed as a paragraph tells which table follows.
            _context_from_paragraph(st, item)
            _header_line(st, item)
        elif item.blank:
            _note_blank(st, item)
        else:
            if item.opens_table:
                st.anchored, st.heading, st.anchored_by_header = st.heading, None, False
                st.table_no += 1
                if unnamed is not None:
                    item = _continued(st, unnamed, item) or item
            placed = _place(st, item)
            if item.has_figures:
                st.figure_tables.add(st.table_no)
            if not placed and item.has_figures and st.table is not None:
                st.unplaced_tables.add(st.table)  # figures whose labels named nothing
            unnamed = None if placed or not item.has_figures else item
    if st.repeated:
        _confirm_repeated(st)
    for idx, cells in st.blank_lines.items():
        line = st.layout.lines[idx]
        if idx not in st.filled and line.table not in st.unplaced_tables and all(
                report.cells[c].state == "missing" for c in line.cells):
            _fill(st, line.cells, cells)
    for v in report.cells.values():
        if v.state == "missing" and v.note is None:
            v.note = NOT_FOUND
    return report, st.score


def _continued(st: _State, before: _Segment, first: _Segment) -> _Segment | None:
    """A row a page break cut in two (Word and LibreOffice let a row break across pages):
    the last row before the break named nothing (6.属于, 2. 其他法律行), the first after it
    goes on (四类过程性信息, or 开 | 政法规禁止公开 with the rest of a merged label before
    it). Joined cell by cell, labels aligned from the last; taken only when the joined
    label is a row's label and the rows have as many figure cells."""
    if len(before.values) != len(first.values) or not first.labels or len(first.labels) > len(before.labels):
        return None
    label = before.labels[-1].text.strip() + first.labels[-1].text.strip()
    q = norm_label(label)
    if not any(t.kind == "row" for t, _ in st.layout.exact.get(q, ())):
        return None
    k = len(before.labels) - len(first.labels)
    labels = [*before.labels[:k], *(Cell(a.text.strip() + b.text.strip(), a.source)
                                     for a, b in zip(before.labels[k:], first.labels, strict=True))]
    values = [Cell(a.text.strip() + b.text.strip(), a.source) for a, b in zip(before.values, first.values, strict=True)]
    return _Segment(labels, values, before.source, before.lose_tail)


def _context_from_paragraph(st: _State, text: str) -> None:
    q = norm_label(text)
    if not q or len(q) > _MAX_HEADING:
        return
    hits = [t for t, _, score in _candidates(st.layout, q) if t.kind in ("header", "subrow") and score >= _HEADING_THRESHOLD]
    if not hits:
        return
    # A line several tables print (总计) does not take us out of the table we are in.
    t = next((x for x in hits if x.table == st.table), hits[0])
    st.table = t.table
    st.heading = t.table
    st.parent = None
    if t.kind == "subrow":
        st.subrow = t.cells


def _best(st: _State, query: str, kinds: tuple[str, ...], parents: list[str]) -> tuple[_Target | None, _Form | None, float]:
    best: tuple[float, _Target | None, _Form | None] = (0.0, None, None)
    for t, form, s in _candidates(st.layout, query):
        if t.kind not in kinds:
            continue
        rank = s
        if t.kind == "row":
            # Order and context break ties between similar labels.
            if t.line is not None and t.line in st.filled:
                rank -= 10
            if parents and any(p in t.parents for p in parents):
                rank += 3
            if t.line is not None and t.line > st.last_line:
                rank += 1
        if st.table and t.table == st.table:
            rank += 1
        if rank > best[0]:
            best = (rank, t, form)
    return best[1], best[2], best[0]


def _note_label(st: _State, kind: str, cell: Cell, form: _Form | None, table: str) -> None:
    if form is None or "confidence" in (cell.source or {}):
        return  # a label read by OCR differs from the print by the recogniser's errors too
    q = norm_label(cell.text)
    if form.kind == "equivalent" or q == norm_label(form.text):
        return
    key = (kind, q, form.text)
    if key in st.labels_seen:
        return
    st.labels_seen.add(key)
    where = _table_title(st, table)
    number = st.layout.edition.table(table).number
    st.report.labels.append(LabelSeen(kind, cell.text, form.text, where, cell.source or None, number))


def _table_title(st: _State, table: str) -> str:
    t = st.layout.edition.table(table)
    return f"表{t.number}（{t.title}）"


def _place(st: _State, seg: _Segment) -> bool:
    """Place a segment; False when it was given to no line (a header row, or labels that
    name nothing)."""
    labels = [c for c in seg.labels if c.text.strip()]
    if not labels:
        if seg.has_figures:
            _place_unlabelled(st, seg)
        return True
    primary = labels[-1]
    q = norm_label(primary.text)
    if len(labels) == 1 and seg.has_figures and _heading_over_figures(st, q, seg):
        return True
    earlier = [norm_label(c.text) for c in labels[:-1]]
    if st.parent:
        earlier.append(st.parent)
    data_row = seg.has_figures or (seg.values and len(labels) <= 3)
    target, form = None, None
    if q and data_row:
        target, form, _ = _best(st, q, ("row", "parent"), earlier)
        if target is None and "confidence" in (primary.source or {}):
            target, form = _misread_short(st, q)
        if target is not None and target.kind == "row" and target.parents and numbering(primary.text) is None \
                and not _within_block(st, target) and not set(earlier) & set(target.parents) \
                and any(t.kind == "header" and t.table == target.table for t, _ in st.layout.exact.get(q, ())):
            # A column heading (其他) read beside figures before any row of its block: the
            # heading of text whose header lines fell between a row's label and its
            # figures (pdftotext), not the row of that name.
            target = None
        if target is not None and not seg.has_figures and target.kind == "row":
            # A row of empty cells is a data row only when its other labels are its parents.
            others = [norm_label(c.text) for c in labels[:-1]]
            if any(o not in target.parents and not _is_parent_of(st, o, target) for o in others):
                target = None
    if target is None:
        _place_header(st, labels)
        return seg.has_figures and (_fill_subrow(st, labels, seg) or _fill_transposed_column(st, labels, seg))
    # The parent labels printed beside the row.
    for c in labels[:-1]:
        p, pform, _ = _best(st, norm_label(c.text), ("parent",), [])
        if p is not None:
            _note_label(st, "row", c, pform, p.table)
    st.table = target.table
    if target.kind == "parent":
        st.parent = target.forms[0].norm
        _note_label(st, "row", primary, form, target.table)
        if seg.has_figures:
            _aggregate(st, target, primary, seg)
        return True
    _note_label(st, "row", primary, form, target.table)
    if target.parents:
        st.parent = target.parents[-1]
    assert target.line is not None
    _assign(st, target.line, seg)
    return True


def _heading_over_figures(st: _State, q: str, seg: _Segment) -> bool:
    """Text that puts each cell on a line of its own (LibreOffice's text export) ends table
    四's header with a heading (总计) right above the table's one line of figures, which has
    no label: the figures are that line's when the heading is the table's own and they fit
    the line exactly."""
    if st.table is None or not any(t.kind == "header" and t.table == st.table for t, _ in st.layout.exact.get(q, ())):
        return False
    for i, line in enumerate(st.layout.lines):
        if line.row is None and line.table == st.table and i not in st.filled \
                and len(_trim(seg.values, len(line.cells))) == len(line.cells):
            _assign(st, i, seg)
            return True
    return False


def _within_block(st: _State, target: _Target) -> bool:
    """Whether a line of the target's block was read last, before the target's line."""
    last = st.last_line
    return target.line is not None and 0 <= last < target.line \
        and st.layout.line_blocks[last] == st.layout.line_blocks[target.line]


def _misread_short(st: _State, q: str) -> tuple[_Target | None, _Form | None]:
    """A short row label read by OCR with one character wrong (行政处简): the one row label
    of its length, not yet filled, that differs from it in exactly one character. Two
    characters with one wrong say too little."""
    if not 3 <= len(q) <= _SHORT:
        return None, None
    hits = {(id(t), f.norm): (t, f) for norm, refs in st.layout.exact.items()
            if len(norm) == len(q) and sum(a != b for a, b in zip(norm, q, strict=True)) == 1
            for t, f in refs if t.kind == "row" and t.line not in st.filled}
    if len({id(t) for t, _ in hits.values()}) != 1:
        return None, None
    return next(iter(hits.values()))


def _aggregate(st: _State, target: _Target, primary: Cell, seg: _Segment) -> None:
    """Figures printed for a heading row whose sub-rows the edition has (one 其他处理
    row in a 2021 table): kept beside the cells, which stay missing, so the identities
    can still be checked with the row as printed."""
    parent = target.forms[0].norm
    children = [line for line in st.layout.lines if line.row is not None and line.table == target.table
                and line.row.parents and norm_label(line.row.parents[-1]) == parent]
    if not children:
        return
    defs = st.layout.edition.cells
    columns = [defs[cid].column for cid in children[0].cells]
    values = _trim(seg.values, len(columns))
    numbers = []
    if len(values) == len(columns):
        for col, cell in zip(columns, values, strict=True):
            fig = parse_figure(cell.text, col.unit, col.printed_in)
            numbers.append(fig.number if fig.state != "missing" else None)
    else:
        numbers = [None] * len(columns)
    for line in children:
        for cid in line.cells:
            if st.report.cells[cid].state == "missing":
                st.report.cells[cid].note = f"文档将这些细项合并印为「{primary.text}」一行"
    st.report.aggregates.append({
        "table": target.table,
        "label": primary.text,
        "standard": target.forms[0].text,
        "rows": [line.row.key for line in children if line.row is not None],
        "columns": [c.key for c in columns],
        "values": [str(n) if n is not None else None for n in numbers],
        "source": seg.source,
    })


def _is_parent_of(st: _State, label: str, target: _Target) -> bool:
    return any(fuzz.ratio(label, p) >= _THRESHOLD for p in target.parents if len(p) > _SHORT)


_IN_YUAN = re.compile(r"单位[:：]?\s*元")
# A header row shows its table to be one of the report's by two clear labels of the
# edition's header (自然人 alone is printed by other statistics tables too).
_ANCHORING = 2.0


def _place_header(st: _State, labels: list[Cell]) -> None:
    _read_transposed_header(st, labels)
    tables: dict[str, float] = {}
    seen: set[str] = set()
    row_headings: dict[tuple[str, int], list[tuple[int, ...]]] = {}
    for c in labels:
        q = norm_label(c.text)
        if not q or q in seen:
            continue
        seen.add(q)
        sub = next((x for x, _, s in _candidates(st.layout, q) if x.kind == "subrow" and s >= _HEADING_THRESHOLD), None)
        if sub is not None:
            st.subrow = sub.cells
        t, form, _ = _best(st, q, ("header", "parent"), [])
        if t is None:
            continue
        if t.block is not None:
            row_headings.setdefault((t.table, t.block), []).append(t.columns)
            if "单位" in c.text and _IN_YUAN.search(nfkc(c.text)):  # 本年收费金额（单位：元）
                columns = st.layout.edition.table(t.table).blocks[t.block].columns
                st.in_yuan = st.in_yuan or any(columns[j].printed_in == "万元" for j in t.columns)
        # A label several tables print (总计), or a very short one (其他, often a fragment
        # of a wrapped label), says little about which table this is.
        hits = {x.table for x, _, _ in _candidates(st.layout, q) if x.kind in ("header", "parent")}
        weight = (0.5 if len(q) <= 2 else 1.0) / len(hits)
        for table in hits:
            tables[table] = tables.get(table, 0) + weight
        st.score += 1
        _note_label(st, "header", c, form, t.table)
        if t.kind == "parent":
            st.parent = t.forms[0].norm
    for block, found in row_headings.items():
        if tables.get(block[0], 0) < _ANCHORING and st.headings_from.get(block) != st.table_no:
            continue  # (a statistics table of the page's own, 总计 before 自然人, says nothing of the report's)
        if st.headings_from.get(block) != st.table_no:
            # Another table's header: its order is this one's (a table continued over pages keeps its own).
            st.headings_from[block] = st.table_no
            st.headings[block] = []
            st.reordered.discard(block)
        st.headings[block].append(found)
        if any(b[0] < a[0] for a, b in itertools.pairwise(found)):
            st.reordered.add(block)  # 总计 printed before 法人或其他组织, or 商业企业 after 法律服务机构
    if tables:
        table = max(tables, key=lambda k: tables[k])
        # Leave the current table only on the evidence of at least one clear label more.
        if st.table is not None and tables[table] < tables.get(st.table, 0) + 1:
            table = st.table
        if table != st.table:
            st.parent = None
        st.table = table
        if tables.get(table, 0) >= _ANCHORING:
            st.anchored, st.anchored_by_header = table, True


def _header_line(st: _State, text: str) -> None:
    """A transposed block's header printed as a line of its own before the table (text
    whose header line has no figure to make it a row): read as the next table's header."""
    parts = text.split()
    if len(parts) < 3:
        return
    columns = _transposed_columns(st.layout.edition)
    cells = [Cell(p) for p in parts]
    if all(norm_label(p) in columns or _subrow_named(st, c) is not None for p, c in zip(parts, cells, strict=True)):
        _read_transposed_header(st, cells, st.table_no + 1)


def _read_transposed_header(st: _State, labels: list[Cell], table_no: int | None = None) -> None:
    """A header row printing every column of a transposed block once (结果维持 … 总计 over
    table 四 set one row per kind of case), or every one of its rows once (行政复议 …
    复议后起诉 over it set one row per result): the order the figures below are in."""
    columns = _transposed_columns(st.layout.edition)
    found = [columns[q] for c in labels if (q := norm_label(c.text)) in columns]
    if found:
        table, n = found[0][0], found[0][2]
        order = tuple(j for t, j, _ in found if t == table)
        if len(order) == n and sorted(order) == list(range(n)):
            st.transposed_header = (st.table_no if table_no is None else table_no, table, order)
    subs = [x for c in labels if (x := _subrow_named(st, c)) is not None]
    if subs and all(x.table == subs[0].table for x in subs):
        every = {x.cells for x in _layout(st.layout.edition).targets if x.kind == "subrow" and x.table == subs[0].table}
        rows = tuple(x.cells for x in subs)
        if len(rows) == len(every) and set(rows) == every:
            st.transposed_rows = (st.table_no if table_no is None else table_no, subs[0].table, rows)


@cache
def _transposed_columns(edition: Edition) -> dict[str, tuple[str, int, int]]:
    """Each printed form of a transposed block's column label → (table, column, columns)."""
    out: dict[str, tuple[str, int, int]] = {}
    for t in edition.tables:
        for b in t.blocks:
            if b.transposed:
                for j, c in enumerate(b.columns):
                    for f in _forms(c.label, c.equivalents, c.variants):
                        out.setdefault(f.norm, (t.key, j, len(b.columns)))
    return out


def _fill_subrow(st: _State, labels: list[Cell], seg: _Segment) -> bool:
    """A transposed block's row printed with its label beside its figures (行政复议 | 0 1 0 0 1
    under a header row of the results): taken only in the table whose header printed every
    column once, in that header's order, and into cells still missing."""
    sub = None
    for c in labels:
        sub = _subrow_named(st, c) or sub
    head = st.transposed_header
    if sub is None or head is None or not _heads(st, head[0]) or head[1] != sub.table:
        return False
    order = head[2]
    values = _trim(seg.values, len(sub.cells))
    cells = st.report.cells
    if len(values) != len(sub.cells) or len(order) != len(sub.cells) or any(
            cells[c].state != "missing" for c in sub.cells):
        return False
    _fill(st, sub.cells, [values[order.index(j)] for j in range(len(order))])
    st.score += 1.0
    st.subrow = ()
    return True


def _fill_transposed_column(st: _State, labels: list[Cell], seg: _Segment) -> bool:
    """A transposed block set the other way round: a result (结果维持 | 0 1 0) under a header
    row naming each kind of case once, its figures in that header's order."""
    columns = _transposed_columns(st.layout.edition)
    named = [columns[q] for c in labels if (q := norm_label(c.text)) in columns]
    head = st.transposed_rows
    if len(named) != 1 or head is None or not _heads(st, head[0]) or head[1] != named[0][0]:
        return False
    ids = tuple(row[named[0][1]] for row in head[2])
    values = _trim(seg.values, len(ids))
    cells = st.report.cells
    if len(values) != len(ids) or any(cells[c].state != "missing" for c in ids):
        return False
    _fill(st, ids, values)
    st.score += 1.0
    return True


def _heads(st: _State, table_no: int) -> bool:
    """Whether a header row read in the document's table `table_no` heads the rows being
    read: in the same table, or in the one before it when that one printed no figure."""
    return table_no == st.table_no or (table_no == st.table_no - 1 and table_no not in st.figure_tables)


def _subrow_named(st: _State, cell: Cell) -> _Target | None:
    return next((x for x, _, s in _candidates(st.layout, norm_label(cell.text))
                 if x.kind == "subrow" and s >= _HEADING_THRESHOLD), None)


def _place_unlabelled(st: _State, seg: _Segment) -> None:
    """Figures with no label: placed only where the template prints figures without a
    label of their own (the one line of table 四), and only when they fit exactly."""
    for i, line in enumerate(st.layout.lines):
        if (line.row is None and line.table == st.table and i not in st.filled
                and len(_trim(seg.values, len(line.cells))) == len(line.cells)):
            _assign(st, i, seg)
            return
    # One row of a transposed block printed on its own under its label (### 行政复议).
    cells = st.report.cells
    values = _trim(seg.values, len(st.subrow))
    if st.subrow and len(values) == len(st.subrow) and all(cells[c].state == "missing" for c in st.subrow):
        _fill(st, st.subrow, values)
        st.score += 1.0
        st.subrow = ()
        return
    _unplaced(st, seg, "无行标签，无法确定所属行")


def _note_blank(st: _State, seg: _Segment) -> None:
    """A row of empty cells, as many as the line printed without a label of its own (table
    四 left blank: a form never filled in, a year with no case): the line's cells are read
    as blank, not missing — at the end, and only if no row of figures took the line and
    none of the table's figures went unplaced (a spacer row before a figures row that
    could not be placed must not turn the figures into blanks)."""
    for i, line in enumerate(st.layout.lines):
        if line.row is None and line.table == st.table and line.table == st.anchored:
            if len(_trim(seg.values, len(line.cells))) == len(line.cells):
                st.blank_lines.setdefault(i, _trim(seg.values, len(line.cells)))
            return


def _trim(values: list[Cell], n: int) -> list[Cell]:
    """Drop empty padding cells beyond the n a line has: converters pad rows at the end,
    and leave spacer cells between a label and its figures."""
    vals = list(values)
    while len(vals) > n and (not vals[-1].text.strip() or vals[-1].copy is not None):
        vals.pop()  # (a figure spanning the columns of a line that has fewer: 本年处理决定数量)
    while len(vals) > n and not vals[0].text.strip():
        vals.pop(0)
    return vals


def _unplaced(st: _State, seg: _Segment, reason: str, table: str | None = None) -> None:
    table = st.table if table is None else table
    if table is not None and seg.has_figures:
        st.unplaced_tables.add(table)
    st.report.unplaced.append(
        {
            "labels": [c.text for c in seg.labels],
            "values": [c.text for c in seg.values],
            "reason": reason,
            "source": seg.source,
        }
    )


_CONTESTED = "文档中两处未标明为报告表格的同名行印有不同数值，无法确定哪一处属于报告，均未采用"
_CONTESTED_HEADED = "文档中两个表格的同名行印有不同数值，仅凭表格前的标题无法确定哪一个属于报告，均未采用"


def _printed(seg: _Segment, n: int) -> list[str]:
    """The figures a segment prints for a line of n cells, as printed."""
    return [c.text.strip() for c in _trim(seg.values, n)]


def _contest(st: _State, line_idx: int, earlier: _Segment, seg: _Segment, reason: str) -> None:
    """A line two tables print with other figures, neither shown to be the report's more
    than the other: which is the report's cannot be told, so neither is taken."""
    st.contested.add(line_idx)
    st.repeated.pop(line_idx, None)
    st.score -= st.line_score.pop(line_idx, 0.0)
    for cid in st.layout.lines[line_idx].cells:
        st.report.cells[cid] = Value("missing", source=earlier.source, note=reason)
    _unplaced(st, earlier, reason)
    _unplaced(st, seg, reason)


def _assign(st: _State, line_idx: int, seg: _Segment) -> None:
    line = st.layout.lines[line_idx]
    shown = st.anchored == line.table
    if line_idx in st.filled:
        earlier = st.unanchored.get(line_idx)
        headed = st.headed.get(line_idx)
        n = len(line.cells)
        contested = line_idx in st.contested
        if not contested and earlier is not None and not shown and _printed(earlier, n) != _printed(seg, n):
            # Two tables, neither shown to be the report's, print the line with other
            # figures (a statistics table before a report table printed without its
            # header): which is the report's cannot be told, so neither is taken.
            _contest(st, line_idx, earlier, seg, _CONTESTED)
            return
        if not contested and headed is not None and shown and _printed(headed, n) != _printed(seg, n):
            # The first was shown to be the report's by the heading before it alone, the
            # second by a heading or its header row: a table printed between a heading and
            # the report's table (a summary of counts under 主动公开政府信息情况) took the
            # heading's word, so neither is taken.
            _contest(st, line_idx, headed, seg, _CONTESTED_HEADED)
            return
        if earlier is None or not shown:
            reason = "该行在文档中重复出现，已采用第一次出现的数值"
            if contested:  # (taken from neither: no first one was taken)
                reason = _CONTESTED if earlier is not None else _CONTESTED_HEADED
            _unplaced(st, seg, reason)
            return
        # The line read first came from a table not shown to be the report's: this one is.
        del st.unanchored[line_idx]
        st.filled.discard(line_idx)
        st.score -= st.line_score.pop(line_idx, 0.0)
        st.repeated.pop(line_idx, None)  # (its readings of repeated figures go with it)
        if contested:
            st.contested.discard(line_idx)  # (both were unplaced when it was contested)
        else:
            _unplaced(st, earlier, "报告表格之外的同名行（如网页侧栏、其他统计表），已采用报告表格中的数值")
    if not shown:
        st.unanchored[line_idx] = seg
    elif not st.anchored_by_header:
        st.headed[line_idx] = seg
    n = len(line.cells)
    values = _trim(seg.values, n)
    if len(values) != n and seg.unsplit is not None and len(_trim(seg.unsplit, n)) == n:
        values = _trim(seg.unsplit, n)  # 2 6: one figure spaced out, not two
    cells = st.report.cells
    block = st.layout.line_blocks[line_idx]
    if block in st.reordered:
        order = _printed_order(st.headings[block], n)
        if order is None or len(values) != n:
            st.filled.add(line_idx)
            for cid in line.cells:
                cells[cid] = Value("missing", source=seg.source, note=_REORDERED)
            _unplaced(st, seg, _REORDERED)
            return
        # The figures in the edition's column order.
        values = [values[order.index(j)] for j in range(n)]
    st.filled.add(line_idx)
    st.last_line = max(st.last_line, line_idx)
    if len(values) > n or (len(values) < n and not seg.lose_tail):
        st.score += 0.3
        st.line_score[line_idx] = 0.3
        more = "多于" if len(values) > n else "少于"
        note = f"该行印有{len(values)}个数值，{more}应有的{n}列，无法确定各数值所属的列"
        repeated = _collapsed(values, n) if len(values) > n else []
        if repeated:
            note = f"该行印有{len(values)}个数值，多于应有的{n}列；{_REPEATED}"
        for cid in line.cells:
            cells[cid] = Value("missing", source=seg.source, note=note)
        reason = f"数值个数（{len(values)}）{more}列数（{n}）"
        if repeated:
            st.repeated[line_idx] = (repeated, seg, st.table, reason)  # unplaced unless confirmed
        else:
            _unplaced(st, seg, reason)
        return
    st.line_score[line_idx] = 1.0 if len(values) == n else 0.5
    st.score += st.line_score[line_idx]
    _fill(st, line.cells, values)
    for cid in line.cells[len(values):]:
        cells[cid] = Value("missing", source=seg.source,
                           note=f"该行只印有{len(values)}个数值，应有{n}个")


def _printed_order(rows: list[list[tuple[int, ...]]], n: int) -> list[int] | None:
    """The edition's column printed in each place of a block whose header rows print its
    columns in another order: the top row's headings, a group (法人或其他组织) replaced
    by the order of its columns in a later row. None unless every column is placed once."""
    out: list[int] = []
    for columns in rows[0] if rows else []:
        if len(columns) == 1:
            out += columns
            continue
        inside = [found for r in rows[1:] if (found := [c for x in r if set(x) <= set(columns) for c in x])]
        if any(sorted(found) != list(columns) for found in inside):
            return None  # the group's headings read only in part: their order is not known
        out += inside[0] if inside else list(columns)
    return out if sorted(out) == list(range(n)) else None


_REPEATED = ("相邻单元格印有相同的数值，可能是合并单元格拆分后在每格重复印出的同一个数值，"
             "但表内勾稽关系不能唯一确认这种读法，未予采用")
# More ways than this of reading a row's repeated figures as fewer cells: the row is left missing.
_MAX_COLLAPSED = 200


def _collapsed(values: list[Cell], n: int) -> list[list[tuple[Cell, bool]]]:
    """The ways of reading a row of more figures than its n columns as a converter's
    copies of merged cells (a figure spanning three grid columns printed in each of them
    once they are unmerged): runs of adjacent cells printing the same text, each run read
    as one or more of the line's cells. Each reading is n cells, each with whether it
    stands for a run of copies. None for a recogniser's row (a figure seen twice is no
    merge) or a grid's own merge copies (already read as such)."""
    if any(c.copy is not None or "confidence" in (c.source or {}) for c in values):
        return []
    runs: list[list[Cell]] = []
    for c in values:
        if runs and c.text.strip() == runs[-1][0].text.strip():
            runs[-1].append(c)
        else:
            runs.append([c])
    if len(runs) > n or len(runs) == len(values):
        return []
    out: list[list[tuple[Cell, bool]]] = []

    def spread(i: int, left: int, acc: list[tuple[Cell, bool]]) -> None:
        if len(out) > _MAX_COLLAPSED:
            return
        if i == len(runs):
            if left == 0:
                out.append(list(acc))
            return
        run = runs[i]
        rest = len(runs) - i - 1  # each later run is at least one cell
        for k in range(1, min(len(run), left - rest) + 1):
            # k cells out of a run of len(run) copies: the run stood for merged cells.
            spread(i + 1, left - k, acc + [(run[0], len(run) > k)] * k)

    spread(0, n, [])
    return out if len(out) <= _MAX_COLLAPSED else []


def _confirm_repeated(st: _State) -> None:
    """Rows read as copies of merged cells (see _collapsed) only where the table's
    identities confirm one reading: every identity holding a cell of the row that can be
    evaluated holds, each cell read from copies stands in one, and every other reading
    fails one. Rows confirmed let the identities of others be evaluated: repeated until
    none is."""
    from ..checks.arithmetic import evaluate

    cells = st.report.cells
    pending = {idx: readings for idx, (readings, *_) in st.repeated.items()}
    while pending:
        progress = False
        for idx, readings in list(pending.items()):
            ids = st.layout.lines[idx].cells
            saved = {cid: cells[cid] for cid in ids}
            passing = []
            refuted = 0
            for reading in readings:
                _fill(st, ids, [c for c, _ in reading])
                outcomes = [o for o in evaluate(st.report) if set(o.cells) & set(ids)]
                if not all(o.ok for o in outcomes):
                    refuted += 1
                    continue
                confirmed = {c for o in outcomes for c in o.cells}
                if all(cid in confirmed for cid, (_, copied) in zip(ids, reading, strict=True) if copied):
                    passing.append(reading)
            # Every other reading shown wrong by an identity, not merely left unconfirmed.
            if len(passing) == 1 and refuted == len(readings) - 1:
                _fill(st, ids, [c for c, _ in passing[0]])
                for cid, (_, copied) in zip(ids, passing[0], strict=True):
                    if copied:
                        v = cells[cid]
                        v.source = {**(v.source or {}), "recovered": "repeated"}
                        v.note = _CONFIRMED_REPEATED
                del pending[idx]
                progress = True
            else:
                cells.update(saved)
        if not progress:
            break
    for idx in pending:
        _, seg, table, reason = st.repeated[idx]
        _unplaced(st, seg, reason, table)


_CONFIRMED_REPEATED = "此格与相邻单元格印有同一数值（合并单元格拆分后重复印出），按表内勾稽关系确认读作一个数值"
_REORDERED = "表头中各列的顺序与标准格式不同，无法确定各数值所属的列，请按标准格式的列序核对"
_MERGED = "此格与相邻单元格合并，合并格中印有一个非零数值，无法确定其中各格的数值"


def _spans_a_figure(cell: Cell, after: Cell | None, cdef: CellDef) -> bool:
    """Whether a cell is part of a merged cell printing one non-zero figure over several
    of the line's cells: no one of them can be given the figure. A merged 0, 无, dash or
    blank reads the same in each cell it covers."""
    if cell.copy is None and (after is None or after.copy != "h" or after.source is not cell.source):
        return False
    fig = parse_figure(cell.text, cdef.unit, cdef.column.printed_in)
    return fig.state == "value" and fig.number != 0


def _fill(st: _State, cell_ids: tuple[str, ...], values: list[Cell]) -> None:
    cells = st.report.cells
    defs = st.layout.edition.cells
    for k, (cid, cell) in enumerate(zip(cell_ids, values, strict=False)):  # values may be fewer
        cdef = defs[cid]
        if _spans_a_figure(cell, values[k + 1] if k + 1 < len(values) else None, cdef):
            cells[cid] = Value("missing", None, cell.text, cell.source or None, note=_MERGED)
            continue
        confidence = (cell.source or {}).get("confidence")
        if confidence is not None and confidence < MIN_CONFIDENCE:
            cells[cid] = Value("missing", None, cell.text, cell.source or None,
                               note=f"识别置信度过低（{confidence:.2f}），不采用")
            continue
        printed_in = cdef.column.printed_in
        if st.in_yuan and cdef.unit == "yuan" and printed_in == "万元":
            printed_in = None  # the header says 元: 961716000 is not 万元
        fig = parse_figure(cell.text, cdef.unit, printed_in)
        cells[cid] = Value(fig.state, fig.number, cell.text, cell.source or None,
                           note=fig.problem)


# --- rows run together --------------------------------------------------------------------

# A run of digits in running text; one followed by a unit or a date word is prose (35件).
# A run is a whole number: never the part of 35,791 before or after its separator.
_RUN = re.compile(r"(?<!\d,)\d+(?:\.\d+)?(?![\d件个项次人年月日号%％万元条家份]|,\d)")
_NUMBERING_AFTER = re.compile(r"[.．、]")
_SIGNS = "+-－−—–/／"
# A figure printed apart from its neighbours (规章 102 1 17): whitespace, then a figure.
_APART_BEFORE = re.compile(r"\d[件个项次人宗条家]?[ \t]+$")
_APART_AFTER = re.compile(r"[件个项次人宗条家]?[ \t]+[+-]?\d")
_LONE_FIGURE = re.compile(r"\s*[+-]?\d[\d,]*(?:\.\d+)?[件个项次人宗条家]?\s*")
_MAX_LABEL = 50


def _run_together(report: Report, doc: Document) -> None:
    """Rows printed as a label followed by their figures with nothing between them
    (crawler text: 行政规范性文件4115311), read by splitting each run of digits by the
    row's columns and the table's identities (ingest.flat). Only lines the locator left
    wholly missing are filled; a run that splits in several ways stays missing, with its
    candidate splits kept for the cell.uncertain finding."""
    edition = report.edition_obj
    assert edition is not None
    layout = _layout(edition)
    cells = report.cells
    if not any(all(cells[c].state == "missing" for c in line.cells) for line in layout.lines):
        return  # every line has a figure placed: no run can fill anything
    runs: dict[tuple[str, ...], tuple[str, dict]] = {}
    last = -1
    tail = ""  # the previous paragraph's text after its last figures: a label on a line of its own
    paragraphs = doc.paragraphs
    texts = [nfkc(p.text) for p in paragraphs]
    lone = [_LONE_FIGURE.fullmatch(t) is not None for t in texts]
    for k, p in enumerate(paragraphs):
        text = texts[k]
        start = 0
        if lone[k] and ((k > 0 and lone[k - 1]) or (k + 1 < len(lone) and lone[k + 1])):
            # One figure per line, the row's others on the lines beside it: a figure of
            # its own, not a row's figures run together.
            tail = ""
            continue
        for m in _RUN.finditer(text):
            digits, end = m.group(), m.end()
            if _APART_BEFORE.search(text, max(0, m.start() - 40), m.start()) or _APART_AFTER.match(text, end):
                start = end
                continue  # figures printed apart on the line: not run together
            # 00000001.危及…: the last digit numbers the next label.
            if end < len(text) and _NUMBERING_AFTER.match(text, end) and len(digits) > 1:
                digits, end = digits[:-1], end - 1
            near = text[m.start() - 1: m.start()] + text[end: end + 1]
            if any(ch in _SIGNS for ch in near):
                start = end
                continue  # a signed figure or a dash beside the run: its cells cannot be told apart
            label = text[max(start, m.start() - _MAX_LABEL): m.start()]
            if m.start() == 0:
                label = tail
            line = _line_before(layout, label, last)
            start = end
            if line is None:
                continue
            ids = layout.lines[line].cells
            last = line
            if ids not in runs and all(cells[c].state == "missing" for c in ids):
                runs[ids] = (digits, {**(p.source or {}), "recovered": "run_together"})
        tail = text[start:][-_MAX_LABEL:]
    if not runs:
        return
    defs = edition.cells
    for ids, (digits, source) in list(runs.items()):
        if len(ids) == 1:
            # A row of one cell reads as printed (an amount may have decimals).
            fig = parse_figure(digits, defs[ids[0]].unit, defs[ids[0]].column.printed_in)
            cells[ids[0]] = Value(fig.state, fig.number, digits, source, note=fig.problem)
            del runs[ids]
        elif not digits.isdigit():
            del runs[ids]  # a decimal point among counts: not a row of this table
    from .flat import split_rows  # only for text with rows run together

    results = split_rows(edition, {ids: d for ids, (d, _) in runs.items()})
    for ids, res in results.items():
        digits, source = runs[ids]
        if res.values is not None:
            for cid, n in zip(ids, res.values, strict=True):
                cells[cid] = Value("value", n, digits, source)
            continue
        for cid in ids:
            cells[cid] = Value("missing", None, digits, source, note=res.reason)
        report.uncertain.append({"cells": list(ids), "raw": digits, "reason": "run_together",
                                 "candidates": [list(c) for c in res.candidates[:20]],
                                 "more": max(0, len(res.candidates) - 20), "source": source})


def _line_before(layout: _Layout, text: str, last: int) -> int | None:
    """The printed line whose label `text` ends with (the longest such label; of equal
    labels the first after the line read last)."""
    if _may_end_with_row(layout, text):
        for k in range(len(text), 1, -1):
            hits = layout.row_lines.get(norm_label(text[-k:]))
            if hits is not None:
                after = [h for h in hits if h > last]
                if after:
                    return min(after)
    # The one line of table 四 has no label: its figures follow the header, ending 总计.
    if norm_label(text[-2:]) == "总计":
        for i, line in enumerate(layout.lines):
            if line.row is None and i > last:
                return i
    return None


def _may_end_with_row(layout: _Layout, text: str) -> bool:
    """False when no suffix of `text` can normalise to a row's label — most text before
    a figure is prose. For normalised text (what _run_together passes), the label of
    any suffix is a suffix of the text without its punctuation, since normalising a
    suffix then changes nothing, numbering is cut from its start and punctuation is
    dropped character by character; other text is always tried."""
    if not unicodedata.is_normalized("NFKC", text):
        return True
    bare = strip_punct(text)
    return any(bare.endswith(n) for n in layout.row_ends.get(bare[-1:], ()))


# --- sections ---------------------------------------------------------------------------

def heading_section(edition: Edition, text: str) -> tuple[str, str, str] | None:
    """(section key, standard title, form kind) when a paragraph is one of the six
    level-one headings."""
    t = nfkc(text).strip().lstrip("#").strip()
    if not t or is_parenthesised_numbering(t):
        return None
    q = norm_label(t)
    if not q or len(q) > _MAX_HEADING:
        return None
    # Without its numbering a line must say the heading exactly: wrapped body text often
    # contains a heading's words.
    threshold = _HEADING_THRESHOLD if numbering(t) else 100.0
    forms, norms, first, lengths = _section_index(edition)
    at = first.get(q)
    if at is not None:  # an exact form scores 100, the best there is: the first such form
        key, title, _, kind = forms[at]
        return key, title, kind
    if threshold >= 100 or not any(_may_reach(len(q), n, threshold) for n in lengths):
        return None
    # The first best form, as a loop keeping only a strictly better score would find.
    best = process.extractOne(q, norms, scorer=fuzz.ratio, score_cutoff=threshold)
    if best is None:
        return None
    key, title, _, kind = forms[best[2]]
    return key, title, kind if best[1] == 100 else "fuzzy"


def _may_reach(a: int, b: int, threshold: float) -> bool:
    """Whether strings of lengths a and b can be `threshold` alike by fuzz.ratio (the
    normalised Indel similarity): at least |a - b| insertions and deletions part them."""
    return 100.0 * (1 - abs(a - b) / (a + b)) >= threshold


@cache
def _section_index(edition: Edition) -> tuple[list[tuple[str, str, str, str]], list[str], dict[str, int], frozenset[int]]:
    """The section forms, their normalised texts, the first form of each text, and the
    texts' lengths: what heading_section asks of every paragraph."""
    forms = _section_forms(edition)
    norms = [norm for _, _, norm, _ in forms]
    first: dict[str, int] = {}
    for i, norm in enumerate(norms):
        first.setdefault(norm, i)
    return forms, norms, first, frozenset(len(n) for n in norms)


@cache
def _section_forms(edition: Edition) -> list[tuple[str, str, str, str]]:
    """(section key, standard title, normalised form, kind) for every accepted form."""
    out = []
    for s in edition.sections:
        for form_text, kind in [(s.title, "standard"), *((e, "equivalent") for e in s.equivalents),
                                *((v, "variant") for v in s.variants)]:
            out.append((s.key, s.title, norm_label(form_text), kind))
    return out


def _is_caption(edition: Edition, text: str) -> bool:
    """A table's heading or note printed as a paragraph: part of the table, not of the
    section's text."""
    t = nfkc(text)
    if is_parenthesised_numbering(t):
        return False  # （二）… is a sub-heading of the text, even when it names a table
    q = norm_label(t)
    if not q or len(q) > 60:
        return False
    return any(x.kind == "header" for x, _ in _layout(edition).exact.get(q, ()))


def _without_table_labels(edition: Edition, section: str, lines: list[str]) -> list[str]:
    """A section's lines less those that are only labels of its own table (crawler text
    prints a table's rows and column groups as headings: “申请人情况 (自然人)”, “一、本年新收
    政府信息公开申请数量”). A numbered sub-heading naming a row (“（一）行政复议” over its
    narrative) is the section's own unless it stands among other such labels."""
    if not lines or section not in {t.key for t in edition.tables}:
        return lines
    label = [_labels_of(edition, section, norm_label(nfkc(x).strip().lstrip("#").strip())) for x in lines]
    out = []
    for i, line in enumerate(lines):
        if label[i]:
            among = (i > 0 and label[i - 1]) or (i + 1 < len(lines) and label[i + 1])
            if among or not is_parenthesised_numbering(nfkc(line).strip().lstrip("#").strip()):
                continue
        out.append(line)
    return out


def _labels_of(edition: Edition, table: str, q: str) -> bool:
    """Whether q is one of the table's labels, or two of them as “A（B）”."""
    if not q or len(q) > 60:
        return False
    exact = _layout(edition).exact
    if any(x.table == table for x, _ in exact.get(q, ())):
        return True
    for outer in _label_prefixes(edition, table):
        if q.startswith(outer) and len(q) > len(outer) and any(x.table == table for x, _ in exact.get(q[len(outer):], ())):
            return True
    return False


@cache
def _label_prefixes(edition: Edition, table: str) -> tuple[str, ...]:
    return tuple(sorted({f.norm for x in _layout(edition).targets if x.table == table and x.kind in ("header", "parent")
                         for f in x.forms if len(f.norm) >= 2}, key=len, reverse=True))


def _sections(report: Report, doc: Document, paragraphs: list[Paragraph], signature: set[int]) -> None:
    edition = report.edition_obj
    assert edition is not None
    pieces = [(i, p.text, p.source) for i, p in enumerate(paragraphs) if i not in signature]
    found = _read_sections(edition, pieces)
    if len(found[0]) < 3:
        # Crawler text may hold the whole report in one paragraph, headings inline.
        split = [(i, part, src) for i, text, src in pieces for part in _split_inline(edition, text)]
        if len(split) > len(pieces):
            inline = _read_sections(edition, split)
            if len(inline[0]) > len(found[0]):
                found = inline
    headings, labels, texts = found
    report.headings += headings
    report.labels += labels
    for key, lines in texts.items():
        report.sections[key] = "\n".join(lines).strip()


def _read_sections(edition: Edition, pieces: list[tuple[int, str, dict]]
                   ) -> tuple[list[Heading], list[LabelSeen], dict[str, list[str]]]:
    current: str | None = None
    texts: dict[str, list[str]] = {}
    headings: list[Heading] = []
    labels: list[LabelSeen] = []
    for _, text, source in pieces:
        hit = heading_section(edition, text)
        if hit is not None and hit[0] not in texts:
            key, standard, kind = hit
            current = key
            texts[key] = []
            headings.append(Heading(key, text, len(headings), source or None))
            if kind in ("fuzzy", "variant"):
                sec = edition.section(key)
                labels.append(LabelSeen("section", text, f"{sec.number}、{standard}", "章节标题", source or None, sec.number))
            continue
        if current is not None and not _is_caption(edition, text):
            texts[current].append(text)
    texts = {key: _without_table_labels(edition, key, lines) for key, lines in texts.items()}
    return headings, labels, texts


@cache
def _inline_heading(edition: Edition) -> re.Pattern[str]:
    forms = [(s.number, f) for s in edition.sections for f in (s.title, *s.equivalents)]
    alternatives = "|".join(f"{re.escape(n)}[、.．]\\s*{re.escape(f)}" for n, f in sorted(forms, key=lambda x: -len(x[1])))
    return re.compile(alternatives)


def _split_inline(edition: Edition, text: str) -> list[str]:
    """A paragraph cut before and after each numbered section heading it contains."""
    cuts = [(m.start(), m.end()) for m in _inline_heading(edition).finditer(nfkc(text))]
    if not cuts or (len(cuts) == 1 and cuts[0] == (0, len(text))):
        return [text]
    t = nfkc(text)
    out: list[str] = []
    pos = 0
    for a, b in cuts:
        out += [t[pos:a], t[a:b]]
        pos = b
    out.append(t[pos:])
    return [x.strip() for x in out if x.strip()]


NOT_A_REPORT = ("未识别到政府信息公开工作年度报告的章节或统计表，不是年度报告",
                "no sections or tables of an annual OGI report were found")
TITLE_ONLY = ("只有年度报告的标题，没有正文和统计表，不是年度报告本身（正文可能在页面所附的文件中）",
              "only the title of an annual report, without its text or tables (the report may be an attached file)")
# A report's prose has sentences on disclosure; a page that only announces it (title,
# breadcrumb, the attachment's name, the site's menus and footer) has hardly any.
_MIN_SENTENCES = 3
_SENTENCE_ON_DISCLOSURE = re.compile(r"[^。！？]*公开[^。！？]*[。！？]")


def why_not_report(report: Report, doc: Document | None = None) -> tuple[str, str] | None:
    """Why what was read is no annual report ((Chinese, English)), or None when it is one.
    A report's title alone is one only with something of the report under it: a page that
    just links the report's PDF, read as a report, stood in for the PDF and scored zero."""
    placed = sum(1 for v in report.cells.values() if v.state != "missing")
    if placed >= 10 or len(report.headings) >= 3:
        return None
    title = squash(report.title or "")
    if not ("政府信息公开" in title and "报告" in title):
        return NOT_A_REPORT
    if placed or report.headings or any(report.sections.values()) or doc is None:
        return None
    sentences = sum(len(_SENTENCE_ON_DISCLOSURE.findall(p.text)) for p in doc.paragraphs if squash(p.text) != title)
    return None if sentences >= _MIN_SENTENCES else TITLE_ONLY


def is_report(report: Report, doc: Document | None = None) -> bool:
    """Whether what was read looks like an annual report at all."""
    return why_not_report(report, doc) is None

