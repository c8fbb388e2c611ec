"""Renal decisions pinned exactly (issue 7): both sides of every threshold, every weight policy
in the calculator, the exact error a bad input gets, and the exact findings of core cases.

Written against the mutants that survived `python benchmarks/mutation.py renal` (see
docs/mutation.md). Expected numbers come from the facts file §2 (Cockcroft-Gault, Devine,
bands ≥ 60 / 30–60 / < 30, not studied below 11 and 7 mL/min, adults from 18 years);
knowledge variants built here only test that the rules follow the knowledge, not its values.
"""

from __future__ import annotations

import pytest

from lenaguard.errors import FieldValueError
from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.dose.renal import (
    assess_renal,
    calculate_crcl,
    cockcroft_gault,
    crcl_weight,
    ideal_body_weight_kg,
    in_not_studied_range,
    renal_band,
)
from lenaguard.vocab import RenalBand, Sex, WeightPolicy
from tests.factories import lab, make_case

KB = default_knowledge()
RENAL = KB.get(RenalKnowledge)
INCH = 2.54


def _devine(sex: str, height_cm: float) -> float:
    """Facts §2: 50 kg (male) / 45.5 kg (female) + 2.3 kg per inch over 60 inches."""
    return (50 if sex == "male" else 45.5) + 2.3 * max(height_cm / INCH - 60, 0)


def _cg(age: float, weight: float, scr: float, female: bool = False) -> float:
    value = (140 - age) * weight / (72 * scr)
    return value * 0.85 if female else value


def _error(call, *args, **kwargs) -> FieldValueError:
    with pytest.raises(FieldValueError) as caught:
        call(*args, **kwargs)
    return caught.value


def _calculator(**overrides):
    arguments = {
        "sex": "male",
        "age_years": 70,
        "weight_kg": 80.0,
        "height_cm": 175.0,
        "creatinine": 1.0,
        "creatinine_unit": "mg/dL",
        "weight_policy": "actual",
        **overrides,
    }
    return calculate_crcl(kb=KB, **arguments)


def _with_boundary(at_ml_min: float, band: RenalBand) -> RenalKnowledge:
    """The shipped renal knowledge with the exactly-on-a-threshold rule moved elsewhere."""
    boundary = RENAL.bands.boundary.model_copy(update={"at_ml_min": at_ml_min, "band": band})
    bands = RENAL.bands.model_copy(update={"boundary": boundary})
    return RENAL.model_copy(update={"bands": bands})


def _with_default_policy(policy: WeightPolicy) -> RenalKnowledge:
    default = RENAL.weight_policies.default.model_copy(update={"policy": policy})
    policies = RENAL.weight_policies.model_copy(update={"default": default})
    return RENAL.model_copy(update={"weight_policies": policies})


# --- bands: both sides of each threshold, and the boundary rule is data ------------------------


@pytest.mark.parametrize(
    ("crcl", "band"),
    [
        (60.0001, "normal"),
        (60, "normal"),
        (59.9999, "moderate"),
        (30, "moderate"),
        (29.9999, "severe"),
    ],
)
def test_band_on_both_sides_of_sixty_and_thirty(crcl, band):
    assert renal_band(crcl, False, RENAL) is RenalBand(band)


@pytest.mark.parametrize(
    ("crcl", "band"),
    [(60, "normal"), (30, "moderate"), (30.0001, "moderate"), (29.9999, "severe")],
)
def test_a_boundary_rule_elsewhere_leaves_sixty_normal_by_its_threshold(crcl, band):
    """With the exactly-on rule moved to 30, 60 is normal by the '≥ 60' threshold itself."""
    moved = _with_boundary(30, RenalBand.MODERATE)
    assert renal_band(crcl, False, moved) is RenalBand(band)


def test_a_boundary_rule_can_give_the_threshold_to_the_band_below():
    moved = _with_boundary(60, RenalBand.MODERATE)
    assert renal_band(60, False, moved) is RenalBand.MODERATE
    assert renal_band(60.0001, False, moved) is RenalBand.NORMAL


def test_band_without_a_clearance_names_the_field_and_why():
    error = _error(renal_band, None, False, RENAL)
    assert error.field == "crcl_ml_min"
    assert error.message == "required when the patient is not on dialysis"


@pytest.mark.parametrize(
    ("crcl", "on_dialysis", "expected"),
    [
        (10.9999, False, True),
        (11, False, False),
        (11.0001, False, False),
        (6.9999, True, True),
        (7, True, False),
        (7.0001, True, False),
        (10, True, False),  # 10 is below the no-dialysis limit, not the dialysis one
        (None, False, False),
        (None, True, False),
    ],
)
def test_not_studied_is_strictly_below_the_limit(crcl, on_dialysis, expected):
    assert in_not_studied_range(crcl, on_dialysis, RENAL) is expected


