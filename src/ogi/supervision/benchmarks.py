"""Peer benchmarks as data (benchmarks.yaml): 公开率, 纠错率, 复议诉讼 per 100 requests
and the share of 其他处理, each set against the quartiles of the agency's peer group and
marked only where the group is large enough to mean something."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..corpus.indicators import Numbers, figures
from ..report import Report
from .tree import KINDS, LEVEL_ORDER, LEVELS, Region

MEASURES = ("disclosure_rate", "correction_rate", "appeals_per_100", "other_share")


@dataclass(frozen=True)
class Benchmark:
    id: str
    label: str
    bad: str  # high | low
    red_iqr: float


@dataclass(frozen=True)
class Benchmarks:
    min_sample: int
    indicators: tuple[Benchmark, ...]


def parse_benchmarks(text: str) -> Benchmarks:
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise ValueError("benchmarks: a mapping with a list of indicators")
    out = []
    for d in raw["indicators"]:
        if d.get("id") not in MEASURES or d.get("bad") not in ("high", "low"):
            raise ValueError(f"benchmarks: unknown indicator or side in {d!r}")
        out.append(Benchmark(d["id"], str(d.get("label", d["id"])), d["bad"], float(d.get("red_iqr", 1.5))))
    min_sample = raw.get("min_sample", 8)
    if not isinstance(min_sample, int) or min_sample < 4:
        raise ValueError("benchmarks: min_sample must be an integer ≥ 4 (quartiles need four figures)")
    return Benchmarks(min_sample, tuple(out))


@cache
def default_benchmarks() -> Benchmarks:
    return parse_benchmarks(resources.files("ogi.supervision").joinpath("benchmarks.yaml").read_text(encoding="utf-8"))


def measures(report: Report) -> dict[str, float | None]:
    """The benchmarked figures of one report; None where a part is unknown or a
    denominator is 0."""
    ed = report.edition_obj
    return measures_of(report, ed.role("other_outcomes") if ed is not None else None)


class StoredFigures:
    """The figures of tables 三 and 四 kept with a collected report (cell id → count, a
    missing cell left out), read as a report's: what the benchmarks need at region scale
    without rebuilding each Report."""

    def __init__(self, cells: Mapping[str, int]):
        self.cells = cells

    def number(self, cell_id: str) -> int | None:
        return self.cells.get(cell_id)

    def other_outcomes(self, year: int | None) -> tuple[str, ...] | None:
        """The 其他处理 cells of the edition these figures are in: the year's edition when
        the figures hold its cells, else the edition whose cells they hold."""
        from ..editions import all_editions, edition_for_year

        first = edition_for_year(year) if year else None
        for ed in [e for e in (first,) if e is not None] + all_editions():
            cells = ed.role("other_outcomes")
            if cells and all(c in self.cells for c in cells):
                return tuple(cells)
        return None


def measures_of(numbers: Numbers, other_cells: Sequence[str] | None) -> dict[str, float | None]:
    """The benchmarked figures of a report's numbers (a Report, or StoredFigures)."""
    fig = figures(numbers)

    def ratio(num: Any, den: Any, scale: int = 1) -> float | None:
        return None if num is None or not den else float(Decimal(num) * scale / Decimal(den))

    other = None
    if other_cells:
        parts = [numbers.number(c) for c in other_cells]
        other = None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
    return {
        "disclosure_rate": ratio(fig["disclosed"], fig["processed"]),
        "correction_rate": ratio(fig["corrected"], fig["appeals_total"]),
        "appeals_per_100": ratio(fig["appeals_total"], fig["received"], 100),
        "other_share": ratio(other, fig["processed"]),
    }


@dataclass
class Mark:
    agency: str
    indicator: str
    value: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    sample: int
    flag: str | None  # red | yellow | None (within range, unknown, or too few peers)

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "indicator": self.indicator, "value": _round(self.value), "p25": _round(self.p25),
                "p50": _round(self.p50), "p75": _round(self.p75), "sample": self.sample, "flag": self.flag}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """P25, P50, P75 by linear interpolation between the ordered values (the 'inclusive'
    method: P0 is the smallest value, P100 the largest)."""
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[1], q[2]


