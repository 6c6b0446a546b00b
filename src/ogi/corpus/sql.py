"""SQL over a Parquet dataset with DuckDB: the four tables are views over their part
files, the year partition a column; nothing is loaded before the query asks for it."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from .parquet import MANIFEST, SCHEMAS, parts

MAX_CELL = 60  # characters of one value shown in the plain-text table


class SqlError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def connect(root: Path | str) -> Any:
    """A DuckDB connection with the views `reports`, `cells`, `findings`, `files`."""
    import duckdb

    root = Path(root)
    if not (root / MANIFEST).is_file():
        raise SqlError("not_a_dataset", f"{root} 不是 ogi 数据集（没有 {MANIFEST}；请先用 ogi dataset … -o 目录.parquet 写出）",
                       f"{root} is not an ogi dataset (no {MANIFEST})")
    con = duckdb.connect()
    for table, schema in SCHEMAS.items():
        files = parts(root, table)  # a batch still being written is not seen
        if files:
            paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{paths}], hive_partitioning = true, "
                        "union_by_name = true)")
        else:  # an empty table still answers queries, with its columns
            cols = ", ".join(f"NULL::{_duck_type(f.type)} AS {f.name}" for f in schema)
            year = ", NULL::BIGINT AS year" if table != "files" else ""
            con.execute(f"CREATE VIEW {table} AS SELECT {cols}{year} WHERE false")
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


def run_query(root: Path | str, query: str, limit: int = 1000) -> tuple[list[str], list[tuple]]:
    """The query's column names and at most `limit` rows."""
    import duckdb

    con = connect(root)
    try:
        cur = con.execute(query)
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchmany(limit)
    except duckdb.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SqlError("sql", f"查询无法执行：{first}", f"query failed: {first}") from None
    finally:
        con.close()


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