# --- errors: the exact field and message ----------------------------------------------------


POSITIVE = "must be a positive number"


@pytest.mark.parametrize("height", [0, -1, -0.001])
def test_ideal_weight_refuses_a_height_that_is_not_positive(height):
    error = _error(ideal_body_weight_kg, "male", height, RENAL)
    assert (error.field, error.message) == ("height_cm", POSITIVE)


@pytest.mark.parametrize("height", [0.5, 1, 150])
def test_ideal_weight_accepts_any_positive_height(height):
    assert ideal_body_weight_kg("female", height, RENAL) == pytest.approx(_devine("female", height))


@pytest.mark.parametrize(
    ("policy", "weight", "height", "field", "message"),
    [
        ("actual", None, None, "weight_kg", "required for the 'actual' weight policy"),
        ("actual", 0, None, "weight_kg", POSITIVE),
        ("actual", -2, None, "weight_kg", POSITIVE),
        ("ideal", 80, None, "height_cm", "required for the 'ideal' weight policy"),
        ("ideal", 80, 0, "height_cm", POSITIVE),
        ("adjusted", None, 175, "weight_kg", "required for the 'adjusted' weight policy"),
        ("adjusted", 80, None, "height_cm", "required for the 'adjusted' weight policy"),
        ("bmi_rule", 0, 175, "weight_kg", POSITIVE),
        ("bmi_rule", None, 175, "weight_kg", "required for the 'bmi_rule' weight policy"),
    ],
)
def test_weight_policy_refusals_name_the_field_and_why(policy, weight, height, field, message):
    error = _error(crcl_weight, policy, "male", weight, height, RENAL)
    assert (error.field, error.message) == (field, message)


@pytest.mark.parametrize("weight", [0.5, 1, 1.5])
def test_actual_weight_accepts_any_positive_weight(weight):
    assert crcl_weight("actual", "male", weight, None, RENAL)[0] == weight


@pytest.mark.parametrize(
    ("age", "weight", "scr", "field", "message"),
    [
        (60, 70, 0, "creatinine", POSITIVE),
        (60, 70, -1, "creatinine", POSITIVE),
        (60, 0, 1, "weight_kg", POSITIVE),
        (60, -1, 1, "weight_kg", POSITIVE),
        (-1, 70, 1, "age_years", "must not be negative and must be under 140 for Cockcroft-Gault"),
        (140, 70, 1, "age_years", "must not be negative and must be under 140 for Cockcroft-Gault"),
    ],
)
def test_cockcroft_gault_refusals_name_the_field_and_why(age, weight, scr, field, message):
    error = _error(cockcroft_gault, age, weight, scr, "male", RENAL)
    assert (error.field, error.message) == (field, message)


@pytest.mark.parametrize(("age", "weight"), [(0, 70), (0.5, 70), (60, 1), (60, 0.5), (139.9, 70)])
def test_cockcroft_gault_accepts_the_edges_of_its_domain(age, weight):
    assert cockcroft_gault(age, weight, 1, "male", RENAL) == pytest.approx(_cg(age, weight, 1))


# --- the calculator -------------------------------------------------------------------------


@pytest.mark.parametrize("age", [18, 18.0001, 40])
def test_calculator_accepts_adults_from_exactly_eighteen(age):
    assert _calculator(age_years=age).crcl_ml_min == pytest.approx(_cg(age, 80, 1.0))


@pytest.mark.parametrize("age", [17.9999, 17, 0])
def test_calculator_refuses_under_eighteen_with_the_reason(age):
    error = _calculator_error(age_years=age)
    assert error.field == "age_years"
    assert error.message.endswith("is under 18; lenalidomide and this calculator are for adults")


def _calculator_error(**overrides) -> FieldValueError:
    return _error(_calculator, **overrides)


@pytest.mark.parametrize(("height", "refused"), [(0, True), (-3, True), (0.5, False), (1, False)])
def test_calculator_checks_height_even_for_the_actual_weight_policy(height, refused):
    if refused:
        error = _calculator_error(height_cm=height)
        assert (error.field, error.message) == ("height_cm", POSITIVE)
    else:
        assert _calculator(height_cm=height).weight_kg_used == 80


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sex": "other"}, "sex", "'other' is not allowed; allowed: female, male"),
        (
            {"weight_policy": "lean"},
            "weight_policy",
            "'lean' is not allowed; allowed: actual, ideal, adjusted, bmi_rule",
        ),
    ],
)
def test_calculator_lists_the_allowed_values(overrides, field, message):
    error = _calculator_error(**overrides)
    assert (error.field, error.message) == (field, message)


