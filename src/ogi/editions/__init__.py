"""The national report formats ("editions"), loaded from their declarative files.

Everything the rest of ogi knows about rows, columns, labels, units, identities, the
applicant categories and the kinds of document and case comes from here. An edition is a
file `e*.yaml`: the ones beside this module, and those in each folder named by the
environment variable OGI_EDITIONS_DIR (several joined by os.pathsep), read once per
process for each value of the variable. A future format is a new file; no code changes.

An edition is in force from its first year to its last, or — declared without a last year
— until a later edition begins; the current edition is the latest without a last year.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..yamlfile import load_cached

EDITIONS_DIR_ENV = "OGI_EDITIONS_DIR"
FILE_PATTERN = "e*.yaml"
# What a column of the register counts about a document in the report's year.
REGISTER_FACTS = ("issued", "repealed", "in_force")


class EditionError(ValueError):
    """An edition file that cannot be used; the message (Chinese) names the file and why."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = "count"  # count | signed_count | yuan
    printed_in: str | None = None  # None | "万元" | "cell" (unit written in the cell)
    group: str | None = None
    variants: tuple[str, ...] = ()
    equivalents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    parents: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    equivalents: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellDef:
    id: str
    table: str
    row: Row
    column: Column

    @property
    def unit(self) -> str:
        return self.column.unit


@dataclass(frozen=True)
class PrintedLine:
    """One line of figures as the template prints it: a labelled row, or for a
    transposed block the single line holding every figure."""

    table: str
    row: Row | None
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    table: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    heading: str | None = None
    corner: str | None = None
    note: str | None = None
    headers: tuple[str, ...] = ()
    transposed: bool = False

    def cell_id(self, row: Row, column: Column) -> str:
        return f"{self.table}.{row.key}.{column.key}"

    def printed_lines(self) -> list[PrintedLine]:
        if self.transposed:
            ids = tuple(self.cell_id(r, c) for r in self.rows for c in self.columns)
            return [PrintedLine(self.table, None, ids)]
        return [
            PrintedLine(self.table, r, tuple(self.cell_id(r, c) for c in self.columns))
            for r in self.rows
        ]

    def header_labels(self) -> list[str]:
        """Every label printed in the block's header area, in template order."""
        out = [x for x in (self.heading, self.note, self.corner) if x]
        out += list(self.headers)
        out += [c.label for c in self.columns]
        if self.transposed:
            out += [r.label for r in self.rows]
        return out


@dataclass(frozen=True)
class Table:
    key: str
    number: str
    section: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    title: str
    equivalents: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """As the template prints it: 一、总体情况."""
        return f"{self.number}、{self.title}"


@dataclass(frozen=True)
class Records:
    """How the agency's own records are counted into the tables (ogi.records.compile).

    A request is counted in table `requests_table` under its applicant's column (one of
    `applicants`); a document of the register in its row (`register_rows`) of
    `register_table`, each column counting one fact about it (`register_columns`: column →
    issued | repealed | in_force); a case of `cases_table` in its kind's row (`case_kinds`),
    under its result (`case_results`) once decided and under `case_pending` before."""

    requests_table: str
    applicants: tuple[str, ...]
    register_table: str
    register_rows: tuple[str, ...]
    register_columns: tuple[tuple[str, str], ...]
    cases_table: str
    case_kinds: tuple[str, ...]
    case_results: tuple[str, ...]
    case_pending: str


@dataclass(frozen=True)
class IdentityInstance:
    """One concrete identity: sum(left) = sum(right) over cell ids."""

    rule: str
    table: str
    each: str  # "row" or "column"
    key: str  # the row or column it holds in
    left: tuple[str, ...]
    right: tuple[str, ...]
    total: str | None  # the total cell, when the identity is total = parts


@dataclass(frozen=True)
class InequalityInstance:
    """sum(left) <= sum(right); an empty side is 0."""

    rule: str
    table: str
    key: str
    left: tuple[str, ...]
    right: tuple[str, ...]


