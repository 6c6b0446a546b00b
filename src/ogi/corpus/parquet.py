"""Many reports as a Parquet dataset (schema in docs/dataset.md): `reports` (one row per
report read), `cells` (one row per cell), `findings` and `files` (one row per input,
read or not), the first three partitioned by report year.

Written incrementally, one batch of inputs at a time: a batch is one part file per table
and year, all named after the batch. Its parts are written under hidden temporary names
and then renamed into place, its `files` part last: that rename is the batch's commit
(a part whose batch has no `files` part is not part of the dataset and is removed by the
next run), so a writer killed at any instant leaves every input either done once or not
at all. Several processes may write batches into one dataset at once (a Dask run's
workers): a run claims the dataset with a token, and a batch commits only while its
run's token is the dataset's, so a straggler of a stopped run never adds an input that
the next run also does. The cross-report checks are a pass over the written dataset:
they read back only the columns they need."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..checks.registry import check
from ..checks.similarity import QUOTE, Narrative, fingerprint, sentences
from ..fileio import shown_name
from ..ingest.errors import IngestError
from ..report import Finding, Report, Value
from ..workspace import count_by_severity
from .across import across_findings, roles_cells
from .provinces import province_of

SCHEMA_VERSION = 2  # 2: parts named after their batch, the `files` part as the commit (docs/dataset.md)
MANIFEST = "_ogi_dataset.json"
LOCK = "_ogi_write.lock"  # held shared while a batch commits, exclusive while a run claims or tidies the dataset
RUN = "_ogi_run"  # the token of the run that may commit batches now
UNKNOWN_YEAR = "__HIVE_DEFAULT_PARTITION__"  # read as NULL by pyarrow and DuckDB alike
BATCH = "part-"
ACROSS = "across-"
TMP = ".tmp"  # with a leading dot too: no Parquet reader lists a part still being written

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


class DatasetError(ValueError):
    """A folder that cannot take this ogi's batches (another schema version)."""


class Superseded(Exception):
    """A batch of a run that is no longer the dataset's (stopped, or followed by another
    run): not committed, since the run holding the dataset reads these inputs itself."""


def batch_name(files: Iterable[str]) -> str:
    """A batch's part name, from its inputs: a batch written twice (a task run again after
    its worker died) replaces its own parts instead of adding to them."""
    digest = hashlib.blake2b("\n".join(sorted(files)).encode(), digest_size=10).hexdigest()
    return f"{BATCH}{digest}"


@contextlib.contextmanager
def _locked(root: Path, exclusive: bool) -> Iterator[None]:
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}{TMP}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _current_run(root: Path) -> str | None:
    try:
        return (root / RUN).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def open_dataset(root: Path | str) -> Path:
    """The dataset folder, made if new; one of another schema version is refused."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / MANIFEST
    if not manifest.exists() and any(p.name not in (LOCK, RUN) and not (p.name.startswith(".") and p.name.endswith(TMP))
                                     for p in root.iterdir()):
        # Never adopted: tidying a dataset removes files, and these are someone else's.
        raise DatasetError(f"{root} 不是空目录，也不是 ogi 数据集：请写到新的目录或空目录"
                           f"（{root} is neither empty nor an ogi dataset）")
    if not manifest.exists():
        _write_text(manifest, json.dumps({"format": "ogi-dataset", "schema_version": SCHEMA_VERSION, "tables": list(SCHEMAS),
                                          "partitioned_by": {t: "year" for t in BY_YEAR}}, ensure_ascii=False, indent=2))
        return root
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("schema_version")
    except (ValueError, AttributeError):
        version = None
    if version != SCHEMA_VERSION:
        raise DatasetError(f"该目录的数据集格式版本为 {version}，本程序写入版本 {SCHEMA_VERSION}，不能续写：请写到新的目录"
                           f"（dataset schema version {version}, this ogi writes {SCHEMA_VERSION}）")
    return root


def start_run(root: Path | str) -> str:
    """Claims the dataset for a new run and returns its token: what an earlier run left
    half-written is removed, and from now on only this run's batches commit."""
    root = open_dataset(root)
    token = uuid.uuid4().hex
    with _locked(root, exclusive=True):
        _write_text(root / RUN, token)
        _tidy(root)
    return token


def end_run(root: Path | str, token: str) -> None:
    """The run is over: a batch of it still under way somewhere will not commit."""
    root = Path(root)
    with _locked(root, exclusive=True):
        if _current_run(root) == token:
            (root / RUN).unlink()


