"""`ogi dataset` and `ogi sql`: many reports as one table (CSV, XLSX, JSON Lines, or a
Parquet dataset), and SQL over the Parquet dataset; `ogi collect` and `ogi distribute`
(the web to a folder, a folder to the dataset on a Dask cluster) are registered here
from their own module."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..corpus.commands import collect_cmd, distribute_cmd
from .common import FilesArg, Interrupted, JobsOpt, JsonOpt, LimitOpt, checked, dump, limits, stopped, stream, write

app = typer.Typer(rich_markup_mode=None)  # plain help, as the top level

app.command("collect")(collect_cmd)
app.command("distribute")(distribute_cmd)


@app.command()
def dataset(files: FilesArg,
            out: Annotated[Path | None, typer.Option("--output", "-o", help="输出：.csv、.xlsx、.jsonl 文件，或 .parquet 目录（可续跑）",
                                                     show_default=False)] = None,
            jsonl_: Annotated[bool, typer.Option("--jsonl", help="不写文件：每读完一个文件向标准输出写一行 JSON（按完成先后）")] = False,
            jobs: JobsOpt = None, limit: LimitOpt = None) -> None:
    """把多份报告整理为一张数据表（每份报告一行）。

    每个单元格一列，另有元数据、问题数和主要指标；读不出的文件也占一行并写明原因。
    给出文件夹即读取其中的文件（ogi collect 的采集目录即取其中的报告页面和附件）。"""
    from ..corpus.dataset import WRITERS, rows
    from ..corpus.distributed import expand

    if any(f.is_dir() for f in files):
        files = [Path(f) for f in expand(files)]
        if not files:
            sys.stderr.write("给出的文件夹中没有文件\n")
            raise typer.Exit(2)
    if (out is None) == (not jsonl_):
        sys.stderr.write("请给出 --output 文件或 --jsonl（二者选一）\n")
        raise typer.Exit(2)
    if out is None:
        _dataset_jsonl(files, jobs, limit)
        return
    fmt = out.suffix.lower().lstrip(".")
    if fmt == "parquet":
        _dataset_parquet(files, out, jobs, limit)
        return
    if fmt not in WRITERS:
        sys.stderr.write(f"不支持的输出格式“{out.suffix or '（无扩展名）'}”：请用 .csv、.xlsx、.jsonl 或 .parquet\n")
        raise typer.Exit(2)
    results, findings, interrupted = checked(files, jobs, limit)
    table = rows(results, findings)
    write(WRITERS[fmt](table), out, None, fmt)
    if interrupted:
        stopped(len(results), len(files))
    bad = [r for r in table if not r["ok"]]
    sys.stderr.write(f"共 {len(table)} 个文件，读出 {len(table) - len(bad)} 份报告"
                     + (f"，{len(bad)} 个无法读取（原因见“error”列）" if bad else "") + "\n")
    raise typer.Exit(2 if bad else 0)


def _dataset_jsonl(files: list[Path], jobs: int | None, limit: list[str] | None) -> None:
    """Streamed: a line per file as it completes, nothing of a report kept but what the
    checks across reports need; their findings follow as one more line per file concerned."""
    from ..corpus.dataset import jsonl_line, stream_rows

    done = bad = 0

    def results() -> Any:
        for r in stream(files, jobs, limit):
            yield str(files[r.index]), r.report, r.error

    interrupted = False
    lines = stream_rows(results())
    try:
        for line in lines:
            sys.stdout.write(jsonl_line(line))
            sys.stdout.flush()
            if "continuity" not in line:
                done += 1
                bad += not line["ok"]
    except (Interrupted, KeyboardInterrupt):
        lines.close()
        interrupted = True
    if interrupted:
        stopped(done, len(files))
    sys.stderr.write(f"共 {done} 个文件，读出 {done - bad} 份报告"
                     + (f"，{bad} 个无法读取（原因见“error”）" if bad else "") + "\n")
    raise typer.Exit(2 if bad else 0)


def _dataset_parquet(files: list[Path], out: Path, jobs: int | None, limit: list[str] | None) -> None:
    """Streamed: each file is written as it is read; files the dataset holds are skipped."""
    from ..corpus.batch import iter_read
    from ..corpus.parquet import done_files, pending_inputs, write_dataset

    if out.exists() and not out.is_dir():
        sys.stderr.write(f"{out} 已存在且不是目录：Parquet 数据集是一个目录\n")
        raise typer.Exit(2)
    done = done_files(out) if out.is_dir() else set()
    todo = [Path(f) for f in pending_inputs([str(f) for f in files], done)]
    try:
        counts = write_dataset(iter_read(todo, jobs, limits(limit)), out)
    except (OSError, ValueError) as e:
        from ..corpus.parquet import damaged_message, damaged_parts

        bad = damaged_parts(out) if out.is_dir() else []
        sys.stderr.write((damaged_message(out, bad)[0] if bad else f"无法写入数据集 {out}：{e}") + "\n")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        sys.stderr.write(f"已中止：已写完的批次保留在 {out}，再次运行同一命令即从中断处继续\n")
        raise typer.Exit(130) from None
    sys.stderr.write(f"已写入 {out}：本次 {counts['files']} 个文件，读出 {counts['reports']} 份报告"
                     + (f"，{counts['unreadable']} 个无法读取（见 files 表）" if counts["unreadable"] else "")
                     + (f"；{len(files) - len(todo)} 个文件此前已写入或重复给出，跳过" if len(files) > len(todo) else "")
                     + f"；跨报告检查发现 {counts['across']} 个问题\n")
    raise typer.Exit(2 if counts["unreadable"] else 0)


@app.command()
def synth(n: Annotated[int, typer.Argument(min=1, max=10_000_000, help="要生成的报告份数", show_default=False)],
          out: Annotated[Path, typer.Option("--output", "-o", help="输出目录（须为新目录或空目录）", show_default=False)],
          sources: Annotated[list[Path] | None, typer.Option("--from", help="作为底本的真实报告（可多次；默认用内置的两份样例）",
                                                              show_default=False)] = None,
          seed: Annotated[int, typer.Option("--seed", help="随机数种子：同一种子生成同一语料")] = 1) -> None:
    """生成合成语料，用于在大规模上测量速度和准确度。

    以真实报告为底本，改动数值而保持勾稽关系，在已知单元格注入缺陷，打乱段落，混合文件类型；
    答案写在目录中的 _truth.jsonl（读取目录时不作为输入）。"""
    from ..corpus.synth import TRUTH, make_corpus
    from ..ingest.errors import IngestError
    from ..ingest.load import load_report

    if out.exists() and not out.is_dir():
        sys.stderr.write(f"{out} 是一个文件，不是目录：请给出新的目录\n")
        raise typer.Exit(2)
    if out.exists() and any(out.iterdir()):
        sys.stderr.write(f"{out} 已存在且不是空目录：请给出新的目录\n")
        raise typer.Exit(2)
    files = sources or sorted((Path(__file__).resolve().parents[1] / "data" / "samples").glob("*.txt"))
    reports = []
    for f in files:
        try:
            reports.append(load_report(f))
        except IngestError as e:
            sys.stderr.write(f"{f}：{e.message_zh}\n")
            raise typer.Exit(2) from None
    made = defects = 0
    existed = out.exists()
    try:
        for m in make_corpus(reports, n, out, seed=seed):
            made += 1
            defects += m.defect is not None
    except KeyboardInterrupt:
        # A corpus short of its truth is no corpus: the folder goes, so that the same command can run again.
        import shutil

        for child in list(out.iterdir()) if existed else []:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        if not existed:
            shutil.rmtree(out, ignore_errors=True)
        sys.stderr.write(f"已中止：已生成的 {made} 份已删除（{out} 恢复原样），可重新运行\n")
        raise typer.Exit(130) from None
    sys.stderr.write(f"已生成 {made} 份报告到 {out}（底本 {len(reports)} 份，注入缺陷 {defects} 处；答案见 {out / TRUTH}）\n")


@app.command()
def sql(query: Annotated[str, typer.Argument(help="SQL 查询（DuckDB），表：reports、cells、findings、files", show_default=False)],
        data: Annotated[Path, typer.Option("--dataset", "-d", help="ogi dataset 写出的 .parquet 目录", show_default=False)],
        as_json: JsonOpt = False,
        max_rows: Annotated[int, typer.Option("--rows", min=1, max=1_000_000, help="最多显示的行数")] = 1000,
        timeout: Annotated[float, typer.Option("--timeout", min=1.0, max=86_400.0,
                                               help="查询的时限（秒），超过即停止")] = 600.0,
        read: Annotated[list[Path] | None, typer.Option("--read", help="查询中还可读取的文件（如采集目录的 manifest.jsonl），可多次",
                                                        show_default=False)] = None,
        memory: Annotated[int, typer.Option("--memory", min=64, max=1_048_576, help="查询可用的内存上限（MB），超过即停止")] = 2048,
        ) -> None:
    """在 Parquet 数据集上运行 SQL 查询（只读；示例见 docs/dataset.md）。"""
    from ..corpus.sql import SqlError, run_query

    if timeout != timeout:  # NaN passes the range check
        raise typer.BadParameter("应为 1 至 86400 之间的秒数，而不是 nan", param_hint="'--timeout'")
    try:
        columns, rows_ = run_query(data, query, max_rows, timeout, read or [], memory)
    except SqlError as e:
        sys.stderr.write(e.message_zh + "\n")
        if as_json:
            dump({"error": {"code": e.code, "message_zh": e.message_zh, "message_en": e.message_en}})
        code = 130 if e.code == "interrupted" else 2
        if e.code in ("interrupted", "timeout"):
            # DuckDB's own threads may still be winding the stopped query down: the usual
            # exit would tear them down mid-task and abort (exit 134). Everything is written.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        raise typer.Exit(code) from None
    if as_json:
        dump({"columns": columns, "rows": [[_jsonable(v) for v in r] for r in rows_]})
        return
    from ..corpus.sql import format_table

    sys.stdout.write(format_table(columns, rows_))


def _jsonable(v: Any) -> Any:
    """A DuckDB value as JSON: exact decimals and dates as text, NaN and infinities as
    null (JSON has none), lists and structs value by value, anything else as its text."""
    import decimal
    import math

    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, decimal.Decimal):
        return str(v) if v.is_finite() else None
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).hex()
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)  # UUID, interval (timedelta) …