# Editions are singletons (load_edition caches them), so identity is equality; hashing by
# identity keeps the per-edition caches cheap.
@dataclass(frozen=True, eq=False)
class Edition:
    id: str
    title: str
    document: str
    first_year: int
    last_year: int | None
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    identities: tuple[IdentityInstance, ...]
    inequalities: tuple[InequalityInstance, ...]
    roles: dict[str, Any] = field(hash=False, compare=False)
    records: Records
    overview_length_guidance: int | None = None
    file: str = ""  # where it was read from, for messages

    @property
    def name(self) -> str:
        return f"{self.title}（{self.document}）"

    @property
    def cells(self) -> dict[str, CellDef]:
        return _cells(self)

    @property
    def cell_ids(self) -> list[str]:
        return list(self.cells)

    def table_cells(self, key: str) -> tuple[str, ...]:
        """The cell ids of one of the edition's tables, in order."""
        return _table_cells(self)[key]

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    # How people name a cell: the edition's own table, row and column labels.

    def place(self, cell_id: str) -> dict[str, str]:
        """Section number, table title, row and column labels of a cell, as printed."""
        return _place(self, cell_id)

    def cell_zh(self, cell_id: str) -> str:
        w = _place(self, cell_id)
        return f"表{w['section']}「{w['row']}」行「{w['column']}」列"

    def cells_zh(self, cell_ids: list[str], limit: int = 4) -> str:
        """Several cells named briefly: grouped by row, the columns listed once per row."""
        rows: dict[tuple[str, str], list[str]] = {}
        for cid in cell_ids:
            w = _place(self, cid)
            rows.setdefault((w["section"], w["row"]), []).append(w["column"])
        parts = []
        for (section, row), cols in rows.items():
            shown = "」「".join(cols[:limit]) + ("」等" if len(cols) > limit else "」")
            parts.append(f"表{section}「{row}」行「{shown}列")
        return "；".join(parts)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def printed_lines(self) -> list[PrintedLine]:
        return list(_printed_lines(self))

    def covers(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def role(self, name: str) -> Any:
        return self.roles.get(name)

    def row(self, table: str, key: str) -> Row:
        for b in self.table(table).blocks:
            for r in b.rows:
                if r.key == key:
                    return r
        raise KeyError(f"{table}.{key}")

    def column(self, table: str, key: str) -> Column:
        for b in self.table(table).blocks:
            for c in b.columns:
                if c.key == key:
                    return c
        raise KeyError(f"{table}.{key}")

    @cached_property
    def outcome_rows(self) -> tuple[Row, ...]:
        """The rows of table 三 a request's outcome is counted in: those under the heading of
        the processed total (三、本年度办理结果), the total itself excepted."""
        table, total = self.roles["processed"].split(".")[:2]
        head = self.row(table, total).parents
        return tuple(r for b in self.table(table).blocks for r in b.rows
                     if r.key != total and head and r.parents[:len(head)] == head)

    @cached_property
    def outcome_keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.outcome_rows)

    def total_of(self, cell_id: str) -> str | None:
        """The total cell that sums this cell along its row (an identity with a total)."""
        for ident in self.identities:
            if ident.total is not None and ident.each == "row" and cell_id in ident.right:
                return ident.total
        return None


@cache
def _printed_lines(edition: Edition) -> tuple[PrintedLine, ...]:
    # Built once per edition: the checks walk them for every report.
    return tuple(line for t in edition.tables for b in t.blocks for line in b.printed_lines())


@cache
def _table_cells(edition: Edition) -> dict[str, tuple[str, ...]]:
    return {t.key: tuple(cid for cid, c in edition.cells.items() if c.table == t.key) for t in edition.tables}


@cache
def _cells(edition: Edition) -> dict[str, CellDef]:
    out: dict[str, CellDef] = {}
    for t in edition.tables:
        for b in t.blocks:
            for r in b.rows:
                for c in b.columns:
                    cid = b.cell_id(r, c)
                    out[cid] = CellDef(cid, t.key, r, c)
    return out


