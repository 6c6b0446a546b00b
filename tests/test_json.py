"""The Report's JSON: round trip, the schema in docs/, and the cli.md shapes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings

from ogi.checks import check
from ogi.ingest.load import load_report
from ogi.report import Report

from .conftest import SEED_2019, SEED_2020
from .strategies import consistent_reports

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "report.schema.json").read_text(encoding="utf-8"))


def roundtrip(report: Report) -> Report:
    return Report.from_json(json.loads(json.dumps(report.to_json(), ensure_ascii=False)))


@pytest.mark.parametrize("seed", [SEED_2019, SEED_2020])
def test_seed_roundtrip_keeps_everything(seed):
    r = load_report(seed)
    data = r.to_json()
    jsonschema.validate(data, SCHEMA)
    back = roundtrip(r)
    assert back.to_json() == data
    assert [f.to_json() for f in check(back)] == [f.to_json() for f in check(r)]


@settings(max_examples=60, deadline=None)
@given(consistent_reports())
def test_random_report_roundtrip(report):
    data = report.to_json()
    jsonschema.validate(data, SCHEMA)
    assert roundtrip(report).to_json() == data


def test_json_value_types():
    data = load_report(SEED_2020).to_json()
    cells = data["cells"]
    assert set(cells) == set(load_report(SEED_2020).edition_obj.cell_ids)
    assert cells["active.procurement.amount"] == {"value": "21738", "state": "value", "raw": "21738元", "source": {"line": 78}}
    assert cells["active.procurement.projects"]["value"] == 1
    lost = cells["active.penalty.decisions"]
    assert lost["value"] is None and lost["state"] == "missing" and lost["raw"] is None


def test_money_in_wan_yuan_is_converted():
    from ogi.textnorm import parse_figure

    fig = parse_figure("4068.208", "yuan", "万元")
    assert (fig.state, str(fig.number)) == ("value", "40682080")
    assert str(parse_figure("21738元", "yuan", "cell").number) == "21738"
    assert str(parse_figure("2.5万元", "yuan", "cell").number) == "25000"
    assert str(parse_figure("12", "yuan", "cell").number) == "12"


@pytest.mark.parametrize("bad", [
    [],
    {"edition": "1999", "cells": {}},
    {"edition": "2021", "cells": {"requests.bogus.natural": {"value": 1, "state": "value"}}},
    {"edition": "2021", "cells": {"requests.new.natural": {"value": 1, "state": "odd"}}},
    {"edition": "2021", "cells": {"requests.new.natural": {"value": None, "state": "value"}}},
    {"edition": "2021", "year": "2021", "cells": {}},
])
def test_malformed_report_json_is_refused(bad):
    with pytest.raises(ValueError):
        Report.from_json(bad)
