"""Rows whose cells a crawler ran together: the splitter finds the one split the table's
identities allow, or leaves the row missing with its candidates — never a different number."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.checks import check_all
from ogi.corpus.truth import Truth, load_truth, score
from ogi.corpus.variants import flattened
from ogi.editions import load_edition
from ogi.ingest.flat import split_rows, splits
from ogi.ingest.locate import locate
from ogi.ingest.text import read_text
from ogi.report import Report
from tests.strategies import consistent_reports

ED = load_edition("2021")


def _line(table: str, key: str) -> tuple[str, ...]:
    return next(p.cells for p in ED.printed_lines() if p.table == table and p.row is not None and p.row.key == key)


def test_splits_have_no_leading_zeros():
    assert list(splits("100", 2)) == [(10, 0)]
    assert list(splits("000", 3)) == [(0, 0, 0)]
    assert (35, 2, 0, 0, 0, 0, 37) in list(splits("352000037", 7))
    assert all(str(n) == s for split in splits("1020304", 3) for n, s in zip(split, map(str, split), strict=True))
    assert list(splits("12", 3)) == []


@settings(deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=7))
def test_splits_contain_the_numbers_run_together(numbers):
    digits = "".join(map(str, numbers))
    found = list(splits(digits, len(numbers)))
    assert tuple(numbers) in found
    assert len(found) == len(set(found))
    assert all("".join(map(str, s)) == digits for s in found)


def test_row_total_settles_a_row():
    row = _line("requests", "new")
    out = split_rows(ED, {row: "352000037"})
    assert out[row].values == (35, 2, 0, 0, 0, 0, 37)
    # One digit more than any consistent split allows: left missing, no candidates.
    bad = split_rows(ED, {row: "3520000037"})[row]
    assert bad.values is None and bad.candidates == [] and "勾稽" in (bad.reason or "")


def test_table_two_row_without_identity_stays_missing_with_candidates():
    row = _line("active", "normative")
    out = split_rows(ED, {row: "4115311"})[row]
    assert out.values is None
    assert (41, 15, 311) in out.candidates and (4, 1, 15311) in out.candidates and len(out.candidates) == 15


def test_identities_across_rows_settle_a_row_its_own_total_cannot():
    """new + carried_in = processed + carried_out, processed = sum of outcomes: a carried
    row ambiguous on its own is settled by the rest of the table."""
    rows = {_line("requests", k): "0000000" for k in
            [p.row.key for p in ED.printed_lines() if p.table == "requests" and p.row is not None]}
    new, granted, total, out_row = (_line("requests", k) for k in ("new", "granted", "processed_total", "carried_out"))
    rows[new] = "110000011"        # 11 new, all natural persons
    rows[granted] = "100000010"    # 10 granted
    rows[total] = "100000010"      # processed 10
    rows[out_row] = "1000001"      # 1 carried over
    result = split_rows(ED, rows)
    assert result[new].values == (11, 0, 0, 0, 0, 0, 11)
    assert result[out_row].values == (1, 0, 0, 0, 0, 0, 1)
    # On its own 110000011 also splits as 1|10|0|0|0|0|11 — the identities rule that out.
    alone = split_rows(ED, {new: "110000011"})[new]
    assert alone.values is None and len(alone.candidates) > 1


def _as_truth(r: Report) -> Truth:
    """The report as printed: amounts of a table that prints 万元 in 万元."""
    ed = load_edition(r.edition or "2021")
    cells = {cid: (v.value / 10000 if ed.cells[cid].column.printed_in == "万元" else v.value) if v.state == "value" else None
             for cid, v in r.cells.items()}
    return Truth("random", r.edition or "2021", r.agency, r.year, r.issued_on, cells)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_reports(), st.booleans())
def test_flattened_then_read_returns_the_table_or_missing(report, inline):
    """For random tables whose identities hold: every cell read from the run-together text
    is the table's own figure; cells that cannot be told are missing, never different."""
    truth = _as_truth(report)
    got = locate(read_text(flattened(truth, inline=inline)))
    assert got.edition == report.edition
    s = score(got, truth)
    assert s.wrong == 0, s.wrong_cells
    for cid, v in got.cells.items():
        if v.state == "value":
            assert v.number == report.cells[cid].number
            if (v.source or {}).get("recovered"):
                assert v.source["recovered"] == "run_together"


def test_corpus_flattened_reads_and_doubts_are_findings(shared):
    truth = load_truth("tests/data/truth/huaian-gov-2024.pdf.yaml")
    r = locate(read_text(flattened(truth)))
    s = score(r, truth)
    assert s.wrong == 0 and s.right >= 170
    assert r.cells["requests.new.total"].number == 3119
    assert r.cells["requests.new.total"].source["recovered"] == "run_together"
    assert r.cells["active.fees.amount"].number == Decimal("96171.6") * 10000  # printed in 万元
    findings = [f for f in check_all([r])[0] if f.rule == "cell.uncertain"]
    normative = next(f for f in findings if "active.normative.issued" in f.cells)
    assert normative.found == "82666" and [8, 26, 66] in normative.expected
    assert "不是报告本身的错误" in normative.message_zh
    # The doubted cells are not also reported as lost by the report.
    assert not [f for f in check_all([r])[0] if f.rule == "cell.missing" and "active.normative.issued" in f.cells]
    assert len(r.headings) == 6


def test_inline_headings_found_in_one_paragraph():
    truth = load_truth("tests/data/truth/seed-002.yaml")
    text = flattened(truth, inline=True)
    assert len(text.strip().splitlines()) == 2
    r = locate(read_text(text))
    assert [h.section for h in r.headings] == ["overview", "active", "requests", "appeals", "problems", "other"]
    assert score(r, truth).right == 198