def _tuple(v: Any) -> tuple[str, ...]:
    return tuple(v or ())


def _build_identities(raw: list[dict], tables: dict[str, Table]) -> tuple[IdentityInstance, ...]:
    out: list[IdentityInstance] = []
    for spec in raw:
        table = tables[spec["table"]]
        total = spec.get("total")
        left = [total] if total else list(spec["left"])
        right = list(spec["parts"] if total else spec["right"])
        before = len(out)
        for block in table.blocks:
            row_keys = [r.key for r in block.rows]
            col_keys = [c.key for c in block.columns]
            if spec["each"] == "column":
                inner, outer = row_keys, col_keys
            else:
                inner, outer = col_keys, row_keys
            left_keys = _expand(left, inner)
            right_keys = _expand(right, inner)
            if not left_keys or not right_keys:
                continue
            by_column = spec["each"] == "column"
            for o in outer:
                def cid(k: str, o: str = o, t: str = table.key, by_column: bool = by_column) -> str:
                    return f"{t}.{k}.{o}" if by_column else f"{t}.{o}.{k}"

                out.append(
                    IdentityInstance(
                        rule=spec["rule"],
                        table=table.key,
                        each=spec["each"],
                        key=o,
                        left=tuple(cid(k) for k in left_keys),
                        right=tuple(cid(k) for k in right_keys),
                        total=cid(total) if total else None,
                    )
                )
        if len(out) == before:
            raise ValueError(f"勾稽关系 {spec['rule']} 中的 {'、'.join(left + right)} 在表{table.number}的任何一块中都不齐全")
    return tuple(out)


def _expand(keys: list[str], available: list[str]) -> list[str]:
    out: list[str] = []
    for k in keys:
        if k.endswith(".*"):
            out += [a for a in available if fnmatch.fnmatchcase(a, k)]
        elif k in available:
            out.append(k)
        else:
            return []
    return out


def _build_inequalities(raw: list[dict]) -> tuple[InequalityInstance, ...]:
    out = []
    for spec in raw:
        for r in spec["rows"]:
            t = spec["table"]
            out.append(
                InequalityInstance(
                    rule=spec["rule"],
                    table=t,
                    key=r,
                    left=tuple(f"{t}.{r}.{c}" for c in spec["left"]),
                    right=tuple(f"{t}.{r}.{c}" for c in spec["right"]),
                )
            )
    return tuple(out)


def _records(raw: dict) -> Records:
    req, reg, cases = raw["requests"], raw["register"], raw["cases"]
    return Records(
        requests_table=str(req["table"]),
        applicants=_tuple(req["columns"]),
        register_table=str(reg["table"]),
        register_rows=_tuple(reg["rows"]),
        register_columns=tuple((str(k), str(v)) for k, v in dict(reg["columns"]).items()),
        cases_table=str(cases["table"]),
        case_kinds=_tuple(cases["rows"]),
        case_results=_tuple(cases["results"]),
        case_pending=str(cases["pending"]),
    )


