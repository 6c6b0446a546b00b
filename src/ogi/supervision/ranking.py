"""Scores ranked within their peer group — agencies of one level and kind are compared
with each other, never a township with a city's department. Equal totals share a rank
(1, 1, 3); agencies that published no report follow those that did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .rubric import Score
from .tree import KINDS, LEVEL_ORDER, LEVELS, Region

PENDING_ZH = "未到发布期限"


@dataclass
class Ranked:
    rank: int  # 0: not ranked (its report is not due yet)
    of: int  # agencies ranked in the group
    score: Score

    @property
    def rank_zh(self) -> str:
        return "—" if self.score.pending else str(self.rank)

    @property
    def total_zh(self) -> str:
        return PENDING_ZH if self.score.pending else str(self.score.total)


@dataclass
class Group:
    level: str
    kind: str
    ranked: list[Ranked]

    @property
    def title_zh(self) -> str:
        return f"{LEVELS[self.level]}{KINDS[self.kind]}"


def issuer_in(region: Region, office: str) -> str | None:
    """The agency of the region that issues a ranking in `office`'s name: the office itself,
    or the government whose general office it is (淮安市人民政府办公室 → 淮安市人民政府)."""
    if office in region.agencies:
        return office
    for suffix in ("办公室", "办公厅"):
        if office.endswith(suffix) and office.removesuffix(suffix) in region.agencies:
            return office.removesuffix(suffix)
    return None


def rank(region: Region, scores: Sequence[Score], issuer: str | None = None) -> list[Group]:
    """Groups in the order province → township, governments before departments. The
    `issuer` of the ranking (the office's own government) does not rank itself."""
    groups: dict[tuple[str, str], list[Score]] = {}
    for s in scores:
        if s.agency == issuer:
            continue
        a = region[s.agency]
        groups.setdefault((a.level, a.kind), []).append(s)
    out = []
    for key in sorted(groups, key=lambda k: (LEVEL_ORDER.index(k[0]), k[1] != "government")):
        # An agency with no report ranks after every one that published, whatever the totals:
        # a report a year late with flaws in its tables lost more than the rubric takes for
        # not publishing, and was ranked below agencies that published nothing.
        ordered = sorted((s for s in groups[key] if not s.pending), key=lambda s: (s.unpublished, -s.total, s.agency))
        ranked, prev, place = [], None, 0
        for i, s in enumerate(ordered, start=1):
            if (s.unpublished, s.total) != prev:
                place, prev = i, (s.unpublished, s.total)
            ranked.append(Ranked(place, len(ordered), s))
        # Those whose report is not due yet follow, unranked.
        ranked += [Ranked(0, len(ordered), s) for s in sorted((s for s in groups[key] if s.pending), key=lambda s: s.agency)]
        out.append(Group(key[0], key[1], ranked))
    return out
