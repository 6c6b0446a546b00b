"""The commands of the dataset at scale: `ogi collect` (the web to a folder) and
`ogi distribute` (a folder to the Parquet dataset, on a Dask cluster). Registered by
ogi.cli; every heavy import happens inside the command."""

from __future__ import annotations

import errno
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（格式见 docs/cli.md）")]


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _user_agent(value: str | None) -> str | None:
    # Given empty, the default was sent unsaid; a header cannot carry a line break.
    if value is not None and (not value.strip() or any(c in value for c in "\r\n\0") or len(value) > 500):
        raise typer.BadParameter("应为一行不超过 500 个字符的文字（写明采集者及其联系方式），不能为空")
    return value


def _finite(value: float) -> float:
    # click's min= lets nan through (every comparison with it is false) and inf past any
    # bound; Scrapy then fails every request.
    if not math.isfinite(value):
        raise typer.BadParameter(f"应为有限的秒数，不能是 {value}")
    return value


def _refuse(code: str, message_zh: str, message_en: str, as_json: bool) -> typer.Exit:
    sys.stderr.write(message_zh + "\n")
    if as_json:
        _dump({"error": {"code": code, "message_zh": message_zh, "message_en": message_en}})
    return typer.Exit(2)


_ERRNO_ZH = {errno.ENOENT: "文件或所在目录不存在", errno.EISDIR: "是目录，不是文件", errno.ENOTDIR: "路径中有一部分不是目录",
             errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "文件系统只读", errno.ENOSPC: "磁盘空间不足",
             errno.EDQUOT: "超出磁盘配额", errno.ENAMETOOLONG: "文件名过长"}


def _reason_zh(e: OSError) -> str:
    return _ERRNO_ZH.get(e.errno or 0) or (f"系统错误 {e.errno}" if e.errno else "系统错误")


def _warc_target_problem(warc: Path) -> tuple[str, str] | None:
    """Why --warc cannot be written, checked before a crawl that could take hours."""
    if warc.is_dir():
        return "是目录，应为要写入的文件名（如 crawl.warc.gz）", "is a directory, not a file name"
    parent = warc.parent if str(warc.parent) else Path(".")
    if not parent.is_dir():
        return f"所在目录 {parent} 不存在", f"its folder {parent} does not exist"
    return None