def _parse(data: dict, file: str = "") -> Edition:
    tables: dict[str, Table] = {}
    for t in data["tables"]:
        blocks = []
        for b in t["blocks"]:
            blocks.append(
                Block(
                    table=t["key"],
                    columns=tuple(
                        Column(
                            key=c["key"],
                            label=c["label"],
                            unit=c.get("unit", "count"),
                            printed_in=c.get("printed_in"),
                            group=c.get("group"),
                            variants=_tuple(c.get("variants")),
                            equivalents=_tuple(c.get("equivalents")),
                        )
                        for c in b["columns"]
                    ),
                    rows=tuple(
                        Row(
                            key=r["key"],
                            label=r["label"],
                            parents=_tuple(r.get("parents")),
                            variants=_tuple(r.get("variants")),
                            equivalents=_tuple(r.get("equivalents")),
                        )
                        for r in b["rows"]
                    ),
                    heading=b.get("heading"),
                    corner=b.get("corner"),
                    note=b.get("note"),
                    headers=_tuple(b.get("headers")),
                    transposed=bool(b.get("transposed", False)),
                )
            )
        tables[t["key"]] = Table(t["key"], t["number"], t["section"], t["title"], tuple(blocks))
    return Edition(
        id=str(data["id"]),
        title=data["title"],
        document=data["document"],
        first_year=int(data["first_year"]),
        last_year=data.get("last_year"),
        sections=tuple(
            Section(
                key=s["key"],
                number=s["number"],
                title=s["title"],
                equivalents=_tuple(s.get("equivalents")),
                variants=_tuple(s.get("variants")),
            )
            for s in data["sections"]
        ),
        tables=tuple(tables.values()),
        identities=_build_identities(data.get("identities") or [], tables),
        inequalities=_build_inequalities(data.get("inequalities") or []),
        roles=dict(data.get("roles") or {}),
        records=_records(data["records"]),
        overview_length_guidance=data.get("overview_length_guidance"),
        file=file,
    )


def _problems(ed: Edition) -> list[str]:
    """What makes a parsed edition unusable: references to rows, columns or cells it lacks."""
    out: list[str] = []
    keys = {t.key for t in ed.tables}
    for t in ed.tables:
        if t.section not in {s.key for s in ed.sections}:
            out.append(f"表{t.number}所属的部分 {t.section} 不存在")
    for ident in (*ed.identities, *ed.inequalities):
        out += [f"勾稽关系 {ident.rule} 引用了不存在的单元格 {c}" for c in (*ident.left, *ident.right) if c not in ed.cells]
    for name, value in ed.roles.items():
        refs = value if isinstance(value, list) else [value]
        for ref in refs:
            cells = list(ref.values()) if isinstance(ref, dict) else [ref] if isinstance(ref, str) and ref.count(".") >= 2 else []
            out += [f"角色 {name} 引用了不存在的单元格 {c}" for c in cells if c not in ed.cells]
    fee = ed.roles.get("fee_statement")
    if fee is not None and fee not in {s.key for s in ed.sections}:
        out.append(f"角色 fee_statement 引用了不存在的部分 {fee}")
    rec = ed.records
    for table in (rec.requests_table, rec.register_table, rec.cases_table):
        if table not in keys:
            out.append(f"记录对应的表 {table} 不存在")
    if out:
        return out

    def have(table: str, rows: bool, wanted: tuple[str, ...]) -> None:
        t = ed.table(table)
        present = {x.key for b in t.blocks for x in (b.rows if rows else b.columns)}
        out.extend(f"表{t.number}没有 {k} 这一{'行' if rows else '列'}" for k in wanted if k not in present)

    have(rec.requests_table, False, rec.applicants)
    have(rec.register_table, True, rec.register_rows)
    have(rec.register_table, False, tuple(k for k, _ in rec.register_columns))
    have(rec.cases_table, True, rec.case_kinds)
    have(rec.cases_table, False, (*rec.case_results, rec.case_pending))
    out += [f"登记簿的列 {k} 计数的事实 {v} 不是 {'、'.join(REGISTER_FACTS)} 之一"
            for k, v in rec.register_columns if v not in REGISTER_FACTS]
    return out


def _read(text: str, file: str) -> Edition:
    try:
        data = load_cached(text)
    except Exception as e:  # PyYAML's errors (PyYAML is imported only when a file is parsed afresh)
        raise EditionError(f"格式文件 {file} 不是有效的 YAML：{str(e)[:200]}") from None
    if not isinstance(data, dict):
        raise EditionError(f"格式文件 {file} 的内容不是一个映射")
    try:
        ed = _parse(data, file)
    except KeyError as e:
        raise EditionError(f"格式文件 {file} 缺少必需的项 {e}") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise EditionError(f"格式文件 {file} 的内容无法读取：{str(e)[:200]}") from None
    if problems := _problems(ed):
        raise EditionError(f"格式文件 {file} 有误：" + "；".join(problems[:5]))
    return ed


