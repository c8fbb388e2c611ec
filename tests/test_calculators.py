"""The calculators' typed requests and answers, shared by the CLI and the REST API."""

from __future__ import annotations

import math

import pytest

from lenaguard.calculators import (
    CrclRequest,
    StartingDoseRequest,
    creatinine_clearance,
    starting_dose,
)
from lenaguard.errors import InputError
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import DoseAction, RenalBand

KB = default_knowledge()
CRCL = {"sex": "female", "age_years": 68, "weight_kg": 70, "creatinine": 1.1}


def test_crcl_answer_is_typed_and_cited():
    result = creatinine_clearance(CRCL, KB)
    assert result.crcl_ml_min == pytest.approx((140 - 68) * 70 / (72 * 1.1) * 0.85)
    assert result.band is RenalBand.MODERATE
    assert result.citations


def test_a_request_model_and_a_dict_give_the_same_answer():
    assert creatinine_clearance(CrclRequest(**CRCL), KB) == creatinine_clearance(CRCL, KB)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["weight_kg", "creatinine", "height_cm"])
def test_non_finite_numbers_are_refused_naming_the_field(field, value):
    with pytest.raises(InputError) as raised:
        creatinine_clearance({**CRCL, field: value}, KB)
    assert [p.field for p in raised.value.problems] == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight_kg": 0}, "weight_kg"),
        ({"creatinine": -1}, "creatinine"),
        ({"creatinine_unit": "mmol/L"}, "creatinine_unit"),
        ({"weight_policy": "ideal"}, "height_cm"),
        ({"age_years": 12}, "age_years"),
    ],
)
def test_impossible_crcl_inputs_name_the_field(changes, field):
    with pytest.raises(InputError) as raised:
        creatinine_clearance({**CRCL, **changes}, KB)
    assert raised.value.problems[0].field == field


def test_starting_dose_reads_the_renal_table():
    result = starting_dose({"indication": "mm_combination", "crcl_ml_min": 45}, KB)
    assert result.band is RenalBand.MODERATE
    assert result.action is DoseAction.START
    assert result.dose_mg == 10


def test_starting_dose_on_dialysis():
    result = starting_dose(StartingDoseRequest(indication="mm_combination", on_dialysis=True), KB)
    assert result.band is RenalBand.DIALYSIS
    assert result.after_dialysis is True


@pytest.mark.parametrize(
    "data",
    [
        {"indication": "mm_combination"},
        {"indication": "mm_combination", "crcl_ml_min": 45, "on_dialysis": True},
        {"indication": "mm_combination", "crcl_ml_min": math.nan},
        {"indication": "mm_combination", "crcl_ml_min": -1},
    ],
)
def test_starting_dose_needs_exactly_one_finite_renal_input(data):
    with pytest.raises(InputError) as raised:
        starting_dose(data, KB)
    assert raised.value.problems[0].field == "crcl_ml_min"
