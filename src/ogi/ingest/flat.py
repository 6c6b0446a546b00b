"""Table rows whose cells were run together by a crawler's text extraction
(`行政规范性文件4115311`): each run of digits split into the row's columns by exact search.

A split is a way of cutting a run into as many numbers as the row has columns, with no
leading zero except a lone 0. Of all splits, only those are kept that satisfy every
identity of the edition whose cells all lie in the rows being split (a row's own total,
and across rows: new + carried_in = processed_total + carried_out, processed_total = the
sum of the outcomes, table 四's totals). A row is read when exactly one of its splits takes
part in a consistent reading of the whole table; otherwise it stays missing with the splits
that remain as candidates. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..editions import Edition, IdentityInstance

# More steps than this in splitting one run, or in the search across rows, and the rows
# concerned are left missing rather than searched further: bounded time.
MAX_SPLIT_STEPS = 300_000
MAX_STEPS = 200_000


@dataclass
class RowSplit:
    """The outcome for one row: its numbers when exactly one split is consistent, else
    None with the consistent splits (possibly none) as candidates."""

    values: tuple[int, ...] | None
    candidates: list[tuple[int, ...]] = field(default_factory=list)
    # Why no split was taken, in Chinese, when values is None.
    reason: str | None = None


def splits(digits: str, n: int) -> Iterator[tuple[int, ...]]:
    """Every way of cutting `digits` into n numbers without leading zeros (a lone 0 is a
    number), in lexicographic order of the cut positions."""
    if n <= 0 or not digits.isdigit() or len(digits) < n:
        return
    if n == 1:
        if digits == "0" or digits[0] != "0":
            yield (int(digits),)
        return
    first_max = 1 if digits[0] == "0" else len(digits) - n + 1
    for k in range(1, first_max + 1):
        for rest in splits(digits[k:], n - 1):
            yield (int(digits[:k]), *rest)


class _TooMany(Exception):
    pass


def _row_splits(digits: str, n: int, checks: list[tuple[int, tuple[int, ...], tuple[int, ...]]]) -> list[tuple[int, ...]]:
    """The splits of `digits` into n numbers that satisfy `checks` (last position, left
    positions, right positions: sum left = sum right), each checked as soon as its last
    position is cut, so that long rows (table 四's fifteen figures) stay quick."""
    due: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}
    for last, left, right in checks:
        due.setdefault(last, []).append((left, right))
    out: list[tuple[int, ...]] = []
    parts: list[int] = []
    steps = 0

    def cut(pos: int) -> None:
        nonlocal steps
        k = len(parts)
        if k == n:
            if pos == len(digits):
                out.append(tuple(parts))
            return
        remaining = n - k
        if len(digits) - pos < remaining:
            return
        longest = 1 if digits[pos] == "0" else len(digits) - pos - remaining + 1
        if remaining == 1:
            longest = len(digits) - pos
            if digits[pos] == "0" and longest > 1:
                return
        for length in range(1, longest + 1):
            steps += 1
            if steps > MAX_SPLIT_STEPS:
                raise _TooMany
            parts.append(int(digits[pos: pos + length]))
            if all(sum(parts[i] for i in left) == sum(parts[i] for i in right) for left, right in due.get(k, ())):
                cut(pos + length)
            parts.pop()

    cut(0)
    return out


def split_rows(edition: Edition, rows: dict[tuple[str, ...], str]) -> dict[tuple[str, ...], RowSplit]:
    """Split each row's run of digits (`rows`: the row's cell ids in column order → its
    digits) into its cells, using the identities of `edition` that only involve these
    cells. Pure: the same input gives the same output."""
    return _split(edition.identities, rows)


