"""From the records to the annual report, by counting (DESIGN: "Records compile to a
Report by counting"). Table 三: received in the year → 本年新收; open on 1 January →
上年结转; answered or closed in the year → its outcome row; open on 31 December → 结转下年度.
The identity new + carried in = processed + carried out then holds by construction.
Table 二 from the register of regulations and normative documents and the year's figures;
table 四 from the appeal and lawsuit cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..editions import Edition, current_edition, edition_for_year
from ..report import Report, Value
from .outcomes import applicant_categories, document_kinds, outcomes, row_for


# The codes a record holds are the edition's keys (ogi.records.outcomes lists them).
@dataclass(frozen=True)
class RequestRecord:
    key: str  # tracking number, for the drill-down
    received_on: dt.date
    category: str  # an applicant column of table 三
    outcome: str | None = None
    done_on: dt.date | None = None  # answered or closed


@dataclass(frozen=True)
class DocumentRecord:
    key: str
    kind: str  # a register row of table 二
    issued_on: dt.date
    repealed_on: dt.date | None = None


@dataclass(frozen=True)
class CaseRecord:
    key: str
    kind: str  # a row of table 四
    filed_on: dt.date
    result: str | None = None  # a result column of table 四; None while undecided
    decided_on: dt.date | None = None


def __getattr__(name: str) -> Any:
    # REGISTER_ROWS, for callers that read it as a constant: the current edition's rows of
    # table 二 that the register of documents answers (the others are yearly figures).
    if name == "REGISTER_ROWS":
        return current_edition().records.register_rows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def figure_cells(ed: Edition) -> dict[str, tuple[str, str]]:
    """The cells of table 二 kept as yearly figures rather than counted from the register:
    key ("licensing.decisions") → (the cell's name in the template, unit)."""
    rec = ed.records
    return {cid.split(".", 1)[1]: (ed.cell_zh(cid), c.unit) for cid, c in ed.cells.items()
            if c.table == rec.register_table and c.row.key not in rec.register_rows}


@dataclass
class YearFigures:
    """Figures of table 二 kept per year rather than derived (decisions, fees …):
    cell column/row keys of the edition's table 二, e.g. {"licensing.decisions": 12}."""

    values: dict[str, int | Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Unusable:
    """A record the report cannot count as stored (written before the ledger checked its
    input, or edited in the database): which one and why, in Chinese."""

    key: str
    reason_zh: str


@dataclass
class Compiled:
    report: Report
    # cell id → the keys of the records it counts (the drill-down); cells entered as
    # yearly figures have none
    sources: dict[str, list[str]] = field(default_factory=dict)
    # Records left out because they cannot be counted (a `records.invalid` finding names them).
    unusable: list[Unusable] = field(default_factory=list)


def compile_report(agency: str, year: int, requests: Iterable[RequestRecord], documents: Iterable[DocumentRecord] = (),
                   cases: Iterable[CaseRecord] = (), figures: YearFigures | None = None, kind: str | None = None,
                   edition: Edition | None = None) -> Compiled:
    ed = edition or edition_for_year(year)
    if ed is None:
        raise ValueError(f"no report format for {year}")
    report = Report.empty(ed.id, agency=agency, year=year, kind=kind)
    report.sections = {s.key: "" for s in ed.sections}
    counts: dict[str, list[str]] = {cid: [] for cid in ed.cells}
    unusable: list[Unusable] = []
    _requests(ed, year, _usable_requests(ed, requests, unusable), counts)
    _documents(ed, year, _usable_documents(ed, documents, unusable), counts)
    _cases(ed, year, _usable_cases(ed, cases, unusable), counts)
    for cid, keys in counts.items():
        report.cells[cid] = Value("value", len(keys), str(len(keys)))
    table = ed.records.register_table
    for cid, v in (figures.values if figures else {}).items():
        full = cid if cid.startswith(f"{table}.") else f"{table}.{cid}"
        if full in report.cells:
            report.cells[full] = Value("value", v, str(v))
            counts.pop(full, None)  # entered as a figure, not counted from records
    _totals(ed, report, counts)
    return Compiled(report, counts, unusable)


def outcome_rows(ed: Edition) -> dict[str, str]:
    """Every outcome code → the row of this edition's table 三 that counts it (looked up once
    per compilation, not per request)."""
    out = {}
    for code in outcomes():
        try:
            out[code] = row_for(code, ed.id)
        except KeyError:
            continue
    return out


def _usable_requests(ed: Edition, records: Iterable[RequestRecord], out: list[Unusable]) -> list[RequestRecord]:
    columns = set(ed.records.applicants)
    number = ed.table(ed.records.requests_table).number
    known, categories = outcomes(), applicant_categories()

    rows = outcome_rows(ed)

    def countable(code: str) -> bool:
        return code in rows

    keep = []
    for r in records:
        if r.category not in columns:
            # A category of the current edition is named by its label; anything else as stored.
            name = categories.get(r.category, str(r.category)[:20]) if isinstance(r.category, str) else str(r.category)[:20]
            out.append(Unusable(r.key, f"申请人类别“{name}”不是{ed.id}年版格式表{number}的列"))
        elif r.done_on is not None and r.outcome is None:
            out.append(Unusable(r.key, "已办结但没有办理结果"))
        elif r.outcome is not None and r.outcome not in known:
            out.append(Unusable(r.key, f"办理结果“{str(r.outcome)[:20]}”不是表{number}所列的结果"))
        elif r.outcome is not None and not countable(r.outcome):
            out.append(Unusable(r.key, f"办理结果“{known[r.outcome]}”在{ed.id}年版格式的表{number}中没有对应的行"))
        elif not isinstance(r.received_on, dt.date) or (r.done_on is not None and r.done_on < r.received_on):
            out.append(Unusable(r.key, "办结日期早于收到申请之日"))
        else:
            keep.append(r)
    return keep


def _usable_documents(ed: Edition, records: Iterable[DocumentRecord], out: list[Unusable]) -> list[DocumentRecord]:
    kinds = document_kinds(ed)
    keep = []
    for d in records:
        if d.kind not in kinds:
            out.append(Unusable(d.key, f"文件类别“{str(d.kind)[:20]}”不是{'或'.join(kinds.values())}"))
        elif d.repealed_on is not None and d.repealed_on < d.issued_on:
            out.append(Unusable(d.key, "废止日期早于制发日期"))
        else:
            keep.append(d)
    return keep


def _usable_cases(ed: Edition, records: Iterable[CaseRecord], out: list[Unusable]) -> list[CaseRecord]:
    rec = ed.records
    number = ed.table(rec.cases_table).number
    keep = []
    for c in records:
        if c.kind not in rec.case_kinds:
            out.append(Unusable(c.key, f"案件类别“{str(c.kind)[:20]}”不是表{number}所列类别"))
        elif c.decided_on is not None and c.result is not None and c.result not in rec.case_results:
            out.append(Unusable(c.key, f"案件结果“{str(c.result)[:20]}”不是表{number}所列结果"))
        elif (c.decided_on is None) != (c.result is None):
            out.append(Unusable(c.key, "结果和审结日期应同时填写"))
        elif c.decided_on is not None and c.decided_on < c.filed_on:
            out.append(Unusable(c.key, "审结日期早于立案日期"))
        else:
            keep.append(c)
    return keep


def _requests(ed: Edition, year: int, records: Iterable[RequestRecord], counts: dict[str, list[str]]) -> None:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = outcome_rows(ed)
    roles = ed.roles
    new, carried_in, carried_out = (roles["received"].rsplit(".", 1)[0], roles["carried_in_row"], roles["carried_out_row"])
    table = ed.records.requests_table
    for r in records:
        if r.received_on > last:
            continue
        done_before = r.done_on is not None and r.done_on < first
        if done_before:
            continue
        if r.received_on >= first:
            counts[f"{new}.{r.category}"].append(r.key)
        else:
            counts[f"{carried_in}.{r.category}"].append(r.key)
        if r.done_on is not None and r.done_on <= last and r.outcome is not None:
            counts[f"{table}.{rows[r.outcome]}.{r.category}"].append(r.key)
        else:
            counts[f"{carried_out}.{r.category}"].append(r.key)


def _documents(ed: Edition, year: int, records: Iterable[DocumentRecord], counts: dict[str, list[str]]) -> None:
    last = dt.date(year, 12, 31)
    rec = ed.records
    for d in records:
        facts = {
            "issued": d.issued_on.year == year,
            "repealed": d.repealed_on is not None and d.repealed_on.year == year,
            "in_force": d.issued_on <= last and (d.repealed_on is None or d.repealed_on > last),
        }
        for col, fact in rec.register_columns:
            cid = f"{rec.register_table}.{d.kind}.{col}"
            if cid in counts and facts[fact]:
                counts[cid].append(d.key)


def _cases(ed: Edition, year: int, records: Iterable[CaseRecord], counts: dict[str, list[str]]) -> None:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rec = ed.records
    for c in records:
        if c.filed_on > last:
            continue
        decided = c.decided_on is not None and c.decided_on <= last
        if decided and c.decided_on < first:  # type: ignore[operator]
            continue  # decided in an earlier year: that year's report counted it
        col = c.result if decided else rec.case_pending
        counts[f"{rec.cases_table}.{c.kind}.{col}"].append(c.key)


def _totals(ed: Edition, report: Report, counts: dict[str, list[str]]) -> None:
    """Total cells are the sums of their parts (the records behind them, too)."""
    changed = True
    while changed:
        changed = False
        for ident in ed.identities:
            if ident.total is None or ident.total not in counts:
                continue
            keys = [k for p in ident.right for k in counts[p]]
            if sorted(keys) != sorted(counts[ident.total]):
                counts[ident.total] = keys
                report.cells[ident.total] = Value("value", len(keys), str(len(keys)))
                changed = True
