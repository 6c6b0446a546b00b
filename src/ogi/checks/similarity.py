"""年年雷同: narrative copied from the agency's previous report or from another agency's
report of the same year.

Sentences are compared after normalisation, as 64-bit fingerprints. The cost grows
near-linearly with the number of reports:

- reports of one year whose narratives are identical are one group, found by one key per
  report; every member is told once, not once per other member;
- other candidates come only through sentences rare enough to mean copying: a sentence
  printed in more than RARE distinct narratives of the year is the template's or a
  superior office's wording and links no two reports by itself (it still counts in the
  share once two reports are compared);
- last year's report of the same agency is found by `consecutive` (an index, no scan).

Each report gets at most one finding against the same year and one against its previous
report, naming the group it shares its narrative with."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from ..editions import Edition, current_edition
from ..report import Finding, Report
from ..textnorm import nfkc
from .continuity import Agencies, consecutive
from .registry import finding, rule

MIN_SENTENCE = 15  # characters: shorter sentences ("无。") are shared by chance
SHARE = 0.5  # a report whose narrative is at least half someone else's is flagged
QUOTE = 40  # characters of a sentence quoted in the finding
RARE = 20  # distinct narratives of one year a sentence may be in and still point to copying
_SPLIT = re.compile(r"(?<=[。！？；!?;])|\n")
_NOISE = re.compile(r"[\s\d〇一二三四五六七八九十年月日]+")


def sentences(report: Report) -> dict[str, str]:
    """Normalised sentence → as printed; years and numbers ignored (they change yearly)."""
    out: dict[str, str] = {}
    for key in _narrative(report.edition_obj or current_edition()):
        for s in _SPLIT.split(report.sections.get(key) or ""):
            s = s.strip()
            norm = _NOISE.sub("", nfkc(s))  # the sentence as printed is kept for quoting
            if len(norm) >= MIN_SENTENCE:
                out.setdefault(norm, s)
    return out


@cache
def _narrative(ed: Edition) -> tuple[str, ...]:
    """The sections compared: those without a table (a table's section holds little text of its own)."""
    tabled = {t.section for t in ed.tables}
    return tuple(s.key for s in ed.sections if s.key not in tabled)


def overlap(mine: dict[str, str], theirs: dict[str, str]) -> tuple[list[str], float]:
    """The sentences of `mine` that `theirs` also has, and their share of `mine`'s text."""
    total = sum(len(s) for s in mine)
    shared = [s for s in mine if s in theirs]
    return shared, (sum(len(s) for s in shared) / total if total else 0.0)


def fingerprint(norm: str) -> int:
    """A sentence's stable 64-bit fingerprint (the same in every process and run, so it
    can be stored in a dataset and compared later)."""
    import hashlib  # (here: a check of one report never asks, and hashlib loads OpenSSL)

    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "little", signed=True)


@dataclass
class Narrative:
    """What the pass keeps of one report: sentence fingerprints with their lengths."""

    agency: str | None
    year: int | None
    weights: dict[int, int] = field(default_factory=dict)  # fingerprint → length

    @property
    def total(self) -> int:
        return sum(self.weights.values())

    def key(self) -> frozenset[int]:
        return frozenset(self.weights)

    @classmethod
    def of(cls, report: Report) -> Narrative:
        return cls(report.agency, report.year, {fingerprint(s): len(s) for s in sentences(report)})


def share(mine: Narrative, other: Narrative) -> float:
    """The part of `mine` (by length) also in `other`."""
    total = mine.total
    if not total:
        return 0.0
    theirs = other.weights
    return sum(n for h, n in mine.weights.items() if h in theirs) / total


@dataclass
class Copied:
    """One report's narrative found in others: the share and who they are."""

    index: int
    share: float
    others: list[int]  # the reports sharing it, the closest first
    last_year: bool


