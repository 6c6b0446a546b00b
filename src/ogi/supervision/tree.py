"""The region's tree: every agency a supervising office follows, with its parent, kind,
level and the other names it prints. Imported from a spreadsheet (XLSX or CSV) that an
office keeps anyway; every problem of the sheet is reported, in Chinese, row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..checks.metadata import due_date
from ..fileio import os_reason, read_input
from ..ingest.load import decode_text

KINDS = {"government": "人民政府", "department": "部门"}
LEVELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇级"}
LEVEL_ORDER = tuple(LEVELS)
# What a sheet may write in each column (the first of each list is the column's name).
COLUMNS = {
    "name": ("机关名称", "名称", "机关", "name"),
    "parent": ("上级机关", "上级", "parent"),
    "kind": ("类别", "机关类别", "kind"),
    "level": ("层级", "级别", "level"),
    "aliases": ("其他名称", "别名", "aliases"),
}
_KIND_WORDS = {"人民政府": "government", "政府": "government", "government": "government",
               "部门": "department", "department": "department"}
_LEVEL_WORDS = {"省": "province", "省级": "province", "province": "province",
                "市": "city", "市级": "city", "地级": "city", "city": "city",
                "县": "county", "县级": "county", "区县": "county", "county": "county",
                "乡": "township", "镇": "township", "乡镇": "township", "乡镇级": "township", "街道": "township",
                "township": "township"}
_ALIAS_SPLIT = re.compile(r"[;；,，、|\n]+")
MAX_ROWS = 20000  # a province has a few thousand agencies; more is not a tree of agencies


@dataclass
class Agency:
    name: str
    kind: str  # government | department
    level: str  # province | city | county | township
    parent: str | None = None  # the parent's name
    aliases: tuple[str, ...] = ()

    def deadline(self, year: int) -> dt.date:
        """The last day to publish the report on `year` (rules.md metadata.date)."""
        return _deadline(year, self.kind, self.level)

    @property
    def kind_zh(self) -> str:
        return KINDS[self.kind]

    @property
    def level_zh(self) -> str:
        return LEVELS[self.level]


@lru_cache(maxsize=256)
def _deadline(year: int, kind: str, level: str) -> dt.date:
    # A region's thousands of agencies share a handful of (year, kind, level).
    return due_date(year, kind, level)


@dataclass
class Problem:
    row: int | None  # row of the sheet, counted as the spreadsheet shows it (header = 1)
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message_zh}" if self.row else self.message_zh


@dataclass
class Region:
    agencies: dict[str, Agency] = field(default_factory=dict)  # by name, in the sheet's order

    def __len__(self) -> int:
        return len(self.agencies)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies.values())

    def __getitem__(self, name: str) -> Agency:
        return self.agencies[name]

    def children(self, name: str | None) -> list[Agency]:
        return [a for a in self.agencies.values() if a.parent == name]

    def siblings(self, name: str) -> list[Agency]:
        parent = self.agencies[name].parent
        return [a for a in self.children(parent) if a.name != name]

    def subtree(self, name: str) -> list[Agency]:
        """The agency and everything below it: what its supervisor sees."""
        out, frontier = [self.agencies[name]], [name]
        while frontier:
            frontier = [a.name for n in frontier for a in self.children(n)]
            out += [self.agencies[n] for n in frontier]
        return out

    def add(self, agency: Agency) -> None:
        self.agencies[agency.name] = agency


class TreeError(ValueError):
    """The sheet cannot be used at all (no name column, unreadable file)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en


def _cell(v: object) -> str:
    return "" if v is None else re.sub(r"\s+", " ", str(v)).strip()


def _rows_from_bytes(data: bytes, name: str) -> list[list[str]]:
    if data.startswith(b"PK\x03\x04"):
        import openpyxl

        from ..ingest.docx import check_zip

        check_zip(data)  # refuses a decompression bomb before openpyxl unpacks it
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a damaged workbook
            what = ("是 Word 文档，不是 Excel 工作簿" if b"word/" in data[:4096]
                    else "文件已损坏或不是 Excel 工作簿（.xlsx）")
            raise TreeError(f"无法打开机关名录：{what}", f"cannot open the workbook: {e}") from None
        ws = wb.worksheets[0]
        out = []
        for row in ws.iter_rows(values_only=True):
            out.append([_cell(v) for v in row])
            if len(out) > MAX_ROWS + 1:
                break
        wb.close()
        return out
    text = decode_text(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)][: MAX_ROWS + 2]


MAX_TREE_FILE = 50 * 1024**2  # a list of agencies: a province's is a few MB


