"""The figures compared across years and agencies, defined in indicators.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Protocol

from ..editions import all_editions
from ..report import Report
from ..yamlfile import load as load_yaml

Figure = int | Decimal | None


class Rate(Decimal):
    """A rate as a fraction rounded to 4 places (what the data keep), which remembers its
    exact value: shown in per cent it is rounded once, from the exact value (4 of 21 is
    19.0 %, where 0.1905 rounded again would give 19.1 %)."""

    exact: Fraction

    def __new__(cls, value: object, exact: Fraction | None = None) -> Rate:
        self = super().__new__(cls, value)  # type: ignore[arg-type]
        self.exact = exact if exact is not None else Fraction(self)
        return self

    @classmethod
    def of(cls, num: int | Decimal, den: int | Decimal) -> Rate:
        exact = Fraction(num) / Fraction(den)
        return cls((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP), exact)

    def __reduce__(self) -> tuple:
        return (Rate, (str(self), self.exact))


class Numbers(Protocol):
    """A Report, or anything else that gives a cell's figure (0 for blank and dash, None
    for missing): the figures kept with a collected report, say."""

    def number(self, cell_id: str) -> Figure: ...


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    short: str
    cells: tuple[str, ...] = ()  # summed
    rate: tuple[str, str] | None = None  # numerator and denominator indicator ids
    hidden: bool = False  # needed for a rate, not shown on its own


@cache
def indicators() -> tuple[Indicator, ...]:
    raw = load_yaml(resources.files("ogi.corpus").joinpath("indicators.yaml").read_text(encoding="utf-8"))
    out = tuple(Indicator(d["id"], d["label"], d.get("short", d["label"]), tuple(d.get("sum", ())),
                          tuple(d["rate"]) if "rate" in d else None, bool(d.get("hidden"))) for d in raw)
    known = {i.id for i in out}
    for ed in all_editions():
        for i in out:
            lost = [c for c in i.cells if c not in ed.cells]
            if lost:
                raise ValueError(f"indicators.yaml: {i.id}: {lost} not in edition {ed.id}")
    for i in out:
        if i.rate and not set(i.rate) <= known:
            raise ValueError(f"indicators.yaml: {i.id}: unknown rate parts {i.rate}")
    return out


def figures(report: Report | Numbers) -> dict[str, Figure]:
    """Every indicator of one report; a rate is a Decimal fraction rounded to 4 places,
    None when a part is unknown or the denominator is 0."""
    out: dict[str, Figure] = {}
    for i in indicators():
        if i.rate is None:
            parts = [report.number(c) for c in i.cells]
            out[i.id] = None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
    for i in indicators():
        if i.rate is not None:
            num, den = out.get(i.rate[0]), out.get(i.rate[1])
            out[i.id] = None if num is None or not den else Rate.of(num, den)
    return out


def shown() -> list[Indicator]:
    return [i for i in indicators() if not i.hidden]


def figure_text(v: Figure, rate: bool) -> str:
    """A figure for people: a count as is, a rate in per cent, "—" when unknown."""
    if v is None:
        return "—"
    return percent_text(v) if rate else str(v)


def percent_text(v: float | Decimal) -> str:
    """A rate in per cent to one decimal, half up as people round: 0.4925 is 49.3 %, not the
    49.2 % a binary float's 0.49249999… gives; a Rate from its exact value."""
    if isinstance(v, Rate):
        exact = Decimal(v.exact.numerator) / Decimal(v.exact.denominator)
        return f"{(exact * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    return f"{(Decimal(str(v)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