def test_calculator_lists_the_accepted_creatinine_units():
    error = _calculator_error(creatinine_unit="mmol/L")
    assert error.field == "creatinine_unit"
    assert error.message == "'mmol/L' is not accepted; allowed: mg/dL, umol/L, µmol/L"


@pytest.mark.parametrize(
    ("policy", "sex", "weight", "height"),
    [
        ("ideal", "male", 80, 175),
        ("ideal", "female", 50, 160),
        ("adjusted", "male", 110, 175),
        ("adjusted", "female", 52, 150),
        ("bmi_rule", "male", 110, 180),
        ("bmi_rule", "female", 45, 165),
    ],
)
def test_calculator_uses_every_non_default_weight_policy(policy, sex, weight, height):
    result = _calculator(sex=sex, weight_kg=weight, height_cm=height, weight_policy=policy)
    expected_weight, basis = crcl_weight(policy, sex, weight, height, RENAL)
    assert result.weight_policy is WeightPolicy(policy)
    assert result.weight_kg_used == pytest.approx(expected_weight)
    assert result.weight_basis == basis
    female = sex == "female"
    assert result.crcl_ml_min == pytest.approx(_cg(70, expected_weight, 1.0, female))


def test_calculator_ideal_weight_is_devine():
    result = _calculator(weight_policy="ideal", height_cm=180)
    assert result.weight_kg_used == pytest.approx(_devine("male", 180))


# --- weight policies: the exact weight and the words at each edge ---------------------------


def test_adjusted_weight_equal_to_ideal_is_actual_weight_with_no_excess():
    ibw = ideal_body_weight_kg(Sex.MALE, 175, RENAL)
    weight, basis = crcl_weight("adjusted", "male", ibw, 175, RENAL)
    assert weight == ibw
    assert basis.startswith("actual body weight")
    assert "because it is not above the ideal body weight" in basis
    assert "and there is no excess to adjust for (adjusted-weight policy)" in basis


def test_adjusted_weight_names_the_excess_over_ideal():
    ibw = _devine("male", 175)
    weight, basis = crcl_weight("adjusted", "male", 100, 175, RENAL)
    assert weight == pytest.approx(ibw + 0.4 * (100 - ibw))
    assert basis.startswith("adjusted body weight")
    assert f"× the {100 - ibw:.1f} kg of actual weight (100 kg) above it" in basis


@pytest.mark.parametrize(("delta", "noted"), [(-0.1, True), (0, False), (0.1, False)])
def test_ideal_policy_notes_a_higher_clearance_only_below_ideal_weight(delta, noted):
    ibw = ideal_body_weight_kg(Sex.FEMALE, 165, RENAL)
    weight, basis = crcl_weight("ideal", "female", ibw + delta, 165, RENAL)
    assert weight == ibw
    note = "so the clearance comes out higher than with actual weight"
    assert (note in basis) is noted


def test_actual_weight_names_the_default_policy():
    assert crcl_weight("actual", "male", 80, None, RENAL)[1] == (
        "actual body weight 80 kg (default policy)"
    )


def test_actual_weight_under_another_default_is_the_actual_weight_policy():
    other = _with_default_policy(WeightPolicy.ADJUSTED)
    assert crcl_weight("actual", "male", 80, None, other)[1] == (
        "actual body weight 80 kg (actual-weight policy)"
    )


@pytest.mark.parametrize(
    ("weight", "height", "shown"),
    [(80, 175, "BMI 26.1,"), (55, 175, "BMI 18,"), (70, 175, "BMI 22.9,")],
)
def test_bmi_rule_shows_the_bmi_to_one_decimal(weight, height, shown):
    _, basis = crcl_weight("bmi_rule", "male", weight, height, RENAL)
    assert f"({shown}" in basis


# --- assess_renal: the exact renal function and finding set ---------------------------------


def _renal(**overrides):
    return assess_renal(make_case(**overrides), KB)


def _ids(findings) -> list[str]:
    return sorted(finding.id for finding in findings)


def test_the_renal_function_carries_the_creatinine_value_and_date():
    renal, findings = _renal(labs=[lab("creatinine", 1.2, "mg/dL", date="2026-11-10")])
    assert renal.creatinine_mg_dl == 1.2
    assert renal.creatinine_date.isoformat() == "2026-11-10"
    assert _ids(findings) == ["renal.band"]
    assert findings[0].inputs["creatinine_date"] == "2026-11-10"


def test_missing_inputs_are_listed_in_order():
    renal, findings = _renal(
        patient={"weight_kg": None, "height_cm": None},
        renal={"weight_policy": "adjusted"},
    )
    assert renal is None
    assert _ids(findings) == ["renal.crcl_inputs_missing", "renal.weight_policy"]
    missing = next(f for f in findings if f.id == "renal.crcl_inputs_missing")
    assert missing.inputs["missing"] == ["serum creatinine", "body weight", "height"]


