"""Many reports as a Parquet dataset (schema in docs/dataset.md): `reports` (one row per
report read), `cells` (one row per cell), `findings` and `files` (one row per input,
read or not), the first three partitioned by report year.

Written incrementally: each batch of files becomes one more part file per table and
year, so memory holds one batch, and a stopped run keeps what it wrote (the `files`
table says which inputs are done). The cross-report checks are a pass over the written
dataset: they read back only the columns they need."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..checks.registry import check
from ..checks.similarity import QUOTE, Narrative, fingerprint, sentences
from ..ingest.errors import IngestError
from ..report import Finding, Report, Value
from ..workspace import count_by_severity
from .across import across_findings, roles_cells
from .provinces import province_of

SCHEMA_VERSION = 1
MANIFEST = "_ogi_dataset.json"
UNKNOWN_YEAR = "__HIVE_DEFAULT_PARTITION__"  # read as NULL by pyarrow and DuckDB alike

Result = tuple[str, Report | None, IngestError | None]

REPORTS = pa.schema([
    ("report_id", pa.string()), ("file", pa.string()), ("agency", pa.string()), ("province", pa.string()),
    ("edition", pa.string()), ("issued_on", pa.date32()), ("kind", pa.string()), ("level", pa.string()),
    ("title", pa.string()), ("errors", pa.int32()), ("warnings", pa.int32()), ("infos", pa.int32()),
    ("missing_cells", pa.int32()), ("rules", pa.list_(pa.string())),
    ("sentences", pa.list_(pa.struct([("fp", pa.int64()), ("len", pa.int32()), ("text", pa.string())]))),
])
CELLS = pa.schema([
    ("report_id", pa.string()), ("cell", pa.string()), ("state", pa.string()), ("value", pa.decimal128(20, 2)),
    ("raw", pa.string()), ("page", pa.int32()), ("tbl", pa.int32()), ("row", pa.int32()), ("col", pa.int32()),
    ("line", pa.int32()), ("confidence", pa.float32()),
])
FINDINGS = pa.schema([
    ("report_id", pa.string()), ("rule", pa.string()), ("severity", pa.string()), ("across", pa.bool_()),
    ("cells", pa.list_(pa.string())), ("culprit", pa.string()), ("found", pa.string()), ("expected", pa.string()),
    ("message_zh", pa.string()), ("message_en", pa.string()),
])
FILES = pa.schema([
    ("file", pa.string()), ("report_id", pa.string()), ("ok", pa.bool_()), ("error_code", pa.string()),
    ("message_zh", pa.string()), ("message_en", pa.string()), ("size", pa.int64()), ("sha256", pa.string()),
])
SCHEMAS = {"reports": REPORTS, "cells": CELLS, "findings": FINDINGS, "files": FILES}
BY_YEAR = ("reports", "cells", "findings")


def report_id(file: str) -> str:
    """A report's id: stable for one input path, so reruns and passes agree on it."""
    return hashlib.blake2b(file.encode(), digest_size=8).hexdigest()


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def _year_key(year: int | None) -> str:
    return UNKNOWN_YEAR if year is None else str(year)


class DatasetWriter:
    """Rows collected per table and year; `flush` writes them as new part files."""

    def __init__(self, root: Path | str, prefix: str = "part") -> None:
        self.root = Path(root)
        self.prefix = prefix
        self.root.mkdir(parents=True, exist_ok=True)
        self._rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self._part = self._next_part()
        manifest = self.root / MANIFEST
        if not manifest.exists():
            manifest.write_text(json.dumps({"format": "ogi-dataset", "schema_version": SCHEMA_VERSION,
                                            "tables": list(SCHEMAS), "partitioned_by": {t: "year" for t in BY_YEAR}},
                                           ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            version = json.loads(manifest.read_text(encoding="utf-8")).get("schema_version")
            if version != SCHEMA_VERSION:
                raise ValueError(f"dataset schema version {version}, this ogi writes {SCHEMA_VERSION}")

    def _next_part(self) -> int:
        parts = [int(p.stem.split("-")[1]) for p in self.root.glob(f"*/**/{self.prefix}-*.parquet")]
        return max(parts, default=-1) + 1

    def add(self, file: str, report: Report | None, err: IngestError | None, findings: Sequence[Finding],
            size: int | None = None, sha256: str | None = None) -> None:
        rid = report_id(file)
        self._rows[("files", "")].append({
            "file": file, "report_id": rid if report is not None else None, "ok": err is None and report is not None,
            "error_code": err.code if err else None, "message_zh": err.message_zh if err else None,
            "message_en": err.message_en if err else None, "size": size, "sha256": sha256})
        if report is None:
            return
        year = _year_key(report.year)
        sev = count_by_severity(findings)
        quotes = sentences(report)
        self._rows[("reports", year)].append({
            "report_id": rid, "file": file, "agency": report.agency, "province": province_of(report.agency, report.title),
            "edition": report.edition, "issued_on": report.issued_on, "kind": report.kind, "level": report.level,
            "title": report.title, "errors": sev["error"], "warnings": sev["warning"], "infos": sev["info"],
            "missing_cells": sum(1 for v in report.cells.values() if v.state == "missing"),
            "rules": sorted({f.rule for f in findings}),
            "sentences": [{"fp": fingerprint(n), "len": len(n), "text": s[:QUOTE + 1]} for n, s in quotes.items()]})
        cells = self._rows[("cells", year)]
        for cid, v in report.cells.items():
            src = v.source or {}
            cells.append({"report_id": rid, "cell": cid, "state": v.state,
                          "value": Decimal(v.value) if v.value is not None else None, "raw": v.raw,
                          "page": src.get("page"), "tbl": src.get("table"), "row": src.get("row"), "col": src.get("col"),
                          "line": src.get("line"), "confidence": src.get("confidence")})
        self.add_findings(rid, report.year, findings, across=False)

    def add_findings(self, rid: str, year: int | None, findings: Iterable[Finding], across: bool) -> None:
        rows = self._rows[("findings", _year_key(year))]
        for f in findings:
            rows.append({"report_id": rid, "rule": f.rule, "severity": f.severity, "across": across, "cells": list(f.cells),
                         "culprit": f.culprit, "found": _text(f.found), "expected": _text(f.expected),
                         "message_zh": f.message_zh, "message_en": f.message_en})

    def flush(self) -> None:
        for (table, year), rows in self._rows.items():
            if not rows:
                continue
            folder = self.root / table / (f"year={year}" if table in BY_YEAR else "")
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[table]), folder / f"{self.prefix}-{self._part:06d}.parquet",
                           compression="zstd")
        self._rows.clear()
        self._part += 1