def collect_cmd(
    out: Annotated[Path, typer.Option("--output", "-o", help="采集目录（可续跑；再次运行只取有变化的内容）", show_default=False)],
    seeds: Annotated[Path | None, typer.Argument(help="种子列表（CSV 或 XLSX：机关、年报栏目网址）", show_default=False)] = None,
    from_warc: Annotated[list[Path] | None, typer.Option("--from-warc", help="导入其他工具采集的 WARC 文件（可多次），不再抓取",
                                                         show_default=False)] = None,
    warc: Annotated[Path | None, typer.Option("--warc", help="完成后把采集目录归档为 WARC 文件（.warc.gz）",
                                              show_default=False)] = None,
    delay: Annotated[float, typer.Option("--delay", min=0.0, callback=_finite, help="对同一网站两次请求的间隔（秒）")] = 1.0,
    per_host: Annotated[int, typer.Option("--per-host", min=1, max=16, help="对同一网站同时进行的请求数")] = 1,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0, callback=_finite, help="单个请求的超时（秒）")] = 30.0,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="超时或服务器错误时的重试次数（间隔逐次加倍）")] = 3,
    max_pages: Annotated[int, typer.Option("--max-pages", min=1,
                                           help="每个种子的栏目最多抓取的栏目页数（含第一页；不限制报告页面和附件）")] = 50,
    user_agent: Annotated[str | None, typer.Option("--user-agent", help="请求中的 User-Agent（建议写明联系方式）",
                                                   callback=_user_agent, show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """从各机关的年报栏目采集年度报告页面及其附件。

    从种子列表（各机关的政府信息公开年报栏目）礼貌地采集年度报告页面及其附件，按内容（SHA-256）存储并逐条记录；也可导入、导出 WARC。"""
    from .collect import CollectError, Options, collect, locked, read_seeds, summary_zh
    from .warc import export_warc, import_warc

    if seeds is None and not from_warc and warc is None:
        raise _refuse("no_input", "请给出种子列表，或用 --from-warc 导入 WARC 文件，或用 --warc 归档已有的采集目录",
                      "give a seed list, --from-warc files or --warc", as_json)
    if out.exists() and not out.is_dir():
        raise _refuse("not_a_directory", f"{out} 已存在且不是目录：采集结果是一个目录",
                      f"{out} exists and is not a directory", as_json)
    if warc is not None and (problem := _warc_target_problem(warc)):
        raise _refuse("cannot_write_warc", f"无法写入 WARC 文件 {warc}：{problem[0]}", f"cannot write {warc}: {problem[1]}",
                      as_json)
    result: dict[str, Any] = {"output": str(out)}
    try:
        seed_list = read_seeds(seeds) if seeds is not None else []
        if from_warc:
            mapping = {s.url: s.agency for s in seed_list}
            for p in from_warc:
                if p.is_dir():
                    raise CollectError("bad_warc", f"{p} 是目录，不是 WARC 文件", f"{p} is a directory, not a WARC file")
                if not p.exists():
                    raise CollectError("bad_warc", f"WARC 文件不存在：{p}", f"no such WARC file: {p}")
                if not p.is_file():
                    raise CollectError("bad_warc", f"{p} 不是普通文件，不是 WARC 文件", f"{p} is not a regular file")
            with locked(out):
                n = import_warc(from_warc, out, mapping)
            result["imported"] = n
            sys.stderr.write(f"已从 WARC 导入 {n} 个响应到 {out}\n")
        elif seed_list:
            opts = Options(delay=delay, per_host=per_host, timeout=timeout, retries=retries, max_pages=max_pages,
                           **({"user_agent": user_agent} if user_agent else {}))
            summary = collect(seed_list, out, opts)
            result["crawl"] = summary.to_json()
            sys.stderr.write(summary_zh(summary, out))
            if not summary.finished:
                if as_json:
                    _dump(result)
                raise typer.Exit({"SIGTERM": 143, "SIGHUP": 129}.get(summary.stopped_by or "", 130))
        if warc is not None:
            if not out.is_dir():
                raise CollectError("no_collection", f"{out} 不是采集目录", f"{out} is not a collection")
            with locked(out):
                try:
                    n = export_warc(out, warc)
                except OSError as e:
                    raise CollectError("cannot_write_warc", f"无法写入 WARC 文件 {warc}：{_reason_zh(e)}",
                                       f"cannot write {warc}: {e}") from None
            result["archived"] = {"file": str(warc), "responses": n}
            sys.stderr.write(f"已归档 {n} 个响应到 {warc}\n")
    except CollectError as e:
        raise _refuse(e.code, e.message_zh, e.message_en, as_json) from None
    except OSError as e:
        where = e.filename if e.filename else out
        raise _refuse("cannot_write", f"无法读写 {where}：{_reason_zh(e)}", f"cannot write {where}: {e}", as_json) from None
    except Exception as e:  # warcio, on a record damaged inside, raises many kinds
        if type(e).__module__.startswith("warcio") or "warc" in str(e).lower():
            raise _refuse("bad_warc", f"WARC 文件无法读取：文件已损坏（{type(e).__name__}）", f"cannot read the WARC file: {e}",
                          as_json) from None
        raise
    if as_json:
        _dump(result)


def _scheduler_ok(address: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(address)
        return parts.scheme in ("tcp", "tls", "ws", "wss") and bool(parts.hostname) and parts.port is not None
    except ValueError:
        return False


def distribute_cmd(
    files: Annotated[list[Path], typer.Argument(help="报告文件，或文件夹（ogi collect 的采集目录即取其中的报告页面和附件）",
                                                show_default=False)],
    out: Annotated[Path, typer.Option("--output", "-o", help="输出的 Parquet 数据集目录（可续跑）", show_default=False)],
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask 调度器地址，如 tcp://HOST:8786（默认：在本机启动集群）",
                                                  show_default=False)] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, max=256, help="本机集群的工作进程数（默认：每个处理器核一个）",
                                                show_default=False)] = None,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="任务出错时的重试次数")] = 2,
    batch: Annotated[int, typer.Option("--batch", min=1, max=10000,
                                       help="每个任务处理的文件数（同一读取进程依次读取，写成一批 Parquet）")] = 200,
    limit: Annotated[list[str] | None, typer.Option("--limit", help="调整读取限额：名称=数值，可多次（见 README）",
                                                    show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """在 Dask 集群上读取并校验大量报告，写入 Parquet 数据集。

    各工作进程逐批写入 Parquet 数据集；中断后再次运行从中断处继续，已完成的文件不再处理。"""
    from ..ingest.limits import Limits, parse_assignments
    from .distributed import cluster, distribute, expand, speaks_dask
    from .parquet import Superseded, open_dataset

    try:
        lim = Limits.from_env().with_overrides(parse_assignments(limit))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--limit") from None
    if out.exists() and not out.is_dir():
        raise _refuse("not_a_directory", f"{out} 已存在且不是目录：Parquet 数据集是一个目录",
                      f"{out} exists and is not a directory", as_json)
    if scheduler is not None and not _scheduler_ok(scheduler):
        raise _refuse("bad_scheduler", f"Dask 调度器地址无效：{scheduler}（应为 tcp://主机:端口，如 tcp://10.0.0.5:8786）",
                      f"not a scheduler address: {scheduler}", as_json)
    names = expand(files)
    if not names:
        raise _refuse("no_input", "没有要处理的文件", "no input files", as_json)
    if scheduler is not None and not speaks_dask(scheduler):
        raise _refuse("no_scheduler", f"无法连接 Dask 调度器 {scheduler}，或该地址上的服务不是 Dask 调度器",
                      f"no Dask scheduler answers at {scheduler}", as_json)
    try:
        open_dataset(out)  # before a cluster is started for nothing
    except (OSError, ValueError) as e:
        raise _refuse("cannot_write", f"无法写入数据集 {out}：{e}", f"cannot write the dataset {out}: {e}", as_json) from None
    progress, bar = None, None
    try:
        with cluster(scheduler, workers) as client:
            sys.stderr.write(f"Dask 仪表板：{client.dashboard_link}\n")
            if sys.stderr.isatty():
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                progress = Progress(TextColumn("读取并校验"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                    console=Console(stderr=True), transient=True)

            def total(n: int) -> None:
                nonlocal bar
                if progress is not None:
                    progress.start()
                    bar = progress.add_task("", total=n)

            def advance(done: Any, _c: Any) -> None:
                if progress is not None and bar is not None:
                    progress.advance(bar, len(done.files))

            counts = distribute(names, out, client, limits=lim, retries=retries, batch=batch, on_result=advance,
                                on_total=total)
    except OSError as e:
        raise _refuse("no_scheduler", f"无法连接 Dask 调度器或写入数据集：{e}",
                      f"cannot reach the scheduler or write the dataset: {e}", as_json) from None
    except ValueError as e:
        raise _refuse("cannot_write", f"无法写入数据集 {out}：{e}", f"cannot write the dataset {out}: {e}", as_json) from None
    except Superseded:
        raise _refuse("superseded", f"数据集 {out} 已由另一次运行接管，本次运行停止（已完成的批次都已写入）",
                      f"another run took the dataset {out} over; every batch done is written", as_json) from None
    finally:
        if progress is not None:
            progress.stop()
    if as_json:
        _dump({"output": str(out), "files": counts.files, "reports": counts.reports, "unreadable": counts.unreadable,
               "submitted": counts.submitted, "tasks": counts.tasks, "skipped": counts.skipped,
               "across_findings": counts.across, "interrupted": counts.interrupted, "seconds": round(counts.seconds, 2)})
    if counts.interrupted:
        sys.stderr.write(f"已中止：本次写入 {counts.files} 个文件；再次运行同一命令即从中断处继续\n")
        raise typer.Exit(130)
    sys.stderr.write(f"已写入 {out}：本次 {counts.files} 个文件，读出 {counts.reports} 份报告"
                     + (f"，{counts.unreadable} 个无法读取（见 files 表）" if counts.unreadable else "")
                     + (f"；{counts.skipped} 个文件此前已写入，跳过" if counts.skipped else "")
                     + f"；跨报告检查发现 {counts.across} 个问题；用时 {counts.seconds:.1f} 秒\n")
    raise typer.Exit(2 if counts.unreadable else 0)