def benchmark(region: Region, reports: Mapping[str, Report], config: Benchmarks | None = None) -> list[Mark]:
    """Marks for every agency with a report of one year (`reports`: agency name → report)."""
    return benchmark_values(region, {name: measures(r) for name, r in reports.items()}, config)


def benchmark_values(region: Region, values: Mapping[str, Mapping[str, float | None]],
                     config: Benchmarks | None = None) -> list[Mark]:
    """Marks for every agency of `values` (agency name → its measures of one year)."""
    config = config or default_benchmarks()
    groups: dict[tuple[str, str], list[str]] = {}
    for name in values:
        a = region[name]
        groups.setdefault((a.level, a.kind), []).append(name)
    out = []
    for members in groups.values():
        for b in config.indicators:
            known = [v for m in members if (v := values[m].get(b.id)) is not None]
            qs = quartiles(known) if len(known) >= 2 else (None, None, None)  # type: ignore[arg-type]
            enough = len(known) >= config.min_sample
            for m in sorted(members):
                v = values[m].get(b.id)
                flag = _flag(b, v, *qs) if enough and v is not None else None
                out.append(Mark(m, b.id, v, *qs, len(known), flag))
    return out


def _flag(b: Benchmark, v: float, p25: float | None, p50: float | None, p75: float | None) -> str | None:
    assert p25 is not None and p75 is not None
    iqr = p75 - p25
    # With no spread at all (every peer the same) a difference is only yellow: red needs a
    # distance the group's own spread makes unusual.
    if b.bad == "high":
        if v <= p75:
            return None
        return "red" if iqr > 0 and v > p75 + b.red_iqr * iqr else "yellow"
    if v >= p25:
        return None
    return "red" if iqr > 0 and v < p25 - b.red_iqr * iqr else "yellow"


@dataclass
class Spread:
    """One indicator across a peer group: how many agencies have a value, the quartiles,
    and whether the group is large enough for marks."""

    benchmark: Benchmark
    sample: int
    p25: float | None
    p50: float | None
    p75: float | None
    marked: bool


@dataclass
class PeerGroup:
    level: str
    kind: str
    spreads: list[Spread]
    members: list[tuple[str, dict[str, Mark]]]  # agency and its marks by indicator; most marked first

    @property
    def key(self) -> str:
        return f"{self.level}-{self.kind}"

    @property
    def title_zh(self) -> str:
        return f"{LEVELS[self.level]}{KINDS[self.kind]}"

    def count(self, flag: str) -> int:
        return sum(m.flag == flag for _, marks in self.members for m in marks.values())


def peer_groups(region: Region, marks: Sequence[Mark], config: Benchmarks | None = None) -> list[PeerGroup]:
    """The marks by peer group, in the ranking's order (province → township, governments
    first); within a group the agencies with red marks first, then yellow, then by name."""
    config = config or default_benchmarks()
    by_agency: dict[str, dict[str, Mark]] = {}
    for m in marks:
        by_agency.setdefault(m.agency, {})[m.indicator] = m
    groups: dict[tuple[str, str], list[str]] = {}
    for name in by_agency:
        a = region[name]
        groups.setdefault((a.level, a.kind), []).append(name)
    out = []
    for key in sorted(groups, key=lambda k: (LEVEL_ORDER.index(k[0]), k[1] != "government")):
        names = groups[key]
        spreads = []
        for b in config.indicators:
            m = by_agency[names[0]].get(b.id)
            if m is not None:
                spreads.append(Spread(b, m.sample, m.p25, m.p50, m.p75, m.sample >= config.min_sample))

        def worst(name: str) -> tuple[int, int, str]:
            flags = [x.flag for x in by_agency[name].values()]
            return -flags.count("red"), -flags.count("yellow"), name

        out.append(PeerGroup(key[0], key[1], spreads, [(n, by_agency[n]) for n in sorted(names, key=worst)]))
    return out