def _split(identities: Sequence[IdentityInstance], rows: dict[tuple[str, ...], str]) -> dict[tuple[str, ...], RowSplit]:
    keys = list(rows)
    where = {cid: (r, c) for r, key in enumerate(keys) for c, cid in enumerate(key)}
    usable = [i for i in identities if all(c in where for c in (*i.left, *i.right))]
    rows_of = [sorted({where[c][0] for c in (*i.left, *i.right)}) for i in usable]
    local: list[list[tuple[int, ...]] | None] = []
    for r, key in enumerate(keys):
        digits = rows[key]
        own = [i for i, rs in zip(usable, rows_of, strict=True) if rs == [r]]
        checks = []
        for i in own:
            left = tuple(where[c][1] for c in i.left)
            right = tuple(where[c][1] for c in i.right)
            checks.append((max(left + right), left, right))
        try:
            local.append(_row_splits(digits, len(key), checks) if digits.isdigit() and len(digits) >= len(key) else [])
        except _TooMany:
            local.append(None)  # too many to search: the row is left missing
    out: dict[tuple[str, ...], RowSplit] = {}
    open_rows = [r for r, cands in enumerate(local) if cands]
    cross = [(i, rs) for i, rs in zip(usable, rows_of, strict=True)
             if len(rs) > 1 and all(local[r] for r in rs)]
    seen = _consistent(open_rows, local, cross, where)
    for r, key in enumerate(keys):
        cands = local[r]
        if cands is None:
            out[key] = RowSplit(None, [], "数字串过长，可能的拆分过多，无法确定各列数值")
            continue
        if seen is not None:
            cands = [s for s in cands if s in seen[r]]
        if len(cands) == 1:
            out[key] = RowSplit(cands[0], cands)
        elif not cands:
            out[key] = RowSplit(None, [], "连在一起的数字无法按本行的列数和表内勾稽关系拆分")
        else:
            out[key] = RowSplit(None, cands, f"连在一起的数字可按{len(cands)}种方式拆分为各列，无法确定")
    return out


def _holds(ident: IdentityInstance, where: dict[str, tuple[int, int]], chosen: dict[int, tuple[int, ...]]) -> bool:
    def value(cid: str) -> int:
        r, c = where[cid]
        return chosen[r][c]

    return sum(value(c) for c in ident.left) == sum(value(c) for c in ident.right)


def _consistent(open_rows: list[int], local: list[list[tuple[int, ...]] | None],
                cross: list[tuple[IdentityInstance, list[int]]],
                where: dict[str, tuple[int, int]]) -> dict[int, set[tuple[int, ...]]] | None:
    """For each row, the splits that take part in at least one assignment of all rows
    satisfying the identities across rows; None when the search was cut short or no
    assignment exists (an inconsistent table is not read by its identities)."""
    rows = [r for r in open_rows if any(r in rs for _, rs in cross)]
    if not rows:
        return None
    # Rows with the fewest splits first, so contradictions show early.
    rows.sort(key=lambda r: len(local[r] or ()))
    pos = {r: k for k, r in enumerate(rows)}
    # Each identity is checked as soon as its last row is chosen.
    due: dict[int, list[IdentityInstance]] = {}
    for ident, rs in cross:
        due.setdefault(max(pos[r] for r in rs), []).append(ident)
    seen: dict[int, set[tuple[int, ...]]] = {r: set() for r in rows}
    chosen: dict[int, tuple[int, ...]] = {}
    steps = 0
    found = False

    def search(k: int) -> bool:
        nonlocal steps, found
        if k == len(rows):
            found = True
            for r in rows:
                seen[r].add(chosen[r])
            return True
        r = rows[k]
        for s in local[r] or ():
            steps += 1
            if steps > MAX_STEPS:
                return False
            chosen[r] = s
            if all(_holds(i, where, chosen) for i in due.get(k, ())) and not search(k + 1):
                return False
        chosen.pop(r, None)
        return True

    if not search(0) or not found:
        return None
    full: dict[int, set[tuple[int, ...]]] = {r: set(local[r] or ()) for r in range(len(local))}
    full.update(seen)
    return full
