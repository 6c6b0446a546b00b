"""Reader for PDFs with a text layer (pdfplumber): ruled tables rebuilt as grids with
their merged cells, labels wrapped inside cells joined, page numbers and running
headers dropped; pages without text go to OCR.

pdfplumber finds the tables and lines; the page's characters and rulings it works on are
read by pdfium (`pdf_objects`), pdfminer's own parse only where pdfium cannot read a file."""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..textnorm import SUPERSCRIPT_DIGITS, closes_mark, looks_like_figure, opens_mark
from .document import Block, Cell, Document, Evidence, Paragraph, Table, ocr_notice, table_blocks
from .errors import IngestError
from .pdf_unruled import UnruledTable, find_unruled

_CJK = r"\u3000-\u9fff\uff00-\uffef"
# Spaces the text layer puts between CJK characters (and between them and digits).
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}0-9])|(?<=[0-9])\s+(?=[{_CJK}])")
PAGE_NUMBER = re.compile(r"^(?:[—\-－–]\s*\d{1,3}\s*[—\-－–]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})$")
# A page with fewer characters than this is a scan (or blank) and needs OCR.
MIN_TEXT_CHARS = 20


def _join_lines(text: str | None) -> str:
    if not text:
        return ""
    return _CJK_GAP.sub("", "".join(line.strip() for line in text.split("\n")))


def _grid(table: Any, page_no: int, index: int, spans: dict[int, tuple[float, float]]) -> list[list[Cell]]:
    """pdfplumber's table → grid; positions covered by a merged cell become copies. Where
    each cell stands across the page goes in `spans` (by the cell's id)."""
    texts = table.extract()
    rows = table.rows
    ncols = max((len(r.cells) for r in rows), default=0)
    col_right = []
    for c in range(ncols):
        rights = [r.cells[c][2] for r in rows if c < len(r.cells) and r.cells[c] is not None]
        col_right.append(min(rights) if rights else None)
    grid: list[list[Cell]] = []
    for ri, row in enumerate(rows):
        cells: list[Cell] = []
        for ci in range(ncols):
            bbox = row.cells[ci] if ci < len(row.cells) else None
            src = {"page": page_no, "table": index, "row": ri + 1, "col": ci + 1}
            if bbox is not None:
                text = texts[ri][ci] if ri < len(texts) and ci < len(texts[ri]) else ""
                cells.append(Cell(_join_lines(text), src))
                spans[id(cells[-1])] = (bbox[0], bbox[2])
                continue
            left = next((k for k in range(ci - 1, -1, -1) if k < len(row.cells) and row.cells[k] is not None), None)
            if left is not None and col_right[ci] is not None and row.cells[left][2] >= col_right[ci] - 1:
                cells.append(Cell(cells[left].text, cells[left].source, copy="h"))
            elif grid and ci < len(grid[-1]):
                above = grid[-1][ci]
                cells.append(Cell(above.text, above.source, copy="v" if above.copy != "h" else "h"))
            else:
                cells.append(Cell("", src, copy="h"))
        grid.append(cells)
    return grid


