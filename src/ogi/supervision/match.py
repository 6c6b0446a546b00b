"""Which agency of the tree a collected report is from. Only a sure match assigns: the
name as printed (or one of the agency's aliases), equal after normalisation, or equal but
for the enclosing place one side adds (洪泽区人民政府 / 淮安市洪泽区人民政府) when exactly
one agency fits. Anything else waits in the queue with its candidates — never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..ingest.metadata import agency_key, forms, same_agency
from ..textnorm import nfkc, squash
from .tree import Region

# Candidates offered to the person who assigns; below this similarity a name is no candidate.
CANDIDATE_SCORE = 70


def _tails(name: str) -> list[str]:
    """The name and what is left of it after each leading place (淮安市洪泽区人民政府 →
    洪泽区人民政府, 人民政府 is too short to stand alone)."""
    n = squash(nfkc(name))
    places = tuple(forms()["places"])
    return [n] + [n[i:] for i in range(1, len(n)) if n[:i].endswith(places) and len(n) - i >= 2]


def normalise(name: str) -> str:
    """A name as compared: the agency-name rule's key (ingest.metadata.agency_key: NFKC, no
    spaces, no bracketed remark (（盖章）), no governing body after a place), the key every
    cross-report pass groups by."""
    return agency_key(name)


@dataclass
class Match:
    status: str  # assigned | doubtful | unmatched
    agency: str | None = None
    how: str = ""  # exact | alias | normalised | place
    candidates: list[str] = field(default_factory=list)
    message_zh: str = ""
    message_en: str = ""

    @property
    def assigned(self) -> bool:
        return self.status == "assigned"


class Matcher:
    """Built once per region; matching is a dictionary look-up, then a scan only for the
    place rule and the queue's candidates."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.exact: dict[str, str] = {}
        self.normal: dict[str, set[str]] = {}
        # The place rule without a scan: every form of a name, whole and without each
        # enclosing place it starts with, as keys (洪泽区政府 and 洪泽区人民政府 are one) → the agencies printed so.
        self.tails: dict[str, set[str]] = {}
        for a in region:
            for i, n in enumerate((a.name, *a.aliases)):
                if i == 0 or n not in self.exact:
                    self.exact.setdefault(n, a.name)
                self.normal.setdefault(normalise(n), set()).add(a.name)
                for tail in _tails(normalise(n)):
                    self.tails.setdefault(tail, set()).add(a.name)

    def match(self, printed: str | None) -> Match:
        if not printed or not printed.strip():
            return Match("unmatched", message_zh="报告中未找到发布机关名称，请人工指定",
                         message_en="the report names no agency; assign it by hand")
        printed = printed.strip()
        if printed in self.exact:
            name = self.exact[printed]
            return Match("assigned", name, "exact" if name == printed else "alias")
        hits = self.normal.get(normalise(printed), set())
        if len(hits) == 1:
            return Match("assigned", next(iter(hits)), "normalised")
        if len(hits) > 1:
            return Match("doubtful", candidates=sorted(hits),
                         message_zh=f"“{printed}”与多个机关的名称相同：{'、'.join(sorted(hits))}，请人工指定",
                         message_en=f"{printed!r} fits several agencies")
        place = {name for tail in _tails(normalise(printed)) for name in self.tails.get(tail, ())
                 if any(same_agency(n, printed) for n in self._forms(name))}
        if len(place) == 1:
            return Match("assigned", next(iter(place)), "place")
        candidates = sorted(place) or self._candidates(printed)
        if candidates:
            return Match("doubtful", candidates=candidates,
                         message_zh=f"“{printed}”不在机关名录中，可能是：{'、'.join(candidates)}，请人工指定",
                         message_en=f"{printed!r} is not in the tree; possible: {', '.join(candidates)}")
        return Match("unmatched", message_zh=f"“{printed}”不在机关名录中，请人工指定或先补充名录",
                     message_en=f"{printed!r} is not in the tree")

    def _forms(self, name: str) -> tuple[str, ...]:
        a = self.region[name]
        return (a.name, *a.aliases)

    def _candidates(self, printed: str, limit: int = 3) -> list[str]:
        # Compared as printed, in full: the keys are short (沐阳县 / 沭阳县) and one misread
        # character weighs too much in them.
        forms_ = {squash(nfkc(n)): a.name for a in self.region for n in (a.name, *a.aliases)}
        found = process.extract(squash(nfkc(printed)), list(forms_), scorer=fuzz.ratio, limit=limit * 2,
                                score_cutoff=CANDIDATE_SCORE)
        out: list[str] = []
        for form, _score, _ in found:
            if forms_[form] not in out:
                out.append(forms_[form])
        return out[:limit]
