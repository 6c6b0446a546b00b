"""The edition files against the contract in shared/spec/cells.tsv."""

from __future__ import annotations

import csv

import pytest

from ogi.editions import all_editions, current_edition, edition_for_year, edition_ids, load_edition
from ogi.records.outcomes import applicant_categories, case_kinds, case_results, document_kinds

from .conftest import SHARED


@pytest.fixture(scope="module")
def spec(shared):
    with (SHARED / "spec" / "cells.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.parametrize(("edition", "count"), [("2019", 198), ("2021", 200)])
def test_cell_ids_units_and_labels_match_the_contract(spec, edition, count):
    ed = load_edition(edition)
    rows = [r for r in spec if r["edition"] in (edition, "both")]
    assert ed.cell_ids == [r["cell_id"] for r in rows]
    assert len(ed.cells) == count
    for r in rows:
        cdef = ed.cells[r["cell_id"]]
        assert cdef.unit == r["unit"], r["cell_id"]
        assert ed.table(cdef.table).number == r["section"]
        # The row label in cells.tsv is the path of parent labels; its last part is ours.
        for path, label in ((r["row"], cdef.row.label), (r["column"], cdef.column.label)):
            assert path == label or path.endswith("/" + label), r["cell_id"]


def test_years_in_force():
    assert edition_for_year(2019).id == "2019"
    assert edition_for_year(2020).id == "2019"
    assert edition_for_year(2021).id == "2021"
    assert edition_for_year(2030).id == "2021"
    assert edition_for_year(2015) is None


def test_the_files_beside_the_loader_are_the_editions_and_the_current_one_has_no_end_year():
    assert edition_ids() == ["2019", "2021"]
    assert current_edition().id == "2021" and current_edition().last_year is None


def test_what_records_hold_is_read_from_the_current_edition():
    # The ledger's choices (its stored rows and migrations hold these codes and labels).
    assert applicant_categories() == {
        "natural": "自然人", "commercial": "法人或其他组织·商业企业", "research": "法人或其他组织·科研机构",
        "nonprofit": "法人或其他组织·社会公益组织", "legal_service": "法人或其他组织·法律服务机构", "other_org": "法人或其他组织·其他"}
    assert document_kinds() == {"regulations": "规章", "normative": "行政规范性文件"}
    assert document_kinds(load_edition("2019")) == {"regulations": "规章", "normative": "规范性文件"}
    assert case_kinds() == {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                            "litigation_after_review": "行政诉讼（复议后起诉）"}
    assert case_results() == {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}
    # The 2019 register's columns count the same facts under their own names.
    assert dict(load_edition("2019").records.register_columns) == {"made": "issued", "published": "issued", "total": "in_force"}


def test_identities_cover_table_three_and_four():
    for ed in all_editions():
        rules = {i.rule for i in ed.identities}
        assert rules == {"requests.balance", "requests.processed_total", "requests.row_total", "appeals.total"}
        per_rule = {r: sum(1 for i in ed.identities if i.rule == r) for r in rules}
        requests_rows = len(ed.table("requests").blocks[0].rows)
        assert per_rule == {"requests.balance": 7, "requests.processed_total": 7,
                            "requests.row_total": requests_rows, "appeals.total": 3}
        for i in ed.identities:
            assert set(i.left + i.right) <= set(ed.cells)


def test_roles_name_real_cells():
    for ed in all_editions():
        for name, value in ed.roles.items():
            refs = value if isinstance(value, list) else [value]
            for ref in refs:
                if isinstance(ref, dict):
                    assert set(ref.values()) <= set(ed.cells), name
                elif isinstance(ref, str) and ref.count(".") >= 2:
                    assert ref in ed.cells, (name, ref)


def test_unknown_edition():
    with pytest.raises(KeyError):
        load_edition("1999")


def test_yaml_files_read_alike_by_the_c_and_python_loaders():
    from pathlib import Path

    import yaml

    from ogi.yamlfile import load, loader

    assert loader() is yaml.CSafeLoader  # the fast path start-up counts on
    files = sorted(Path(__file__).resolve().parent.parent.joinpath("src/ogi").rglob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert load(text) == yaml.safe_load(text), f