def load_region(path: str | Path) -> tuple[Region, list[Problem]]:
    """A region from an XLSX or CSV file; rows with problems are left out and reported."""
    p = Path(path)
    try:
        data = read_input(p, MAX_TREE_FILE)
    except OSError as e:
        raise TreeError(f"无法读取机关名录文件：{os_reason(e)}", f"cannot read {p}: {e}") from None
    return parse_region(data, p.name)


def parse_region(data: bytes, name: str = "") -> tuple[Region, list[Problem]]:
    from ..ingest.errors import IngestError

    try:
        rows = _rows_from_bytes(data, name)
    except IngestError as e:
        raise TreeError(e.message_zh, e.message_en) from None
    rows = [r for r in rows if any(r)]
    if not rows:
        raise TreeError("机关名录为空", "the sheet is empty")
    header = rows[0]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h.lower() in names:
                index.setdefault(key, i)
    if "name" not in index:
        raise TreeError(f"第一行应为列名，且须有“{COLUMNS['name'][0]}”列（另可有：上级机关、类别、层级、其他名称）",
                        "the first row must name the columns, with a 机关名称 column")
    if len(rows) > MAX_ROWS + 1:
        raise TreeError(f"机关名录超过 {MAX_ROWS} 行", f"more than {MAX_ROWS} rows")
    records = [(n, {k: (r[i] if i < len(r) else "") for k, i in index.items()}) for n, r in enumerate(rows[1:], start=2)]
    return build_region(records)


def build_region(records: Iterable[tuple[int | None, dict[str, str]]]) -> tuple[Region, list[Problem]]:
    """Validate rows {name, parent, kind, level, aliases} into a Region."""
    problems: list[Problem] = []
    region = Region()
    seen_alias: dict[str, str] = {}
    pending: list[tuple[int | None, Agency]] = []
    for row, rec in records:
        name = rec.get("name", "").strip()
        if not name:
            problems.append(Problem(row, "缺少机关名称", "no agency name"))
            continue
        if name in region.agencies:
            problems.append(Problem(row, f"机关“{name}”重复出现，只取第一次", f"duplicate agency {name!r}"))
            continue
        kind_text = rec.get("kind", "").strip()
        kind = _KIND_WORDS.get(kind_text.lower()) if kind_text else ("government" if name.endswith("人民政府") else "department")
        if kind is None:
            problems.append(Problem(row, f"“{name}”的类别“{kind_text}”无法识别（应为：人民政府 或 部门）",
                                    f"unknown kind {kind_text!r}"))
            continue
        level_text = rec.get("level", "").strip()
        level = _LEVEL_WORDS.get(level_text.lower()) if level_text else None
        if level is None:
            problems.append(Problem(row, f"“{name}”的层级“{level_text}”无法识别（应为：省级、市级、县级 或 乡镇级）"
                                    if level_text else f"“{name}”缺少层级（省级、市级、县级 或 乡镇级）",
                                    f"unknown or missing level {level_text!r}"))
            continue
        aliases = []
        for alias in _ALIAS_SPLIT.split(rec.get("aliases", "")):
            alias = alias.strip()
            if not alias or alias == name or alias in aliases:
                continue
            other = seen_alias.get(alias)
            if other is not None and other != name:
                problems.append(Problem(row, f"其他名称“{alias}”已属于“{other}”，不能同时属于“{name}”，已忽略",
                                        f"alias {alias!r} already belongs to {other!r}"))
                continue
            seen_alias[alias] = name
            aliases.append(alias)
        agency = Agency(name, kind, level, rec.get("parent", "").strip() or None, tuple(aliases))
        region.add(agency)
        pending.append((row, agency))
    for row, agency in pending:
        if agency.name in seen_alias and seen_alias[agency.name] != agency.name:
            problems.append(Problem(row, f"“{agency.name}”同时是“{seen_alias[agency.name]}”的其他名称，请核对",
                                    f"{agency.name!r} is also an alias of {seen_alias[agency.name]!r}"))
        if agency.parent is not None and agency.parent not in region.agencies:
            problems.append(Problem(row, f"“{agency.name}”的上级机关“{agency.parent}”不在名录中，按无上级处理",
                                    f"parent {agency.parent!r} not in the sheet"))
            agency.parent = None
    for row, agency in pending:
        # A loop (A under B under A) would make a subtree endless: cut at the row that closes it.
        seen, cur = {agency.name}, agency.parent
        while cur is not None:
            if cur in seen:
                problems.append(Problem(row, f"“{agency.name}”的上级关系形成循环，按无上级处理",
                                        f"the parents of {agency.name!r} form a loop"))
                agency.parent = None
                break
            seen.add(cur)
            cur = region.agencies[cur].parent
    return region, problems