def copied_groups(narratives: Sequence[Narrative], pairs: Iterable[tuple[int, int]] = ()) -> Iterator[Copied]:
    """For every narrative at least SHARE in another one of the same year (or in the one
    each pair in `pairs` gives as its previous report), who it is shared with."""
    for i, p in pairs:
        s = share(narratives[i], narratives[p])
        if s >= SHARE:
            yield Copied(i, s, [p], True)
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, n in enumerate(narratives):
        if n.year is not None and n.weights:
            by_year[n.year].append(i)
    agencies = Agencies(n.agency for n in narratives)
    agency = [agencies.of(n.agency) for n in narratives]
    for year in sorted(by_year):
        yield from _same_year(narratives, by_year[year], agency)


def _same_year(narratives: Sequence[Narrative], members: list[int], agency: Sequence[str | None]) -> Iterator[Copied]:
    """Another agency's report of the year only: two reports of one agency and year are two
    copies of one report (a page and its attached file), never one copied from the other."""
    identical: dict[frozenset[int], list[int]] = defaultdict(list)
    for i in members:
        identical[narratives[i].key()].append(i)
    groups = list(identical.values())  # each represented by its first member
    # Sentence → the groups (distinct narratives) that print it, capped at RARE + 1.
    postings: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        for h in narratives[group[0]].weights:
            lst = postings[h]
            if len(lst) <= RARE:
                lst.append(g)
    for g, group in enumerate(groups):
        rep = narratives[group[0]]
        candidates: dict[int, None] = {}
        for h in rep.weights:
            lst = postings[h]
            if len(lst) <= RARE:
                for o in lst:
                    if o != g:
                        candidates.setdefault(o)
        close = sorted(((share(rep, narratives[groups[o][0]]), o) for o in candidates), key=lambda t: -t[0])
        close = [(s, o) for s, o in close if s >= SHARE]
        if len(group) == 1 and not close:
            continue
        for i in group:
            mine = agency[i]
            twins = [j for j in group if j != i and (mine is None or agency[j] != mine)]
            near = [(s, [j for j in groups[o] if mine is None or agency[j] != mine]) for s, o in close]
            near = [(s, js) for s, js in near if js]
            if not twins and not near:
                continue
            best = 1.0 if twins else near[0][0]
            yield Copied(i, best, twins + [j for _, js in near for j in js], False)


def copied_finding(copied: Copied, reports: Sequence[Report], shared: Sequence[str]) -> Finding:
    """The finding for one report, quoting up to three of the `shared` sentences."""
    quotes = "；".join(f"“{s[:QUOTE]}{'…' if len(s) > QUOTE else ''}”" for s in shared[:3])
    first = reports[copied.others[0]]
    if copied.last_year:
        why_zh, why_en = f"本机关{first.year}年度的报告", f"the {first.year} report"
    else:
        n = len(copied.others)
        agency = first.agency or "另一机关"
        why_zh = f"{agency}同年度的报告" if n == 1 else f"{agency}等 {n} 份同年度的报告"
        why_en = (f"{first.agency or 'another agency'}'s report of the same year" if n == 1
                  else f"{n} reports of the same year ({first.agency or 'another agency'}, …)")
    return finding("similarity.copied", f"正文约 {copied.share:.0%} 与{why_zh}相同，例如：{quotes}",
                   f"about {copied.share:.0%} of the narrative is identical to {why_en}",
                   found=round(copied.share, 2), expected=SHARE)


@rule("similarity.copied", "warning", "正文与往年或其他机关的报告雷同", across=True)
def check_copied(reports: Sequence[Report]) -> Iterator[tuple[int, Finding]]:
    narratives = [Narrative.of(r) for r in reports]
    for c in copied_groups(narratives, ((i, p) for p, i in consecutive(reports))):
        # Quotes need the printed sentences: recomputed for the flagged reports only.
        mine, theirs = sentences(reports[c.index]), sentences(reports[c.others[0]])
        yield c.index, copied_finding(c, reports, [mine[s] for s in mine if s in theirs])
