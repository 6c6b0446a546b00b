"""Across reports of one agency: what one year carries forward, the next must carry in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from ..editions import Edition
from ..ingest.metadata import agency_key, forms
from ..ingest.metadata import same_agency as same_agency  # the rule itself, used by callers from here
from ..report import Finding, Report
from ..textnorm import nfkc, squash
from .registry import finding, rule


@lru_cache(maxsize=1 << 17)
def _key(name: str) -> str:
    return agency_key(name)


@lru_cache(maxsize=1 << 17)
def _tails(key: str) -> tuple[str, ...]:
    """The shorter keys `same_agency` lets this key answer to: what follows an enclosing
    place written before it (淮安市洪泽区 → 洪泽区)."""
    places = tuple(forms()["places"])
    return tuple(key[k:] for k in range(1, len(key)) if key[:k].endswith(places))


@lru_cache(maxsize=1 << 17)
def _may_be_short(name: str) -> bool:
    """Whether a name may be the shorter one of a pair (`same_agency`'s rule: a place or
    zone itself, or at least five characters — 开封市商务局 is not every 商务局)."""
    key = _key(name)
    return len(squash(nfkc(name))) >= 5 or (len(key) >= 3 and key.endswith(tuple(forms()["places"])))


class Agencies:
    """Which agency each name of a set of reports stands for, decided over the whole set so
    that the order the reports come in changes nothing. Names of one key (`agency_key`) are
    one agency; a shorter name joins a longer one `same_agency` lets it answer to (洪泽区人民政府
    → 淮安市洪泽区人民政府) only when all the longer ones it answers to are one agency — the
    supervisor's rule for assigning a report to the tree: 朝阳区商务局 beside both
    北京市朝阳区商务局 and 长春市朝阳区商务局 stays an agency of its own, as neither can be told.

    Near-linear: each key is filed under the tails it answers to once, and the keys are
    resolved longest first, each from the keys directly longer than it."""

    def __init__(self, names: Iterable[str | None]) -> None:
        short_ok: dict[str, bool] = {}
        for name in names:
            if name:
                k = _key(name)
                short_ok[k] = short_ok.get(k, False) or _may_be_short(name)
        longer: dict[str, list[str]] = defaultdict(list)  # key → the longer keys it may be a tail of
        for k in short_ok:
            for t in _tails(k):
                if short_ok.get(t):
                    longer[t].append(k)
        self._root: dict[str, str] = {}
        for k in sorted(short_ok, key=lambda k: (-len(k), k)):
            roots = {self._root[m] for m in longer.get(k, ())}
            self._root[k] = roots.pop() if len(roots) == 1 else k

    def of(self, name: str | None) -> str | None:
        """The agency `name` stands for (the key of its longest name), None for no name."""
        return self._root.get(_key(name)) if name else None


def consecutive(reports: Sequence[Report]) -> Iterator[tuple[int, int]]:
    """(index of last year's report, index of this year's) for every consecutive pair of
    the same agency (`Agencies`): for each report, the first of last year's reports of its
    agency — the others of that year are copies of one report, not years to compare."""
    agencies = Agencies(r.agency for r in reports)
    first: dict[tuple[str, int], int] = {}
    for i, r in enumerate(reports):
        a = agencies.of(r.agency)
        if a is not None and r.year is not None:
            first.setdefault((a, r.year), i)
    for i, r in enumerate(reports):
        a = agencies.of(r.agency)
        if a is None or r.year is None:
            continue
        p = first.get((a, r.year - 1))
        if p is not None:
            yield p, i


def _pairs(reports: Sequence[Report]) -> Iterator[tuple[int, Report, Report, Edition, Edition]]:
    """(index of this year's report, last year's, this year's, their editions)."""
    for p, i in consecutive(reports):
        prev, cur = reports[p], reports[i]
        if prev.edition_obj is not None and cur.edition_obj is not None:
            yield i, prev, cur, prev.edition_obj, cur.edition_obj


@rule("continuity.carried", "error", "上年结转应等于上一年度的结转下年度", across=True)
def check_carried(reports: Sequence[Report]) -> Iterator[tuple[int, Finding]]:
    for i, prev, cur, ped, ced in _pairs(reports):
        out_row, in_row = ped.role("carried_out_row"), ced.role("carried_in_row")
        if not out_row or not in_row:
            continue
        table = ced.table(in_row.split(".")[0])
        for col in table.blocks[0].columns:
            cin, cout = f"{in_row}.{col.key}", f"{out_row}.{col.key}"
            a, b = cur.number(cin), prev.number(cout)
            if a is None or b is None or a == b:
                continue
            yield i, finding(
                "continuity.carried",
                f"{cur.year}年「上年结转」{col.label}列为 {a}，而{prev.year}年报告「结转下年度继续办理」为 {b}",
                f"{cur.year} carried_in.{col.key} = {a} but {prev.year} carried_out.{col.key} = {b}",
                cells=[cin], culprit=cin, found=a, expected=b,
                source=cur.cells[cin].source, where=ced.place(cin),
            )


@rule("continuity.in_force", "warning", "现行有效件数与上年衔接不上", across=True)
def check_in_force(reports: Sequence[Report]) -> Iterator[tuple[int, Finding]]:
    for i, prev, cur, ped, ced in _pairs(reports):
        prev_roles = {t["in_force"].split(".")[1]: t for t in ped.role("in_force") or []}
        for t in ced.role("in_force") or []:
            row = t["in_force"].split(".")[1]
            if row not in prev_roles:
                continue
            last = prev.number(prev_roles[row]["in_force"])
            now, issued, repealed = (cur.number(t[k]) for k in ("in_force", "issued", "repealed"))
            if None in (last, now, issued, repealed):
                continue
            expected = last + issued - repealed  # type: ignore[operator]
            if expected != now:
                label = ced.place(t["in_force"])["row"]
                yield i, finding(
                    "continuity.in_force",
                    f"「{label}」：{prev.year}年现行有效 {last} 件，加本年制发 {issued} 件、减本年废止 {repealed} 件应为 {expected} 件，"
                    f"但{cur.year}年报告为 {now} 件（修订等情况可造成小的差异）",
                    f"{label}: {last} + {issued} - {repealed} = {expected}, but {now} in force",
                    cells=[t["in_force"]], found=now, expected=expected,
                    source=cur.cells[t["in_force"]].source, where=ced.place(t["in_force"]),
                )


@rule("continuity.appeals", "info", "上年未审结的案件应在本年度表四中出现", across=True)
def check_appeals(reports: Sequence[Report]) -> Iterator[tuple[int, Finding]]:
    for i, prev, cur, ped, ced in _pairs(reports):
        for pending in ped.role("appeals_pending") or []:
            kind = pending.split(".")[1]
            total = ced.total_of(pending) if pending in ced.cells else None
            if total is None:
                continue
            last, now = prev.number(pending), cur.number(total)
            if last is None or now is None or last <= now:
                continue
            label = ced.place(total)["row"]
            yield i, finding(
                "continuity.appeals",
                f"「{label}」：{prev.year}年度尚未审结 {last} 件，{cur.year}年度表四合计只有 {now} 件，请核实上年结转的案件是否已列入",
                f"{kind}: {last} pending at the end of {prev.year}, only {now} in {cur.year}",
                cells=[total], found=now, expected=last, where=ced.place(total))
