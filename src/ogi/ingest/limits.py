"""How much one input file may cost, as data: every reader checks its figure against
these before doing the work (pages before rendering them, pixels before decoding,
bytes while inflating), and the bounded worker enforces memory and time as a last line.

Defaults are far above any real annual report (a report is 5–30 pages, a few tables of
at most 30 × 15 cells, well under 1 MB of text). They are overridden, in this order, by
the environment (`OGI_LIMIT_<NAME>=value`, e.g. `OGI_LIMIT_PDF_PAGES=50`), by Django's
setting `OGI_LIMITS` (a dict) for the web app, and by `ogi … --limit name=value`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from .errors import IngestError

MiB = 1024 * 1024


# What a limit may be raised to at most (seconds in a week; 1 TiB of address space).
_CEILINGS = {"timeout_s": 7 * 86400, "memory_mb": 1 << 20}
# …and at least (MB: below this the reading process cannot load its own codecs, and a GBK
# file failed as an internal error).
_FLOORS = {"memory_mb": 128}


@dataclass(frozen=True)
class Limits:
    # Any input file, before it is read at all.
    file_bytes: int = 100 * MiB
    # Decoded text of a text, Markdown, HTML or JSON file.
    text_bytes: int = 16 * MiB
    # PDF: pages, and the size of one page (points²; A0 is 2384 × 3370 pt ≈ 8.0 million).
    pdf_pages: int = 300
    page_area: int = 10_000_000
    # Pixels of one image, or of one PDF page once rendered for OCR — checked from the
    # header or the page size, before any pixel is decoded.
    image_pixels: int = 50_000_000
    # Bytes a DOCX/XLSX container inflates to, counted while inflating (declared sizes are not trusted).
    unzipped_bytes: int = 128 * MiB
    # …and how much more than its compressed size (counted, from 1 MB inflated on): XML of a
    # real document packs 5–50 times; a bomb's filler, hundreds of times.
    unzip_ratio: int = 200
    # One table after rowspan/colspan expansion (rows × columns), and all tables of a file together.
    table_cells: int = 100_000
    document_cells: int = 1_000_000
    # Rows of one worksheet, counted in read-only mode before the workbook is loaded.
    xlsx_rows: int = 10_000
    # Digits of one printed figure: larger counts are findings on their cell, never arithmetic.
    number_digits: int = 15
    # Nesting of Report JSON (objects and arrays), checked before the parser recurses.
    json_depth: int = 32
    # The bounded worker (ogi.ingest.bounded): address space per reading process and wall-clock time per file.
    memory_mb: int = 3072
    timeout_s: float = 300.0

    def replace(self, **changes: Any) -> Limits:
        return dataclasses.replace(self, **changes)

    def with_overrides(self, values: Mapping[str, Any]) -> Limits:
        """These limits with some replaced; names and values are checked (ValueError in Chinese)."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for raw_name, raw in values.items():
            name = raw_name.strip().lower().replace("-", "_")
            if name not in known:
                raise ValueError(f"没有名为“{raw_name}”的限额（可用：{'、'.join(known)}）")
            kind = float if known[name].type in (float, "float") else int
            try:
                value = kind(str(raw).strip().replace("_", ""))
            except ValueError:
                raise ValueError(f"限额 {name} 的值应为数字，而不是“{raw}”") from None
            if not value > 0:  # (NaN too)
                raise ValueError(f"限额 {name} 的值应大于 0，而不是 {raw}")
            floor = _FLOORS.get(name)
            if floor is not None and value < floor:
                raise ValueError(f"限额 {name} 的值至少为 {floor}，而不是 {raw}：读取程序本身需要这些内存")
            ceiling = _CEILINGS.get(name, 10**12)
            if not value <= ceiling:  # timers and rlimits overflow past these (inf too)
                raise ValueError(f"限额 {name} 的值过大：至多 {ceiling:g}，而不是 {raw}")
            changes[name] = value
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        values = {f.name: env[f"OGI_LIMIT_{f.name.upper()}"] for f in fields(cls) if f"OGI_LIMIT_{f.name.upper()}" in env}
        # The older name of the file size limit keeps working.
        if "OGI_MAX_BYTES" in env and "file_bytes" not in values:
            values["file_bytes"] = env["OGI_MAX_BYTES"]
        return cls().with_overrides(values)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """`name=value` strings (the CLI's --limit) → a dict; ValueError in Chinese when malformed."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"限额应写作 名称=数值（如 pdf_pages=50），而不是“{item}”")
        out[name.strip()] = value.strip()
    return out


_current: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("ogi_limits", default=None)


def current() -> Limits:
    """The limits in force for the file being read (the environment's when none were set)."""
    limits = _current.get()
    if limits is None:
        limits = Limits.from_env()
        _current.set(limits)
    return limits


# Table cells of the file being read so far (document_cells); one count per `using` or `one_file`.
_cells_read: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("ogi_cells_read", default=None)


@contextmanager
def using(limits: Limits | None) -> Iterator[Limits]:
    """Read one file with these limits: readers keep their signatures and ask `current()`."""
    token = _current.set(limits or current())
    count = _cells_read.set([0])
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _cells_read.reset(count)
        _current.reset(token)


@contextmanager
def one_file() -> Iterator[None]:
    """The reading of one file: its tables' cells are counted from zero, unless a reading
    is already under way (inside `using`, or a file within a file), whose count goes on.
    (A count kept for the whole thread refused every file after some 2 500 reports read one
    after another through the library.)"""
    if _cells_read.get() is not None:
        yield
        return
    token = _cells_read.set([0])
    try:
        yield
    finally:
        _cells_read.reset(token)


def charge_cells(n: int) -> None:
    """Count a table of n cells (after span expansion) before it is built: past the limit for
    one table, or for all tables of the file together, reading stops. Outside any reading
    (a reader called on its own) only the table is judged."""
    lim = current()
    if n > lim.table_cells:
        raise exceeded("table_cells", "表格过大", f"展开合并单元格后有 {n} 个单元格", f"{lim.table_cells} 个", n,
                       lim.table_cells)
    seen = _cells_read.get()
    if seen is None:
        return
    seen[0] += n
    if seen[0] > lim.document_cells:
        raise exceeded("document_cells", "文件中的表格过多", f"合计超过 {lim.document_cells} 个单元格",
                       f"{lim.document_cells} 个", seen[0], lim.document_cells)


def pixels_zh(n: float) -> str:
    return f"{n / 10000:.0f} 万像素" if n >= 100000 else f"{n:.0f} 像素"


def exceeded(name: str, what_zh: str, figure_zh: str, limit_zh: str, figure: Any, limit: Any,
             code: str = "too_large") -> IngestError:
    """The error past a limit: what is too large, the file's figure and the limit, both
    languages; the error's `limit` names the limit so that it can be raised (--limit). The
    Chinese does not name it: a web page's user has no setting to change; the command line
    adds it (cli.common.complain)."""
    return IngestError(
        code,
        f"{what_zh}：{figure_zh}，上限 {limit_zh}",
        f"limit {name} exceeded: {figure} (limit {limit})",
        limit=name,
    )


def mb(n: float) -> str:
    """A byte count as people read it."""
    if n < 1024:
        return f"{n:.0f} 字节"
    if n < 0.1 * MiB:  # (it would read 0.0 MB)
        return f"{n / 1024:.1f} KB"
    return f"{n / MiB:.1f} MB" if n < 10 * MiB else f"{n / MiB:.0f} MB"