def done_files(root: Path | str) -> set[str]:
    """The inputs a dataset already holds a row for (a resumed run skips them)."""
    folder = Path(root) / "files"
    if not folder.is_dir():
        return set()
    return set(pq.read_table(folder, columns=["file"]).column("file").to_pylist())


def write_dataset(results: Iterable[Result], root: Path | str, batch: int = 200) -> dict[str, int]:
    """Every result checked on its own and written as it comes, `batch` files per part;
    then the cross-report pass over what was written. Returns counts for the user."""
    w = DatasetWriter(root)
    counts = {"files": 0, "reports": 0, "unreadable": 0}
    pending = 0
    for file, report, err in results:
        w.add(file, report, err, check(report) if report is not None else [], *_stat(file))
        counts["files"] += 1
        counts["reports" if report is not None else "unreadable"] += 1
        pending += 1
        if pending >= batch:
            w.flush()
            pending = 0
    w.flush()
    counts["across"] = across_pass(root)
    return counts


def _stat(file: str) -> tuple[int | None, str | None]:
    try:
        data = Path(file).read_bytes()
    except OSError:
        return None, None
    return len(data), hashlib.sha256(data).hexdigest()


# --- the cross-report pass -------------------------------------------------------------

def _read(root: Path, table: str, columns: list[str], filters: Any = None) -> pa.Table:
    folder = root / table
    if not folder.is_dir():
        return pa.table({c: [] for c in columns})
    return pq.read_table(folder, columns=columns, filters=filters, partitioning="hive")


def _light_reports(root: Path) -> tuple[list[str], list[Report], list[Narrative], list[dict[int, str]]]:
    """Each report as much as the cross-report checks need: agency, year, edition, the
    continuity cells and the narrative's fingerprints (with their quotes)."""
    meta = _read(root, "reports", ["report_id", "agency", "edition", "year", "sentences"])
    ids = meta.column("report_id").to_pylist()
    years = [None if y is None else int(y) for y in meta.column("year").to_pylist()]
    reports = [Report(edition=e, agency=a, year=y, cells={})
               for e, a, y in zip(meta.column("edition").to_pylist(), meta.column("agency").to_pylist(), years, strict=True)]
    narratives, quotes = [], []
    for r, sents in zip(reports, meta.column("sentences").to_pylist(), strict=True):
        narratives.append(Narrative(r.agency, r.year, {s["fp"]: s["len"] for s in sents or []}))
        quotes.append({s["fp"]: s["text"] for s in sents or []})
    where = {rid: i for i, rid in enumerate(ids)}
    cells = _read(root, "cells", ["report_id", "cell", "state", "value"], filters=[("cell", "in", sorted(roles_cells()))])
    for rid, cid, state, value in zip(*(cells.column(c).to_pylist() for c in ("report_id", "cell", "state", "value")),
                                      strict=True):
        if value is not None and value == value.to_integral_value():
            value = int(value)
        reports[where[rid]].cells[cid] = Value(state, value)
    return ids, reports, narratives, quotes


def across_pass(root: Path | str) -> int:
    """The cross-report checks (continuity between consecutive years, 年年雷同) over a
    written dataset; their findings are appended to `findings` with `across` true.
    Earlier cross-report findings are replaced, so the pass can run again after more
    files were added."""
    root = Path(root)
    for old in root.glob("findings/*/across-*.parquet"):
        old.unlink()
    ids, reports, narratives, quotes = _light_reports(root)
    w = DatasetWriter(root, prefix="across")
    n = 0
    for i, f in across_findings(reports, narratives, quotes):
        w.add_findings(ids[i], reports[i].year, [f], across=True)
        n += 1
    w.flush()
    return n