def tidy(root: Path | str) -> int:
    """Removes the parts of batches that never committed and abandoned temporary files
    (waiting for any commit under way). Returns how many files went."""
    root = Path(root)
    with _locked(root, exclusive=True):
        return _tidy(root)


def _tidy(root: Path) -> int:
    """Only the dataset's own files are touched: its temporary files (a leading dot) and
    the uncommitted parts of its four tables."""
    committed = {p.name for p in (root / "files").glob("*.parquet")}
    gone = 0
    ours = list(root.glob(f".*{TMP}"))
    for table in SCHEMAS:
        for p in (root / table).glob("**/*"):
            if p.name.startswith(".") and p.name.endswith(TMP):
                ours.append(p)
            elif p.name.startswith(BATCH) and p.suffix == ".parquet" and p.name not in committed:
                ours.append(p)
    for p in ours:
        if p.is_file():
            p.unlink(missing_ok=True)
            gone += 1
    return gone


def parts(root: Path | str, table: str) -> list[Path]:
    """A table's part files that belong to the dataset: those of committed batches and
    the cross-report pass's (a batch being written, or cut short, is left out)."""
    root = Path(root)
    found = sorted((root / table).glob("**/*.parquet"))
    if table not in BY_YEAR:
        return found
    committed = {p.name for p in (root / "files").glob("*.parquet")}
    return [p for p in found if p.name in committed or not p.name.startswith(BATCH)]


class DatasetWriter:
    """Rows collected per table and year; `flush` writes them out as one batch. Given a
    run's token, it writes for that run (a Dask task does); without one it claims the
    dataset for a run of its own, to be ended by `close`."""

    def __init__(self, root: Path | str, run: str | None = None) -> None:
        self.root = Path(root)
        self.own_run = run is None
        self.run = start_run(self.root) if run is None else run
        self._rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self._files: list[str] = []

    def close(self) -> None:
        if self.own_run:
            end_run(self.root, self.run)

    def committed(self, name: str) -> bool:
        return (self.root / "files" / f"{name}.parquet").exists()

    def add(self, file: str, report: Report | None, err: IngestError | None, findings: Sequence[Finding],
            size: int | None = None, sha256: str | None = None) -> None:
        file = shown_name(file)  # (a name whose bytes are not UTF-8: Parquet keeps UTF-8 text)
        rid = report_id(file)
        self._files.append(file)
        self._rows[("files", "")].append({
            "file": file, "report_id": rid if report is not None else None, "ok": err is None and report is not None,
            "error_code": err.code if err else None, "message_zh": shown_name(err.message_zh) if err else None,
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

    def flush(self, name: str | None = None, replaces: Sequence[Path] = ()) -> str | None:
        """The rows held, written as one batch named `name` (by default after its inputs):
        every part to a temporary file, then, while this run holds the dataset, each
        renamed into place with the `files` part last (`replaces` removed just before).
        Raises Superseded, writing nothing, when the run no longer holds the dataset."""
        if not self._rows and not replaces:
            return None
        name = name or batch_name(self._files)
        staged: list[tuple[Path, Path]] = []
        try:
            # `files` last: sorted on whether the table is `files`.
            for (table, year), rows in sorted(self._rows.items(), key=lambda kv: kv[0][0] == "files"):
                if not rows:
                    continue
                folder = self.root / table / (f"year={year}" if table in BY_YEAR else "")
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f".{name}.{uuid.uuid4().hex[:12]}{TMP}"
                staged.append((tmp, folder / f"{name}.parquet"))
                pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[table]), tmp, compression="zstd")
            with _locked(self.root, exclusive=False):
                if _current_run(self.root) != self.run:
                    raise Superseded(name)
                for old in replaces:
                    old.unlink(missing_ok=True)
                while staged:
                    tmp, final = staged[0]
                    os.replace(tmp, final)
                    staged.pop(0)
        finally:
            for tmp, _ in staged:  # not committed: a kill here would leave them to the next run's tidying
                tmp.unlink(missing_ok=True)
        self._rows.clear()
        self._files.clear()
        return name


def damaged_parts(root: Path | str) -> list[Path]:
    """The dataset's part files that are not readable Parquet (a disk error, a copy cut
    short): each names its batch, which is read again once that batch's `files` part is
    removed with it (the batch is then not committed, and its other parts are tidied)."""
    out = []
    for table in SCHEMAS:
        for p in parts(root, table):
            try:
                pq.read_metadata(p)
            except (OSError, ValueError):
                out.append(p)
    return out


