"""Peer benchmarks as data (benchmarks.yaml): 公开率, 纠错率, 复议诉讼 per 100 requests
and the share of 其他处理, each set against the quartiles of the agency's peer group and
marked only where the group is large enough to mean something."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..corpus.indicators import figures
from ..report import Report
from .tree import Region

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
    fig = figures(report)

    def ratio(num: Any, den: Any, scale: int = 1) -> float | None:
        return None if num is None or not den else float(Decimal(num) * scale / Decimal(den))

    other = None
    ed = report.edition_obj
    if ed is not None and ed.role("other_outcomes"):
        parts = [report.number(c) for c in ed.role("other_outcomes")]
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
    config = config or default_benchmarks()
    values = {name: measures(r) for name, r in reports.items()}
    groups: dict[tuple[str, str], list[str]] = {}
    for name in reports:
        a = region[name]
        groups.setdefault((a.level, a.kind), []).append(name)
    out = []
    for members in groups.values():
        for b in config.indicators:
            known = [values[m][b.id] for m in members if values[m][b.id] is not None]
            qs = quartiles(known) if len(known) >= 2 else (None, None, None)  # type: ignore[arg-type]
            enough = len(known) >= config.min_sample
            for m in sorted(members):
                v = values[m][b.id]
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