def _table_debris(line: dict, text: str, boxes: list[tuple[float, float, float, float]]) -> bool:
    """A few characters just above or below a table, within its width: the rest of a
    merged cell that a page break cut (（四）无法提 | 供), not text of the section."""
    if len(text) > 4:
        return False
    for x0, top, x1, bottom in boxes:
        if x0 - 2 <= line["x0"] and line["x1"] <= x1 + 2 and (
                0 <= top - line["bottom"] <= 30 or 0 <= line["top"] - bottom <= 30):
            return True
    return False


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def read_pdf(data: bytes, file: str | None = None, ocr: bool = True) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    # pdfminer logs every token at debug level; the calls alone cost a noticeable share.
    logging.getLogger("pdfminer").setLevel(logging.WARNING)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except MemoryError:
        raise  # the bounded worker says so; not a broken file
    except Exception as e:  # pdfminer raises many kinds for a broken file, wrapped by pdfplumber
        causes = [e, *e.args, e.__cause__, e.__context__]
        if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes):
            raise IngestError("encrypted", "PDF 已加密（需要密码），无法读取", "the PDF is encrypted") from None
        raise IngestError("broken_pdf", "PDF 文件已损坏或不完整，无法读取", f"broken PDF: {type(e).__name__}") from None
    if not pages:
        raise IngestError("broken_pdf", "PDF 文件没有任何页面", "the PDF has no pages")
    try:
        check_pages(len(pages), [(float(p.width), float(p.height)) for p in pages])
    except IngestError:
        pdf.close()
        raise
    title = (pdf.metadata or {}).get("Title")
    meta = [Evidence("title", title.strip(), "pdf:properties")] if isinstance(title, str) and title.strip() else []
    per_page: list[list[tuple[float, Block]]] = []
    scanned: list[int] = []
    table_no = 0
    fast = _pdfium_document(data)
    spans: dict[int, tuple[float, float]] = {}
    carried: UnruledTable | None = None  # a table without rules that ended the page before
    text_pages: list[int] = []  # whose pictures may be a table pasted as one
    try:
        for pno, page in enumerate(pages, start=1):
            items: list[tuple[float, Block]] = []
            objects = _pdfium_objects(fast, page, pno) if fast is not None else None
            if objects is not None:
                page._objects = objects  # pdfplumber's cache of the parsed page: pdfminer is not run
            if len(page.chars) < MIN_TEXT_CHARS and _drawn(fast, pno):
                carried = None
                scanned.append(pno)
                per_page.append(items)
                continue
            text_pages.append(pno)
            mark_footnotes(page.chars)
            snap_to_baselines(page.chars)
            # A page-sized background or frame is no table border.
            w, h = float(page.width), float(page.height)
            framed = page.filter(lambda o, w=w, h=h: not (o.get("object_type") == "rect" and o["width"] > 0.6 * w
                                                          and o["height"] > 0.3 * h))
            cut = _cut_edges(framed.edges)
            found = framed.find_tables({"explicit_horizontal_lines": cut} if cut else None)
            boxes = [t.bbox for t in found]
            for t in found:
                table_no += 1
                grid = _grid(t, pno, table_no, spans)
                top = t.bbox[1]
                for k, block in enumerate(table_blocks(grid, {"page": pno, "table": table_no})):
                    if isinstance(block, Table):
                        # Every row spans the whole grid: a row short of figures has columns
                        # merged or undrawn somewhere, not lost at its end.
                        block.short_rows_lose_tail = False
                    items.append((top + k * 1e-3, block))
            outside = page.filter(lambda o, boxes=boxes: o.get("object_type") != "char" or not _inside(o, boxes))
            taken: set[int] = set()
            unruled = find_unruled(outside.chars, carried, 0.1 * h)
            for t in unruled:
                table_no += 1
                rows = [[Cell(c.text, {"page": pno, "table": table_no, "row": r + 1, "col": k + 1})
                         for k, c in enumerate(row)] for r, row in enumerate(t.rows)]
                # Cells merged or left blank cannot be told apart without rules: a row short
                # of figures may lack any of them, not only its last.
                items.append((t.bbox[1], Table(rows, {"page": pno, "table": table_no}, short_rows_lose_tail=False)))
                taken.update(id(c) for c in t.chars)
            if taken:
                outside = outside.filter(lambda o, taken=taken: o.get("object_type") != "char" or id(o) not in taken)
            for line in outside.extract_text_lines(strip=True, return_chars=False):
                text = _join_lines(line["text"])
                if text and not _table_debris(line, text, boxes):
                    margin = line["top"] < 0.1 * h or line["bottom"] > 0.9 * h
                    items.append((line["top"], Paragraph(text, {"page": pno, **({"margin": True} if margin else {})})))
            items.sort(key=lambda x: x[0])
            per_page.append(items)
            # A table without rules that ends the page (nothing after it but the margin's
            # page number) may go on at the top of the next one without its header.
            body = [b for _, b in items if not (isinstance(b, Paragraph) and b.source.get("margin"))]
            carried = unruled[-1] if unruled and body and isinstance(body[-1], Table) \
                and body[-1].source.get("table") == table_no else None
    except (IngestError, MemoryError):
        raise
    except Exception as e:
        raise IngestError("broken_pdf", "PDF 文件已损坏或不完整，无法读取", f"broken PDF: {type(e).__name__}: {e}") from None
    finally:
        pdf.close()
        if fast is not None:
            fast.close()
    kept = None
    if scanned and ocr:
        from .ocr import ocr_pdf_pages
        from .reread import Pages

        kept = Pages()
        for pno, blocks in ocr_pdf_pages(data, scanned, kept=kept).items():
            per_page[pno - 1] = [(0.0, b) for b in blocks]
    elif scanned and len(scanned) == len(pages):
        raise IngestError("scan_no_text", "PDF 是扫描件，没有文字层", "the PDF is a scan without a text layer")
    _join_cut_rows(per_page, spans)
    _join_split_rows(per_page, spans)
    _continue_merged(per_page)
    blocks = _join_wrapped(_drop_running(per_page))
    return Document(blocks, file=file, kind="pdf", meta=meta, pages=kept,
                    notices=[ocr_notice(scanned)] if kept is not None else [],
                    pictures=(lambda: _text_page_pictures(data, text_pages, blocks)) if text_pages else [])


