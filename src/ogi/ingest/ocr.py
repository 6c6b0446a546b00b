"""Scans: PDF pages without text and images, read with RapidOCR (its models ship in the
wheel, nothing is downloaded). Table rows are rebuilt from the boxes' coordinates —
figures line up in rows, labels are attached to the row they stand beside — never from
the order the recogniser returns them in. Every value keeps its box and confidence."""

from __future__ import annotations

import io
import logging
import statistics
from dataclasses import dataclass
from typing import Any

from ..textnorm import looks_like_figure
from .document import Block, Cell, Document, table_blocks
from .errors import IngestError

# Pages are rendered at this scale (72 dpi × 2 = 144 dpi): small print in table cells
# needs it; higher costs time without gaining characters.
RENDER_SCALE = 2.0
_engine: Any = None


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise IngestError("needs_ocr", "这是扫描件，需要安装 OCR 组件（rapidocr、onnxruntime）才能识别",
                              "scanned input needs rapidocr and onnxruntime") from None
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        _engine = RapidOCR()
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return _engine


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _boxes(image: Any) -> list[_Box]:
    # No angle classifier: it turns lone digits upside down (a 9 read as 6); report pages are upright.
    result = _get_engine()(image, use_cls=False)
    out = []
    if result is None or result.boxes is None:
        return out
    for pts, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs = [float(p[0]) for p in pts]
        ys = [float(p[1]) for p in pts]
        out.append(_Box(min(xs), min(ys), max(xs), max(ys), str(text).strip(), float(score)))
    return [b for b in out if b.text]


def _rows(boxes: list[_Box], page: int | None, rules: list[float] | None = None) -> list[list[Cell]]:
    """Rows of cells from boxes: figures grouped by their vertical centre; each text box
    joins the figure row it stands beside — or, between the table's rules, the one figure
    row of its cell (the first and last lines of a label wrapped over three) — or forms a
    row of its own."""
    if not boxes:
        return []
    line = statistics.median(b.height for b in boxes)
    figures = sorted((b for b in boxes if looks_like_figure(b.text)), key=lambda b: b.cy)
    texts = [b for b in boxes if not looks_like_figure(b.text)]
    rows = _lines(figures, line)
    centres = [statistics.mean(x.cy for x in r) for r in rows]
    labels: dict[int, list[_Box]] = {}
    loose: list[_Box] = []
    for t in texts:
        best = None
        for i, c in enumerate(centres):
            # A label stands beside a row when the row's centre falls within the label's
            # lines (wrapped labels span the row) or close to it.
            if t.y0 - 0.6 * line <= c <= t.y1 + 0.6 * line and t.x1 <= min(b.x0 for b in rows[i]) + line:
                d = abs(t.cy - c)
                if best is None or d < best[0]:
                    best = (d, i)
        if best is None:
            best = _row_in_cell(t, rows, centres, rules or [])
        if best is None:
            loose.append(t)
        else:
            labels.setdefault(best[1], []).append(t)
    items: list[tuple[float, list[_Box], list[_Box]]] = []
    for i, r in enumerate(rows):
        items.append((centres[i], labels.get(i, []), sorted(r, key=lambda b: b.x0)))
    for tr in _lines(sorted(loose, key=lambda b: b.cy), line):
        items.append((statistics.mean(x.cy for x in tr), sorted(tr, key=lambda b: b.x0), []))
    items.sort(key=lambda it: it[0])
    out: list[list[Cell]] = []
    for _, labs, figs in items:
        out.append(_label_cells(labs, line, page) + [_cell(b, page) for b in figs])
    return out


def _row_in_cell(t: _Box, rows: list[list[_Box]], centres: list[float], rules: list[float]) -> tuple[float, int] | None:
    """The figure row that shares the text's cell: the only one between the rules above
    and below the text, with its figures to the right of the text."""
    above = max((r for r in rules if r <= t.y0), default=None)
    below = min((r for r in rules if r >= t.y1), default=None)
    if above is None or below is None:
        return None
    inside = [i for i, c in enumerate(centres) if above < c < below and t.x1 <= min(b.x0 for b in rows[i])]
    return (abs(t.cy - centres[inside[0]]), inside[0]) if len(inside) == 1 else None


# A table rule is a pixel row dark over at least this share of the page width: text lines
# never are (ink covers well under half of a row of characters).
RULE_COVERAGE = 0.5


def _rules(image: Any) -> list[float]:
    """Vertical positions of the horizontal rules of the page's tables."""
    import numpy as np

    arr = np.asarray(image)
    gray = arr.mean(axis=2) if arr.ndim == 3 else arr
    dark = (gray < 128).mean(axis=1) >= RULE_COVERAGE
    out: list[float] = []
    start = None
    for y, d in enumerate([*dark.tolist(), False]):
        if d and start is None:
            start = y
        elif not d and start is not None:
            out.append((start + y - 1) / 2)  # a rule a few pixels thick: its middle
            start = None
    return out


