"""The table's identities as a check on the recogniser: a scan never gives a wrong figure
silently.

After a scanned document is located, every figure the arithmetic cannot vouch for — in
no identity (table 二, 本年增/减), in an identity that fails, or read with low confidence —
is read again from its box: cropped with the cell's rules whitened, its contrast
stretched to the paper around it, and once more binarised after smoothing. A figure is
settled when its confident readings agree, or when the identities it stands in hold for
exactly one of the values read for it ("exactly one unknown"). A figure still in doubt is
left missing with what was read as candidates (the `cell.uncertain` finding says the doubt
is the reading's, not the agency's), and an identity that fails only because of one such
figure blames no one.

Signs: the recogniser drops a faint minus (−18 read as 18, whatever the crop), so a cell
of a signed column is negative when the pixels left of its digits hold a dash — a short
flat stroke at the digits' mid-height — or a confident reading has one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..textnorm import parse_figure
from .pictures import page_key

if TYPE_CHECKING:
    from ..editions import Edition, IdentityInstance
    from ..report import Number, Report
    from .document import Document

# A reading at or above this confidence counts as confident.
CONFIDENT = 0.9
# A first reading at or above this, of a figure whose identities hold, is not read again.
SURE = 0.97
# Readings below this are not candidates at all.
CANDIDATE = 0.5
# A minus the recogniser reads at this confidence is taken, even where the pixels left of
# the digits did not show it clearly.
MINUS_SEEN = 0.8
_MINUS = ("-", "－", "−", "—", "–")
# Assignments tried across a group of figures in doubt before the group is left in doubt.
MAX_ASSIGNMENTS = 20_000


class Pages:
    """The pages of a scan as the recogniser read them (grey, upright), kept PNG-compressed
    (about a tenth of the pixels' size) for second readings of single boxes."""

    def __init__(self) -> None:
        self._png: dict[int | None, bytes] = {}
        self._last: tuple[int | None, Any] | None = None

    def keep(self, page: int | None, gray: Any) -> None:
        import cv2

        ok, buf = cv2.imencode(".png", gray)
        if ok:
            self._png[page] = buf.tobytes()
            if self._last is not None and self._last[0] == page:
                self._last = None

    def get(self, page: int | None) -> Any:
        if self._last is not None and self._last[0] == page:
            return self._last[1]
        data = self._png.get(page)
        if data is None:
            return None
        import cv2
        import numpy as np

        gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
        self._last = (page, gray)
        return gray

    def __len__(self) -> int:
        return len(self._png)


@dataclass(frozen=True)
class Reading:
    text: str
    score: float
    how: str  # first | stretched | binarised


# --- crops ----------------------------------------------------------------------------

def _crop(gray: Any, box: list[float] | tuple[float, ...]) -> Any | None:
    """The box with some paper around it (more to the left, where a sign stands), its
    contrast stretched between the darkest ink and the paper, and the cell's rules —
    strokes across nearly the whole crop — whitened so they are not read as a 1."""
    import numpy as np

    x0, y0, x1, y1 = (float(v) for v in box)
    h = max(y1 - y0, 4.0)
    H, W = gray.shape[:2]
    top, bottom = max(0, int(y0 - 0.25 * h)), min(H, int(y1 + 0.25 * h) + 1)
    left, right = max(0, int(x0 - 0.6 * h)), min(W, int(x1 + 0.3 * h) + 1)
    if bottom - top < 4 or right - left < 4:
        return None
    c = gray[top:bottom, left:right].astype(np.float32)
    paper = float(np.percentile(c, 90))
    darkest = float(np.percentile(c, 1))
    if paper - darkest < 8:
        return None  # nothing printed here
    s = np.clip((c - darkest) / (paper - darkest) * 255.0, 0, 255)
    dark = s < 128
    s[:, dark.mean(axis=0) > 0.85] = 255
    s[dark.mean(axis=1) > 0.85, :] = 255
    return s.astype(np.uint8)


def _variants(crop: Any) -> list[tuple[str, Any]]:
    import cv2

    up = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    smooth = cv2.GaussianBlur(up, (0, 0), 1.2)
    _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return [("stretched", up), ("binarised", binary)]


def reread(pages: Pages, boxes: list[tuple[int | None, list[float]]]) -> list[list[Reading]]:
    """Second readings of each (page, box): one per preprocessing of its crop."""
    import cv2

    from .ocr import _get_engine

    engine = _get_engine()
    out: list[list[Reading]] = []
    for page, box in boxes:
        gray = pages.get(page)
        crop = _crop(gray, box) if gray is not None else None
        found: list[Reading] = []
        for how, img in _variants(crop) if crop is not None else []:
            res = engine(cv2.cvtColor(img, cv2.COLOR_GRAY2RGB), use_det=False, use_cls=False, use_rec=True)
            txts, scores = getattr(res, "txts", None), getattr(res, "scores", None)
            if txts and scores:
                found.append(Reading(str(txts[0]).strip(), float(scores[0]), how))
        out.append(found)
    return out


def sign_before(gray: Any, box: list[float] | tuple[float, ...]) -> str:
    """What stands just left of the digits in the box: "minus" (a stroke wider than tall,
    as dark as the digits, at their mid-height, within a digit's height of the first),
    "none" (paper there), or "unclear" (something faint that may be a worn minus). The
    crop is binarised by its own histogram (Otsu), so a faint minus on a faded scan counts."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = (float(v) for v in box)
    h = max(y1 - y0, 4.0)
    H, W = gray.shape[:2]
    top, bottom = max(0, int(y0 - 0.1 * h)), min(H, int(y1 + 0.1 * h) + 1)
    left, right = max(0, int(x0 - 1.2 * h)), min(W, int(x1) + 1)
    c = gray[top:bottom, left:right]
    if c.size == 0 or float(c.max()) - float(c.min()) < 16:
        return "none"
    c = cv2.GaussianBlur(c, (0, 0), 0.8)
    _, dark = cv2.threshold(c, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    dark[:, dark.mean(axis=0) > 0.8] = 0  # a cell's vertical rule
    dark[dark.mean(axis=1) > 0.6, :] = 0  # a horizontal one
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    comps = [tuple(int(v) for v in stats[k][:5]) for k in range(1, count)]
    if not comps:
        return "none"
    tallest = max(s[3] for s in comps)
    digits = [s for s in comps if s[3] >= 0.5 * tallest and s[3] >= 0.3 * h]
    if not digits:
        return "none"
    first = min(s[0] for s in digits)
    d_top = min(s[1] for s in digits)
    d_h = max(s[1] + s[3] for s in digits) - d_top
    paper = float(np.percentile(c, 90))
    ink = float(c[dark.astype(bool)].mean())
    for k, (x, y, w, hh, area) in enumerate(comps, start=1):
        mid = y + hh / 2
        if (x + w <= first + 1 and first - (x + w) <= 0.8 * d_h and hh <= 0.35 * d_h
                and max(2.0, 0.15 * d_h) <= w <= 1.6 * d_h and w >= 1.1 * hh and area >= max(5.0, 0.5 * w * hh)
                and d_top + 0.3 * d_h <= mid <= d_top + 0.75 * d_h
                # As dark as the digits' strokes: a speck of noise is paler.
                and float(c[labels == k].mean()) <= ink + 0.5 * (paper - ink)):
            return "minus"
    # A worn minus the smoothing joined to the first digit: the digit's leftmost columns
    # hold only a thin stroke at mid-height.
    k = next(k for k, s_ in enumerate(comps, start=1) if s_[0] == first and s_ in digits)
    mask = labels == k
    thin = 0
    for col in range(first, first + int(0.6 * d_h)):
        ys = np.nonzero(mask[:, col])[0] if col < mask.shape[1] else []
        if len(ys) == 0 or ys[-1] - ys[0] + 1 > 0.35 * d_h or not d_top + 0.25 * d_h <= (ys[0] + ys[-1]) / 2 <= d_top + 0.8 * d_h:
            break
        thin += 1
    if thin >= max(2, 0.2 * d_h):
        return "unclear"
    # Where a minus would stand: a patch (3 × 5 pixels, so that noise averages out) clearly
    # darker than the paper leaves it open.
    patch = cv2.blur(c.astype(np.float32), (5, 3))
    band = patch[max(0, int(d_top + 0.25 * d_h)):int(d_top + 0.8 * d_h) + 1, max(0, int(first - 0.8 * d_h)):max(0, first - 2)]
    if band.size and float(band.min()) < paper - max(6.0, 0.2 * (paper - ink)):
        return "unclear"
    return "none"


# --- settling the figures -------------------------------------------------------------

@dataclass
class _Doubt:
    cid: str
    readings: list[Reading]
    candidates: list[Number]  # distinct values read, most supported first
    # The values read with confidence: only these may settle the figure.
    options: list[Number] = field(default_factory=list)


def _number(text: str, unit: str, printed_in: str | None) -> Number | None:
    fig = parse_figure(text, unit, printed_in)
    return fig.number if fig.state in ("value", "dash") else None


def _values(readings: list[Reading], unit: str, printed_in: str | None, negative: bool,
            floor: float) -> dict[Number, float]:
    """Each value read (at least `floor` confident) with its summed confidence; in a
    signed column the sign comes from `negative`, not from each reading."""
    out: dict[Number, float] = {}
    for r in readings:
        if r.score < floor:
            continue
        n = _number(r.text, unit, printed_in)
        if n is None:
            continue
        if unit == "signed_count":
            n = -abs(n) if negative else abs(n)
        out[n] = out.get(n, 0.0) + r.score
    return out


def _holds(ident: IdentityInstance, value: dict[str, Number]) -> bool:
    return sum(value[c] for c in ident.left) == sum(value[c] for c in ident.right)


def confirm_readings(report: Report, doc: Document) -> None:
    """Check the figures a scan's recogniser read against the edition's identities, read
    again those the arithmetic cannot vouch for, and leave in doubt (missing, with
    candidates) any that no confident, consistent reading settles."""
    pages = getattr(doc, "pages", None)
    ed = report.edition_obj
    if pages is None or not len(pages) or ed is None:
        return
    from ..report import Value

    cells = report.cells
    read = {cid: v for cid, v in cells.items()
            if v.source and "box" in v.source and v.raw and v.state in ("value", "dash", "missing")
            and _number(v.raw, ed.cells[cid].unit, ed.cells[cid].column.printed_in) is not None}
    if not read:
        return
    member: dict[str, list[IdentityInstance]] = {}
    for ident in ed.identities:
        for c in (*ident.left, *ident.right):
            member.setdefault(c, []).append(ident)

    def known(cid: str) -> Number | None:
        return cells[cid].number

    evaluable = [i for i in ed.identities if all(known(c) is not None for c in (*i.left, *i.right))]
    failing = {id(i) for i in evaluable if not _holds(i, {c: known(c) for c in (*i.left, *i.right)})}  # type: ignore[misc]
    checked = {c for i in evaluable for c in (*i.left, *i.right)}
    due = [cid for cid, v in read.items()
           if v.state == "missing" or (v.source or {}).get("confidence", 1.0) < SURE or cid not in checked
           or ed.cells[cid].unit == "signed_count" or any(id(i) in failing for i in member.get(cid, ()))]
    again = reread(pages, [(page_key(read[c].source or {}), read[c].source["box"]) for c in due])  # type: ignore[index]
    readings: dict[str, list[Reading]] = {}
    for cid, extra in zip(due, again, strict=True):
        v = read[cid]
        readings[cid] = [Reading(v.raw or "", float((v.source or {}).get("confidence", 1.0)), "first"), *extra]
    # Cells the scan shows blank (paper where the table's other rows have figures) are
    # readings too: a blank that alone breaks the identities is in doubt like a figure.
    for cid, v in cells.items():
        if v.state == "blank" and v.source and "box" in v.source:
            readings[cid] = [Reading("", float(v.source.get("confidence", 1.0)), "first")]

    value: dict[str, Number] = {}
    doubts: dict[str, _Doubt] = {}
    for cid, v in cells.items():
        if cid not in readings or v.state == "blank":
            if v.number is not None:
                value[cid] = v.number
            continue
        cdef = ed.cells[cid]
        rs = readings[cid]
        negative = False
        if cdef.unit == "signed_count":
            gray = pages.get(page_key(v.source or {}))
            sign = sign_before(gray, (v.source or {})["box"]) if gray is not None else "unclear"
            seen = any(r.score >= MINUS_SEEN and r.text.lstrip().startswith(_MINUS) for r in rs)
            negative = sign == "minus" or seen
            if sign == "unclear" and not seen:
                # A worn minus or a speck: both signs stay candidates, the figure in doubt.
                both = {**_values(rs, cdef.unit, cdef.column.printed_in, False, CANDIDATE),
                        **_values(rs, cdef.unit, cdef.column.printed_in, True, CANDIDATE)}
                doubts[cid] = _Doubt(cid, rs, sorted(both, key=lambda n: (-both[n], n)))
                continue
        cands = _values(rs, cdef.unit, cdef.column.printed_in, negative, CANDIDATE)
        votes = sum(1 for r in rs if r.score >= CANDIDATE and _number(r.text, cdef.unit, cdef.column.printed_in) is not None)
        if len(cands) == 1 and votes >= 2 and max(r.score for r in rs) >= CONFIDENT:
            value[cid] = next(iter(cands))  # every reading worth counting says the same
            continue
        confident = _values(rs, cdef.unit, cdef.column.printed_in, negative, CONFIDENT)
        doubts[cid] = _Doubt(cid, rs, sorted(cands, key=lambda n: -cands[n]),
                             sorted(confident, key=lambda n: -confident[n]))

    value.update(_settle(ed, value, doubts))
    # Figures read with confidence that break identities which one of them explains.
    for cid, n in _explained(ed, value, readings).items():
        if n is None:
            rs = readings.get(cid, [])
            cdef = ed.cells[cid]
            cands = _values(rs, cdef.unit, cdef.column.printed_in, (value.get(cid) or 0) < 0, CANDIDATE)
            doubts[cid] = _Doubt(cid, rs, list(cands) or [value[cid]])
            del value[cid]
        else:
            value[cid] = n

    for cid in readings:
        v = cells[cid]
        if cid in value:
            n = value[cid]
            how = next((r.how for r in readings[cid] if r.how != "first"
                        and _number(r.text, ed.cells[cid].unit, ed.cells[cid].column.printed_in) in (n, -n)), None)
            if v.number != n or v.state == "missing":
                src = {**(v.source or {}), "reread": how or "identity"}
                if n < 0 and not any(r.text.lstrip().startswith(_MINUS) for r in readings[cid]):
                    src["minus"] = "pixels"  # no reading had it: seen left of the digits
                cells[cid] = Value("value", n, v.raw, src)
            continue
    for cid, d in doubts.items():
        if cid in value:
            continue
        v = cells[cid]
        cells[cid] = Value("missing", None, v.raw, v.source,
                           note="识别结果无法确认（再次识别与表内勾稽关系均不能确定），请对照原件核实")
        report.uncertain.append({"cells": [cid], "raw": v.raw or "空白", "reason": "ocr",
                                 "candidates": [[_plain(n)] for n in d.candidates],
                                 "readings": [{"text": r.text, "confidence": round(r.score, 3), "how": r.how}
                                              for r in d.readings],
                                 "source": v.source})


def _plain(n: Number) -> Any:
    from decimal import Decimal

    return format(n, "f") if isinstance(n, Decimal) else n


def _settle(ed: Edition, value: dict[str, Number], doubts: dict[str, _Doubt]) -> dict[str, Number]:
    """Values for figures in doubt that the identities fix: within each group of such
    figures linked by identities (whose other cells are all known), the assignments of
    their candidate values under which every one of those identities holds; a figure is
    settled when all such assignments give it the same value."""
    open_ = {c for c, d in doubts.items() if d.options}
    usable = [i for i in ed.identities
              if all(c in value or c in open_ for c in (*i.left, *i.right))
              and any(c in open_ for c in (*i.left, *i.right))]
    groups: list[tuple[set[str], list[IdentityInstance]]] = []
    for ident in usable:
        mine = {c for c in (*ident.left, *ident.right) if c in open_}
        joined = [g for g in groups if g[0] & mine]
        for g in joined:
            groups.remove(g)
            mine |= g[0]
        groups.append((mine, [ident, *(i for g in joined for i in g[1])]))
    out: dict[str, Number] = {}
    for members, idents in groups:
        order = sorted(members)
        options = [doubts[c].options for c in order]
        size = 1
        for o in options:
            size *= max(len(o), 1)
        if size > MAX_ASSIGNMENTS:
            continue
        fits: list[tuple[Number, ...]] = []
        trial = dict(value)
        for combo in itertools.product(*options):
            trial.update(zip(order, combo, strict=True))
            if all(_holds(i, trial) for i in idents):
                fits.append(combo)
        for k, cid in enumerate(order):
            chosen = {f[k] for f in fits}
            if len(chosen) == 1:
                out[cid] = chosen.pop()
    return out


def _explained(ed: Edition, value: dict[str, Number], readings: dict[str, list[Reading]]) -> dict[str, Number | None]:
    """Identities that still fail with every figure settled: a figure read by OCR that
    alone explains them — it stands in at least two, all failing and all asking the same
    value of it, and no other figure does — is in doubt (None), unless one of its readings
    is that value (then the value). A single failing identity with no such figure is the
    report's own (the agency printed it so)."""
    evaluable = [i for i in ed.identities if all(c in value for c in (*i.left, *i.right))]
    failed = [i for i in evaluable if not _holds(i, value)]
    if not failed:
        return {}
    by_cell: dict[str, list[IdentityInstance]] = {}
    for i in evaluable:
        for c in (*i.left, *i.right):
            by_cell.setdefault(c, []).append(i)
    out: dict[str, Number | None] = {}
    for cid, idents in by_cell.items():
        if cid not in readings or len(idents) < 2 or not all(i in failed for i in idents):
            continue
        asked = set()
        for i in idents:
            diff = sum(value[c] for c in i.left) - sum(value[c] for c in i.right)
            asked.add(value[cid] - diff if cid in i.left else value[cid] + diff)
        if len(asked) != 1:
            continue
        n = asked.pop()
        cdef = ed.cells[cid]
        seen = {_number(r.text, cdef.unit, cdef.column.printed_in) for r in readings[cid] if r.score >= CONFIDENT}
        out[cid] = n if n in seen else None
    # Two figures explaining the same failures: neither is named.
    explained = [frozenset(id(i) for i in by_cell[c]) for c in out]
    return {c: n for c, n in out.items() if explained.count(frozenset(id(i) for i in by_cell[c])) == 1}
