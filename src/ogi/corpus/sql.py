"""SQL over a Parquet dataset with DuckDB: the four tables are views over their part
files, the year partition a column; nothing is loaded before the query asks for it."""

from __future__ import annotations

import json
import os
import resource
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .parquet import MANIFEST, SCHEMA_VERSION, SCHEMAS, damaged_message, damaged_parts, parts

MAX_CELL = 60  # characters of one value shown in the plain-text table


class SqlError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


# DuckDB's own default is 80 % of the machine's memory: a careless query then takes the
# machine, and the kernel, not the query, decides what stops.
MEMORY_MB = 2048


def connect(root: Path | str, also: Sequence[Path | str] = (), memory_mb: int = MEMORY_MB) -> Any:
    """A DuckDB connection with the views `reports`, `cells`, `findings`, `files`, that
    can read the dataset's files and the files `also` (a collector's manifest), no other,
    in at most `memory_mb` of memory (past it the query fails, said as such)."""
    import duckdb

    root = Path(root)
    for extra in also:
        if not Path(extra).is_file():
            what = "是目录，不是文件" if Path(extra).is_dir() else "不存在"
            raise SqlError("not_found", f"要读取的文件{what}：{extra}", f"no such file: {extra}")
    if not (root / MANIFEST).is_file():
        raise SqlError("not_a_dataset", f"{root} 不是 ogi 数据集（没有 {MANIFEST}；请先用 ogi dataset … -o 目录.parquet 写出）",
                       f"{root} is not an ogi dataset (no {MANIFEST})")
    try:
        version = json.loads((root / MANIFEST).read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError, AttributeError):
        version = None
    if version != SCHEMA_VERSION:
        raise SqlError("schema_version", f"{root} 的数据集格式版本为 {version}，本程序读取版本 {SCHEMA_VERSION}：请用本程序重新写出",
                       f"dataset schema version {version}; this ogi reads {SCHEMA_VERSION}")
    con = duckdb.connect()
    readable: list[str] = []
    for table, schema in SCHEMAS.items():
        files = parts(root, table)  # a batch still being written is not seen
        readable += [str(p.resolve()) for p in files]
        if files:
            paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
            try:  # (binding the view reads the parts' schemas)
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{paths}], hive_partitioning = true, "
                            "union_by_name = true)")
            except duckdb.Error as e:
                con.close()
                raise _failed(e, root) from None
        else:  # an empty table still answers queries, with its columns
            cols = ", ".join(f"NULL::{_duck_type(f.type)} AS {f.name}" for f in schema)
            year = ", NULL::BIGINT AS year" if table != "files" else ""
            con.execute(f"CREATE VIEW {table} AS SELECT {cols}{year} WHERE false")
    readable += [str(Path(p).resolve()) for p in also]
    # The dataset's own files and nothing else: a query reads no other file, installs
    # nothing, attaches nothing, and cannot undo this.
    con.execute("SET allowed_paths = [" + ", ".join("'" + p.replace("'", "''") + "'" for p in readable) + "]")
    con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
    # Spilling to disk would write where the user did not ask; over the limit is an error.
    con.execute("SET temp_directory = ''")
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET lock_configuration = true")
    return con


def _duck_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_list(t):
        return "VARCHAR[]" if pa.types.is_string(t.value_type) else "STRUCT(fp BIGINT, len INTEGER, text VARCHAR)[]"
    return "VARCHAR"


def run_query(root: Path | str, query: str, limit: int = 1000, timeout: float | None = None,
              also: Sequence[Path | str] = (), memory_mb: int = MEMORY_MB) -> tuple[list[str], list[tuple]]:
    """The query's column names and at most `limit` rows. Only queries (SELECT, WITH …,
    EXPLAIN) are run; one running past `timeout` seconds, or stopped with Ctrl-C, is
    interrupted (DuckDB does not return to Python while it works)."""
    import threading

    import duckdb

    con = connect(root, also, memory_mb)
    cur = con.cursor()  # its own connection: this one stays free to interrupt it
    capped = _cap_address_space(memory_mb)
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            cur.execute(query)
            out["result"] = ([], []) if cur.description is None else ([d[0] for d in cur.description],
                                                                        _fetch(cur, limit, memory_mb))
        except BaseException as e:  # handed to the waiting thread
            out["error"] = e

    try:
        try:
            kinds = {st.type for st in con.extract_statements(query)}
        except duckdb.Error as e:
            raise _failed(e, root) from None
        if not kinds or not kinds <= _read_only():
            raise SqlError("not_a_query", "只能运行查询语句（SELECT、WITH…SELECT、EXPLAIN），不能修改数据、写出文件或加载扩展",
                           "only queries (SELECT, WITH … SELECT, EXPLAIN) are run")
        worker = threading.Thread(target=work, daemon=True)
        out["started"] = True
        worker.start()
        try:
            worker.join(timeout)
        except KeyboardInterrupt:
            _stop(cur, worker)
            raise SqlError("interrupted", "查询已中止", "the query was interrupted") from None
        if worker.is_alive():
            _stop(cur, worker)
            raise SqlError("timeout", f"查询超过 {timeout:g} 秒仍未完成，已停止（可用 --timeout 放宽）",
                           f"the query ran past {timeout:g} s and was stopped")
        if "error" in out:
            if isinstance(out["error"], duckdb.Error):
                raise _failed(out["error"], root) from None
            raise out["error"]
        return out["result"]
    finally:
        if not out.get("started") or "result" in out or "error" in out:  # not while DuckDB still runs it
            cur.close()
            con.close()
        if capped is not None:
            resource.setrlimit(resource.RLIMIT_AS, capped)


