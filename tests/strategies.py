"""Hypothesis strategies: random reports whose identities hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from ogi.editions import load_edition
from ogi.report import Report, Value

SMALL = st.integers(min_value=0, max_value=40)


@st.composite
def consistent_reports(draw: st.DrawFn, edition: str | None = None) -> Report:
    """A report of the given (or a random) edition with every table filled and every
    identity of the edition true."""
    ed = load_edition(edition or draw(st.sampled_from(["2019", "2021"])))
    year = draw(st.integers(min_value=ed.first_year, max_value=ed.last_year or 2025))
    r = Report.empty(ed.id, agency="某某市某某局", year=year, issued_on=dt.date(year + 1, 1, 20), kind="department")
    nums: dict[str, int | Decimal] = {}
    for cid, cdef in ed.cells.items():
        if cdef.table != "active":
            continue
        if cdef.unit == "yuan":
            nums[cid] = Decimal(draw(st.integers(0, 10_000_000)))
        elif cdef.unit == "signed_count":
            nums[cid] = draw(st.integers(-20, 20))
        else:
            nums[cid] = draw(st.integers(0, 500))
    ids = {i.rule: [] for i in ed.identities}
    for i in ed.identities:
        ids[i.rule].append(i)
    # Table 三, per applicant column (the total column is filled by the row totals).
    for pt in ids["requests.processed_total"]:
        if pt.key == "total":
            continue
        for c in pt.right:
            nums[c] = draw(SMALL)
        nums[pt.left[0]] = sum(nums[c] for c in pt.right)
    for bal in ids["requests.balance"]:
        if bal.key == "total":
            continue
        new, carried_in = bal.left
        processed, carried_out = bal.right
        nums[carried_out] = draw(SMALL)
        budget = nums[processed] + nums[carried_out]
        nums[carried_in] = draw(st.integers(0, budget))
        nums[new] = budget - nums[carried_in]
    for rt in ids["requests.row_total"]:
        nums[rt.left[0]] = sum(nums[c] for c in rt.right)
    for at in ids["appeals.total"]:
        for c in at.right:
            nums[c] = draw(SMALL)
        nums[at.left[0]] = sum(nums[c] for c in at.right)
    assert set(nums) == set(ed.cells)
    for cid, n in nums.items():
        r.cells[cid] = Value("value", n, str(n))
    r.sections = {k: f"{k} 的内容。本年度未收取信息处理费。" for k in r.sections}
    return r


AGENCIES = ["某某市商务局", "淮安市洪泽区人民政府", "上海市科学技术委员会", "沭阳县发展和改革局", "开封市人民政府办公室"]
SENTENCES = [
    "本年度共主动公开政府信息一千余条。",
    "（一）主动公开情况。严格落实公开属性审查制度。",
    "依申请公开办理规范有序，均在法定期限内答复。",
    "进一步加强政府网站和政务新媒体管理。",
    "本年度未收取信息处理费。",
    "2025年，我局将继续深化政务公开工作，提升公开质效。",
]


@st.composite
def publishable_reports(draw: st.DrawFn, edition: str | None = None) -> Report:
    """A consistent report with an agency, a date of issue, text in every section and
    some cells printed empty (where that leaves the identities true)."""
    r = draw(consistent_reports(edition))
    r.agency = draw(st.sampled_from(AGENCIES))
    r.kind = "government" if r.agency.endswith("人民政府") else "department"
    r.issued_on = dt.date(r.year + 1, 1, draw(st.integers(1, 28)))
    r.sections = {k: "\n".join(draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))) for k in r.sections}
    ed = r.edition_obj
    totals = {i.total for i in ed.identities if i.total}
    zero = [cid for cid, v in r.cells.items() if v.value == 0 and cid not in totals and ed.cells[cid].unit == "count"]
    for cid in draw(st.lists(st.sampled_from(zero), max_size=5, unique=True)) if zero else []:
        r.cells[cid] = Value("blank")
    return r