def _own_folder() -> Any:
    """The folder of ogi's own editions: this package's folder on disk (importlib.resources
    and its readers cost a few milliseconds at every start), else the package's resources."""
    here = Path(__file__).parent
    if here.is_dir():
        return here
    from importlib import resources

    return resources.files(__package__)


@cache
def _own(name: str) -> Edition:
    """An edition shipped with ogi (parsed once per process)."""
    return _read(_own_folder().joinpath(name).read_text(encoding="utf-8"), name)


@cache
def _extra(path: str, stamp: tuple[int, int]) -> Edition:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise EditionError(f"格式文件 {path} 无法读取：{e}") from None
    return _read(text, path)




@dataclass(frozen=True)
class _Registry:
    by_id: dict[str, Edition]
    ordered: tuple[Edition, ...]  # by first year
    current: Edition


@cache
def _registry(raw: str) -> _Registry:
    """The editions for one value of OGI_EDITIONS_DIR (looked up on every call: a string)."""
    extra = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    found: list[Edition] = []
    for entry in sorted(_own_folder().iterdir(), key=lambda e: e.name):
        if fnmatch.fnmatchcase(entry.name, FILE_PATTERN):
            found.append(_own(entry.name))
    for folder in extra:
        if not folder.is_dir():
            raise EditionError(f"{EDITIONS_DIR_ENV} 中的 {folder} 不是文件夹")
        for f in sorted(folder.glob(FILE_PATTERN)):
            st = f.stat()
            found.append(_extra(str(f), (st.st_mtime_ns, st.st_size)))
    by_id: dict[str, Edition] = {}
    for ed in found:
        if ed.id in by_id:
            raise EditionError(f"格式 {ed.id} 在 {by_id[ed.id].file} 和 {ed.file} 中重复定义")
        by_id[ed.id] = ed
    if not by_id:
        raise EditionError("没有找到任何报告格式文件")
    ordered = tuple(sorted(by_id.values(), key=lambda e: (e.first_year, e.id)))
    starts = [e.first_year for e in ordered]
    if len(set(starts)) != len(starts):
        raise EditionError("两个报告格式的起始年度相同：" + "、".join(f"{e.id}（{e.file}）" for e in ordered))
    open_ended = [e for e in ordered if e.last_year is None]
    return _Registry(by_id, ordered, (open_ended or list(ordered))[-1])


def _editions() -> _Registry:
    return _registry(os.environ.get(EDITIONS_DIR_ENV, ""))


def load_edition(edition_id: str) -> Edition:
    """The edition with this id ("2019", "2021", or one of OGI_EDITIONS_DIR)."""
    try:
        return _editions().by_id[str(edition_id)]
    except KeyError:
        raise KeyError(f"unknown edition {edition_id!r}") from None


def edition_ids() -> list[str]:
    """Every edition's id, oldest first."""
    return [e.id for e in _editions().ordered]


def all_editions() -> list[Edition]:
    """Every edition, oldest first."""
    return list(_editions().ordered)


def current_edition() -> Edition:
    """The edition of this year's reports: the latest declared without a last year."""
    return _editions().current


def edition_for_year(year: int) -> Edition | None:
    """The edition in force for a report on `year` (the latest to begin among those whose
    years cover it), or None before the first format."""
    found = None
    for e in _editions().ordered:
        if e.covers(year):
            found = e
    return found


@cache
def _place(edition: Edition, cell_id: str) -> dict[str, str]:
    cdef = edition.cells[cell_id]
    table = edition.table(cdef.table)
    col = cdef.column.label if not cdef.column.group else f"{cdef.column.group}/{cdef.column.label}"
    row = cdef.row.label if not cdef.row.parents else "/".join([*cdef.row.parents[-1:], cdef.row.label])
    return {"section": table.number, "table": table.title, "row": row, "column": col}
