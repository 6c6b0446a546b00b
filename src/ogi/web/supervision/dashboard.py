"""The dashboard's figures from the stored rows: region totals of tables 三 and 四 by year
(each figure with the agencies behind it), the region's indicators over the years, the
problems by agency × rule and timeliness by level. No Report is rebuilt here."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from ogi.checks.registry import RULES
from ogi.corpus.indicators import indicators
from ogi.editions import current_edition
from ogi.supervision.timeliness import STATUS_ZH
from ogi.supervision.tree import LEVEL_ORDER, LEVELS, Region
from ogi.supervision.tree import Agency as TreeAgency
from ogi.web import clock
from ogi.web.accounts.models import Agency

from . import kept, services
from .kept import Kept

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
            out.append((cid, ed.table(cdef.table).number, ed.cell_zh(cid)))
    return out


def totals(rows: list[Kept]) -> tuple[list[int], list[dict[str, Any]]]:
    m, row_years = kept.matrix(rows)
    years = sorted({int(y) for y in row_years})
    at = kept.cell_index()
    shown = shown_cells()
    cols = [at[cid] for cid, _, _ in shown]
    by_year = {y: kept.sums(m[row_years == y], cols) for y in years}
    lines = [{"cell": cid, "table": table, "label": label,
              "values": [(y, by_year[y][0][j] if by_year[y][1][j] else None) for y in years]}
             for j, (cid, table, label) in enumerate(shown)]
    return years, lines


def region_indicators(rows: list[Kept], years: list[int]) -> list[dict[str, Any]]:
    """Each indicator of CHART_INDICATORS for the whole region per year: a count summed, a
    rate as the ratio of the region's sums (not an average of rates)."""
    defs = {i.id: i for i in indicators()}
    at = kept.cell_index()
    m, row_years = kept.matrix(rows)
    counted = [i for i in defs.values() if i.rate is None]
    sums: dict[tuple[str, int], int] = {}
    for y in years:
        of_year = m[row_years == y]
        for i in counted:
            sums[(i.id, y)] = sum(kept.sums(of_year, [at[c] for c in i.cells])[0])
    out = []
    for key in CHART_INDICATORS:
        i = defs[key]
        values: list[float | None] = []
        for y in years:
            if i.rate is None:
                values.append(sums[(key, y)])
            else:
                num, den = sums[(i.rate[0], y)], sums[(i.rate[1], y)]
                values.append(float((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP)) if den else None)
        out.append({"id": key, "label": i.label, "short": i.short, "rate": i.rate is not None, "values": values})
    return out


def heat(rows: dict[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]], int]:
    """Findings by agency × rule of one year (`rows`: agency → its report, from standing)."""
    counts: dict[str, Counter[str]] = {a: Counter(r["kept"].rules) for a, r in rows.items() if r["kept"].rules}
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
    _, _, rows = services.standing(office, year)
    found = [(a, v, r["pk"]) for a, r in rows.items() if (v := r["kept"].figure(cell)) is not None]
    return sorted(found, key=lambda x: (-x[1], x[0]))


def dashboard(office: Agency, year: int | None) -> dict[str, Any]:
    # The day is in the key: which year is due, and each agency's timeliness, change with it.
    return services.cached(office, f"dashboard:{year}:{clock.today()}", lambda: _dashboard(office, year))


def _dashboard(office: Agency, year: int | None) -> dict[str, Any]:
    rows = kept.rows(office)
    years, lines = totals(rows)
    # Unless asked, the year just ended, whose reports are due now (this year's are due next
    # year): shown from 1 January even before any of them is collected — who has not
    # published is what the office looks for then. A year later than this one has no reports.
    last = clock.today().year - 1
    y = year if year is not None and year <= last + 1 else last
    out: dict[str, Any] = {"years": years, "lines": lines, "indicators": region_indicators(rows, years), "year": y,
                           "year_choices": sorted({*years, y}), "status_zh": STATUS_ZH}
    if y is not None:
        region, times, of_year = services.standing(office, y)
        out["rules"], out["heat"], out["peak"] = heat(of_year)
        out["rule_titles"] = [RULES[r].title_zh if r in RULES else r for r in out["rules"]]
        out["by_level"] = timeliness_by_level(region, times)
        # The totals add up the reports collected: say how many agencies that is.
        out["reported"], out["agencies"] = len(of_year), len(times)
    return out