def damaged_message(root: Path | str, bad: list[Path]) -> tuple[str, str]:
    root = Path(root)
    names = "、".join(str(p.relative_to(root)) for p in bad[:5]) + ("等" if len(bad) > 5 else "")
    batches = sorted({p.stem for p in bad})
    redo = "、".join(f"files/{b}.parquet" for b in batches[:5] if not b.startswith(ACROSS))
    return (f"数据集 {root} 中有 {len(bad)} 个文件已损坏：{names}。删除这些文件"
            + (f"以及 {redo}" if redo else "") + "后，再次运行写入它的命令即重新生成",
            f"{len(bad)} damaged part files in {root}: {', '.join(str(p) for p in bad[:5])}; remove them"
            + (f" and {redo}" if redo else "") + " and run again")


def done_files(root: Path | str) -> set[str]:
    """The inputs a dataset already holds a row for (a resumed run skips them)."""
    import pyarrow.dataset as ds

    files = [str(p) for p in parts(root, "files")]
    if not files:
        return set()
    return set(ds.dataset(files, format="parquet").to_table(columns=["file"]).column("file").to_pylist())


def pending_inputs(files: Sequence[str], done: set[str]) -> list[str]:
    """The inputs the dataset does not hold yet, each once: one file named twice (a,
    ./a, its absolute path, a link to it) is read once, and a resumed run given the same
    files another way skips them."""
    seen = {os.path.realpath(f) for f in done}
    out: list[str] = []
    for f in files:
        key = shown_name(os.path.realpath(f))  # as the dataset holds the name
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def write_dataset(results: Iterable[Result], root: Path | str, batch: int = 200) -> dict[str, int]:
    """Every result checked on its own and written as it comes, `batch` files per part;
    then the cross-report pass over what was written. Returns counts for the user."""
    w = DatasetWriter(root)
    counts = {"files": 0, "reports": 0, "unreadable": 0}
    try:
        pending = 0
        for file, report, err in results:
            w.add(file, report, err, check(report) if report is not None else [], *file_stat(file))
            counts["files"] += 1
            counts["reports" if report is not None else "unreadable"] += 1
            pending += 1
            if pending >= batch:
                w.flush()
                pending = 0
        w.flush()
        counts["across"] = across_pass(root, w.run)
    finally:
        w.close()
    return counts


def file_stat(file: str) -> tuple[int | None, str | None]:
    """An input's size and SHA-256, read in pieces; (None, None) for what is not a regular
    file (a FIFO would block, /dev/zero never ends: the reader says why it is not read)."""
    h = hashlib.sha256()
    size = 0
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            return None, None
        with open(file, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    except OSError:
        return None, None
    return size, h.hexdigest()


# --- the cross-report pass -------------------------------------------------------------

def _read(root: Path, table: str, columns: list[str], cells: list[str] | None = None) -> pa.Table:
    import pyarrow.dataset as ds

    files = [str(p) for p in parts(root, table)]
    if not files:
        return pa.table({c: [] for c in columns})
    data = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(root / table))
    return data.to_table(columns=columns, filter=ds.field("cell").isin(cells) if cells is not None else None)


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
    cells = _read(root, "cells", ["report_id", "cell", "state", "value"], cells=sorted(roles_cells()))
    for rid, cid, state, value in zip(*(cells.column(c).to_pylist() for c in ("report_id", "cell", "state", "value")),
                                      strict=True):
        if value is not None and value == value.to_integral_value():
            value = int(value)
        reports[where[rid]].cells[cid] = Value(state, value)
    return ids, reports, narratives, quotes


def across_pass(root: Path | str, run: str | None = None) -> int:
    """The cross-report checks (continuity between consecutive years, 年年雷同) over a
    written dataset; their findings are added to `findings` with `across` true, in
    place of the previous pass's (which they replace in one step), so the pass can run
    again after more files were added. `run`: the token of the run it is part of."""
    root = Path(root)
    ids, reports, narratives, quotes = _light_reports(root)
    w = DatasetWriter(root, run)
    try:
        n = 0
        for i, f in across_findings(reports, narratives, quotes):
            w.add_findings(ids[i], reports[i].year, [f], across=True)
            n += 1
        w.flush(f"{ACROSS}{uuid.uuid4().hex[:16]}", replaces=list(root.glob(f"findings/*/{ACROSS}*.parquet")))
    finally:
        w.close()
    return n
