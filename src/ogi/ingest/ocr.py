"""Scans: PDF pages without text and images, read with RapidOCR (its models ship in the
wheel, nothing is downloaded). Table rows are rebuilt from the boxes' coordinates —
figures line up in rows, labels are attached to the row they stand beside — never from
the order the recogniser returns them in. Every value keeps its box and confidence.

A page is first straightened: its table rules are found on the page with its light
evened out, the page is turned by their angle (a scan fed in askew), and what a phone's
perspective leaves of slant is taken out of the boxes' heights rule by rule. The page as
read is kept (`reread.Pages`) so that a figure in doubt can be read again from its box."""

from __future__ import annotations

import io
import itertools
import logging
import math
import statistics
from dataclasses import dataclass
from typing import Any

from ..textnorm import looks_like_figure
from .document import Block, Cell, Document, Table, ocr_notice, table_blocks
from .errors import IngestError
from .reread import Pages

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
    # Where the box stands for grouping into rows: its pixels, shifted by the slant of
    # the table's rules at its place (see _straighten).
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float
    # The box in the page's pixels, as the source says and a second reading crops it.
    pixels: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _boxes(image: Any) -> list[_Box]:
    # No angle classifier: it turns lone digits upside down (a 9 read as 6); report pages
    # are upright. Every switch is given: the engine keeps the last call's settings.
    result = _get_engine()(image, use_det=True, use_cls=False, use_rec=True)
    out = []
    if result is None or getattr(result, "boxes", None) is None:
        return out
    for pts, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs = [float(p[0]) for p in pts]
        ys = [float(p[1]) for p in pts]
        box = (min(xs), min(ys), max(xs), max(ys))
        out.append(_Box(*box, str(text).strip(), float(score), box))
    return [b for b in out if b.text]


def _rows(boxes: list[_Box], page: int | None, rules: list[Rule] | None = None) -> list[list[Cell]]:
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
            best = _row_in_cell(t, rows, centres, rules or [], line)
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


def _row_in_cell(t: _Box, rows: list[list[_Box]], centres: list[float], rules: list[Rule],
                 line: float) -> tuple[float, int] | None:
    """The figure row that shares the text's cell: the only one between the rules above
    and below the text (rules drawn across the text's column), with its figures to the
    right of the text."""
    cx = (t.x0 + t.x1) / 2
    across = [r.level for r in rules if r.x0 - line <= cx <= r.x1 + line]
    above = max((y for y in across if y <= t.y0 + 0.2 * line), default=None)
    below = min((y for y in across if y >= t.y1 - 0.2 * line), default=None)
    if above is None or below is None:
        return None
    inside = [i for i, c in enumerate(centres) if above < c < below and t.x1 <= min(b.x0 for b in rows[i])]
    return (abs(t.cy - centres[inside[0]]), inside[0]) if len(inside) == 1 else None


@dataclass(frozen=True)
class Rule:
    """A horizontal table rule: y = slope·x + intercept from x0 to x1 (page pixels);
    `level` is its height at the page's middle, where the boxes are straightened to."""

    x0: float
    x1: float
    slope: float
    intercept: float
    level: float

    def y_at(self, x: float) -> float:
        return self.slope * x + self.intercept


# A table rule is drawn over at least this share of the page width: a text line's
# characters never join into one horizontal stroke that long.
RULE_LENGTH = 0.25


def _gray(image: Any) -> Any:
    import numpy as np

    arr = np.asarray(image)
    if arr.ndim == 3:
        import cv2

        return cv2.cvtColor(np.ascontiguousarray(arr[:, :, :3]), cv2.COLOR_RGB2GRAY)
    return arr


