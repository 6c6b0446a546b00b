"""What the command modules share: the options every reading command takes, reading
files in bounded workers with progress and Ctrl-C, JSON out, and writing a file.
Imports nothing heavy: each command imports the library it calls when it runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..fileio import os_reason, shown_name, write_atomically

if TYPE_CHECKING:
    from ..ingest.errors import IngestError
    from ..report import Report

FilesArg = Annotated[list[Path], typer.Argument(help="报告文件：网页、Word、PDF、扫描件、Excel、文本、Markdown 或 ogi 的 JSON",
                                                show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（格式见 docs/cli.md）")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="每读完一个文件输出一行 JSON（JSON Lines，按完成先后）")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="并行读取的进程数（默认：每个处理器核一个）")]
LimitOpt = Annotated[list[str] | None, typer.Option(
    "--limit", help="调整读取限额：名称=数值，可多次（如 --limit pdf_pages=50 --limit timeout_s=60；见 README）",
    show_default=False)]

Result = tuple[str, "Report | None", "IngestError | None"]


class Format(StrEnum):
    docx = "docx"
    html = "html"
    pdf = "pdf"
    xlsx = "xlsx"
    md = "md"
    json = "json"


def limits(items: list[str] | None) -> Any:
    from ..ingest.limits import Limits, parse_assignments

    try:
        return Limits.from_env().with_overrides(parse_assignments(items))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--limit") from None


class Interrupted(Exception):
    """Ctrl-C during a batch: what finished is written, then exit 130."""


def stream(files: list[Path], jobs: int | None, limit: list[str] | None) -> Iterator[Any]:
    """Bounded results as files complete, with a progress bar on a terminal; Ctrl-C stops
    the batch after the results so far (the caller writes them, then Interrupted is raised)."""
    from ..ingest.bounded import read_many

    lim = limits(limit)
    results = read_many(files, lim, jobs)
    progress = None
    if sys.stderr.isatty() and len(files) > 1:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        progress.start()
        bar = progress.add_task("", total=len(files))
    try:
        for r in results:
            if progress is not None:
                progress.advance(bar)
            yield r
    except KeyboardInterrupt:
        raise Interrupted from None
    finally:
        results.close()  # the workers are stopped, whatever ended the loop
        if progress is not None:
            progress.stop()


def read_all(files: list[Path], jobs: int | None = None, limit: list[str] | None = None,
             on_result: Any = None) -> tuple[list[Result], bool]:
    """Every file read (bounded), in the order given, and whether Ctrl-C cut the batch short."""
    got: dict[int, Result] = {}
    interrupted = False
    results = stream(files, jobs, limit)
    try:
        for r in results:
            got[r.index] = (str(files[r.index]), r.report, r.error)
            if on_result is not None:
                on_result(r)
    # Ctrl-C while a result was being written lands here, not in stream (typer would
    # otherwise turn it into a silent exit 130 without the output of what finished).
    except (Interrupted, KeyboardInterrupt):
        results.close()
        interrupted = True
    return [got[i] for i in sorted(got)], interrupted


def checked(files: list[Path], jobs: int | None, limit: list[str] | None = None) -> tuple[list, list, bool]:
    """Every file read, and every file's findings (the checks across reports too)."""
    from ..checks import check_all

    results, interrupted = read_all(files, jobs, limit)
    return results, check_all([r for _, r, _ in results if r is not None]), interrupted


def stopped(done: int, total: int) -> None:
    sys.stderr.write(f"已中止：{total} 个文件中已读完 {done} 个，输出只含这些文件。\n")
    raise typer.Exit(130)


def entry(file: str, report: Report | None, err: IngestError | None) -> dict[str, Any]:
    return {
        "file": file,
        "ok": err is None,
        "error": err.to_json() if err else None,
        "report": report.to_json() if report else None,
    }


def dump(data: Any) -> None:
    sys.stdout.write(shown_name(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def jsonl(data: Any) -> None:
    sys.stdout.write(shown_name(json.dumps(data, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def complain(file: str, err: IngestError) -> None:
    raise_it = f"（如确需读取，可用 --limit {err.limit}=更大的值 放宽）" if err.limit else ""
    sys.stderr.write(f"{file}：{err.message_zh}{raise_it}\n")


def notices(file: str, report: Report) -> None:
    for n in report.notices:
        sys.stderr.write(f"{file}：注意：{n['message_zh']}\n")


def write(data: bytes, out: Path | None, default: Path | None, fmt: str) -> None:
    """Bytes to the file asked for (`-`: standard output, as tools take it); a binary format
    without one to `default`, text to stdout."""
    from ..render import BINARY

    target = out or (default if fmt in BINARY else None)
    if target is None or str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_atomically(target, data)
    except OSError as e:
        sys.stderr.write(f"无法写入 {target}：{os_reason(e)}\n")
        raise typer.Exit(2) from None
    sys.stderr.write(f"已写入 {target}（{len(data) / 1024:.0f} KB）\n")
