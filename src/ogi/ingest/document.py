"""The neutral document every reader produces: paragraphs and tables of cells, each
with where it came from. Table understanding starts from here, whatever the file type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Source = dict[str, Any]


@dataclass(slots=True)  # a report has thousands: slots make them cheaper to make
class Cell:
    text: str
    source: Source = field(default_factory=dict)
    # A grid position covered by a merged cell that starts elsewhere: "h" (to the left,
    # same row) or "v" (above). None for a cell of its own.
    copy: str | None = None


def table_blocks(grid: list[list[Cell]], source: Source) -> list[Paragraph | Table]:
    """A grid as blocks: a one-column "table" is a frame drawn around text (common in
    PDFs and web pages), so its rows are paragraphs."""
    out: list[Paragraph | Table] = []
    run: list[list[Cell]] = []
    for row in grid:
        own = [c for c in row if c.copy != "h"]
        if len(own) <= 1:
            # A row that is one cell across the whole width is text in the frame.
            if run:
                out.append(Table(run, source))
                run = []
            if own and own[0].copy is None and own[0].text.strip():
                out.append(Paragraph(own[0].text, own[0].source))
        else:
            run.append(row)
    if run:
        out.append(Table(run, source))
    return out


def expand_grid(rows: list[list[tuple[str, Source, int, int]]]) -> list[list[Cell]]:
    """Rows of (text, source, rowspan, colspan) → a grid with every covered position
    filled by a marked copy of the cell covering it (HTML, DOCX and XLSX merges).
    The grid's size is counted against the limits before it is built (a few spans of 100
    in a small page would otherwise make millions of cells)."""
    from .limits import charge_cells

    charge_cells(sum(rowspan * colspan for row in rows for _, _, rowspan, colspan in row))
    covered: dict[tuple[int, int], Cell] = {}
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        c = 0
        for text, source, rowspan, colspan in row:
            # (Most cells span nothing: the span bookkeeping is skipped for them.)
            while covered and (r, c) in covered:
                cells.append(covered.pop((r, c)))
                c += 1
            cells.append(Cell(text, source))
            if colspan > 1:
                cells += [Cell(text, source, "h") for _ in range(1, colspan)]
            if rowspan > 1:
                for dr in range(1, rowspan):
                    for dc in range(colspan):
                        covered[(r + dr, c + dc)] = Cell(text, source, "v" if dc == 0 else "h")
            c += colspan
        while covered and (r, c) in covered:
            cells.append(covered.pop((r, c)))
            c += 1
        out.append(cells)
    return out


@dataclass
class Paragraph:
    text: str
    source: Source = field(default_factory=dict)
    # What the container made of it, for the metadata: "heading" (<h1>…, # …), "link" (the
    # whole paragraph is a link's text, as a site's menus and lists of other reports are).
    role: str = ""


@dataclass
class Table:
    rows: list[list[Cell]]
    source: Source = field(default_factory=dict)
    # True when a row with too few cells can only have lost its last cells (extractors
    # that walk a real table grid in order); False when cells may have been dropped
    # anywhere (third-party conversions), so a short row cannot be placed at all.
    short_rows_lose_tail: bool = True


Block = Paragraph | Table


@dataclass(frozen=True)
class Evidence:
    """What the container says about the document, beside its text: a page's <title> and
    meta tags, a file's document properties. The metadata step weighs it against the
    title, signature and body."""

    key: str  # title | agency | published | issued
    value: str
    source: str  # where it was read: "html:title", "meta:PubDate", "docx:properties" …


@dataclass
class Document:
    blocks: list[Block]
    file: str | None = None
    kind: str = "text"  # which reader made it
    meta: list[Evidence] = field(default_factory=list)
    # What the reader had to do that the user should know ({"code", "message_zh", "message_en"}):
    # e.g. a file cut short, read up to the cut.
    notices: list[dict[str, str]] = field(default_factory=list)
    # A scan's pages as the recogniser read them (ingest.reread.Pages), for second readings
    # of figures in doubt; None when nothing was read by OCR.
    pages: Any = None
    # The pictures it shows (ingest.pictures.Picture), where each stands, or what lists them
    # when asked (a PDF's): read by OCR when a table of the report is not found in its text.
    pictures: Any = field(default_factory=list)

    @property
    def scanned(self) -> bool:
        return self.pages is not None

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def ocr_notice(pages: list[int] | None) -> dict[str, str]:
    """What a user must know of a report read by OCR: a figure not recognised is reported
    missing, which says nothing of the agency's report."""
    spans = _spans(pages or [])
    where = "图片" if pages is None else f"第 {'、'.join(spans)} 页为扫描图像，"
    where_en = "the image" if pages is None else f"pages {', '.join(spans)} are scanned images"
    return {"code": "ocr",
            "message_zh": f"{where}由文字识别读取：未能识别的数值按缺失报告，不一定是报告本身缺失，请对照原件核对",
            "message_en": f"{where_en}, read by OCR: a figure not recognised is reported missing, "
                          "which need not mean the report lacks it; check against the original"}


def _spans(numbers: list[int]) -> list[str]:
    """1, 2, 3, 5 as "1–3", "5": a scan of 300 pages named in a line."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [f"{a}–{b}" if b > a else str(a) for a, b in out]
