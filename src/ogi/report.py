"""The Report: one annual report as data, whatever door it came through; and Finding,
what a check says about it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .editions import Edition, current_edition, load_edition
from .textnorm import decimal_text, too_long

STATES = ("value", "blank", "dash", "missing")


def section_keys(edition: Edition | None = None) -> tuple[str, ...]:
    """The sections' keys in their order, as the edition (the current one unless given) has them."""
    return tuple(s.key for s in (edition or current_edition()).sections)


def __getattr__(name: str) -> Any:
    # SECTION_KEYS, for callers that read it as a constant: the current edition's.
    if name == "SECTION_KEYS":
        return section_keys()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

Number = int | Decimal


@dataclass
class Value:
    """One cell: its state, its number, the text it was read from and where.

    blank (printed empty), dash (—, /, 无: read as 0), zero and missing (lost or
    unreadable) are distinct; arithmetic treats blank and dash as 0 and skips missing.
    """

    state: str = "missing"
    value: Number | None = None
    raw: str | None = None
    source: dict[str, Any] | None = None
    note: str | None = None  # why a cell is missing, in Chinese

    def __reduce__(self) -> tuple[type[Value], tuple[Any, ...]]:
        # Pickled as its five fields rather than a dict per cell: a Report holds hundreds of
        # cells, and each Report the bounded reader makes is pickled back to its parent.
        return Value, (self.state, self.value, self.raw, self.source, self.note)

    @property
    def number(self) -> Number | None:
        """The figure arithmetic uses: 0 for blank and dash, None for missing."""
        if self.state == "missing":
            return None
        if self.state in ("blank", "dash"):
            return 0
        return self.value

    def to_json(self, unit: str) -> dict[str, Any]:
        v: Any = self.value
        if self.state in ("blank", "missing"):
            v = None
        elif self.state == "dash":
            v = "0" if unit == "yuan" else 0
        elif unit == "yuan" and v is not None:
            v = decimal_text(v)
        elif isinstance(v, Decimal):
            # A count printed with decimals stays visible as what it is (value.type flags it).
            v = float(v)
        out: dict[str, Any] = {"value": v, "state": self.state, "raw": self.raw, "source": self.source}
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], unit: str) -> Value:
        state = data.get("state", "missing")
        if state not in STATES:
            raise ValueError(f"unknown cell state {state!r}")
        v = data.get("value")
        if state == "value":
            if v is None:
                raise ValueError("a cell in state 'value' needs a value")
            if too_long(str(v)):
                # As when read from a document: no arithmetic on it, value.type reports it.
                return cls("missing", None, str(v), data.get("source"), "数字位数过多")
            if unit == "yuan" or isinstance(v, (str, float)):
                try:
                    v = Decimal(str(v))
                except ArithmeticError:
                    raise ValueError(f"not a number: {v!r}") from None
                if not v.is_finite():
                    raise ValueError(f"not a finite number: {v!r}")
                if unit != "yuan" and v == v.to_integral_value():
                    v = int(v)
            elif isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"not a number: {v!r}")
        elif state == "dash":
            v = 0
        else:
            v = None
        return cls(state, v, data.get("raw"), data.get("source"), data.get("note"))


@dataclass
class Heading:
    """A section heading as found in the document."""

    section: str
    text: str
    order: int  # position among the headings found
    source: dict[str, Any] | None = None


@dataclass
class LabelSeen:
    """A printed label that differs from the standard text of the label it stands for."""

    kind: str  # section | row | header
    found: str
    standard: str
    where: str  # which table/section, in Chinese
    source: dict[str, Any] | None = None
    section: str | None = None  # number of the section it stands in (一 … 六)