def _rule_mask(gray: Any) -> Any:
    """Pixels of horizontal strokes as a mask, with the paper's light evened out first:
    each pixel is compared with the paper around it (the page with its dark strokes
    closed over, found at half size), so a page lit from one side or printed faint gives
    the same rules as a clean one. Smoothed along the rows first: a scan's noise averages
    out there, a rule does not."""
    import cv2
    import numpy as np

    h, w = gray.shape[:2]
    small = cv2.resize(gray, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.medianBlur(cv2.dilate(small, np.ones((9, 9), np.uint8)), 11), (w, h),
                       interpolation=cv2.INTER_LINEAR).astype(np.float32)
    along = cv2.blur(gray.astype(np.float32), (15, 1))
    ratio = along / np.maximum(paper, 1.0)
    threshold = _ink_threshold(ratio)
    # A rule is a thin dark ridge: clearly lighter a few pixels above and below it — paper,
    # or the grey fill of a shaded row. Inside a line of text (which the smoothing along
    # the rows darkens too) it is as dark above or below.
    margin = max(0.02, 0.5 * (float(np.median(ratio[::4, ::4])) - threshold))
    d = max(4, h // 300)
    ridge = ratio < threshold
    ridge[d:, :] &= ratio[:-d, :] - ratio[d:, :] > margin
    ridge[:-d, :] &= ratio[d:, :] - ratio[:-d, :] > margin
    ridge[:d, :] = False
    ridge[-d:, :] = False
    return ridge.astype(np.uint8)


def _ink_threshold(ratio: Any) -> float:
    """Darkness, as a share of the paper's light, below which a pixel is ink: well below
    the paper's own spread (most of a page is paper, so its median and spread are the
    paper's)."""
    import numpy as np

    sample = ratio[::4, ::4]
    paper = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - paper)))
    return paper - max(0.05, 5 * spread)


