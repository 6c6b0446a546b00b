"""The cross-report checks (continuity between consecutive years, 年年雷同) over many
reports without holding them: each report is kept as little as the checks need —
agency, year, edition, the continuity cells and its narrative's sentence fingerprints
(with the start of each sentence, to quote) — which the Parquet dataset stores and the
streamed `ogi dataset --jsonl` keeps in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ..checks.continuity import check_appeals, check_carried, check_in_force, consecutive
from ..checks.similarity import QUOTE, Copied, Narrative, copied_finding, copied_groups, fingerprint, sentences
from ..editions import all_editions
from ..report import Finding, Report, Value


@dataclass
class Light:
    """One report as the cross-report checks need it."""

    report: Report  # agency, year, edition and the continuity cells only
    narrative: Narrative
    quotes: dict[int, str]  # sentence fingerprint → its start as printed

    @classmethod
    def of(cls, report: Report) -> Light:
        cells = {cid: Value(v.state, v.value) for cid in roles_cells() if (v := report.cells.get(cid)) is not None}
        light = Report(edition=report.edition, agency=report.agency, year=report.year, cells=cells)
        quotes = sentences(report)
        return cls(light, Narrative(report.agency, report.year, {fingerprint(n): len(n) for n in quotes}),
                   {fingerprint(n): s[:QUOTE + 1] for n, s in quotes.items()})


@cache
def roles_cells() -> frozenset[str]:
    """The cells the continuity checks read, in every edition."""
    out: set[str] = set()
    for ed in all_editions():
        for key in ("carried_in_row", "carried_out_row"):
            row = ed.role(key)
            if row:
                out.update(c for c in ed.cells if c.startswith(row + "."))
        for t in ed.role("in_force") or []:
            out.update(t.values())
        for p in ed.role("appeals_pending") or []:
            out.add(p)
            if total := ed.total_of(p):
                out.add(total)
    return frozenset(out)


def across_findings(reports: Sequence[Report], narratives: Sequence[Narrative],
                    quotes: Sequence[dict[int, str]]) -> Iterator[tuple[int, Finding]]:
    """(index of the report, finding) of every cross-report check: what `check_all` adds
    to the single-report checks, computed from the light forms."""
    for func in (check_carried, check_in_force, check_appeals):
        yield from func(reports)
    pairs = ((i, p) for p, i in consecutive(reports))
    for c in copied_groups(narratives, pairs):
        yield c.index, copied_finding(c, reports, _shared_quotes(c, narratives, quotes))


def _shared_quotes(c: Copied, narratives: Sequence[Narrative], quotes: Sequence[dict[int, str]]) -> list[str]:
    theirs = narratives[c.others[0]].weights
    return [quotes[c.index][h] for h in narratives[c.index].weights if h in theirs]