@dataclass
class Report:
    edition: str | None = None
    agency: str | None = None
    year: int | None = None
    issued_on: dt.date | None = None  # 成文日期, from the signature
    published_on: dt.date | None = None  # the page's publication date
    kind: str | None = None  # department | government
    level: str | None = None  # for governments: province | city | county | township
    title: str | None = None
    sections: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(section_keys()))
    cells: dict[str, Value] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    labels: list[LabelSeen] = field(default_factory=list)
    # Figures the locator could not put in any cell, with their labels and places.
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    # Figures printed for a heading row whose sub-rows the edition expects
    # (e.g. one 其他处理 row in a 2021-layout table): {"row": key, "label": …, "values": {col: n}}.
    aggregates: list[dict[str, Any]] = field(default_factory=list)
    # Figures the reader could not confirm (cells left missing): {"cells": [...], "raw": …,
    # "reason": "run_together" | "ocr", "candidates": [[…], …], "source": …}.
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    # The report year as each part of the document states it: title, period, body.
    year_evidence: dict[str, int] = field(default_factory=dict)
    # Where agency, year, issued_on and published_on were read: title, signature, body,
    # period, page, page_title, meta:<name>, fields:<label>, docx:properties …
    provenance: dict[str, str] = field(default_factory=dict)
    # What reading the file had to do that its user should know (a file cut short and read up
    # to the cut): {"code", "message_zh", "message_en"}.
    notices: list[dict[str, str]] = field(default_factory=list)
    file: str | None = None

    @property
    def edition_obj(self) -> Edition | None:
        return load_edition(self.edition) if self.edition else None

    @classmethod
    def empty(cls, edition: str, **kw: Any) -> Report:
        ed = load_edition(edition)
        r = cls(edition=edition, **kw)
        r.sections = dict.fromkeys(section_keys(ed))
        r.cells = {cid: Value() for cid in ed.cell_ids}
        return r

    def number(self, cell_id: str) -> Number | None:
        v = self.cells.get(cell_id)
        return v.number if v is not None else None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Every Report a bounded reading process makes is pickled back to its parent: the
        # cells go as six columns of plain values, which pickle in C, instead of a call
        # of Value.__reduce__ for each of some two hundred cells (half the pickling time).
        state = dict(self.__dict__)
        cells = state.pop("cells")
        vs = cells.values()
        return _report_from_columns, (type(self), state, tuple(cells), tuple(v.state for v in vs),
                                      tuple(v.value for v in vs), tuple(v.raw for v in vs),
                                      tuple(v.source for v in vs), tuple(v.note for v in vs))

    # --- JSON -----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        ed = self.edition_obj
        cells: dict[str, Any] = {}
        if ed is not None:
            for cid, cdef in ed.cells.items():
                cells[cid] = self.cells.get(cid, Value()).to_json(cdef.unit)
        return {
            "edition": self.edition,
            "agency": self.agency,
            "year": self.year,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "kind": self.kind,
            "level": self.level,
            "title": self.title,
            "sections": {k: self.sections.get(k) for k in section_keys(ed)},
            "cells": cells,
            "headings": [
                {"section": h.section, "text": h.text, "order": h.order, "source": h.source}
                for h in self.headings
            ],
            "labels": [
                {"kind": x.kind, "found": x.found, "standard": x.standard, "where": x.where,
                 "source": x.source, "section": x.section}
                for x in self.labels
            ],
            "unplaced": self.unplaced,
            "aggregates": self.aggregates,
            "uncertain": self.uncertain,
            "year_evidence": self.year_evidence,
            "provenance": self.provenance,
            "notices": self.notices,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], file: str | None = None) -> Report:
        """Rebuild a Report from `to_json` output; raises ValueError on malformed input."""
        if not isinstance(data, dict):
            raise ValueError("a report is a JSON object")
        edition = data.get("edition")
        ed = None
        if edition is not None:
            try:
                ed = load_edition(str(edition))
            except KeyError:
                raise ValueError(f"unknown edition {edition!r}") from None
        issued = data.get("issued_on")
        published = data.get("published_on")
        year = data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ValueError("year must be an integer")
        r = cls(
            edition=str(edition) if edition is not None else None,
            agency=data.get("agency"),
            year=year,
            issued_on=dt.date.fromisoformat(issued) if issued else None,
            published_on=dt.date.fromisoformat(published) if published else None,
            kind=data.get("kind"),
            level=data.get("level"),
            title=data.get("title"),
            file=file,
        )
        sections = data.get("sections") or {}
        r.sections = {k: sections.get(k) for k in section_keys(ed)}
        raw_cells = data.get("cells") or {}
        if ed is not None:
            unknown = set(raw_cells) - set(ed.cells)
            if unknown:
                raise ValueError(f"cells not in edition {ed.id}: {sorted(unknown)[:3]}")
            r.cells = {
                cid: Value.from_json(raw_cells[cid], cdef.unit) if cid in raw_cells else Value()
                for cid, cdef in ed.cells.items()
            }
        r.headings = [Heading(h["section"], h["text"], h["order"], h.get("source")) for h in data.get("headings") or []]
        r.labels = [
            LabelSeen(x["kind"], x["found"], x["standard"], x.get("where", ""), x.get("source"), x.get("section"))
            for x in data.get("labels") or []
        ]
        r.unplaced = list(data.get("unplaced") or [])
        r.aggregates = list(data.get("aggregates") or [])
        r.uncertain = list(data.get("uncertain") or [])
        r.year_evidence = dict(data.get("year_evidence") or {})
        r.provenance = {str(k): str(v) for k, v in (data.get("provenance") or {}).items()}
        r.notices = list(data.get("notices") or [])
        return r


def _report_from_columns(cls: type[Report], state: dict[str, Any], ids: tuple[str, ...], *columns: tuple[Any, ...]) -> Report:
    report = cls.__new__(cls)
    report.__dict__.update(state)
    report.cells = dict(zip(ids, map(Value, *columns), strict=True))
    return report


@dataclass
class Finding:
    rule: str
    severity: str  # error | warning | info
    message_zh: str
    message_en: str
    cells: list[str] = field(default_factory=list)
    culprit: str | None = None
    found: Any = None
    expected: Any = None
    source: dict[str, Any] | None = None
    # Where in the report, for people: {"section": "三", "table": …, "row": …, "column": …}
    where: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "cells": self.cells,
            "culprit": self.culprit,
            "found": _jsonable(self.found),
            "expected": _jsonable(self.expected),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "source": self.source,
            "where": self.where,
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return decimal_text(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v