# A picture narrower than this share of the page is a seal, a logo, a photo: no table.
_PICTURE_WIDTH = 0.3
_PICTURE_HEIGHT = 40.0  # points


def _text_page_pictures(data: bytes, pnos: list[int], blocks: list[Block]) -> list[Any]:
    """The images of the text pages wide enough to be a table pasted as a picture, each
    standing at the end of its page's text, to be drawn from the page. Looked for only when
    a table is not found (listing a page's objects costs a tenth of its reading)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from .ocr import RENDER_SCALE
    from .pictures import Picture

    out = []
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # read once already: nothing more to find
        return []
    try:
        for pno in pnos:
            try:
                page = pdf[pno - 1]
                width, height = page.get_size()
                boxes = [o.get_bounds() for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)]
            except Exception:  # a page pdfium cannot list: its text is read as before
                continue
            at = next((i for i, b in enumerate(blocks) if (b.source.get("page") or 0) > pno), len(blocks))
            for k, (left, bottom, right, top) in enumerate(boxes):
                left, bottom, right, top = max(left, 0), max(bottom, 0), min(right, width), min(top, height)
                if right - left < _PICTURE_WIDTH * width or top - bottom < _PICTURE_HEIGHT:
                    continue
                crop = (left, bottom, width - right, height - top)
                out.append(Picture(at, f"第{pno}页的图片", None,
                                   draw=lambda pno=pno, k=k, crop=crop: _draw(data, pno, k, crop, RENDER_SCALE),
                                   size=(round((right - left) * RENDER_SCALE), round((top - bottom) * RENDER_SCALE))))
    finally:
        pdf.close()
    return out


def _draw(data: bytes, pno: int, k: int, crop: tuple[float, float, float, float], scale: float) -> Any:
    """Picture k of the page: its own pixels, whole (a converter may scale a screenshot down
    to a size OCR misreads, or let it run off the page), else the page's region drawn."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from .ocr import check_pixels

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[pno - 1]
        try:
            image = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))[k]
            w, h = image.get_px_size()
            check_pixels(w, h, "PDF 中的图片")
            return image.get_bitmap(render=True).to_pil().convert("RGB")
        except Exception:  # an image pdfium cannot give (a mask, a filter it lacks): the page is drawn
            return page.render(scale=scale, crop=crop).to_pil().convert("RGB")
    finally:
        pdf.close()


# A digit printed at most this share of the size of the digit before it is a footnote
# mark (Word sets a superscript at about 2/3 of the size, LibreOffice at 58 %, browsers
# and WeasyPrint one step smaller: 83–90 %).
_MARK_SIZE = 0.92
# How far a character may start before the last one ends and still stand right after it.
_TOUCH = 0.05


