"""The dashboard's figures from the stored rows: region totals of tables 三 and 四 by year
(each figure with the agencies behind it), the region's indicators over the years, the
problems by agency × rule and timeliness by level. No Report is rebuilt here."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from functools import cache
from typing import Any

from ogi.checks.places import cell_zh
from ogi.checks.registry import RULES
from ogi.corpus.indicators import indicators
from ogi.editions import current_edition
from ogi.supervision.timeliness import STATUS_ZH
from ogi.supervision.tree import LEVEL_ORDER, LEVELS, Region
from ogi.supervision.tree import Agency as TreeAgency
from ogi.web.accounts.models import Agency

from . import services, stored
from .models import CollectedReport

CHART_INDICATORS = ("received", "disclosure_rate", "correction_rate")
HEAT_AGENCIES = 60  # the agencies with the most problems; the full list is the ranking page


@cache
def shown_cells() -> list[tuple[str, str, str]]:
    """(cell id, table number, label) of the newest edition: table 三's 总计 column and
    every cell of table 四 — the lines a region sums."""
    ed = current_edition()
    out = []
    for cid, cdef in ed.cells.items():
        if (cid.startswith("requests.") and cdef.column.key == "total") or cid.startswith("appeals."):
            out.append((cid, ed.table(cdef.table).number, cell_zh(ed, cid)))
    return out


def _rows(office: Agency) -> list[dict[str, Any]]:
    return list(CollectedReport.objects.filter(office=office, state="current").exclude(year=None)
                .values("pk", "agency__name", "year", "figures", "findings"))


def totals(rows: list[dict[str, Any]]) -> tuple[list[int], list[dict[str, Any]]]:
    years = sorted({r["year"] for r in rows})
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for r in rows:
        for cid, n in stored.figures(r["figures"]).items():
            sums[(cid, r["year"])] += n
    lines = [{"cell": cid, "table": table, "label": label, "values": [(y, sums.get((cid, y))) for y in years]}
             for cid, table, label in shown_cells()]
    return years, lines


def region_indicators(rows: list[dict[str, Any]], years: list[int]) -> list[dict[str, Any]]:
    """Each indicator of CHART_INDICATORS for the whole region per year: a count summed, a
    rate as the ratio of the region's sums (not an average of rates)."""
    defs = {i.id: i for i in indicators()}
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for r in rows:
        for i in defs.values():
            if i.rate is None:
                sums[(i.id, r["year"])] += sum(stored.figures(r["figures"]).get(c, 0) for c in i.cells)
    out = []
    for key in CHART_INDICATORS:
        i = defs[key]
        values: list[float | None] = []
        for y in years:
            if i.rate is None:
                values.append(sums[(key, y)])
            else:
                num, den = sums[(i.rate[0], y)], sums[(i.rate[1], y)]
                values.append(round(float(Decimal(num) / Decimal(den)), 4) if den else None)
        out.append({"id": key, "label": i.label, "short": i.short, "rate": i.rate is not None, "values": values})
    return out


def heat(rows: list[dict[str, Any]], year: int) -> tuple[list[str], list[dict[str, Any]], int]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["year"] == year:
            for f in stored.findings(r["findings"]):
                counts[r["agency__name"]][f["rule"]] += 1
    rules = sorted({rule for c in counts.values() for rule in c}, key=lambda x: (RULES[x].severity if x in RULES else "z", x))
    top = sorted(counts, key=lambda a: (-sum(counts[a].values()), a))[:HEAT_AGENCIES]
    peak = max((n for c in counts.values() for n in c.values()), default=0)
    table = [{"agency": a, "cells": [counts[a][rule] for rule in rules], "total": sum(counts[a].values())} for a in top]
    return rules, table, peak


def timeliness_by_level(region: Region, times: list[Any]) -> list[dict[str, Any]]:
    c: Counter[tuple[str, str]] = Counter()
    for t in times:
        a: TreeAgency = region[t.agency]
        c[(a.level, t.status)] += 1
    return [{"level": lv, "label": LEVELS[lv], "counts": {s: c[(lv, s)] for s in STATUS_ZH}}
            for lv in LEVEL_ORDER if any(c[(lv, s)] for s in STATUS_ZH)]


def behind(office: Agency, cell: str, year: int) -> list[tuple[str, int, int]]:
    """The agencies behind one region total: (agency, figure, row id), largest first."""
    return services.cached(office, f"behind:{year}:{cell}", lambda: _behind(office, cell, year))


def _behind(office: Agency, cell: str, year: int) -> list[tuple[str, int, int]]:
    rows = (CollectedReport.objects.filter(office=office, state="current", year=year)
            .values_list("agency__name", "figures", "pk"))
    kept = [(a, stored.figures(f), pk) for a, f, pk in rows]
    return sorted(((a, f[cell], pk) for a, f, pk in kept if cell in f), key=lambda x: (-x[1], x[0]))


def dashboard(office: Agency, year: int | None) -> dict[str, Any]:
    return services.cached(office, f"dashboard:{year}", lambda: _dashboard(office, year))


def _dashboard(office: Agency, year: int | None) -> dict[str, Any]:
    rows = _rows(office)
    years, lines = totals(rows)
    y = year if year in years else (years[-1] if years else None)
    out: dict[str, Any] = {"years": years, "lines": lines, "indicators": region_indicators(rows, years), "year": y,
                           "status_zh": STATUS_ZH}
    if y is not None:
        region, times, _ = services.standing(office, y)
        out["rules"], out["heat"], out["peak"] = heat(rows, y)
        out["rule_titles"] = [RULES[r].title_zh if r in RULES else r for r in out["rules"]]
        out["by_level"] = timeliness_by_level(region, times)
    return out
