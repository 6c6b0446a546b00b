"""A synthetic corpus for measuring speed and accuracy at scale, made from real reports:
each synthetic report is a real one with its figures multiplied by a whole factor (every
identity of the tables is a sum, so all still hold — and those the original breaks stay
broken), a few defects injected at known cells, its paragraphs reshuffled, its agency
renamed, and written by ogi's own writers in a mix of file types. The truth is kept
beside it: the Report as made, and the injected defects."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..checks import check
from ..render import render
from ..report import Report, Value

FORMATS = ("md", "html", "docx", "xlsx")
TRUTH = "_truth.jsonl"
DEFECT_SHARE = 0.2  # of the reports get one injected defect
# A defect is a figure changed where the tables make it visible: an outcome of table 三
# whose row total and column identities then fail.
DEFECT_ROWS = ("requests.granted", "requests.partial")


@dataclass
class Made:
    file: Path
    report: Report  # what the file holds: the truth
    source: str
    defect: str | None  # the cell changed to break the identities


def _scaled(v: Value, k: int) -> Value:
    if v.state != "value" or v.value is None:
        return copy.copy(v)
    n = v.value * k
    raw = format(n, "f") if isinstance(n, Decimal) else str(n)
    return Value("value", n, raw)


def _defect_cell(report: Report, rng: random.Random) -> str | None:
    """A table 三 cell whose identities hold in the report, so the defect is the only
    reason they fail once it is injected."""
    flagged = {c for f in check(report) if f.severity == "error" for c in f.cells}
    choices = [cid for cid, v in report.cells.items() if cid.rsplit(".", 1)[0] in DEFECT_ROWS
               and not cid.endswith(".total") and v.state == "value" and cid not in flagged]
    return rng.choice(sorted(choices)) if choices else None


def _shuffled(text: str | None, rng: random.Random) -> str | None:
    if not text:
        return text
    paras = [p for p in text.split("\n") if p.strip()]
    rng.shuffle(paras)
    return "\n".join(paras)


def make_one(source: Report, i: int, rng: random.Random, inject: bool) -> tuple[Report, str | None]:
    r = copy.copy(source)
    k = rng.randint(1, 4)
    r.cells = {cid: _scaled(v, k) for cid, v in source.cells.items()}
    r.sections = {key: _shuffled(text, rng) for key, text in source.sections.items()}
    r.agency = f"样本{_letters(i)}{source.agency or '某机关'}"
    r.title = None
    r.file = None
    defect = _defect_cell(r, rng) if inject else None
    if defect is not None:
        v = r.cells[defect]
        n = v.value + rng.randint(1, 3)  # type: ignore[operator]
        r.cells[defect] = Value("value", n, str(n))
    return r, defect


def _letters(i: int) -> str:
    """The synthetic agency's number in letters: digits in a name would be read as figures."""
    return "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in f"{i:06d}")


def make_corpus(sources: Sequence[Report], n: int, out: Path | str, seed: int = 1,
                formats: Sequence[str] = FORMATS) -> Iterator[Made]:
    """`n` reports written under `out` (one file each, the types in turn), with
    `out/_truth.jsonl` (one line per file: source, defect, the Report JSON; its leading
    underscore keeps it out of the inputs when the folder is read)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with (out / TRUTH).open("w", encoding="utf-8") as truth:
        for i in range(n):
            src = sources[i % len(sources)]
            r, defect = make_one(src, i, rng, rng.random() < DEFECT_SHARE)
            fmt = formats[i % len(formats)]
            path = out / f"{i:06d}.{fmt}"
            path.write_bytes(render(r, fmt))
            truth.write(json.dumps({"file": path.name, "source": src.file, "defect": defect, "report": r.to_json()},
                                   ensure_ascii=False) + "\n")
            yield Made(path, r, src.file or "", defect)


def read_truth(out: Path | str) -> Iterator[dict[str, Any]]:
    with (Path(out) / TRUTH).open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            d["report"] = Report.from_json(d["report"])
            yield d


@dataclass
class Accuracy:
    files: int = 0
    cells_right: int = 0
    wrongly_filled: int = 0
    missed: int = 0
    defects: int = 0
    defects_found: int = 0


def score(truth: Report, read: Report, acc: Accuracy) -> list[str]:
    """Cells of `read` against the truth; returns the wrongly filled cells. A figure read
    where the truth has another one (or none) is wrong; a cell read as missing that the
    file prints is missed."""
    wrong = []
    for cid, t in truth.cells.items():
        v = read.cells.get(cid, Value())
        if v.state in ("value", "dash") and (v.state, v.number) != (t.state, t.number):
            wrong.append(cid)
        elif v.state == "missing" and t.state != "missing":
            acc.missed += 1
        else:
            acc.cells_right += 1
    acc.wrongly_filled += len(wrong)
    return wrong