def mark_footnotes(chars: list[dict[str, Any]]) -> None:
    """Digits set smaller right after a figure's digits, raised on its line or wrapped
    below it in a narrow cell (3119¹), written as superscript digits: a footnote mark,
    not digits of the figure (31191). The characters are in the order the page draws
    them, which is the order of the text. A mark ends its line: a smaller digit followed
    on its line by more (2.其他…, the next row's numbered label) is no mark."""
    prev: dict[str, Any] | None = None  # the last digit of the figure being drawn
    start = 0.0  # where the figure's first digit stands
    for i, c in enumerate(chars):
        text = c.get("text", "")
        digit = text.isascii() and text.isdigit()
        # A mark may open with 注, *, ① or a bracket set as small as its digits (3119注¹): its
        # digits are the mark's.
        if (digit or opens_mark(text) or closes_mark(text)) and prev is not None and c.get("size") and prev.get("size"):
            size = float(prev["size"])
            # (Touching: WeasyPrint sets a <sup> at the figure's end, a ten-thousandth short of it.)
            after = -_TOUCH * size <= c["x0"] - prev["x1"] < size and c["bottom"] < prev["bottom"] - 0.1 * size
            # Wrapped within the figure's cell (a narrow cell's lines stand up to about two
            # and a half sizes apart).
            below = start - 1 <= c["x0"] < prev["x1"] and 0 < c["bottom"] - prev["bottom"] <= 3 * size
            if float(c["size"]) <= _MARK_SIZE * size and (after or below) and _ends_line(chars, i):
                c["text"] = text.translate(SUPERSCRIPT_DIGITS)
                if after:
                    _onto_line(c, prev)
                continue  # a mark of two digits (¹²) is measured against the figure too
            if not digit:
                prev = None
                continue
        if digit and prev is None:
            start = c["x0"]
        prev = c if digit else None


def _onto_line(c: dict[str, Any], figure: dict[str, Any]) -> None:
    """A raised mark set down on its figure's line: standing higher by more than a line's
    tolerance, it was read as a line of its own before the figure (¹0, read as 10)."""
    shift = figure["bottom"] - c["bottom"]
    for k, sign in (("top", 1), ("bottom", 1), ("doctop", 1), ("y0", -1), ("y1", -1)):
        if k in c:
            c[k] += sign * shift


def _ends_line(chars: list[dict[str, Any]], i: int) -> bool:
    """Whether the characters after chars[i] (the rest of the same mark aside) are not on
    its line right after it."""
    c = chars[i]
    for n in chars[i + 1:]:
        size = float(c["size"])
        if abs(n["bottom"] - c["bottom"]) > 0.5 * size or not -_TOUCH * size <= n["x0"] - c["x1"] < size:
            return True
        t = n.get("text", "")
        if not ((t.isascii() and t.isdigit()) or opens_mark(t) or closes_mark(t)) or n.get("size") != c["size"]:
            return False
        c = n
    return True


