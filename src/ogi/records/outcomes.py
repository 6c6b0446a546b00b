"""What a record's coded fields hold, taken from the edition files: a request's outcome
(the rows of table 三 under 三、本年度办理结果) and its applicant's category (the columns of
table 三), a document's kind (the register's rows of table 二), a case's kind and result
(the rows and columns of table 四). The codes are the current edition's keys; an older
edition counts an outcome it has no row for in the row of its head (the 2019 edition's
single 其他处理 row receives every other.* code).

`APPLICANT_CATEGORIES` is kept for callers that read it as a constant: it is the current
edition's, read when asked for."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..editions import Edition, Records, current_edition, load_edition


def _records(ed: Edition | None) -> tuple[Edition, Records]:
    ed = ed or current_edition()
    return ed, ed.records


def outcomes(edition: Edition | None = None) -> dict[str, str]:
    """code → label, in the order of table 三 (the current edition unless given)."""
    return _outcomes(edition or current_edition())


# Table 三's instruction on how to count (（区分处理的，只计这一情形，不计其他情形）): part of the
# printed row, no part of an answer's name.
_COUNTING_NOTE = re.compile(r"（[^（）]*(?:只计|不计)[^（）]*）")
_NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]+）|\d+\.)")


@cache
def _outcomes(ed: Edition) -> dict[str, str]:
    return {code: _COUNTING_NOTE.sub("", label) for code, label in printed_outcomes(ed).items()}


@cache
def printed_outcomes(edition: Edition | None = None) -> dict[str, str]:
    """code → the row of table 三 as printed, its counting note included (what a ledger
    exported before may hold)."""
    out = {}
    for row in (edition or current_edition()).outcome_rows:
        parent = row.parents[-1] if len(row.parents) > 1 else ""
        out[row.key] = f"{parent}{row.label}"
    return out


def public_outcome(code: str | None, edition: Edition | None = None) -> str:
    """An answer as the applicant reads it: 部分公开; 不予公开：保护第三方合法权益 (no table
    numbering, no counting note)."""
    ed = edition or current_edition()
    row = next((r for r in ed.outcome_rows if r.key == code), None)
    if row is None:
        return ""
    label = _NUMBERING.sub("", _COUNTING_NOTE.sub("", row.label)).strip()
    parent = _NUMBERING.sub("", row.parents[-1]).strip() if len(row.parents) > 1 else ""
    return f"{parent}：{label}" if parent else label


def applicant_categories(edition: Edition | None = None) -> dict[str, str]:
    """code → label of table 三's applicant columns: 自然人, 法人或其他组织·商业企业 …"""
    ed, rec = _records(edition)
    out = {}
    for key in rec.applicants:
        c = ed.column(rec.requests_table, key)
        out[key] = f"{c.group}·{c.label}" if c.group else c.label
    return out


def document_kinds(edition: Edition | None = None) -> dict[str, str]:
    """code → label of the register's rows of table 二: 规章, 行政规范性文件."""
    ed, rec = _records(edition)
    return {k: ed.row(rec.register_table, k).label for k in rec.register_rows}


def case_kinds(edition: Edition | None = None) -> dict[str, str]:
    """code → label of table 四's rows, under their group: 行政诉讼（复议后起诉）."""
    ed, rec = _records(edition)
    out = {}
    for k in rec.case_kinds:
        r = ed.row(rec.cases_table, k)
        out[k] = f"{r.parents[-1]}（{r.label}）" if r.parents else r.label
    return out


def case_results(edition: Edition | None = None) -> dict[str, str]:
    """code → label of the results a decided case of table 四 has: 结果维持 …"""
    ed, rec = _records(edition)
    return {k: ed.column(rec.cases_table, k).label for k in rec.case_results}


def row_for(code: str, edition_id: str) -> str:
    """The row of an edition's table 三 that counts this outcome."""
    keys = load_edition(edition_id).outcome_keys
    if code in keys:
        return code
    head = code.split(".")[0]
    if head in keys:
        return head
    raise KeyError(f"outcome {code!r} has no row in edition {edition_id}")


def __getattr__(name: str) -> Any:
    if name == "APPLICANT_CATEGORIES":
        return applicant_categories()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
