"""年年雷同: narrative copied from the agency's previous report or from another agency's
report of the same year. Sentences are compared after normalisation; shared ones are
found through an index, so hundreds of reports compare in one pass."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from ..report import Finding, Report
from ..textnorm import nfkc
from .continuity import consecutive
from .registry import finding, rule

# Narrative sections compared (tables' sections hold little text of their own).
SECTIONS = ("overview", "problems", "other")
MIN_SENTENCE = 15  # characters: shorter sentences ("无。") are shared by chance
SHARE = 0.5  # a report whose narrative is at least half someone else's is flagged
_SPLIT = re.compile(r"(?<=[。！？；!?;])|\n")
_NOISE = re.compile(r"[\s\d〇一二三四五六七八九十年月日]+")


def sentences(report: Report) -> dict[str, str]:
    """Normalised sentence → as printed; years and numbers ignored (they change yearly)."""
    out: dict[str, str] = {}
    for key in SECTIONS:
        for s in _SPLIT.split(report.sections.get(key) or ""):
            s = s.strip()
            norm = _NOISE.sub("", nfkc(s))
            if len(norm) >= MIN_SENTENCE:
                out.setdefault(norm, s)
    return out


def overlap(mine: dict[str, str], theirs: dict[str, str]) -> tuple[list[str], float]:
    """The sentences of `mine` that `theirs` also has, and their share of `mine`'s text."""
    total = sum(len(s) for s in mine)
    shared = [s for s in mine if s in theirs]
    return shared, (sum(len(s) for s in shared) / total if total else 0.0)


def _finding(rep: Report, other: Report, shared: list[str], mine: dict[str, str], why_zh: str, why_en: str) -> Finding:
    share = overlap(mine, dict.fromkeys(shared))[1]
    quotes = "；".join(f"“{mine[s][:40]}{'…' if len(mine[s]) > 40 else ''}”" for s in shared[:3])
    return finding("similarity.copied", f"正文约 {share:.0%} 与{why_zh}相同，例如：{quotes}",
                   f"about {share:.0%} of the narrative is identical to {why_en}", found=round(share, 2), expected=SHARE)


@rule("similarity.copied", "warning", "正文与往年或其他机关的报告雷同", across=True)
def check_copied(reports: Sequence[Report]) -> Iterator[tuple[int, Finding]]:
    texts = [sentences(r) for r in reports]
    index: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        for s in t:
            index[s].append(i)
    pairs: set[tuple[int, int]] = set()
    for p, i in consecutive(reports):
        pairs.add((i, p))
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(reports):
        if r.year is not None:
            by_year[r.year].append(i)
    for members in by_year.values():
        for i in members:
            for s in texts[i]:
                for j in index[s]:
                    if j != i and reports[j].year == reports[i].year:
                        pairs.add((i, j))
    for i, j in sorted(pairs):
        mine = texts[i]
        if not mine:
            continue
        shared, share = overlap(mine, texts[j])
        if share < SHARE:
            continue
        other = reports[j]
        if other.year == reports[i].year:
            yield i, _finding(reports[i], other, shared, mine, f"{other.agency or '另一机关'}同年度的报告",
                              f"{other.agency or 'another agency'}'s report of the same year")
        else:
            yield i, _finding(reports[i], other, shared, mine, f"本机关{other.year}年度的报告", f"the {other.year} report")