def snap_to_baselines(chars: list[dict[str, Any]]) -> None:
    """Characters on one baseline given one line's height, whatever their font: a browser's
    "save as PDF" draws the characters its main font lacks (一 among them) in a fallback
    font whose boxes stand several points higher, so that line-by-line extraction takes
    them for a line of their own (一3.危及“三安全稳定”). The text is then read in the
    order the characters stand on the page."""
    lines: dict[float, list[dict[str, Any]]] = {}
    for c in chars:
        m = c.get("matrix")
        if not c.get("upright", True) or not m or abs(m[1]) > 1e-6 or abs(m[2]) > 1e-6 or not c.get("size"):
            continue
        lines.setdefault(round(float(m[5]) * 2) / 2, []).append(c)
    for base, group in lines.items():
        if len(group) < 2:
            continue
        # Where the line's characters stand relative to the baseline, per point of size:
        # the most common placement is the line's own.
        rel = sorted((c["bottom"] + base) / c["size"] for c in group)
        typical = rel[len(rel) // 2]
        for c in group:
            shift = typical * c["size"] - base - c["bottom"]
            if 0.01 < abs(shift) <= 0.8 * c["size"]:
                c["top"] += shift
                c["bottom"] += shift
                c["doctop"] += shift
                c["y0"] -= shift
                c["y1"] -= shift


def _cut_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules to close a table a page break cut: where several of its vertical rules end
    together with no horizontal rule there (a browser prints a long table over pages
    without closing it), a horizontal rule across them, so that the rows at the cut
    still make cells."""
    # A rule drawn as a thin rectangle has short horizontal edges at its ends: they close nothing.
    horizontal = [e for e in edges if e.get("orientation") == "h" and e["x1"] - e["x0"] > 3]
    vertical = [e for e in edges if e.get("orientation") == "v" and e["bottom"] - e["top"] > 3]
    ends: dict[float, list[dict[str, Any]]] = {}
    for e in vertical:
        for y in (e["top"], e["bottom"]):
            closed = any(abs(hz["top"] - y) <= 2 and hz["x0"] - 2 <= e["x0"] <= hz["x1"] + 2 for hz in horizontal)
            # A rule drawn in pieces (one per row of a merged cell) goes on.
            goes_on = any(o is not e and abs(o["x0"] - e["x0"]) <= 1.5 and o["top"] - 2 <= y <= o["bottom"] + 2
                          and not (abs(o["top"] - e["top"]) <= 2 and abs(o["bottom"] - e["bottom"]) <= 2) for o in vertical)
            if not closed and not goes_on:
                ends.setdefault(round(y), []).append(e)
    out = []
    for y, group in ends.items():
        if len(group) < 2:
            continue
        x0 = min(e["x0"] for e in group)
        x1 = max(e["x0"] for e in group)
        # Across the table at that height: every vertical rule that reaches it.
        reach = [e["x0"] for e in vertical if e["top"] - 2 <= y <= e["bottom"] + 2]
        x0, x1 = min([x0, *reach]), max([x1, *reach])
        if x1 - x0 > 1:
            out.append({"object_type": "line", "x0": x0, "x1": x1, "top": float(y), "bottom": float(y),
                        "width": x1 - x0, "height": 0.0})
    return out


def check_pages(count: int, sizes: list[tuple[float, float]]) -> None:
    """Pages and page size against the limits, before any page is read or rendered."""
    from .limits import current, exceeded

    lim = current()
    if count > lim.pdf_pages:
        raise exceeded("pdf_pages", "PDF 页数过多", f"{count} 页", f"{lim.pdf_pages} 页", count, lim.pdf_pages)
    for pno, (w, h) in enumerate(sizes, start=1):
        if w * h > lim.page_area:
            raise exceeded("page_area", f"PDF 第 {pno} 页过大", f"{w:.0f}×{h:.0f} 点（约 {w / 72 * 2.54:.0f}×{h / 72 * 2.54:.0f} 厘米）",
                           f"{lim.page_area / 10000:.0f} 万平方点（约 A0）", f"{w:.0f}x{h:.0f} pt", lim.page_area)


def _pdfium_document(data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception:
        return None  # pdfminer reads it, or pdfplumber says what is wrong with the file


# Paths enough to be text drawn as outlines (a converter's "text to curves"), not rules.
_OUTLINED_TEXT_PATHS = 50


def _drawn(doc: Any, pno: int) -> bool:
    """Whether a page with (almost) no text layer holds what only OCR can read: an image, or
    text drawn as outlines. A text page with only its signature on it is none (it was taken
    for a scan, OCR'd and said to be one: 第 4 页为扫描图像)."""
    if doc is None:
        return True
    try:
        import pypdfium2.raw as pdfium_c

        kinds = [o.type for o in doc[pno - 1].get_objects(max_depth=2)]
    except Exception:
        return True
    return pdfium_c.FPDF_PAGEOBJ_IMAGE in kinds or kinds.count(pdfium_c.FPDF_PAGEOBJ_PATH) >= _OUTLINED_TEXT_PATHS


def _pdfium_objects(doc: Any, page: Any, pno: int) -> dict[str, list[dict[str, Any]]] | None:
    """The page's objects read by pdfium; None (pdfminer parses the page) if pdfium cannot."""
    from .pdf_objects import PageObjects

    try:
        return PageObjects(doc[pno - 1], pno, float(page.height), page.initial_doctop).objects()
    except Exception:
        return None


MIN_FULL_LINE = 26
_ENDS_SENTENCE = ("。", "！", "？", "；", "：", ":", ";", "!", "?")
_STARTS_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+)")


_DIGITS = re.compile(r"\d+")


def _seams(per_page: list[list[tuple[float, Block]]]) -> Iterator[tuple[list[tuple[float, Block]], Table, Table]]:
    """At each page break where a table closes one page and a table opens the next: (the next
    page's items, the table closing, the table opening)."""
    for page, following in itertools.pairwise(per_page):
        last = _edge_table(page, reverse=True)
        table = _edge_table(following, reverse=False)
        if last is not None and table is not None:
            yield following, last, table


def _standing_over(candidates: list[Cell], cells: list[Cell], spans: dict[int, tuple[float, float]]) -> list[Cell] | None:
    """For each of `cells`, the candidate above it across the break (the one its columns
    overlap most), each a different one; None when a cell stands over none."""
    above = [max(candidates, key=lambda f, c=c: _overlap(spans[id(f)], spans[id(c)]), default=None) for c in cells]
    if any(f is None or _overlap(spans[id(f)], spans[id(c)]) <= 0 for f, c in zip(above, cells, strict=True)):
        return None
    if len({id(f) for f in above}) < len(above):
        return None
    return above  # type: ignore[return-value]


def _join_cut_rows(per_page: list[list[tuple[float, Block]]], spans: dict[int, tuple[float, float]]) -> None:
    """A table row a page break cut inside its figures (103 in a narrow cell wrapped as 10 |
    3, the 3 on the next page): the next page's table opens with a row of digits alone,
    each standing under a figure of the row the last page's table closed with. Each digit
    run is put back at the end of the figure it stands under, and the row is dropped."""
    for following, last, table in _seams(per_page):
        cut = last.rows[-1]
        own = [c for c in table.rows[0] if c.copy is None and c.text.strip()]
        if not own or not all(_DIGITS.fullmatch(c.text.strip()) and id(c) in spans for c in own):
            continue
        if not any(c.copy is None and c.text.strip() and not _DIGITS.fullmatch(c.text.strip()) for c in cut):
            continue  # a row with no label of its own (a header's) is no cut row of figures
        figures = [c for c in cut if c.copy is None and _DIGITS.fullmatch(c.text.strip()) and id(c) in spans]
        above = _standing_over(figures, own, spans)
        if above is None:
            continue
        for f, c in zip(above, own, strict=True):
            f.text = f.text.strip() + c.text.strip()
        del table.rows[0]
        if not table.rows:
            following[:] = [item for item in following if item[1] is not table]


def _join_split_rows(per_page: list[list[tuple[float, Block]]], spans: dict[int, tuple[float, float]]) -> None:
    """A row a page break split between its figures and its label (a browser's layout: the
    figures at the foot of one page, the wrapped label, figures empty, at the head of the
    next, under the repeated header). Read apart, the figures had no row and the label's row
    was blank: 15 findings against the agency. The label is put back beside its figures,
    each label cell into the empty cell of the cut row it stands over."""
    for following, last, table in _seams(per_page):
        cut = last.rows[-1]
        own_cut = [c for c in cut if c.copy is None and c.text.strip()]
        if len(own_cut) < 3 or not all(looks_like_figure(c.text.strip()) for c in own_cut):
            continue  # (figures, and no label of its own)
        k = 0  # the header rows the next page repeats
        while k < len(table.rows) and k < len(last.rows) - 1 and _texts(table.rows[k]) == _texts(last.rows[k]):
            k += 1
        if k >= len(table.rows):
            continue
        row = table.rows[k]
        labels = [c for c in row if c.copy is None and c.text.strip()]
        if not labels or any(looks_like_figure(c.text.strip()) for c in labels) or any(id(c) not in spans for c in labels):
            continue
        empty = [c for c in cut if c.copy is None and not c.text.strip() and id(c) in spans]
        into = _standing_over(empty, labels, spans)
        if into is None:
            continue
        for e, c in zip(into, labels, strict=True):
            e.text = c.text
        del table.rows[k]
        if len(table.rows) <= k:  # nothing left but the repeated header
            following[:] = [item for item in following if item[1] is not table]


def _texts(row: list[Cell]) -> list[str]:
    return [c.text.strip() for c in row if c.text.strip()]


def _continue_merged(per_page: list[list[tuple[float, Block]]]) -> None:
    """A figure merged down over rows that a page break cut (0 merged down a column): it
    is printed on the first page only, and the rest, at the top of the next page, is an
    empty cell merged down in its turn. That rest reads as the merged figure, not blank.
    (A merged label's rest names nothing by itself, and is left as it stands.)"""
    for page, following in itertools.pairwise(per_page):
        last = _edge_table(page, reverse=True)
        first = _edge_table(following, reverse=False)
        if last is None or first is None or len(last.rows[-1]) != len(first.rows[0]) or len(first.rows) < 2:
            continue
        for j, (above, rest) in enumerate(zip(last.rows[-1], first.rows[0], strict=True)):
            below = first.rows[1][j]
            if (above.copy == "v" and looks_like_figure(above.text) and rest.copy is None and not rest.text.strip()
                    and below.copy == "v" and below.source is rest.source):
                rest.text = above.text
                for row in first.rows[1:]:
                    if row[j].copy != "v" or row[j].source is not rest.source:
                        break
                    row[j].text = above.text


def _edge_table(items: list[tuple[float, Block]], reverse: bool) -> Table | None:
    """The page's last (or first) block, margins aside, when it is a table."""
    body = [b for _, b in items if not (isinstance(b, Paragraph) and b.source.get("margin"))]
    if not body:
        return None
    edge = body[-1] if reverse else body[0]
    return edge if isinstance(edge, Table) and edge.rows else None


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _join_wrapped(blocks: list[Block]) -> list[Block]:
    """A PDF's text comes line by line; lines as long as the text width that do not end a
    sentence continue in the next line (unless it starts a numbered item)."""
    widths = [len(b.text) for b in blocks if isinstance(b, Paragraph)]
    if not widths:
        return blocks
    # The text width in characters; an A4 page in 三号 holds 28 — shorter "full" lines are
    # headings or a page of short lines, not wrapped text.
    full = max(MIN_FULL_LINE, sorted(widths)[int(len(widths) * 0.9)])
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (isinstance(b, Paragraph) and isinstance(prev, Paragraph) and len(prev.text) >= 0.85 * full
                and not prev.text.endswith(_ENDS_SENTENCE) and not _STARTS_ITEM.match(b.text)
                and prev.source.get("page") in (b.source.get("page"), (b.source.get("page") or 0) - 1)):
            out[-1] = Paragraph(prev.text + b.text, prev.source)
        else:
            out.append(b)
    return out


def _drop_running(per_page: list[list[tuple[float, Block]]]) -> list[Block]:
    """Page numbers, and lines repeated in the top or bottom margin of most pages
    (running headers and footers). The same sentence in the body of several pages stays."""
    counts: Counter[str] = Counter()
    for items in per_page:
        counts.update({b.text for _, b in items if isinstance(b, Paragraph) and b.source.get("margin")})
    limit = max(3, len(per_page) // 2 + 1)
    out: list[Block] = []
    for items in per_page:
        for _, b in items:
            if isinstance(b, Paragraph):
                margin = b.source.pop("margin", False)
                if PAGE_NUMBER.match(b.text) or (margin and counts[b.text] >= limit):
                    continue
            out.append(b)
    return out
