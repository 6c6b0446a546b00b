"""Many reports as one dataset (one row per file, one column per cell) and side by side
(the indicators of each agency's years, with the change from its previous report).

Cells are given as printed: a number, "" for blank or missing, "—" for a dash — a
researcher decides what a dash means, the dataset does not decide it for them."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from ..checks.continuity import Agencies
from ..editions import all_editions
from ..fileio import shown_name
from ..ingest.errors import IngestError
from ..report import Finding, Report
from ..workspace import count_by_severity
from .indicators import Figure, figures, shown

Result = tuple[str, Report | None, IngestError | None]
UNKNOWN_AGENCY = "（机关不明）"
META_COLUMNS = {"file": "文件", "ok": "是否读出", "error": "无法读取的原因", "agency": "机关", "year": "年度",
                "edition": "表格格式", "issued_on": "成文日期",
                "published_on": "发布日期", "kind": "机关类别", "errors": "错误数", "warnings": "警告数",
                "rules": "发现的问题（规则编号）", "missing_cells": "缺失的单元格数"}


def cell_columns() -> dict[str, str]:
    """Every cell id of every edition (the newest edition's order first) → a Chinese name."""
    out: dict[str, str] = {}
    for ed in sorted(all_editions(), key=lambda e: e.first_year, reverse=True):
        for cid in ed.cells:
            out.setdefault(cid, ed.cell_zh(cid))
    return out


def _printed(report: Report, cid: str) -> Any:
    v = report.cells.get(cid)
    if v is None or v.state in ("missing", "blank"):
        return ""
    if v.state == "dash":
        return "—"
    return v.value


def rows(results: list[Result], findings: list[list[Finding]]) -> list[dict[str, Any]]:
    """One row per file; `findings` in the order of the readable reports among `results`."""
    cells = list(cell_columns())
    found = iter(findings)
    return [row(file, report, err, next(found) if err is None and report is not None else [], cells)
            for file, report, err in results]


def row(file: str, report: Report | None, err: IngestError | None, findings: list[Finding],
        cells: list[str] | None = None) -> dict[str, Any]:
    """The dataset's row of one file."""
    out: dict[str, Any] = dict.fromkeys([*META_COLUMNS, *(f"ind.{i.id}" for i in shown()),
                                         *(cells if cells is not None else cell_columns())], "")
    out.update(file=shown_name(file), ok=err is None)
    if err is not None or report is None:
        out["error"] = shown_name(err.message_zh) if err else ""
        return out
    out.update(agency=report.agency or "", year=report.year or "", edition=report.edition or "",
               issued_on=report.issued_on.isoformat() if report.issued_on else "",
               published_on=report.published_on.isoformat() if report.published_on else "", kind=report.kind or "",
               **_severities(findings), rules=",".join(sorted({f.rule for f in findings})),
               missing_cells=sum(1 for v in report.cells.values() if v.state == "missing"))
    fig = figures(report)
    for i in shown():
        out[f"ind.{i.id}"] = "" if fig[i.id] is None else fig[i.id]
    for cid in report.cells:
        out[cid] = _printed(report, cid)
    return out


def stream_rows(results: Iterable[Result]) -> Iterator[dict[str, Any]]:
    """Each file's row as its result comes, with the findings on the file alone; memory
    holds only what the cross-report checks need of each report (ogi.corpus.across).
    Those checks run when every file is read; each file they find something in gets one
    more line: {"file", "continuity": true, "errors", "warnings", "rules"}."""
    from ..checks import check
    from .across import Light, across_findings

    cells = list(cell_columns())
    files: list[str] = []
    kept: list[Light] = []
    for file, report, err in results:
        findings = check(report) if err is None and report is not None else []
        yield row(file, report, err, findings, cells)
        if err is None and report is not None:
            files.append(file)
            kept.append(Light.of(report))
    if len(kept) < 2:
        return
    more: dict[int, list[Finding]] = {}
    for i, f in across_findings([k.report for k in kept], [k.narrative for k in kept], [k.quotes for k in kept]):
        more.setdefault(i, []).append(f)
    for i in sorted(more):
        yield {"file": shown_name(files[i]), "continuity": True, **_severities(more[i]),
               "rules": ",".join(sorted({f.rule for f in more[i]}))}


def jsonl_line(data: dict[str, Any]) -> str:
    return json.dumps({k: _plain(v) for k, v in data.items()}, ensure_ascii=False) + "\n"


def _severities(findings: list[Finding]) -> dict[str, int]:
    sev = count_by_severity(findings)
    return {"errors": sev["error"], "warnings": sev["warning"]}


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    return v


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _inert(v: Any) -> Any:
    """Text Excel or WPS would run as a formula (a file named =cmd|' -C calc'!A0.txt, a
    collected page's title) gets a leading apostrophe, as OWASP advises; numbers, negative
    ones included, stay numbers."""
    if isinstance(v, str) and v.startswith(_FORMULA_START) and not _NUMBER.fullmatch(v):
        return "'" + v
    return v


def to_csv(data: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    if data:
        w = csv.DictWriter(buf, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        w.writerows({k: _plain(_inert(v)) for k, v in r.items()} for r in data)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM lets Excel open it as UTF-8


def to_jsonl(data: list[dict[str, Any]]) -> bytes:
    return "".join(jsonl_line(r) for r in data).encode()


def to_xlsx(data: list[dict[str, Any]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#F0F2F5", "text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet("报告")
    names = {**META_COLUMNS, **{f"ind.{i.id}": i.label for i in shown()}, **cell_columns()}
    columns = list(data[0]) if data else list(names)
    for c, key in enumerate(columns):
        ws.write(0, c, key, head)
        ws.write(1, c, names.get(key, key), head)
    for r, row in enumerate(data, start=2):
        for c, key in enumerate(columns):
            v = row[key]
            if isinstance(v, Decimal):
                ws.write_number(r, c, float(v))
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, int):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    ws.freeze_panes(2, 2)
    ws.set_row(1, 60)
    ws.set_column(0, 0, 36)
    ws.set_column(1, len(columns) - 1, 12)
    wb.close()
    return buf.getvalue()


WRITERS = {"csv": to_csv, "jsonl": to_jsonl, "xlsx": to_xlsx}


def compare(results: list[Result], findings: list[list[Finding]]) -> dict[str, Any]:
    """Each agency's reports in year order with their indicators and the change from the
    agency's previous report given; a second report of an agency's year names the one
    compared (`duplicate_of`) and has no change; the unreadable files listed apart."""
    found = iter(findings)
    read = [(file, report) for file, report, err in results if err is None and report is not None]
    # Decided over all the names at once (`Agencies`): the input order changes no group.
    agencies = Agencies(r.agency for _, r in read)
    groups: dict[str | None, tuple[list[str], list[dict[str, Any]]]] = {}  # agency → (names seen, entries)
    unreadable = []
    for file, report, err in results:
        if err is not None or report is None:
            unreadable.append({"file": shown_name(file), "error": shown_name(err.message_zh) if err else ""})
            continue
        entry = {"file": shown_name(file), "agency": report.agency, "year": report.year, "edition": report.edition,
                 "figures": figures(report), **_severities(next(found))}
        name = report.agency or UNKNOWN_AGENCY
        names, entries = groups.setdefault(agencies.of(report.agency), ([], []))  # None: no name
        names.append(name)
        entries.append(entry)
    by_agency = {min(names, key=lambda n: (-len(n), n)): entries for names, entries in groups.values()}
    agencies_out = []
    for name in sorted(by_agency):
        entries = sorted(by_agency[name], key=lambda e: (e["year"] is None, e["year"] or 0, e["file"]))
        prev: dict[str, Figure] | None = None
        kept: dict[int, str] = {}  # year → the file compared for it
        nameless = name == UNKNOWN_AGENCY  # reports of agencies not named: none is compared with another
        for e in entries:
            if nameless:
                e["duplicate_of"], e["change"] = None, None
                continue
            if e["year"] is not None and e["year"] in kept:
                # A second report of the agency's year is a copy of one report (a page and its
                # attached file): named as such, never a change from the first.
                e["duplicate_of"], e["change"] = kept[e["year"]], None
                continue
            if e["year"] is not None:
                kept[e["year"]] = e["file"]
            e["duplicate_of"] = None
            e["change"] = {k: _delta(v, prev.get(k)) for k, v in e["figures"].items()} if prev else None
            prev = e["figures"]
        agencies_out.append({"agency": name, "reports": entries})
    return {"indicators": [{"id": i.id, "label": i.label, "kind": "rate" if i.rate else "count"} for i in shown()],
            "agencies": agencies_out, "unreadable": unreadable}


def _delta(now: Figure, before: Figure) -> Figure:
    if now is None or before is None:
        return None
    return now - before


def compare_json(data: dict[str, Any]) -> dict[str, Any]:
    """`compare`'s result with rates as strings ("0.8750") and hidden indicators dropped."""
    keep = {i.id for i in shown()}

    def clean(d: dict[str, Figure] | None) -> dict[str, Any] | None:
        return None if d is None else {k: _plain(v) for k, v in d.items() if k in keep}

    return {**data, "agencies": [{**a, "reports": [{**e, "figures": clean(e["figures"]), "change": clean(e["change"])}
                                                   for e in a["reports"]]} for a in data["agencies"]]}

