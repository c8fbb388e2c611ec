"""Classes of bad input the case model refuses, each naming the field.

- every number finite (NaN and ±infinity refused in every numeric field), never a boolean;
- text capped in length;
- dates inside the patient's life and inside the window lenaguard computes with;
- two different results of one test on one date need their times of day.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from lenaguard.case import LATEST_DATE, MAX_NOTE_LENGTH, MAX_TEXT_LENGTH
from lenaguard.caseio import CaseError, case_from_data
from lenaguard.vocab import LabTest
from tests.factories import case_data, lab, make_case

TODAY = dt.date(2026, 11, 20)
START = {"date": "2026-11-01", "event": "start", "dose_mg": 25}


def problems(**overrides: Any) -> list[tuple[str, str]]:
    with pytest.raises(CaseError) as raised:
        case_from_data(case_data(**overrides), today=TODAY)
    return raised.value.problems


def fields(**overrides: Any) -> list[str]:
    return [field for field, _ in problems(**overrides)]


# Every numeric field of the case file, as (overrides with a value put in, field path).
NUMERIC_FIELDS = [
    (lambda v: {"patient": {"weight_kg": v}}, "patient.weight_kg"),
    (lambda v: {"patient": {"height_cm": v}}, "patient.height_cm"),
    (lambda v: {"patient": {"age_years": v}}, "patient.age_years"),
    (lambda v: {"labs": [lab("creatinine", v, "mg/dL")]}, "labs.0.value"),
    (
        lambda v: {"labs": [lab("iga", 100, "mg/dL", reference_range={"low": v})]},
        "labs.0.reference_range.low",
    ),
    (
        lambda v: {"labs": [lab("pregnancy", result="negative", sensitivity_miu_ml=v)]},
        "labs.0.sensitivity_miu_ml",
    ),
    (lambda v: {"medications": [{"name": "aspirin", "dose_mg": v}]}, "medications.0.dose_mg"),
    (
        lambda v: {"medications": [{"name": "dexamethasone", "mg_per_month": v}]},
        "medications.0.mg_per_month",
    ),
    (lambda v: {"therapy": {"events": [{**START, "dose_mg": v}]}}, "therapy.events.0.dose_mg"),
    (
        lambda v: {
            "transfusions": [
                {
                    "date": "2026-11-01",
                    "kind": "rbc",
                    "units": 1,
                    "pre_transfusion_hemoglobin_g_dl": v,
                }
            ]
        },
        "transfusions.0.pre_transfusion_hemoglobin_g_dl",
    ),
    (
        lambda v: {"myeloma": {"imaging": [{"date": "2026-11-01", "plasmacytoma_spd_cm2": v}]}},
        "myeloma.imaging.0.plasmacytoma_spd_cm2",
    ),
]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(("put", "field"), NUMERIC_FIELDS, ids=[f for _, f in NUMERIC_FIELDS])
def test_non_finite_numbers_are_refused_in_every_field(put, field, value):
    found = problems(**put(value))
    assert [f for f, _ in found] == [field]


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize(("put", "field"), NUMERIC_FIELDS, ids=[f for _, f in NUMERIC_FIELDS])
def test_true_and_false_are_not_numbers(put, field, value):
    found = problems(**put(value))
    assert [f for f, _ in found] == [field]


@pytest.mark.parametrize(
    ("field", "put", "cap"),
    [
        ("patient.id", lambda t: {"patient": {"id": t}}, MAX_TEXT_LENGTH),
        ("medications.0.name", lambda t: {"medications": [{"name": t}]}, MAX_TEXT_LENGTH),
        ("labs.0.unit", lambda t: {"labs": [lab("creatinine", 1, t)]}, MAX_TEXT_LENGTH),
        ("labs.0.loinc", lambda t: {"labs": [{"loinc": t, "date": "2026-11-01"}]}, MAX_TEXT_LENGTH),
        (
            "therapy.events.0.note",
            lambda t: {"therapy": {"events": [{**START, "note": t}]}},
            MAX_NOTE_LENGTH,
        ),
    ],
)
def test_text_is_capped(field, put, cap):
    assert field in fields(**put("x" * (cap + 1)))
    try:
        case_from_data(case_data(**put("x" * cap)), today=TODAY)
    except CaseError as exc:  # at the cap: refused for another reason, never its length
        assert all("at most" not in message for _, message in exc.problems)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("put", "field"),
    [
        (lambda d: {"labs": [lab("creatinine", 1, "mg/dL", date=d)]}, "labs.0.date"),
        (
            lambda d: {"transfusions": [{"date": d, "kind": "rbc", "units": 1}]},
            "transfusions.0.date",
        ),
        (lambda d: {"therapy": {"events": [{**START, "date": d}]}}, "therapy.events.0.date"),
        (
            lambda d: {"therapy": {"events": [START], "other_toxicity": {"grade": 1, "date": d}}},
            "therapy.other_toxicity.date",
        ),
        (lambda d: {"myeloma": {"imaging": [{"date": d}]}}, "myeloma.imaging.0.date"),
    ],
)
@pytest.mark.parametrize("born", ["birth_date", "age_years"])
def test_nothing_is_dated_before_the_birth(put, field, born):
    """With a birth date, that date; with an age, the earliest birth date the age allows."""
    patient = (
        {"age_years": None, "birth_date": "1960-06-15"}
        if born == "birth_date"
        else {"age_years": 66}  # on 2026-11-20: born 1959-11-21 at the earliest
    )
    first_day = "1960-06-15" if born == "birth_date" else "1959-11-21"
    day_before = (dt.date.fromisoformat(first_day) - dt.timedelta(days=1)).isoformat()
    message = dict(problems(patient=patient, **put(day_before)))[field]
    assert "before the patient was born" in message
    try:
        case_from_data(case_data(patient=patient, **put(first_day)), today=TODAY)
    except CaseError as exc:
        assert field not in [f for f, _ in exc.problems]


@pytest.mark.parametrize(
    ("as_of", "refused"),
    [
        ("1849-12-31", True),
        ("1850-01-01", False),
        (LATEST_DATE.isoformat(), False),
        ("9999-12-31", True),
    ],
)
def test_as_of_lies_in_the_window_lenaguard_computes_with(as_of, refused):
    patient = {"age_years": 65}
    if refused:
        assert "as_of" in fields(as_of=as_of, patient=patient)
    else:
        case = case_from_data(case_data(as_of=as_of, patient=patient), today=TODAY)
        assert case.as_of.isoformat() == as_of


def test_a_far_future_lab_is_after_as_of():
    assert fields(labs=[lab("creatinine", 1, "mg/dL", date="9999-12-31")]) == ["labs.0.date"]


# ---------------------------------------------------------------- one test, one date


def anc(value: float, unit: str = "10^3/uL", **extra: Any) -> dict[str, Any]:
    return lab("anc", value, unit, date="2026-11-18", **extra)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (anc(0.4), anc(2.4)),
        (anc(0.4, time="08:00"), anc(2.4)),
        (anc(0.4), anc(2.4, time="08:00")),
        (anc(0.4, time="08:00"), anc(2.4, time="08:00")),
        (lab("pregnancy", result="negative"), lab("pregnancy", result="positive")),
        (anc(0.4), {**anc(2.4), "test": None, "loinc": "751-8"}),
        (
            lab("iga", 100, "mg/dL", reference_range={"low": 70}),
            lab("iga", 100, "mg/dL", reference_range={"low": 80}),
        ),
    ],
    ids=[
        "no times",
        "first timed",
        "second timed",
        "same time",
        "qualitative",
        "by loinc",
        "different reference ranges",
    ],
)
def test_two_different_results_without_distinct_times_are_refused_naming_both(first, second):
    first = {**first, "date": "2026-11-18"}
    second = {**second, "date": "2026-11-18"}
    second = {k: v for k, v in second.items() if v is not None}
    (problem,) = problems(labs=[lab("creatinine", 1, "mg/dL"), first, second])
    assert problem[0] == "labs.2"
    assert "labs.1" in problem[1] and "labs.2" in problem[1]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (anc(0.8), anc(800, "/uL")),  # the same value in another unit
        (anc(0.8), anc(0.8)),  # written twice
        (anc(0.8, time="08:00"), anc(0.8)),
        (lab("pregnancy", result="negative"), lab("pregnancy", result="negative")),
    ],
)
def test_the_same_result_written_twice_is_accepted_and_counts_once(first, second):
    first, second = {**first, "date": "2026-11-18"}, {**second, "date": "2026-11-18"}
    case = make_case(labs=[first, second])
    test = case.labs[0].lab_test
    assert len(case.series(test)) == 1


def test_two_timed_results_both_count_in_time_order_and_the_later_is_latest():
    case = make_case(labs=[anc(2.4, time="16:00"), anc(0.4, time="08:00:30")])
    series = case.series(LabTest.ANC)
    assert [r.time for r in series] == [dt.time(8, 0, 30), dt.time(16)]
    assert case.latest(LabTest.ANC) is series[-1]


@pytest.mark.parametrize("time", ["08:30", "23:59:59", "00:00"])
def test_times_of_day_are_read(time):
    (result,) = make_case(labs=[anc(1, time=time)]).labs
    assert result.time == dt.time.fromisoformat(time)


@pytest.mark.parametrize("time", [750, 8.5, "8:30", "24:00", "08:30Z", "noon", True])
def test_anything_else_as_a_time_is_refused(time):
    assert fields(labs=[anc(1, time=time)]) == ["labs.0.time"]
