"""The public library API as docs/api.md shows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import lenaguard
from tests.factories import case_data

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mm-newly-diagnosed.yaml"


def test_load_assess_and_serialise():
    case = lenaguard.load_case(EXAMPLE, today=dt.date(2026, 11, 20))
    result = lenaguard.assess(case, lenaguard.default_knowledge())
    assert result.dose is not None and result.dose.dose_mg == 25
    data = result.to_json_dict()
    assert data["dose"]["action"] == "start"


def test_the_same_case_gives_the_same_assessment():
    kb = lenaguard.default_knowledge()
    case = lenaguard.load_case(EXAMPLE, today=dt.date(2026, 11, 20))
    assert lenaguard.assess(case, kb) == lenaguard.assess(case, kb)


def test_case_error_lists_field_and_message():
    with pytest.raises(lenaguard.CaseError) as raised:
        lenaguard.case_from_data(case_data(patient={"sex": "other"}), today=dt.date(2026, 11, 20))
    (field, message), *_ = raised.value.problems
    assert field == "patient.sex"
    assert "female" in message and "male" in message