def test_dialysis_without_a_clearance_says_why_no_weight_was_used():
    renal, findings = _renal(patient={"on_dialysis": True})
    assert renal.band is RenalBand.DIALYSIS
    assert renal.crcl_ml_min is None
    assert renal.weight_kg_used is None
    assert renal.creatinine_date is None
    assert renal.weight_basis == "not calculated: inputs missing or implausible"
    assert _ids(findings) == ["renal.band", "renal.crcl_inputs_missing"]


def test_dialysis_with_implausible_inputs_keeps_the_band_and_no_weight():
    """Case files cannot carry a zero weight any more; a Case built in code still can."""
    case = make_case(patient={"on_dialysis": True}, labs=[lab("creatinine", 5.0, "mg/dL")])
    case = case.model_copy(update={"patient": case.patient.model_copy(update={"weight_kg": 0})})
    renal, findings = assess_renal(case, KB)
    assert renal.band is RenalBand.DIALYSIS
    assert renal.weight_kg_used is None
    assert renal.weight_basis == "not calculated: inputs missing or implausible"
    assert _ids(findings) == ["renal.band", "renal.crcl_input_implausible"]
    implausible = next(f for f in findings if f.id == "renal.crcl_input_implausible")
    assert implausible.summary == "Creatinine clearance cannot be calculated from the values given."
    assert implausible.detail == "Check the case data: weight_kg: must be a positive number."
    assert implausible.inputs == {"age_years": 65, "weight_kg": 0, "height_cm": 175}


def test_a_child_s_computed_clearance_is_shown_for_reference_only():
    """Age 15, 50 kg, creatinine 0.8 mg/dL: (140 − 15) × 50 / (72 × 0.8) = 108.5 mL/min."""
    renal, findings = _renal(
        patient={"age_years": 15, "weight_kg": 50, "height_cm": 160},
        labs=[lab("creatinine", 0.8, "mg/dL")],
    )
    assert renal.crcl_ml_min == pytest.approx(108.507, abs=0.001)
    assert _ids(findings) == ["renal.band", "renal.crcl_not_validated_in_children"]
    child = next(f for f in findings if f.id == "renal.crcl_not_validated_in_children")
    assert child.blocking is True
    assert (
        "The Cockcroft-Gault value computed, 108.5 mL/min (normal band), is shown for reference "
        "only."
    ) in child.detail
    assert child.inputs == {
        "age_years": 15,
        "adult_age_years": 18,
        "crcl_ml_min": renal.crcl_ml_min,
    }
    assert child.summary == (
        "Patient aged 15, under 18: Cockcroft-Gault is not validated in children; the clinician "
        "must confirm the renal dose."
    )
    assert [(c.source, c.section) for c in child.citations] == [
        ("cockcroft_gault_1976", "derivation population (adults)"),
        ("uspi", "§8.4 Pediatric use"),
    ]


def test_a_child_without_a_clearance_is_told_none_could_be_computed():
    renal, findings = _renal(patient={"age_years": 15, "weight_kg": 50, "height_cm": 160})
    assert renal is None
    assert _ids(findings) == ["renal.crcl_inputs_missing", "renal.crcl_not_validated_in_children"]
    child = next(f for f in findings if f.id == "renal.crcl_not_validated_in_children")
    assert child.blocking is True
    assert child.detail.endswith(
        " No clearance could be computed here either. Assess kidney function by a method suited "
        "to the patient's age and record the renal dose decision before prescribing."
    )
    assert child.inputs == {"age_years": 15, "adult_age_years": 18, "crcl_ml_min": None}


def test_a_non_default_policy_finding_says_which_weight_was_used():
    _, findings = _renal(renal={"weight_policy": "ideal"}, labs=[lab("creatinine", 1.0, "mg/dL")])
    assert _ids(findings) == ["renal.band", "renal.weight_policy"]
    policy = next(f for f in findings if f.id == "renal.weight_policy")
    assert "This case uses the 'ideal' policy: ideal body weight" in policy.detail


@pytest.mark.parametrize(
    ("scr", "band", "ids"),
    [
        (1.0, "normal", ["renal.band"]),
        (2.0, "moderate", ["renal.band"]),
        (2.01, "severe", ["renal.band"]),
        (7.5, "severe", ["renal.band", "renal.not_studied"]),
    ],
)
def test_core_cases_give_exactly_the_band_finding(scr, band, ids):
    """Male, 68 years, 60 kg: CrCl = 60 / SCr (mL/min)."""
    renal, findings = _renal(
        patient={"sex": "male", "age_years": 68, "weight_kg": 60},
        labs=[lab("creatinine", scr, "mg/dL")],
    )
    assert renal.band is RenalBand(band)
    assert _ids(findings) == ids
