"""`ogi parse`, `ogi check`, `ogi compare`: reports read (each file in a bounded
worker) and checked, as JSON for programs or in Chinese for people."""

from __future__ import annotations

from typing import Any

import typer

from .common import (
    FilesArg,
    JobsOpt,
    JsonlOpt,
    JsonOpt,
    LimitOpt,
    checked,
    complain,
    dump,
    entry,
    jsonl,
    notices,
    read_all,
    stopped,
)

app = typer.Typer(rich_markup_mode=None)  # plain help, as the top level


def _console() -> Any:
    from rich.console import Console

    return Console()


@app.command()
def parse(files: FilesArg, as_json: JsonOpt = False, jsonl_: JsonlOpt = False, jobs: JobsOpt = None,
          limit: LimitOpt = None) -> None:
    """读取报告，输出其中的元数据、章节和三张统计表。"""
    def stream(r: Any) -> None:
        jsonl(entry(str(files[r.index]), r.report, r.error))

    results, interrupted = read_all(files, jobs, limit, stream if jsonl_ else None)
    if as_json and not jsonl_:
        dump([entry(*r) for r in results])
    elif not jsonl_:
        from .present import print_report

        console = _console()
        for file, report, err in results:
            if err:
                complain(file, err)
            else:
                assert report is not None
                notices(file, report)
                print_report(console, report, file)
    if interrupted:
        stopped(len(results), len(files))
    raise typer.Exit(2 if any(e for _, _, e in results) else 0)


@app.command()
def check(files: FilesArg, as_json: JsonOpt = False, jsonl_: JsonlOpt = False, jobs: JobsOpt = None,
          limit: LimitOpt = None) -> None:
    """校验报告：算术勾稽、完整性与格式、合理性、元数据；多份报告一起给出时还检查年度衔接。"""
    from ..checks import check as check_one
    from ..checks import check_all

    own: dict[int, int] = {}

    def stream(r: Any) -> None:
        e = entry(str(files[r.index]), r.report, r.error)
        findings = check_one(r.report) if r.report is not None else []
        own[r.index] = len(findings)
        e["findings"] = [f.to_json() for f in findings]
        jsonl(e)

    results, interrupted = read_all(files, jobs, limit, stream if jsonl_ else None)
    good = [(i, r) for i, (_, r, e) in enumerate(results) if r is not None]
    findings_by_index = dict(zip([i for i, _ in good], check_all([r for _, r in good]), strict=True))
    has_error = False
    entries = []
    console = None
    for i, (file, report, err) in enumerate(results):
        findings = findings_by_index.get(i, [])
        has_error |= any(f.severity == "error" for f in findings)
        if jsonl_:
            # The lines above carry each file's own findings; those across files (continuity
            # between years) are known only now: one more line for each file they concern.
            if len(findings) > own.get(i, 0):
                jsonl({"file": file, "continuity": True, "findings": [f.to_json() for f in findings[own.get(i, 0):]]})
        elif as_json:
            e = entry(file, report, err)
            e["findings"] = [f.to_json() for f in findings]
            entries.append(e)
        elif err:
            complain(file, err)
        else:
            from .present import print_findings

            assert report is not None
            console = console or _console()
            notices(file, report)
            print_findings(console, file, report, findings, report.edition_obj if report else None)
    if as_json and not jsonl_:
        dump(entries)
    if interrupted:
        stopped(len(results), len(files))
    if any(e for _, _, e in results):
        raise typer.Exit(2)
    raise typer.Exit(1 if has_error else 0)


@app.command()
def compare(files: FilesArg, as_json: JsonOpt = False, jobs: JobsOpt = None, limit: LimitOpt = None) -> None:
    """对比多份报告：按机关列出各年度的主要数字（新收申请、公开率、复议诉讼、被纠错率等）及与上一年度相比的变化。"""
    from ..corpus.dataset import compare as compare_reports
    from ..corpus.dataset import compare_json

    results, findings, interrupted = checked(files, jobs, limit)
    data = compare_reports(results, findings)
    if as_json:
        dump(compare_json(data))
    else:
        from .present import print_comparison

        print_comparison(_console(), data)
        for file, _, err in results:
            if err:
                complain(file, err)
    if interrupted:
        stopped(len(results), len(files))
    raise typer.Exit(2 if data["unreadable"] else 0)

