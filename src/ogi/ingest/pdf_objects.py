"""A PDF page's characters and drawn lines read with pdfium, in the form pdfplumber's own
parser (pdfminer) gives them, so that pdfplumber's table finder and text-line grouping run
on them unchanged.

Why: pdfminer interprets content streams in pure Python, about 165 ms for a page of a
report's tables; pdfium does the same in C in a few milliseconds. The objects keep
pdfminer's geometry (a character box is its advance wide and its font size high, from
the descent line up), so table cells and lines come out as before.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2.raw as pdfium_c

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# Characters pdfium's text page adds that the content stream does not draw.
_NOT_DRAWN = {0, 0x0A, 0x0D, 0xFFFE}


def _r(v: float) -> float:
    # pdfium works in 32-bit floats: 76.05 comes back as 76.05000305; round the noise away so
    # equal coordinates compare equal, as they do in pdfminer.
    return round(v, 3)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n, in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


class PageObjects:
    """Turns one pdfium page into pdfplumber's object dictionaries."""

    def __init__(self, page: Any, page_number: int, height: float, initial_doctop: float) -> None:
        # The pypdfium2 page, not its raw handle: the page must stay open while it is read.
        self._page = page
        self.page = page.raw
        self.page_number = page_number
        self.height = height
        self.doctop = initial_doctop
        self._fs = pdfium_c.FS_MATRIX()
        self._x = ctypes.c_float()
        self._y = ctypes.c_float()

    def objects(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {"char": self._chars()}
        for obj in self._paths():
            out.setdefault(obj["object_type"], []).append(obj)
        return out

    def _geometry(self, x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
        top = _r(self.height - y1)
        return {"x0": _r(x0), "y0": _r(y0), "x1": _r(x1), "y1": _r(y1), "width": _r(x1 - x0), "height": _r(y1 - y0),
                "top": top, "bottom": _r(self.height - y0), "doctop": _r(self.doctop + top),
                "page_number": self.page_number}

    def _chars(self) -> list[dict[str, Any]]:
        textpage = pdfium_c.FPDFText_LoadPage(self.page)
        try:
            return self._read_chars(textpage)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)

    def _read_chars(self, tp: Any) -> list[dict[str, Any]]:
        box = pdfium_c.FS_RECTF()
        fm = pdfium_c.FS_MATRIX()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        chars = []
        for i in range(pdfium_c.FPDFText_CountChars(tp)):
            code = pdfium_c.FPDFText_GetUnicode(tp, i)
            if code in _NOT_DRAWN or pdfium_c.FPDFText_IsGenerated(tp, i) == 1:
                continue
            if not pdfium_c.FPDFText_GetLooseCharBox(tp, i, box) or not pdfium_c.FPDFText_GetMatrix(tp, i, fm):
                continue
            upright = abs(fm.b) < 1e-6 and abs(fm.c) < 1e-6
            size = pdfium_c.FPDFText_GetFontSize(tp, i) * abs(fm.a * fm.d - fm.b * fm.c) ** 0.5
            x0, x1, y0, y1 = box.left, box.right, box.bottom, box.top
            if upright and x1 - x0 > 2 * size:
                # Vertical writing (an Identity-V font): pdfium's loose box spans the column;
                # pdfminer puts a size-square at the glyph's origin.
                pdfium_c.FPDFText_GetCharOrigin(tp, i, ox, oy)
                x0, y0 = ox.value, oy.value
                x1, y1 = x0 + size, y0 + size
            elif upright and fm.d > 0:
                y1 = y0 + size  # pdfminer: from the descent line up by the font size
            char = self._geometry(x0, y0, x1, y1)
            char.update(object_type="char", text=chr(code), size=_r(size), upright=upright,
                        matrix=(fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), fontname="")
            chars.append(char)
        return chars

    def _paths(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        self._walk(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, self.page, _IDENTITY, found)
        return found

    def _walk(self, count: Any, get: Any, holder: Any, parent: Matrix, found: list[dict[str, Any]]) -> None:
        fs = self._fs
        for i in range(count(holder)):
            obj = get(holder, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            pdfium_c.FPDFPageObj_GetMatrix(obj, fs)
            m = _multiply((fs.a, fs.b, fs.c, fs.d, fs.e, fs.f), parent)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                self._walk(pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, obj, m, found)
            else:
                for sub in self._subpaths(obj, m):
                    found.append(self._shape(sub))

    def _subpaths(self, obj: Any, m: Matrix) -> list[tuple[list[tuple[float, float]], bool]]:
        """The path split where it moves, as pdfminer does: (points, only straight lines)."""
        subs: list[tuple[list[tuple[float, float]], bool]] = []
        for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
            pdfium_c.FPDFPathSegment_GetPoint(seg, self._x, self._y)
            x, y = _apply(m, self._x.value, self._y.value)
            point = (_r(x), _r(y))
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subs:
                subs.append(([point], True))
            else:
                pts, straight = subs[-1]
                pts.append(point)
                subs[-1] = (pts, straight and kind == pdfium_c.FPDF_SEGMENT_LINETO)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and subs[-1][0][0] != point:
                subs[-1][0].append(subs[-1][0][0])
        return [s for s in subs if len(s[0]) > 1]

    def _shape(self, sub: tuple[list[tuple[float, float]], bool]) -> dict[str, Any]:
        pts, straight = sub
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        obj = self._geometry(min(xs), min(ys), max(xs), max(ys))
        obj["pts"] = [(_r(x), _r(self.height - y)) for x, y in pts]
        if straight and len(pts) == 2:
            obj["object_type"] = "line"
        elif straight and _is_rectangle(pts):
            obj["object_type"] = "rect"
        else:
            obj["object_type"] = "curve"
        return obj


def _is_rectangle(pts: list[tuple[float, float]]) -> bool:
    """Four corners (a fifth closing the path) with axis-parallel sides — pdfminer's LTRect."""
    if len(pts) == 5 and pts[4] == pts[0]:
        pts = pts[:4]
    if len(pts) != 4:
        return False
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