def _lines(boxes: list[_Box], line: float) -> list[list[_Box]]:
    """Boxes (sorted by vertical centre) grouped into lines: a box joins the line above
    when its centre is within half a line height of that line's."""
    out: list[list[_Box]] = []
    for b in boxes:
        if out and abs(b.cy - statistics.mean(x.cy for x in out[-1])) <= 0.5 * line:
            out[-1].append(b)
        else:
            out.append([b])
    return out


def _label_cells(labs: list[_Box], line: float, page: int | None) -> list[Cell]:
    """Label boxes of one row; boxes in the same column (a wrapped label) are joined."""
    columns: list[list[_Box]] = []
    for b in sorted(labs, key=lambda b: b.x0):
        if columns and b.x0 < max(x.x1 for x in columns[-1]) - line:
            columns[-1].append(b)
        else:
            columns.append([b])
    cells = []
    for col in columns:
        col.sort(key=lambda b: b.y0)
        text = "".join(b.text for b in col)
        first = col[0]
        cells.append(Cell(text, _src(first, page, min(b.score for b in col))))
    return cells


def _src(b: _Box, page: int | None, score: float) -> dict:
    src: dict = {"box": [round(b.x0), round(b.y0), round(b.x1), round(b.y1)], "confidence": round(score, 3)}
    if page is not None:
        src = {"page": page, **src}
    return src


def _cell(b: _Box, page: int | None) -> Cell:
    return Cell(b.text, _src(b, page, b.score))


# Upright pages of print are read at ≥ 0.99 mean confidence; a page scanned upside down or
# sideways at 0.65–0.9, with far fewer characters. Below this the other orientations are tried.
UPRIGHT_CONFIDENCE = 0.95


def _weight(boxes: list[_Box]) -> float:
    return sum(b.score * len(b.text) for b in boxes)


def _oriented(image: Any) -> tuple[list[_Box], Any]:
    """Boxes of the page turned the way it reads best, and the page so turned: the
    recogniser has no angle classifier (see _boxes), so a page scanned upside down or
    sideways is turned here."""
    import numpy as np

    arr = np.asarray(image)
    boxes = _boxes(arr)
    chars = sum(len(b.text) for b in boxes)
    if chars and _weight(boxes) / chars >= UPRIGHT_CONFIDENCE:
        return boxes, arr
    for quarter_turns in (2, 1, 3):
        turned_arr = np.ascontiguousarray(np.rot90(arr, quarter_turns))
        turned = _boxes(turned_arr)
        if _weight(turned) > _weight(boxes):
            boxes, arr = turned, turned_arr
    return boxes, arr


def ocr_image(image: Any, page: int | None = None) -> list[Block]:
    """OCR one page image (PIL image or array) into blocks."""
    boxes, upright = _oriented(image)
    grid = _rows(boxes, page, _rules(upright))
    return table_blocks(grid, {"page": page} if page else {}) if grid else []


def check_pixels(width: float, height: float, what_zh: str) -> None:
    """Pixels of an image (from its header) or of a page to render, before any is decoded."""
    from .limits import current, exceeded, pixels_zh

    lim = current()
    if width * height > lim.image_pixels:
        raise exceeded("image_pixels", f"{what_zh}过大", f"{width:.0f}×{height:.0f} 像素", pixels_zh(lim.image_pixels),
                       f"{width:.0f}x{height:.0f} px", lim.image_pixels)


def read_image(data: bytes, file: str | None = None) -> Document:
    try:
        from PIL import Image
    except ImportError:
        raise IngestError("needs_ocr", "识别图片需要安装 OCR 组件", "images need Pillow and rapidocr") from None
    saved = Image.MAX_IMAGE_PIXELS
    # Only the header is read here; the image_pixels limit is checked next, with the figures to say.
    Image.MAX_IMAGE_PIXELS = None
    try:
        img = Image.open(io.BytesIO(data))
    except Exception as e:
        raise IngestError("broken_image", "图片文件已损坏，无法读取", f"broken image: {e}") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    check_pixels(*img.size, "图片")
    try:
        img.load()
        img = img.convert("RGB")
    except MemoryError:
        raise  # the bounded worker says so; not a broken file
    except Exception as e:
        raise IngestError("broken_image", "图片文件已损坏或不完整，无法读取", f"broken image: {e}") from None
    import numpy as np

    return Document(ocr_image(np.asarray(img)), file=file, kind="ocr")


def ocr_pdf_pages(data: bytes, pages: list[int], scale: float = RENDER_SCALE) -> dict[int, list[Block]]:
    """OCR the given (1-based) pages of a PDF."""
    import numpy as np
    import pypdfium2 as pdfium

    out: dict[int, list[Block]] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for p in pages:
            w, h = pdf[p - 1].get_size()
            check_pixels(w * scale, h * scale, f"PDF 第 {p} 页渲染后")
            img = pdf[p - 1].render(scale=scale).to_pil().convert("RGB")
            out[p] = ocr_image(np.asarray(img), p)
    finally:
        pdf.close()
    return out