def _cap_address_space(memory_mb: int) -> tuple[int, int] | None:
    """Cap this process's address space while the query runs; the limit it had, to restore.
    DuckDB's memory limit bounds its buffers, not the vectors a query builds (2 048 rows at a
    time: a query of 1 MB strings took 3 GB under --memory 64): past the cap, an allocation
    fails and DuckDB answers out of memory. The margin is twice the limit and 256 MB, and each
    thread's malloc arena (address space reserved, not used)."""
    from ..ingest.bounded import address_space_mb  # (what RLIMIT_AS counts, as the readers' workers cap it)

    now = address_space_mb()
    if not now:
        return None
    before = resource.getrlimit(resource.RLIMIT_AS)
    cap = int((now + 2 * memory_mb + 256 + (os.cpu_count() or 1) * 72) * 2**20)
    if before[1] != resource.RLIM_INFINITY:
        cap = min(cap, before[1])
    if before[0] != resource.RLIM_INFINITY and before[0] <= cap:
        return None  # already tighter
    resource.setrlimit(resource.RLIMIT_AS, (cap, before[1]))
    return before


def _fetch(cur: Any, limit: int, memory_mb: int) -> list[tuple]:
    """At most `limit` rows, a batch at a time, the result held to half of `memory_mb`: the
    memory limit bounds DuckDB, not the rows handed to Python (1 000 rows of 1 MB each took
    3 GB under --memory 64)."""
    budget, used, rows = memory_mb * 2**20 // 2, 0, []
    while len(rows) < limit:
        batch = cur.fetchmany(min(256, limit - len(rows)))
        if not batch:
            break
        used += sum(_size(v) for r in batch for v in r)
        if used > budget:
            raise SqlError("result_too_large", f"查询结果超过 {memory_mb // 2} MB（--memory 的一半）：请只选需要的列、"
                           "用 --rows 减少行数，或用 --memory 放宽", f"the result passed {memory_mb // 2} MB "
                           "(half of --memory): select fewer columns or rows, or raise --memory")
        rows += batch
    return rows


def _size(v: Any) -> int:
    if isinstance(v, str | bytes | bytearray):
        return len(v) * (1 if isinstance(v, bytes | bytearray) or v.isascii() else 4) + 50
    if isinstance(v, list | tuple | dict):
        return sum(_size(x) for x in (v.values() if isinstance(v, dict) else v)) + 56
    return 32


def _stop(cur: Any, worker: Any) -> None:
    cur.interrupt()
    while worker.is_alive():  # a second Ctrl-C while DuckDB winds down is the same request
        try:
            worker.join(10)
            return
        except KeyboardInterrupt:
            cur.interrupt()


def _failed(e: Exception, root: Path | str) -> SqlError:
    """DuckDB's refusal, or, when a part of the dataset cannot be read, which part (looked
    for only then: a query does not pay for reading every part's footer)."""
    bad = damaged_parts(root)
    if bad:
        return SqlError("damaged", *damaged_message(root, bad))
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    reason = next((zh for name, zh in _REASONS_ZH if any(c.__name__ == name for c in type(e).__mro__)), None)
    zh = f"查询无法执行：{reason}。数据库引擎的说明：{first}" if reason else f"查询无法执行：{first}"
    return SqlError("sql", zh, f"query failed: {first}")


# What each kind of DuckDB refusal means to someone writing a query (the engine's own words,
# in English, follow in the message: they name the token, column or value).
_REASONS_ZH = (
    ("ParserException", "SQL 语法有误"),
    ("BinderException", "有列名或表达式无法对应到表中的列（各表的列见 docs/dataset.md）"),
    ("CatalogException", "没有这个表、视图或函数（可查询的表：reports、cells、findings、files）"),
    ("ConversionException", "有值无法转换为所要的类型"),
    ("OutOfRangeException", "有值超出了类型的范围"),
    ("InvalidInputException", "函数或运算收到了无效的输入"),
    ("PermissionException", "查询只能读取本数据集（及 --read 给出）的文件"),
    ("OutOfMemoryException", "超出查询可用的内存上限（可用 --memory 调整，单位 MB）：请缩小查询范围（如加 WHERE year = …）"),
    ("IOException", "读取数据文件失败"),
)


def _read_only() -> frozenset[Any]:
    import duckdb

    return frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _show(v: Any) -> str:
    s = "" if v is None else str(v)
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """Rows aligned in columns for a terminal (CJK characters two columns wide)."""
    cells = [[_show(v) for v in r] for r in rows]
    widths = [max([_width(c), *(_width(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(vals: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths, strict=True)).rstrip() + "\n"

    out = line(columns) + line(["-" * w for w in widths]) + "".join(line(r) for r in cells)
    return out + f"（{len(rows)} 行）\n"
