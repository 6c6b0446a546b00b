"""The national report formats ("editions"), loaded from their declarative files.

Everything the rest of ogi knows about rows, columns, labels, units and identities comes
from here; a future format is a new YAML file beside these.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..yamlfile import load_packaged

EDITION_FILES = {"2019": "e2019.yaml", "2021": "e2021.yaml"}


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
    overview_length_guidance: int | None = None

    @property
    def name(self) -> str:
        return f"{self.title}（{self.document}）"

    @property
    def cells(self) -> dict[str, CellDef]:
        return _cells(self)

    @property
    def cell_ids(self) -> list[str]:
        return list(self.cells)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

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


@cache
def _printed_lines(edition: Edition) -> tuple[PrintedLine, ...]:
    # Built once per edition: the checks walk them for every report.
    return tuple(line for t in edition.tables for b in t.blocks for line in b.printed_lines())


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


def _parse(data: dict) -> Edition:
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
        overview_length_guidance=data.get("overview_length_guidance"),
    )


@cache
def load_edition(edition_id: str) -> Edition:
    """The edition with this id ("2019" or "2021")."""
    try:
        name = EDITION_FILES[str(edition_id)]
    except KeyError:
        raise KeyError(f"unknown edition {edition_id!r}") from None
    return _parse(load_packaged(__package__, name))


def all_editions() -> list[Edition]:
    return [load_edition(e) for e in EDITION_FILES]


def edition_for_year(year: int) -> Edition | None:
    """The edition in force for a report on `year`, or None before the first format."""
    for e in all_editions():
        if e.covers(year):
            return e
    return None
