"""The `ogi` command. Thin: every command calls library functions; none re-implements
a rule. Output for machines is the JSON of docs (cli.md); for people, Chinese.

One module per group of commands: reading (parse, check, compare), dataset (dataset,
sql, and collect and distribute from ogi.corpus.commands), rendering (render,
template), ledger (the ledger and its web application), supervision (supervise). A
command's module is imported only when that command runs (or `--help` lists them all),
so `ogi check report.txt` loads the readers and the checks, not the web application,
the dataset engines or the writers.
"""

from __future__ import annotations

import gc
import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

# A command's start is mostly imports: objects that live as long as the process, which the
# collector at its default pace (a pass every 700 new objects) walks some forty times during
# a start (5 ms of about 120). A command collects rarely; `ogi serve`, which runs for days,
# goes back to the default pace (steady_collector).
_DEFAULT_GC = gc.get_threshold()
gc.set_threshold(100_000, *_DEFAULT_GC[1:])

import click  # noqa: E402
import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402


def steady_collector() -> None:
    """The interpreter's own collection pace, for a command that keeps running (a server)."""
    gc.set_threshold(*_DEFAULT_GC)

# Every command, in the order `ogi --help` lists them, and the module of ogi.cli holding it.
COMMANDS = {
    "parse": "reading", "check": "reading", "compare": "reading",
    "dataset": "dataset", "sql": "dataset", "synth": "dataset",
    "render": "rendering", "template": "rendering",
    "deadline": "ledger", "collect": "dataset", "distribute": "dataset",
    "demo": "ledger", "serve": "ledger", "cleanup": "ledger", "backup": "ledger",
    "restore": "ledger", "token": "ledger", "remind": "ledger",
    "supervise": "supervision",
    "calendar": "ledger", "user": "ledger", "report": "ledger",
}


@cache
def _commands(module: str) -> dict[str, click.Command]:
    """The click commands of one module's Typer app."""
    mod = importlib.import_module(f"{__name__}.{module}")
    return typer.main.get_group(mod.app).commands


class _Lazy(Mapping[str, click.Command]):
    """Every command by name; a command's module is imported when the command is asked for."""

    def __getitem__(self, name: str) -> click.Command:
        return _commands(COMMANDS[name])[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class _Commands(TyperGroup):
    """The top-level group, over the lazy commands (its names suggest the right one for a typo)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.commands = _Lazy()  # type: ignore[assignment]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    help="ogi：政府信息公开工作年度报告的读取、校验与编制。",
    rich_markup_mode=None,
)


@app.callback()
def _ogi() -> None:
    pass


_USAGE_ZH = [
    (re.compile(r"^Missing argument '(.+)'\.?$"), "缺少参数 {0}"),
    (re.compile(r"^Missing option (.+?)\.?$"), "缺少选项 {0}"),
    (re.compile(r"^No such option: (\S+)"), "没有选项 {0}"),
    (re.compile(r"^No such command '(.+)'\.?$"), "没有命令 {0}"),
    (re.compile(r"^Invalid value for (.+?): (.+)$"), "{0} 的值无效（{1}）"),
    (re.compile(r"^Invalid value: (.+)$"), "{0}"),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments?\.?$"), "选项 {0} 需要 {1} 个参数"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
]


# What click says of a value, after "Invalid value for …:".
_VALUE_ZH = [
    (re.compile(r"^(.+?) is not in the range (.+?)<=x<=(.+?)\.?$"), "{0} 不在 {1} 至 {2} 之间"),
    (re.compile(r"^(.+?) is not in the range x>=(.+?)\.?$"), "{0} 小于 {1}"),
    (re.compile(r"^(.+?) is not in the range x<=(.+?)\.?$"), "{0} 大于 {1}"),
    (re.compile(r"^'(.*)' is not one of (.+?)\.?$"), "“{0}”不是可选的值之一：{1}"),
    (re.compile(r"^'(.*)' is not a valid integer(?: range)?\.?$"), "“{0}”不是整数"),
    (re.compile(r"^'(.*)' is not a valid float(?: range)?\.?$"), "“{0}”不是数字"),
    (re.compile(r"^'(.*)' is not a valid boolean\.?$"), "“{0}”应为 true 或 false"),
    (re.compile(r"^(?:File|Path|Directory) '(.+)' does not exist\.?$"), "{0} 不存在"),
    (re.compile(r"^(?:File|Path) '(.+)' is a directory\.?$"), "{0} 是目录，不是文件"),
    (re.compile(r"^Directory '(.+)' is a file\.?$"), "{0} 是文件，不是目录"),
]


def _names(text: str) -> str:
    """'--jobs' / '-j' as --jobs / -j."""
    return text.replace("'", "")


def usage_zh(message: str) -> str:
    """click's usage messages in Chinese, keeping the technical part as it is."""
    for pattern, zh in _USAGE_ZH:
        m = pattern.match(message.strip())
        if m:
            parts = [_names(g) for g in m.groups()]
            if pattern.pattern.startswith("^Invalid value for"):
                parts[1] = _value_zh(m.group(2))
            return zh.format(*parts)
    return message.strip().rstrip(".")


def _value_zh(detail: str) -> str:
    for pattern, zh in _VALUE_ZH:
        m = pattern.match(detail.strip())
        if m:
            return zh.format(*(g.replace("'", "").replace(", ", "、") if i else g for i, g in enumerate(m.groups())))
    return detail.strip().rstrip(".")


PAIR = "\x1f"  # joins the two values of an option that takes a pair (--pause FROM TO)


def _pair_options(argv: list[str], names: tuple[str, ...] = ("--pause",)) -> list[str]:
    """click options take one value each here: fold `--pause A B` into one argument."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in names and i + 2 < len(argv) and not argv[i + 2].startswith("-"):
            out += [argv[i], PAIR.join(argv[i + 1: i + 3])]
            i += 3
            continue
        out.append(argv[i])
        i += 1
    return out


def main() -> None:
    """Console entry point: usage errors as one Chinese line, never a traceback."""
    try:
        sys.exit(_run())
    finally:
        # What the command loaded (modules, caches of labels and layouts) is left out of the
        # collections the interpreter runs as it exits: a fifth of a short command's time.
        gc.freeze()


def _run() -> int:
    code: Any
    try:
        code = app(args=_pair_options(sys.argv[1:]), standalone_mode=False)
    except click.exceptions.UsageError as e:
        # The help of the command at fault ("ogi report compile --help"), where that is known.
        names, ctx = [], e.ctx
        while ctx is not None and ctx.parent is not None:
            names.append(ctx.info_name or "")
            ctx = ctx.parent
        where = " ".join(["ogi", *reversed(names)])
        sys.stderr.write(f"用法错误：{usage_zh(e.format_message())}。运行 {where} --help 查看用法。\n")
        return 2
    except click.exceptions.Abort:
        sys.stderr.write("已中止。\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # the last guard: a bug is reported in one line, never as a traceback
        sys.stderr.write(f"内部错误：{type(e).__name__}: {e}\n")
        return 2
    return code or 0
