"""Plausible values: possible and probable ranges for every lab, weight, height and age.

Class of problem: a value that cannot be a patient's (refused, exit 2, naming the field and the
range in the unit written) and a value that is possible but improbable (accepted, and a
critical blocking finding until it is confirmed). The ranges are read from the knowledge base
only to place test values on both sides of every bound; the expected behaviour (refused,
flagged, accepted) is written here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.calculators import creatinine_clearance
from lenaguard.caseio import CaseError, case_from_data
from lenaguard.errors import InputError
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.base import LENAGUARD_SOURCE
from lenaguard.knowledge.topics.labs import LabsKnowledge, Plausibility
from lenaguard.plausibility import check_lab_value
from lenaguard.vocab import Category, LabTest, Severity
from tests.factories import case_data, lab

KB = default_knowledge()
LABS = KB.get(LabsKnowledge)
TODAY = dt.date(2026, 11, 20)
NUMERIC = [test for test, definition in LABS.tests.items() if definition.plausible is not None]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "case-file.md"


def _canonical(test: LabTest) -> str:
    unit = LABS.tests[test].canonical_unit
    assert unit is not None
    return unit


def _just(value: float, side: str) -> float:
    """A value a hair inside (side 'in') or outside ('out') of a bound."""
    step = max(abs(value) * 1e-6, 1e-6)
    return value + step if side == "up" else value - step


def _edges(bounds) -> list[tuple[float, float]]:
    """(inside, outside) value pairs at each end of a range that has one."""
    found = []
    if bounds.low is not None:
        found.append((bounds.low, _just(bounds.low, "down")))
    if bounds.high is not None:
        found.append((bounds.high, _just(bounds.high, "up")))
    return found


def _outcome(labs=None, **patient):
    """('refused', fields) or ('assessed', assessment)."""
    data = case_data(labs=labs or [], patient=patient)
    try:
        case = case_from_data(data, today=TODAY)
    except CaseError as exc:
        return "refused", exc
    return "assessed", assess(case, KB)


def _improbable(assessment) -> list:
    return [f for f in assessment.findings if f.id.startswith("input.improbable_value.")]


# ---------------------------------------------------------------- the knowledge


def test_every_numeric_test_and_the_age_have_two_ranges():
    numeric = {
        test for test, d in LABS.tests.items() if d.kind == "quantitative" or d.also_quantitative
    }
    assert set(NUMERIC) == numeric
    for entry in [*(LABS.plausible(t) for t in NUMERIC), LABS.age_years]:
        assert entry.probable.within(entry.possible)
        assert entry.status is Status.UNVERIFIED  # lenaguard's own reading
        assert [c.source for c in entry.cite] == [LENAGUARD_SOURCE]


def test_the_docs_table_agrees_with_the_knowledge():
    text = DOCS.read_text()
    rows = {
        "creatinine": LABS.plausible(LabTest.CREATININE),
        "`anc`": LABS.plausible(LabTest.ANC),
        "`wbc`": LABS.plausible(LabTest.WBC),
        "`platelets`": LABS.plausible(LabTest.PLATELETS),
        "`hemoglobin`": LABS.plausible(LabTest.HEMOGLOBIN),
        "age": LABS.age_years,
        "weight": LABS.plausible(LabTest.WEIGHT),
        "height": LABS.plausible(LabTest.HEIGHT),
    }
    for name, entry in rows.items():
        row = next(
            line for line in text.splitlines() if line.startswith(f"| {name} |") and "–" in line
        )
        numbers = [float(n.replace(",", "")) for n in re.findall(r"[\d,]*\.?\d+", row)]
        expected = [
            entry.possible.low,
            entry.possible.high,
            entry.probable.low,
            entry.probable.high,
        ]
        assert numbers == expected, name


# ---------------------------------------------------------------- both sides of every bound


@pytest.mark.parametrize("test", NUMERIC, ids=lambda t: t.value)
def test_lab_values_on_both_sides_of_every_bound(test):
    entry = LABS.plausible(test)
    unit = _canonical(test)
    kwargs = {"result": "negative"} if LABS.tests[test].kind == "qualitative" else {}
    for inside, outside in _edges(entry.possible):
        verdict, _ = _outcome([lab(test.value, inside, unit, **kwargs)])
        assert verdict == "assessed", (test, inside)
        verdict, error = _outcome([lab(test.value, outside, unit, **kwargs)])
        assert verdict == "refused", (test, outside)
        assert [p.field for p in error.problems] == ["labs.0.value"]
    for inside, outside in _edges(entry.probable):
        if not entry.possible.contains(outside):
            continue  # the probable bound is the possible bound: refused above
        _, result = _outcome([lab(test.value, inside, unit, **kwargs)])
        assert _improbable(result) == [], (test, inside)
        _, result = _outcome([lab(test.value, outside, unit, **kwargs)])
        (finding,) = _improbable(result)
        assert finding.id == f"input.improbable_value.{test.value}_2026_11_18"
        assert "(labs.0)" in finding.summary
        assert finding.severity is Severity.CRITICAL and finding.blocking
        assert finding.category is Category.INPUT
        assert not result.ready_to_prescribe and finding.id in result.blocking


@pytest.mark.parametrize(
    ("field", "test"), [("weight_kg", LabTest.WEIGHT), ("height_cm", LabTest.HEIGHT)]
)
def test_patient_weight_and_height_on_both_sides_of_every_bound(field, test):
    entry = LABS.plausible(test)
    for inside, outside in _edges(entry.possible):
        assert _outcome(**{field: inside})[0] == "assessed"
        verdict, error = _outcome(**{field: outside})
        assert verdict == "refused" and error.problems[0].field == f"patient.{field}"
    for inside, outside in _edges(entry.probable):
        assert _improbable(_outcome(**{field: inside})[1]) == []
        (finding,) = _improbable(_outcome(**{field: outside})[1])
        assert finding.id == f"input.improbable_value.patient_{field}"
        assert f"patient.confirmed: [{field}]" in finding.detail


def test_ages_on_both_sides_of_every_bound():
    entry = LABS.age_years
    assert entry.possible.low is not None and entry.possible.high is not None
    low, high = int(entry.possible.low), int(entry.possible.high)
    assert _outcome(age_years=low)[0] == "assessed"
    assert _outcome(age_years=high)[0] == "assessed"
    for outside in (low - 1, high + 1):
        verdict, error = _outcome(age_years=outside)
        assert verdict == "refused" and error.problems[0].field == "patient.age_years"
    assert entry.probable.high is not None
    top = int(entry.probable.high)
    assert _improbable(_outcome(age_years=top)[1]) == []
    (finding,) = _improbable(_outcome(age_years=top + 1)[1])
    assert finding.id == "input.improbable_value.patient_age_years"


def test_an_age_from_the_birth_date_obeys_the_same_limits():
    high = int(LABS.age_years.possible.high)
    too_old = TODAY.replace(year=TODAY.year - high - 1)  # one year over on as_of
    oldest = too_old + dt.timedelta(days=1)  # the birthday is tomorrow
    assert _outcome(age_years=None, birth_date=oldest.isoformat())[0] == "assessed"
    verdict, error = _outcome(age_years=None, birth_date=too_old.isoformat())
    assert verdict == "refused" and error.problems[0].field == "patient.birth_date"
    top = int(LABS.age_years.probable.high)
    improbable = TODAY.replace(year=TODAY.year - top - 1)
    (finding,) = _improbable(_outcome(age_years=None, birth_date=improbable.isoformat())[1])
    assert finding.id == "input.improbable_value.patient_birth_date"


# ---------------------------------------------------------------- any unit, one range


@pytest.mark.parametrize("test", NUMERIC, ids=lambda t: t.value)
def test_the_ranges_hold_in_every_unit_and_the_message_uses_the_unit_written(test):
    entry = LABS.plausible(test)
    for unit, conversion in LABS.tests[test].units.items():
        for _, outside in _edges(entry.possible):
            written = conversion.from_canonical(outside)
            check = check_lab_value(LABS, test, written, unit)
            assert check.level is Plausibility.IMPOSSIBLE, (test, unit, written)
            assert check.possible_words.endswith(f" {unit}")


@pytest.mark.parametrize(
    ("entry", "field", "says"),
    [
        (lab("creatinine", 88, "mg/dL"), "labs.0.value", "looks like a result in umol/L"),
        (lab("creatinine", 4000, "umol/L"), "labs.0.value", "umol/L"),
        (lab("platelets", 6000, "10^3/uL"), "labs.0.value", "10^3/uL"),
        (lab("hemoglobin", 120, "g/dL"), "labs.0.value", "looks like a result in g/L"),
        (lab("height", 1.8, "cm"), "labs.0.value", "looks like a result in m"),
    ],
)
def test_impossible_values_name_the_field_the_range_and_the_likely_unit(entry, field, says):
    verdict, error = _outcome([entry])
    assert verdict == "refused"
    (problem,) = error.problems
    assert problem.field == field
    assert "possible values:" in problem.message and says in problem.message


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (lab("creatinine", 30, "mg/dL"), "looks like a result in umol/L"),
        (lab("platelets", 25, "/uL"), "looks like a result in 10^3/uL"),
        (lab("anc", 1.2, "/uL"), "looks like a result in 10^3/uL"),
        (lab("weight", 350, "kg"), "looks like a result in lb"),
    ],
)
def test_improbable_values_say_which_unit_they_look_like(entry, says):
    (finding,) = _improbable(_outcome([entry])[1])
    assert says in finding.detail
    assert "labs.0.confirmed: true" in finding.detail
    assert "labs.0" in finding.summary and len(finding.summary) < 140


def test_a_value_probable_in_no_other_unit_gets_no_hint():
    (finding,) = _improbable(_outcome([lab("hemoglobin", 2.5, "g/dL")])[1])
    assert "looks like" not in finding.detail


# ---------------------------------------------------------------- confirmation


def test_a_confirmed_lab_value_no_longer_blocks():
    entry = lab("creatinine", 25, "mg/dL")
    _, flagged = _outcome([entry])
    _, confirmed = _outcome([{**entry, "confirmed": True}])
    assert _improbable(confirmed) == []
    note = next(
        f for f in confirmed.findings if f.id.startswith("input.improbable_value_confirmed")
    )
    assert note.severity is Severity.INFO and not note.blocking
    assert not any(f.startswith("input.") for f in confirmed.blocking)
    assert any(f.startswith("input.improbable_value.") for f in flagged.blocking)
    assert confirmed.renal == flagged.renal  # the value is used as written either way
    (improbable,) = _improbable(flagged)
    assert improbable.remedy is not None and improbable.remedy.field == "labs.0.confirmed"


@pytest.mark.parametrize(
    ("patient", "confirm"),
    [
        ({"weight_kg": 300}, "weight_kg"),
        ({"height_cm": 100}, "height_cm"),
        ({"age_years": 104}, "age_years"),
        ({"age_years": None, "birth_date": "1920-01-01"}, "birth_date"),
        ({"age_years": None, "birth_date": "1920-01-01"}, "age_years"),
    ],
)
def test_patient_fields_are_confirmed_by_name(patient, confirm):
    _, flagged = _outcome(**patient)
    assert _improbable(flagged)
    _, confirmed = _outcome(**patient, confirmed=[confirm])
    assert _improbable(confirmed) == []


def test_confirming_another_field_does_not_confirm_this_one():
    _, result = _outcome(weight_kg=300, confirmed=["height_cm"])
    assert [f.id for f in _improbable(result)] == ["input.improbable_value.patient_weight_kg"]


def test_improbable_values_block_even_with_verified_only():
    case = case_from_data(case_data(patient={"weight_kg": 300}), today=TODAY)
    result = assess(case, KB, verified_only=True)
    assert "input.improbable_value.patient_weight_kg" in result.blocking
    assert not result.ready_to_prescribe


def test_every_improbable_value_is_named_once():
    labs = [
        lab("creatinine", 30, "mg/dL"),
        lab("platelets", 25, "/uL"),
        lab("creatinine", 1.0, "mg/dL", date="2026-11-10"),
        lab("platelets", 25, "/uL"),  # the same result written twice: one finding
        lab("anc", 5, "/uL", time="08:00"),
        lab("anc", 3, "/uL", time="16:30"),
    ]
    _, result = _outcome(labs, weight_kg=300)
    assert sorted(f.id for f in _improbable(result)) == [
        "input.improbable_value.anc_2026_11_18_080000",
        "input.improbable_value.anc_2026_11_18_163000",
        "input.improbable_value.creatinine_2026_11_18",
        "input.improbable_value.patient_weight_kg",
        "input.improbable_value.platelets_2026_11_18",
    ]


def test_a_repeated_result_blocks_until_every_copy_is_confirmed():
    twice = [lab("platelets", 25, "/uL"), lab("platelets", 25, "/uL", confirmed=True)]
    for labs in (twice, twice[::-1]):
        (finding,) = _improbable(_outcome(labs)[1])
        assert finding.blocking and "confirmed: true" in finding.detail


# ---------------------------------------------------------------- the calculators share them


@pytest.mark.parametrize(
    ("field", "test"),
    [("weight_kg", LabTest.WEIGHT), ("height_cm", LabTest.HEIGHT), ("age_years", None)],
)
def test_the_calculator_refuses_what_a_case_file_refuses(field, test):
    entry = LABS.age_years if test is None else LABS.plausible(test)
    if test is None:
        outside = [int(entry.possible.low) - 1, int(entry.possible.high) + 1]
    else:
        outside = [value for _, value in _edges(entry.possible)]
    base = {"sex": "male", "age_years": 60, "weight_kg": 80, "height_cm": 175, "creatinine": 1}
    for value in outside:
        with pytest.raises(InputError) as raised:
            creatinine_clearance({**base, field: value}, KB)
        assert raised.value.problems[0].field == field
        verdict, error = _outcome(**{field: value})
        assert verdict == "refused"
        assert error.problems[0].message == raised.value.problems[0].message


@pytest.mark.parametrize("unit", ["mg/dL", "umol/L"])
def test_the_calculator_refuses_an_impossible_creatinine_in_the_unit_written(unit):
    entry = LABS.plausible(LabTest.CREATININE)
    conversion = LABS.tests[LabTest.CREATININE].units[unit]
    base = {"sex": "male", "age_years": 60, "weight_kg": 80, "creatinine_unit": unit}
    assert entry.possible.high is not None
    inside = conversion.from_canonical(entry.possible.high)
    outside = conversion.from_canonical(_just(entry.possible.high, "up"))
    assert creatinine_clearance({**base, "creatinine": inside}, KB).crcl_ml_min > 0
    with pytest.raises(InputError) as raised:
        creatinine_clearance({**base, "creatinine": outside}, KB)
    assert raised.value.problems[0].field == "creatinine"
    assert unit in raised.value.problems[0].message


# ---------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(
    test=st.sampled_from(NUMERIC),
    fraction=st.floats(0, 1),
    data=st.data(),
)
def test_any_possible_value_is_accepted_and_flagged_exactly_when_improbable(test, fraction, data):
    entry = LABS.plausible(test)
    low = entry.possible.low if entry.possible.low is not None else 0.0
    high = entry.possible.high if entry.possible.high is not None else low + 1e6
    value = low + (high - low) * fraction
    unit = data.draw(st.sampled_from(sorted(LABS.tests[test].units)))
    written = LABS.tests[test].units[unit].from_canonical(value)
    if not math.isfinite(written):
        return
    check = check_lab_value(LABS, test, written, unit)
    if check.level is Plausibility.IMPOSSIBLE:  # rounding at an end of the range
        return
    kwargs = {"result": "negative"} if LABS.tests[test].kind == "qualitative" else {}
    verdict, result = _outcome([lab(test.value, written, unit, **kwargs)])
    assert verdict == "assessed"
    flagged = bool(_improbable(result))
    assert flagged is (check.level is Plausibility.IMPROBABLE)
