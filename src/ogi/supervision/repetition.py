"""年年雷同 in figures: the share of a report's narrative repeated from the agency's
previous report and from its siblings' reports of the same year, with the passages side
by side. Sentences are those of the similarity check (checks/similarity.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..checks.similarity import overlap, sentences
from ..report import Report


@dataclass
class Repetition:
    against: str  # previous | sibling
    other_agency: str
    other_year: int | None
    share: float  # of this report's narrative text, 0…1
    passages: list[tuple[str, str]] = field(default_factory=list)  # (as printed here, as printed there)

    def to_json(self) -> dict[str, object]:
        return {"against": self.against, "other_agency": self.other_agency, "other_year": self.other_year,
                "share": round(self.share, 4), "passages": [list(p) for p in self.passages]}


def compare(report: Report, other: Report, against: str, other_agency: str) -> Repetition:
    mine, theirs = sentences(report), sentences(other)
    shared, share = overlap(mine, theirs)
    return Repetition(against, other_agency, other.year, share, [(mine[s], theirs[s]) for s in shared])


def repetitions(report: Report, previous: tuple[str, Report] | None,
                siblings: Sequence[tuple[str, Report]]) -> list[Repetition]:
    """Against last year's report and each sibling's; only those sharing some text."""
    out = []
    if previous is not None:
        out.append(compare(report, previous[1], "previous", previous[0]))
    mine = sentences(report)
    for name, other in siblings:
        if mine.keys() & sentences(other).keys():
            out.append(compare(report, other, "sibling", name))
    return [r for r in out if r.passages]


def highest(reps: Sequence[Repetition], against: str) -> float:
    """The largest share against one kind of source (0 when none)."""
    return max((r.share for r in reps if r.against == against), default=0.0)