def _rules(gray: Any, min_length: float | None = None) -> list[Rule]:
    """The horizontal rules of the page's tables, each fitted as a straight line (a
    scan may be askew, a phone's photograph slanted differently across the page)."""
    import cv2
    import numpy as np

    w = gray.shape[1]
    if min_length is None:
        min_length = RULE_LENGTH * w
    mask = _rule_mask(gray)
    run = max(40, w // 30)
    # Long horizontal strokes only; a slanted rule steps a pixel every few dozen, which
    # the short vertical closing joins again.
    lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, np.ones((3, run // 2), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    out: list[Rule] = []
    for k in range(1, count):
        x, y, cw, ch = stats[k][:4]
        if cw < min_length or ch > max(12, 0.03 * cw):
            continue  # short, or a filled block rather than a line
        ys, xs = np.nonzero(labels[y:y + ch, x:x + cw] == k)
        slope, intercept = np.polyfit(xs + x, ys + y, 1)
        out.append(Rule(float(x), float(x + cw - 1), float(slope), float(intercept), float(slope * w / 2 + intercept)))
    out.sort(key=lambda r: r.level)
    return out


def _column_rules(gray: Any) -> list[Rule]:
    """The vertical rules of the page's tables, as rules of the page turned on its side:
    `y_at(y)` gives a rule's x at height y, `x0`–`x1` the heights it spans. Columns of a
    table only a few rows high count too."""
    import numpy as np

    return _rules(np.ascontiguousarray(gray.T), max(60, gray.shape[0] // 28))


def _fill_gaps(boxes: list[_Box], gray: Any, columns: list[Rule]) -> list[_Box]:
    """Boxes for the cells of table rows the detector found nothing in: blank paper (a box
    with no text: the cell is printed empty), or ink the detector missed — read from its
    crop, or left unread (a box of confidence 0, which the locator does not take). Without
    this a row short of one figure would shift the rest into the wrong columns.

    A row's cells are the spaces between the vertical rules crossing it from its first
    figure to its last (a column blank in every row, 法人或其他组织 left empty, has no
    figure to show where it stands), and the columns where the figures of its table's
    other rows stand (which finds a first or last figure the row lacks)."""
    if not boxes:
        return []
    line = statistics.median(b.height for b in boxes)
    figures = sorted((b for b in boxes if looks_like_figure(b.text)), key=lambda b: b.cy)
    rows = [r for r in _lines(figures, line) if len(r) >= 2]  # a lone figure (a year) makes no table row
    added: list[_Box] = []
    for i, row in enumerate(rows):
        top = min(b.pixels[1] for b in row)
        bottom = max(b.pixels[3] for b in row)
        dy = statistics.mean(b.y0 - b.pixels[1] for b in row)
        taken: list[_Box] = []
        for x0, x1 in _between_figures(row, columns, line) + _missing_columns(i, rows, line):
            if any(b.pixels[0] < x1 and b.pixels[2] > x0 and b.pixels[1] < bottom and b.pixels[3] > top
                   for b in (*boxes, *taken)):
                continue  # something stands there: a figure, text (not a figure cell), or a cell found already
            found = _read_gap(gray, (x0, top, x1, bottom), row)
            if found is not None:
                taken.append(_Box(x0, top + dy, x1, bottom + dy, found[0], found[1], (x0, top, x1, bottom)))
        added += taken
    return added


def _between_figures(row: list[_Box], columns: list[Rule], line: float) -> list[tuple[float, float]]:
    """The spaces between the vertical rules crossing a row, from its first figure to its
    last (never the label's cells, left of the first figure)."""
    mid = (min(b.pixels[1] for b in row) + max(b.pixels[3] for b in row)) / 2
    xs = sorted({round(r.y_at(mid)) for r in columns if r.x0 <= mid <= r.x1})
    first = min(b.pixels[2] for b in row)
    last = max(b.pixels[0] for b in row)
    inner = [x for x in xs if first < x < last]
    return [(a + 3, b - 3) for a, b in itertools.pairwise(inner) if b - a >= line]


def _missing_columns(i: int, rows: list[list[_Box]], line: float) -> list[tuple[float, float]]:
    """Where the figures of the rows around row i (within three, of the same table: most
    figures of each stand in the other's columns — a table of fifteen columns below one of
    seven shares most of the seven) stand and row i has none."""
    tol = 0.6 * line

    def centre(b: _Box) -> float:
        return (b.pixels[0] + b.pixels[2]) / 2

    def shared(a: list[_Box], b: list[_Box]) -> int:
        return sum(1 for x in a if any(abs(centre(x) - centre(y)) <= tol for y in b))

    row = rows[i]
    mates = [rows[j] for j in range(max(0, i - 3), min(len(rows), i + 4))
             if j != i and shared(row, rows[j]) >= max(2, 0.7 * len(row)) and shared(rows[j], row) >= max(2, 0.7 * len(rows[j]))]
    groups: list[list[_Box]] = []
    for b in (b for mate in mates for b in mate):
        g = next((g for g in groups if abs(centre(g[0]) - centre(b)) <= tol), None)
        if g is None:
            groups.append([b])
        else:
            g.append(b)
    out = []
    for g in groups:
        c = statistics.mean(centre(b) for b in g)
        if not any(b.pixels[0] - 2 <= c <= b.pixels[2] + 2 for b in row):
            out.append((min(b.pixels[0] for b in g) - 0.3 * line, max(b.pixels[2] for b in g) + 0.3 * line))
    return out


def _read_gap(gray: Any, box: tuple[float, float, float, float], row: list[_Box]) -> tuple[str, float] | None:
    """What an empty cell holds: ("", 1.0) for blank paper, a reading of its ink, or
    ("", 0.0) for ink that reads as no figure. None for a crop too small to judge."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = (round(v) for v in box)
    crop = gray[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if crop.size == 0 or crop.shape[0] < 4 or crop.shape[1] < 4:
        return None
    # Paper and ink as the row's own figures show them.
    sample = np.concatenate([gray[int(b.pixels[1]):int(b.pixels[3]) + 1, int(b.pixels[0]):int(b.pixels[2]) + 1].ravel()
                             for b in row])
    paper, darkest = float(np.percentile(sample, 90)), float(np.percentile(sample, 2))
    # Well short of the figures' darkness, so that a faint figure is not taken for paper.
    smooth = cv2.GaussianBlur(crop, (0, 0), 1.0)
    ink = smooth < paper - 0.35 * (paper - darkest)
    if ink.sum() < 0.03 * (y1 - y0) ** 2:
        return "", 1.0
    res = _get_engine()(cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB), use_det=False, use_cls=False, use_rec=True)
    txts, scores = getattr(res, "txts", None), getattr(res, "scores", None)
    text = str(txts[0]).strip() if txts else ""
    if text and looks_like_figure(text):
        return text, float(scores[0]) if scores else 0.0
    return "", 0.0


# A page is turned when its rules slant by more than this; less changes no row.
MIN_SKEW_DEGREES = 0.1
MAX_SKEW_DEGREES = 5.0


def _skew(rules: list[Rule], width: int) -> float:
    """The page's slant in degrees: the median of its long rules' angles (none: 0)."""
    angles = [math.degrees(math.atan(r.slope)) for r in rules if r.x1 - r.x0 >= 0.4 * width]
    if len(angles) < 2:
        return 0.0
    a = statistics.median(angles)
    return a if MIN_SKEW_DEGREES <= abs(a) <= MAX_SKEW_DEGREES else 0.0


def _turn(arr: Any, degrees: float) -> Any:
    import cv2

    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    border = (255, 255, 255) if arr.ndim == 3 else 255
    return cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _straighten(boxes: list[_Box], rules: list[Rule]) -> None:
    """Move each box to where it would stand if the rules around it were level: by the
    rules' slant at its place, interpolated between the rule above and the one below.
    After the page is turned by its median angle this is what perspective leaves."""
    if not rules:
        return
    for b in boxes:
        cx = (b.pixels[0] + b.pixels[2]) / 2
        cy = (b.pixels[1] + b.pixels[3]) / 2
        across = [(r.y_at(cx), r.level) for r in rules if r.x0 <= cx <= r.x1]
        if not across:
            continue
        above = max((a for a in across if a[0] <= cy), default=None)
        below = min((a for a in across if a[0] > cy), default=None)
        if above is not None and below is not None and below[0] > above[0]:
            f = (cy - above[0]) / (below[0] - above[0])
            shift = (above[1] - above[0]) * (1 - f) + (below[1] - below[0]) * f
        else:
            near = above if above is not None else below
            assert near is not None
            shift = near[1] - near[0]
        b.y0 = b.pixels[1] + shift
        b.y1 = b.pixels[3] + shift


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
    x0, y0, x1, y1 = b.pixels
    src: dict = {"box": [round(x0), round(y0), round(x1), round(y1)], "confidence": round(score, 3)}
    if page is not None:
        src = {"page": page, **src}
    return src


def _cell(b: _Box, page: int | None) -> Cell:
    return Cell(b.text, _src(b, page, b.score))


# Upright pages of print are read at ≥ 0.99 mean confidence; a page scanned upside down or
# sideways at 0.65–0.9, with far fewer characters. Below this the other orientations are tried.
UPRIGHT_CONFIDENCE = 0.95
# The boxes whose crops, turned, tell how the page reads best.
ORIENTATION_SAMPLE = 12
# A box this much taller than wide, holding two characters or more, is a line standing on
# its side (the recogniser turns such a crop before reading it, see _read_crop).
TALL = 1.5
# Characters of a line that tells which way the page's text runs (see _sideways).
LINE_CHARS = 5


def _weight(boxes: list[_Box]) -> float:
    return sum(b.score * len(b.text) for b in boxes)


def _tall(b: _Box) -> bool:
    return b.pixels[3] - b.pixels[1] >= TALL * max(b.pixels[2] - b.pixels[0], 1.0)


def _sideways(boxes: list[_Box]) -> bool:
    """Whether the page's lines run down rather than across: more characters in tall
    lines than in wide ones. A page turned a quarter one way is read by the recogniser
    with full confidence (it turns each tall crop before reading it), so confidence alone
    misses it. Only lines of LINE_CHARS or more count: column heads printed one character
    under the other (结果维持, 尚未审结 in table 四) stand tall on an upright page and
    are shorter."""
    down = across = 0
    for b in boxes:
        if len(b.text) >= LINE_CHARS:
            if _tall(b):
                down += len(b.text)
            elif b.pixels[2] - b.pixels[0] >= TALL * max(b.pixels[3] - b.pixels[1], 1.0):
                across += len(b.text)
    return down > across


def _read_crop(crop: Any) -> float:
    """The recogniser's confidence on one crop, turned first as its whole-page reading
    would turn it (a crop 1.5 times taller than wide is turned a quarter)."""
    import numpy as np

    if crop.shape[0] >= TALL * crop.shape[1]:
        crop = np.rot90(crop)
    res = _get_engine()(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True)
    got = getattr(res, "scores", None)
    return float(got[0]) if got else 0.0


def _turned_score(arr: Any, boxes: list[_Box], quarter_turns: int) -> float:
    """Mean confidence of the boxes' crops read as they stand on the page turned by
    quarter_turns × 90°."""
    import numpy as np

    scores = []
    for b in boxes:
        x0, y0, x1, y1 = (int(v) for v in b.pixels)
        crop = np.rot90(arr[max(0, y0):y1 + 1, max(0, x0):x1 + 1], quarter_turns)
        if crop.size:
            scores.append(_read_crop(crop))
    return sum(scores) / len(scores) if scores else 0.0


def _oriented(image: Any) -> tuple[list[_Box], Any]:
    """Boxes of the page turned the way it reads best, and the page so turned: the
    recogniser has no angle classifier (see _boxes), so a page scanned upside down or
    sideways is turned here. An upright page costs nothing more than its reading. A page
    whose lines run down is on its side: a sample of its boxes read turned a quarter each
    way says which way, and the page is read whole again turned. A page read with less
    confidence (upside down, on its side the way the recogniser reads badly, or only
    faint) is judged on the sample read again as it would stand turned each way, and read
    whole again only when a turn reads clearly better; the turn is kept only when the
    whole page then reads better."""
    import numpy as np

    arr = np.asarray(image)
    boxes = _boxes(arr)
    chars = sum(len(b.text) for b in boxes)
    if not chars:
        return boxes, arr
    sideways = _sideways(boxes)
    if not sideways and _weight(boxes) / chars >= UPRIGHT_CONFIDENCE:
        return boxes, arr
    # The lines on their side; or those read with doubt (on a page turned the other way,
    # column heads printed one character under the other read well either way and would
    # only blunt the comparison).
    lines = [b for b in boxes if (len(b.text) >= LINE_CHARS and _tall(b) if sideways
                                  else len(b.text) >= 2 and b.score < UPRIGHT_CONFIDENCE)]
    sample = sorted(lines or boxes, key=lambda b: -(b.pixels[2] - b.pixels[0]) * (b.pixels[3] - b.pixels[1]))
    sample = sample[:ORIENTATION_SAMPLE]
    # Lines lying down (wider than tall) are upright or upside down; standing up, on their side.
    wide = not sideways and statistics.median(
        (b.pixels[2] - b.pixels[0]) / max(b.pixels[3] - b.pixels[1], 1.0) for b in sample) >= 1.0
    score, q = max((_turned_score(arr, sample, q), q) for q in ((2,) if wide else (1, 3)))
    if not sideways and score <= _turned_score(arr, sample, 0) + 0.05:
        return boxes, arr
    turned_arr = np.ascontiguousarray(np.rot90(arr, q))
    turned = _boxes(turned_arr)
    if _sideways(turned):
        return boxes, arr
    # On its side the page read as well turned as not (the recogniser turns tall crops);
    # what the turn gains there is lines across, for the table's rows.
    better = _weight(turned) >= 0.9 * _weight(boxes) if sideways else _weight(turned) > _weight(boxes)
    return (turned, turned_arr) if better else (boxes, arr)


def ocr_image(image: Any, page: int | None = None, pages: Pages | None = None) -> list[Block]:
    """OCR one page image (PIL image or array) into blocks; the page as read is kept in
    `pages` for second readings."""
    import numpy as np

    arr = np.asarray(image)
    rules = _rules(_gray(arr))
    skew = _skew(rules, arr.shape[1])
    if skew:
        arr = _turn(arr, skew)
    boxes, upright = _oriented(arr)
    gray = _gray(upright)
    rules = _rules(gray) if skew or upright is not arr else rules
    _straighten(boxes, rules)
    boxes += _fill_gaps(boxes, gray, _column_rules(gray))
    if pages is not None:
        pages.keep(page, gray)
    grid = _rows(boxes, page, rules)
    blocks = table_blocks(grid, {"page": page} if page else {}) if grid else []
    for b in blocks:
        if isinstance(b, Table):
            # The detector can miss a box anywhere in a row: a short row did not lose its tail.
            b.short_rows_lose_tail = False
    return blocks


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

    pages = Pages()
    return Document(ocr_image(np.asarray(img), None, pages), file=file, kind="ocr", pages=pages,
                    notices=[ocr_notice(None)])


def ocr_pdf_pages(data: bytes, pages: list[int], scale: float = RENDER_SCALE,
                  kept: Pages | None = None) -> dict[int, list[Block]]:
    """OCR the given (1-based) pages of a PDF; each page as read is kept in `kept`."""
    import numpy as np
    import pypdfium2 as pdfium

    out: dict[int, list[Block]] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for p in pages:
            w, h = pdf[p - 1].get_size()
            check_pixels(w * scale, h * scale, f"PDF 第 {p} 页渲染后")
            img = pdf[p - 1].render(scale=scale).to_pil().convert("RGB")
            out[p] = ocr_image(np.asarray(img), p, kept)
    finally:
        pdf.close()
    return out
