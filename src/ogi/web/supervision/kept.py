"""What the region's pages read of each collected report, decoded once per change of the
row and kept in this process: the figures the dashboard and the benchmarks use, the rules
of its findings, its publication date, its shares of repeated text. A page over a region
of thousands of reports then reads two small columns of every row (id and time of last
change) and decodes only the rows changed since — not every row's JSON on every change of
one of them (the cached figures of services.cached are recomputed on any change)."""

from __future__ import annotations

import datetime as dt
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from django.db.models import CharField
from django.db.models.functions import Cast

from ogi.corpus.indicators import indicators
from ogi.editions import all_editions
from ogi.supervision.benchmarks import MEASURES, StoredFigures, measures_of
from ogi.web.accounts.models import Agency

from . import stored
from .models import CollectedReport

NONE = -(2**63)  # a missing figure in a Kept's array


@cache
def figure_cells() -> tuple[str, ...]:
    """The cells kept: tables 三 and 四 as the dashboard sums them (table 三's 总计 column,
    all of table 四), and every cell an indicator or a benchmark reads."""
    from .dashboard import shown_cells

    cells = {cid for cid, _, _ in shown_cells()}
    cells.update(c for i in indicators() for c in i.cells)
    for ed in all_editions():
        cells.update(ed.role("other_outcomes") or ())
    return tuple(sorted(cells))


@cache
def cell_index() -> dict[str, int]:
    return {c: i for i, c in enumerate(figure_cells())}


@dataclass(frozen=True, slots=True)
class Kept:
    pk: int
    stamp: str  # the row's updated_at as stored: a new one means the row changed
    agency_id: int
    year: int
    published_on: dt.date | None
    figures: array  # figure_cells() order, NONE where missing
    rules: tuple[str, ...]  # of its findings, one per finding
    measures: tuple[float | None, ...]  # benchmarks.MEASURES order

    def figure(self, cell: str) -> int | None:
        v = self.figures[cell_index()[cell]]
        return None if v == NONE else v



def _kept(row: dict[str, Any]) -> Kept:
    figs = stored.figures(row["figures"])
    index = cell_index()
    values = array("q", [NONE] * len(index))
    for cid, v in figs.items():
        i = index.get(cid)
        if i is not None and -(2**63) < v < 2**63:
            values[i] = v
    f = StoredFigures(figs)
    m = measures_of(f, f.other_outcomes(row["year"]))
    return Kept(row["pk"], row["stamp"], row["agency_id"], row["year"], row["published_on"], values,
                tuple(x["rule"] for x in stored.findings(row["findings"])), tuple(m[k] for k in MEASURES))


_lock = threading.Lock()
_memo: dict[int, dict[int, Kept]] = {}  # office → row id → Kept
_FIELDS = ("pk", "stamp", "agency_id", "year", "published_on", "figures", "findings")
_BATCH = 500


def rows(office: Agency, year: int | None = None) -> list[Kept]:
    """The office's current reports (of `year`), each decoded at most once per change."""
    qs = CollectedReport.objects.filter(office=office, state="current", year__isnull=False)
    if year is not None:
        qs = qs.filter(year=year)
    # From the index alone (supervision_current_stamps), the time as the database writes it:
    # compared, never computed with, so not parsed.
    stamps = list(qs.values_list("pk", Cast("updated_at", CharField())))
    with _lock:
        memo = dict(_memo.get(office.pk, {}))
    stale = [pk for pk, at in stamps if (k := memo.get(pk)) is None or k.stamp != at]
    for i in range(0, len(stale), _BATCH):
        for row in (CollectedReport.objects.filter(pk__in=stale[i:i + _BATCH]).annotate(stamp=Cast("updated_at", CharField()))
                    .values(*_FIELDS)):
            if row["agency_id"] is not None:  # a current report always has its agency; a row edited by hand may not
                memo[row["pk"]] = _kept(row)
    if year is None:  # the whole office read: rows gone since are let go
        live = {pk for pk, _ in stamps}
        memo = {pk: k for pk, k in memo.items() if pk in live}
    with _lock:
        _memo[office.pk] = memo
    # A row changed between the two reads is taken as read the second time.
    return [memo[pk] for pk, _ in stamps if pk in memo]


def matrix(kept: Sequence[Kept]) -> tuple[np.ndarray, np.ndarray]:
    """The rows' figures as one matrix (a row per report, a column per figure_cells(), NONE
    where missing) and their years: region sums in a few array operations."""
    n = len(kept)
    m = np.frombuffer(b"".join(k.figures.tobytes() for k in kept), dtype=np.int64).reshape(n, len(figure_cells()))
    return m, np.fromiter((k.year for k in kept), dtype=np.int64, count=n)


def sums(m: np.ndarray, cols: Sequence[int]) -> tuple[list[int], list[bool]]:
    """Column sums of `m` over `cols` (missing figures left out), and whether any was present."""
    sub = m[:, list(cols)]
    present = sub != NONE
    values = np.where(present, sub, 0)
    # Counts are far below 2**40 unless a report printed nonsense: then exact Python integers.
    exact = values.astype(object) if values.size and np.abs(values).max() >= 2**40 else values
    return [int(x) for x in exact.sum(axis=0)], [bool(x) for x in present.any(axis=0)]
