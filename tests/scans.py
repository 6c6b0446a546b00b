"""Scans made from clean PDFs, as agencies and researchers produce them: pages rendered at
150 dpi, then degraded — noise and blur (a flatbed scanner), or a phone scanner's slight
perspective, uneven light and JPEG. Deterministic for a given seed, so that a test and the
accuracy bench see the same pixels."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from ogi.corpus.truth import Truth
from ogi.report import Report, Value

DPI = 150


def render_pages(pdf: bytes, pages: Sequence[int] | None = None, dpi: int = DPI) -> list[Image.Image]:
    """The (1-based) pages of a PDF as grey images at `dpi`."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        numbers = list(pages) if pages is not None else list(range(1, len(doc) + 1))
        return [doc[p - 1].render(scale=dpi / 72).to_pil().convert("L") for p in numbers]
    finally:
        doc.close()


def scanner(img: Image.Image, seed: int = 1, noise: float = 10.0, blur: float = 0.8) -> Image.Image:
    """A flatbed scan: the page slightly blurred, grey paper, sensor noise."""
    rng = np.random.default_rng(seed)
    page = img.convert("L").filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(page, dtype=np.float32) * 0.92 + 8  # ink is never black nor paper white
    a += rng.normal(0, noise, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def faded(img: Image.Image, seed: int = 1, fade: float = 0.4, noise: float = 16.0, blur: float = 1.2) -> Image.Image:
    """A worn copy scanned again: grey ink (at `fade` of its darkness), blur and heavy
    noise — where the recogniser drops faint minus signs and misreads digits."""
    page = img.convert("L").filter(ImageFilter.GaussianBlur(blur))
    a = 255 - (255 - np.asarray(page, dtype=np.float32)) * fade
    a += np.random.default_rng(seed).normal(0, noise, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def phone(img: Image.Image, seed: int = 1) -> Image.Image:
    """A phone scanner: the page photographed slightly off-axis (perspective, a small
    turn), lit from one side, blurred a little and noisy; the app's JPEG comes after."""
    rnd = random.Random(seed)
    w, h = img.size
    # Corners moved by up to 1.2 % of the page: what a phone app leaves after its own crop.
    d = [rnd.uniform(-0.012, 0.012) * s for s in (w, h) * 4]
    quad = (d[0], d[1], d[2], h + d[3], w + d[4], h + d[5], w + d[6], d[7])  # UL, LL, LR, UR
    page = img.convert("L").transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=255)
    page = page.rotate(rnd.uniform(-0.8, 0.8), Image.Resampling.BICUBIC, fillcolor=255)
    a = np.asarray(page.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32)
    # Light falling off from one corner: the far side of the page at 65 % of the near one.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - 0.35 * (xx / w * rnd.uniform(0.4, 1.0) + yy / h * rnd.uniform(0.4, 1.0)) / 2
    a = a * light * 0.95 + 6
    a += np.random.default_rng(seed).normal(0, 6, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def to_pdf(images: Sequence[Image.Image], dpi: int = DPI, quality: int = 70) -> bytes:
    """Images as a PDF of JPEG pages, as scanner software saves them."""
    buf = io.BytesIO()
    rgb = [i.convert("RGB") for i in images]
    rgb[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=rgb[1:], quality=quality)
    return buf.getvalue()


def scanned_pdf(pdf: bytes, kind: str = "scanner", pages: Sequence[int] | None = None, seed: int = 1) -> bytes:
    """A clean PDF as a scan of the given kind (`scanner`, `faded` or `phone`)."""
    degrade = {"scanner": scanner, "faded": faded, "phone": phone}[kind]
    return to_pdf([degrade(img, seed + i) for i, img in enumerate(render_pages(pdf, pages))],
                  quality={"scanner": 80, "faded": 60, "phone": 65}[kind])


# --- a 2019-edition report with signed 本年增/减 -----------------------------------------

# Figures for a 2019-edition report (the official format of 2019–2020): table 二 with
# decreases (本年增/减 −18, −15, −3), table 三 consistent in every identity, table 四 too.
SIGNED_ACTIVE = {
    "regulations": [2, 1, 17], "normative": [14, 12, 137],
    "licensing": [52, -18, 3071], "other_services": [27, 4, 1542],
    "penalty": [36, -15, 717], "coercion": [9, 0, 45], "fees": [12, -3],
}
SIGNED_REQUESTS = {
    "new": [41, 5, 0, 0, 0, 1, 47], "carried_in": [3, 0, 0, 0, 0, 0, 3],
    "granted": [27, 3, 0, 0, 0, 1, 31], "partial": [4, 0, 0, 0, 0, 0, 4],
    "unavailable.not_held": [7, 1, 0, 0, 0, 0, 8], "not_processed.duplicate": [2, 0, 0, 0, 0, 0, 2],
    "other": [1, 0, 0, 0, 0, 0, 1], "processed_total": [41, 4, 0, 0, 0, 1, 46], "carried_out": [3, 1, 0, 0, 0, 0, 4],
}
SIGNED_APPEALS = [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def signed_report(seed: Path) -> Report:
    """The 2020 report of `seed` (a 2019-edition text report) with the figures above, as
    ogi's writers print it: the report ogi renders is the truth of its scans."""
    from ogi.checks import check
    from ogi.ingest.load import load_report

    r = load_report(seed)
    ed = r.edition_obj
    assert ed is not None
    for table, rows in (("active", SIGNED_ACTIVE), ("requests", SIGNED_REQUESTS)):
        for cdef in ed.cells.values():
            if cdef.table != table or cdef.row.key == "procurement":
                continue
            line = [c.id for c in ed.cells.values() if c.table == table and c.row.key == cdef.row.key]
            n = rows.get(cdef.row.key, [0] * len(line))[line.index(cdef.id)]
            r.cells[cdef.id] = Value("value", n, str(n))
    r.cells["active.procurement.projects"] = Value("value", 1, "1")
    for cid, n in zip([c for c in ed.cells if c.startswith("appeals.")], SIGNED_APPEALS, strict=True):
        r.cells[cid] = Value("value", n, str(n))
    r.cells["active.procurement.amount"] = Value("value", 21738, "21738元")
    assert not [f for f in check(r) if f.severity == "error"]
    return r


def signed_truth(report: Report) -> Truth:
    """The Truth (as bench/accuracy.py and the tests score) of a report ogi wrote."""
    return Truth("ogi render --to pdf", report.edition or "", report.agency, report.year,
                 report.issued_on, {cid: v.raw for cid, v in report.cells.items()}, report.published_on)
