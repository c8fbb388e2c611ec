"""Renal function: Cockcroft-Gault, weight policies and the label's renal bands.

Expected values are written from the facts file (§2): CrCl = (140 − age) × weight ÷ (72 × SCr),
× 0.85 if female; SCr µmol/L ÷ 88.4 = mg/dL; Devine IBW 50 / 45.5 kg + 2.3 kg per inch over
60 in; adjusted = IBW + 0.4 × (actual − IBW); bmi_rule < 18.5 actual, 18.5–24.9 min(IBW,
actual), ≥ 25 adjusted; bands ≥ 60 normal (working rule), 30 ≤ CrCl < 60 moderate, < 30 severe,
dialysis; not studied below 11 (no dialysis) and 7 (dialysis) mL/min.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.caseio import CaseError, case_from_data
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.dose.renal import (
    assess_renal,
    calculate_crcl,
    cockcroft_gault,
    crcl_weight,
    crcl_words,
    ideal_body_weight_kg,
    renal_band,
)
from lenaguard.vocab import Category, RenalBand, Severity, Sex, WeightPolicy
from tests.factories import case_data, lab, make_case

KB = default_knowledge()
RENAL = KB.get(RenalKnowledge)
INCH = 2.54


def _cg(age, weight, scr, female=False):
    """The facts file's formula, written out independently of the knowledge file."""
    value = (140 - age) * weight / (72 * scr)
    return value * 0.85 if female else value


def _devine(sex, height_cm):
    base = 50 if sex == "male" else 45.5
    return base + 2.3 * max(height_cm / INCH - 60, 0)


def _by_id(findings):
    return {finding.id: finding for finding in findings}


def _renal(**overrides):
    return assess_renal(make_case(**overrides), KB)


def _creatinine(value, unit="mg/dL", date="2026-11-18"):
    return lab("creatinine", value, unit, date=date)


# --- Cockcroft-Gault -------------------------------------------------------------------------


def test_cockcroft_gault_female_example_from_the_brief():
    expected = (140 - 68) * 70 / (72 * 1.1) * 0.85
    assert cockcroft_gault(68, 70, 1.1, Sex.FEMALE, RENAL) == pytest.approx(expected)
    assert expected == pytest.approx(54.0909, abs=1e-4)


def test_cockcroft_gault_male_has_no_female_factor():
    assert cockcroft_gault(65, 80, 1.0, "male", RENAL) == pytest.approx(75 * 80 / 72)


@pytest.mark.parametrize(
    ("age", "weight", "scr", "sex"),
    [
        (40, 55, 0.6, "female"),
        (90, 110, 2.4, "male"),
        (18, 48, 0.5, "female"),
        (77, 62, 3.1, "male"),
    ],
)
def test_cockcroft_gault_matches_the_formula(age, weight, scr, sex):
    expected = _cg(age, weight, scr, female=sex == "female")
    assert cockcroft_gault(age, weight, scr, sex, RENAL) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("age", "weight", "scr", "field"),
    [(68, 70, 0, "creatinine"), (68, 0, 1.0, "weight_kg"), (140, 70, 1.0, "age_years")],
)
def test_cockcroft_gault_refuses_impossible_inputs_naming_the_field(age, weight, scr, field):
    with pytest.raises(ValueError, match=field):
        cockcroft_gault(age, weight, scr, "male", RENAL)


# --- weights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "height", "expected"),
    [
        ("male", 175, 50 + 2.3 * (175 / 2.54 - 60)),
        ("female", 165, 45.5 + 2.3 * (165 / 2.54 - 60)),
        ("male", 152.4, 50.0),  # exactly 60 inches
        ("female", 190, 45.5 + 2.3 * (190 / 2.54 - 60)),
    ],
)
def test_devine_ideal_body_weight(sex, height, expected):
    assert ideal_body_weight_kg(sex, height, RENAL) == pytest.approx(expected)


def test_ideal_body_weight_below_sixty_inches_uses_the_base_weight_and_says_so():
    assert ideal_body_weight_kg("female", 145, RENAL) == pytest.approx(45.5)
    weight, basis = crcl_weight("ideal", "female", 50, 145, RENAL)
    assert weight == pytest.approx(45.5)
    assert "base weight" in basis


def test_actual_weight_is_the_default_policy():
    weight, basis = crcl_weight(WeightPolicy.ACTUAL, Sex.FEMALE, 70, None, RENAL)
    assert weight == 70
    assert basis == "actual body weight 70 kg (default policy)"


def test_ideal_policy_uses_devine_and_warns_when_it_exceeds_actual_weight():
    weight, basis = crcl_weight("ideal", "male", 60, 180, RENAL)
    assert weight == pytest.approx(_devine("male", 180))
    assert "ideal body weight" in basis
    assert "higher than with actual weight" in basis


def test_adjusted_policy_adds_forty_percent_of_the_excess():
    ibw = _devine("male", 175)
    weight, basis = crcl_weight("adjusted", "male", 100, 175, RENAL)
    assert weight == pytest.approx(ibw + 0.4 * (100 - ibw))
    assert "adjusted body weight" in basis


def test_adjusted_policy_uses_actual_weight_when_not_above_ideal():
    weight, basis = crcl_weight("adjusted", "female", 50, 170, RENAL)
    assert weight == 50
    assert "actual body weight" in basis


@pytest.mark.parametrize(
    ("weight", "expected", "words"),
    [
        # height 200 cm → 4 m²; BMI = weight / 4; IBW male 200 cm = 50 + 2.3 × (78.74 − 60)
        (60, 60, "actual body weight"),  # BMI 15 < 18.5 → actual
        (73.9, 73.9, "actual body weight"),  # BMI 18.475 → actual
        (74, 74, "lower of"),  # BMI 18.5 → min(IBW, actual)
        (99.9, 50 + 2.3 * (200 / 2.54 - 60), "lower of"),  # BMI 24.975 → min → IBW
        (
            100,
            (50 + 2.3 * (200 / 2.54 - 60)) + 0.4 * (100 - (50 + 2.3 * (200 / 2.54 - 60))),
            "adjusted body weight",
        ),  # BMI 25 → adjusted
        (
            140,
            (50 + 2.3 * (200 / 2.54 - 60)) + 0.4 * (140 - (50 + 2.3 * (200 / 2.54 - 60))),
            "adjusted body weight",
        ),  # BMI 35 → adjusted
    ],
)
def test_bmi_rule_in_each_bmi_band_and_on_both_sides_of_each_threshold(weight, expected, words):
    used, basis = crcl_weight("bmi_rule", "male", weight, 200, RENAL)
    assert used == pytest.approx(expected)
    assert words in basis
    assert "BMI" in basis


def test_bmi_rule_normal_range_takes_actual_weight_when_below_ideal():
    used, _ = crcl_weight("bmi_rule", "male", 65, 175, RENAL)  # BMI 21.2, IBW 70.5
    assert used == 65


@pytest.mark.parametrize("policy", ["ideal", "adjusted", "bmi_rule"])
def test_policies_needing_height_name_height_cm_when_it_is_missing(policy):
    with pytest.raises(ValueError, match="height_cm"):
        crcl_weight(policy, "male", 80, None, RENAL)


@pytest.mark.parametrize("policy", ["actual", "adjusted", "bmi_rule"])
def test_policies_needing_weight_name_weight_kg_when_it_is_missing(policy):
    with pytest.raises(ValueError, match="weight_kg"):
        crcl_weight(policy, "male", None, 175, RENAL)


# --- bands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crcl", "band"),
    [
        (120, RenalBand.NORMAL),
        (60.1, RenalBand.NORMAL),
        (60, RenalBand.NORMAL),  # working rule: exactly 60 needs no adjustment
        (59.9, RenalBand.MODERATE),
        (45, RenalBand.MODERATE),
        (30, RenalBand.MODERATE),
        (29.99, RenalBand.SEVERE),
        (11, RenalBand.SEVERE),
        (5, RenalBand.SEVERE),
    ],
)
def test_bands_on_both_sides_of_each_threshold(crcl, band):
    assert renal_band(crcl, False, RENAL) is band


@pytest.mark.parametrize("crcl", [None, 3, 25, 45, 90])
def test_dialysis_band_whatever_the_clearance(crcl):
    assert renal_band(crcl, True, RENAL) is RenalBand.DIALYSIS


def test_band_needs_a_clearance_when_not_on_dialysis():
    with pytest.raises(ValueError, match="crcl_ml_min"):
        renal_band(None, False, RENAL)


def test_the_exactly_sixty_working_rule_is_recorded_as_unverified():
    boundary = RENAL.bands.boundary
    assert boundary.at_ml_min == 60
    assert boundary.band is RenalBand.NORMAL
    assert boundary.status is Status.UNVERIFIED


# --- assess_renal on cases ----------------------------------------------------------------------


def _case_crcl(scr, **patient):
    """Male, 68 y, 60 kg by default: CrCl = 72 × 60 / (72 × SCr) = 60 / SCr."""
    base = {"sex": "male", "age_years": 68, "weight_kg": 60}
    return _renal(patient={**base, **patient}, labs=[_creatinine(scr)])


@pytest.mark.parametrize(
    ("scr", "crcl", "band"),
    [
        (1.0, 60.0, RenalBand.NORMAL),
        (2.0, 30.0, RenalBand.MODERATE),
        (2.01, 60 / 2.01, RenalBand.SEVERE),
        (60 / 59.9, 59.9, RenalBand.MODERATE),
    ],
)
def test_case_bands_at_the_thresholds(scr, crcl, band):
    renal, findings = _case_crcl(scr)
    assert renal is not None
    assert renal.crcl_ml_min == pytest.approx(crcl)
    assert renal.band is band
    assert _by_id(findings)["renal.band"].inputs["band"] == band.value


def test_exactly_sixty_rests_on_the_unverified_boundary_rule():
    renal, findings = _case_crcl(1.0)
    assert renal.crcl_ml_min == 60
    assert renal.status is Status.UNVERIFIED
    assert _by_id(findings)["renal.band"].status is Status.UNVERIFIED


def test_female_case_from_the_brief():
    renal, findings = _renal(
        patient={"sex": "female", "age_years": 68, "weight_kg": 70, "height_cm": 165},
        labs=[_creatinine(1.1)],
    )
    assert renal.crcl_ml_min == pytest.approx((140 - 68) * 70 / (72 * 1.1) * 0.85)
    assert renal.band is RenalBand.MODERATE
    assert renal.weight_policy is WeightPolicy.ACTUAL
    assert renal.weight_kg_used == 70
    assert renal.creatinine_mg_dl == pytest.approx(1.1)
    band = _by_id(findings)["renal.band"]
    assert band.category is Category.RENAL
    assert "54.1 mL/min" in band.summary
    assert "moderate" in band.summary
    assert "renal.weight_policy" not in _by_id(findings)


def test_the_latest_creatinine_on_or_before_as_of_is_used():
    renal, _ = _renal(
        labs=[_creatinine(1.0, date="2026-10-01"), _creatinine(2.5, date="2026-11-19")]
    )
    assert renal.creatinine_mg_dl == pytest.approx(2.5)
    assert renal.crcl_ml_min == pytest.approx(_cg(65, 80, 2.5))


def test_creatinine_in_umol_per_litre_is_converted():
    renal, _ = _renal(labs=[_creatinine(97.24, "umol/L")])
    assert renal.creatinine_mg_dl == pytest.approx(97.24 / 88.4)
    assert renal.crcl_ml_min == pytest.approx(_cg(65, 80, 97.24 / 88.4))


def test_weight_measurement_is_used_when_the_patient_weight_is_absent():
    renal, _ = _renal(patient={"weight_kg": None}, labs=[_creatinine(1.0), lab("weight", 72, "kg")])
    assert renal.weight_kg_used == 72


@pytest.mark.parametrize(
    ("policy", "expected_weight"),
    [
        ("actual", 80),
        ("ideal", 50 + 2.3 * (175 / 2.54 - 60)),
        ("adjusted", _devine("male", 175) + 0.4 * (80 - _devine("male", 175))),
        ("bmi_rule", _devine("male", 175) + 0.4 * (80 - _devine("male", 175))),  # BMI 26.1
    ],
)
def test_every_weight_policy_through_a_case(policy, expected_weight):
    renal, findings = _renal(renal={"weight_policy": policy}, labs=[_creatinine(1.2)])
    assert renal.weight_policy.value == policy
    assert renal.weight_kg_used == pytest.approx(expected_weight)
    assert renal.crcl_ml_min == pytest.approx(_cg(65, expected_weight, 1.2))
    note = _by_id(findings).get("renal.weight_policy")
    if policy == "actual":
        assert note is None
    else:
        assert note.severity is Severity.INFO
        assert "1,121" in note.detail
        assert "actual" in note.summary


def test_bmi_rule_is_unverified_so_its_renal_function_is_too():
    renal, _ = _renal(renal={"weight_policy": "bmi_rule"}, labs=[_creatinine(1.2)])
    assert renal.status is Status.UNVERIFIED


# --- missing inputs ----------------------------------------------------------------------------


def test_missing_creatinine_is_a_warning_that_decides_the_starting_dose():
    renal, findings = _renal(labs=[])
    assert renal is None
    missing = _by_id(findings)["renal.crcl_inputs_missing"]
    assert missing.severity is Severity.WARNING
    assert "serum creatinine" in missing.summary
    assert "starting dose" in missing.detail


def test_missing_weight_is_named():
    renal, findings = _renal(patient={"weight_kg": None}, labs=[_creatinine(1.0)])
    assert renal is None
    assert "body weight" in _by_id(findings)["renal.crcl_inputs_missing"].summary


@pytest.mark.parametrize("policy", ["ideal", "adjusted", "bmi_rule"])
def test_missing_height_is_named_for_policies_that_need_it(policy):
    renal, findings = _renal(
        patient={"height_cm": None}, renal={"weight_policy": policy}, labs=[_creatinine(1.0)]
    )
    assert renal is None
    missing = _by_id(findings)["renal.crcl_inputs_missing"]
    assert "height" in missing.summary
    assert policy in missing.detail


def test_missing_height_does_not_matter_for_actual_weight():
    renal, findings = _renal(patient={"height_cm": None}, labs=[_creatinine(1.0)])
    assert renal is not None
    assert "renal.crcl_inputs_missing" not in _by_id(findings)


def test_ideal_policy_does_not_need_actual_weight():
    renal, _ = _renal(
        patient={"weight_kg": None}, renal={"weight_policy": "ideal"}, labs=[_creatinine(1.0)]
    )
    assert renal.weight_kg_used == pytest.approx(_devine("male", 175))


def test_started_case_explains_why_the_clearance_is_still_needed():
    _, findings = _renal(
        labs=[], therapy={"events": [{"date": "2026-10-01", "event": "start", "dose_mg": 25}]}
    )
    detail = _by_id(findings)["renal.crcl_inputs_missing"].detail
    assert "under way" in detail


def test_dialysis_without_creatinine_is_still_the_dialysis_band():
    renal, findings = _renal(patient={"on_dialysis": True}, labs=[])
    assert renal.band is RenalBand.DIALYSIS
    assert renal.crcl_ml_min is None
    missing = _by_id(findings)["renal.crcl_inputs_missing"]
    assert missing.severity is Severity.INFO
    assert "7 mL/min" in missing.detail


def test_dialysis_band_even_with_a_high_computed_clearance():
    renal, findings = _renal(patient={"on_dialysis": True}, labs=[_creatinine(1.0)])
    assert renal.band is RenalBand.DIALYSIS
    assert renal.crcl_ml_min == pytest.approx(_cg(65, 80, 1.0))
    assert _by_id(findings)["renal.band"].severity is Severity.WARNING


def test_an_impossible_age_from_birth_date_is_refused_before_any_rule():
    # The case file obeys the age limits of labs.yaml, so Cockcroft-Gault never sees it.
    with pytest.raises(CaseError) as raised:
        case_from_data(
            case_data(patient={"age_years": None, "birth_date": "1880-01-01"}),
            today=dt.date(2026, 11, 20),
        )
    assert [p.field for p in raised.value.problems] == ["patient.birth_date"]


def test_a_zero_weight_measurement_is_refused_before_any_rule():
    with pytest.raises(CaseError) as raised:
        case_from_data(
            case_data(patient={"weight_kg": None}, labs=[_creatinine(1.0), lab("weight", 0, "kg")]),
            today=dt.date(2026, 11, 20),
        )
    assert [p.field for p in raised.value.problems] == ["labs.1.value"]


# --- not studied ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scr", "not_studied"),
    [(75 * 80 / 72 / 10.9, True), (75 * 80 / 72 / 11.1, False), (75 * 80 / 72 / 20, False)],
)
def test_not_studied_below_eleven_without_dialysis(scr, not_studied):
    renal, findings = _renal(labs=[_creatinine(scr)])
    assert renal.band is RenalBand.SEVERE
    found = _by_id(findings).get("renal.not_studied")
    assert (found is not None) is not_studied
    if found:
        assert found.severity is Severity.WARNING
        assert found.status is Status.SECONDARY  # label-old range, secondary CG equation
        assert "11 mL/min" in found.summary


@pytest.mark.parametrize(
    ("scr", "not_studied"),
    [(75 * 80 / 72 / 6.9, True), (75 * 80 / 72 / 7.1, False), (75 * 80 / 72 / 10, False)],
)
def test_not_studied_below_seven_on_dialysis(scr, not_studied):
    renal, findings = _renal(patient={"on_dialysis": True}, labs=[_creatinine(scr)])
    found = _by_id(findings).get("renal.not_studied")
    assert (found is not None) is not_studied
    if found:
        assert "7 mL/min" in found.summary


def test_not_studied_ranges_are_label_old():
    assert RENAL.not_studied.status is Status.LABEL_OLD


# --- calculator ----------------------------------------------------------------------------


def test_calculator_returns_full_precision_and_the_weight_used():
    result = calculate_crcl("female", 68, 70, 165, 1.1, "mg/dL", "actual", KB)
    assert result.crcl_ml_min == pytest.approx((140 - 68) * 70 / (72 * 1.1) * 0.85, rel=1e-12)
    assert result.weight_kg_used == 70.0
    assert isinstance(result.weight_kg_used, float)
    assert result.weight_policy == "actual"
    assert result.band == "moderate"
    assert result.citations


def test_calculator_converts_micromoles_per_litre():
    mg = calculate_crcl("male", 70, 80, None, 1.5, "mg/dL", "actual", KB)
    umol = calculate_crcl("male", 70, 80, None, 1.5 * 88.4, "umol/L", "actual", KB)
    assert umol.crcl_ml_min == pytest.approx(mg.crcl_ml_min)
    assert umol.crcl_ml_min == pytest.approx(_cg(70, 80, 1.5))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"creatinine_unit": "mmol/L"}, "creatinine_unit"),
        ({"weight_policy": "lean"}, "weight_policy"),
        ({"sex": "other"}, "sex"),
        ({"weight_policy": "ideal", "height_cm": None}, "height_cm"),
        ({"weight_kg": None}, "weight_kg"),
        ({"creatinine": 0}, "creatinine"),
        ({"age_years": 12}, "age_years"),
        ({"height_cm": -5}, "height_cm"),
    ],
)
def test_calculator_refuses_bad_input_naming_the_field(kwargs, field):
    arguments = {
        "sex": "male",
        "age_years": 70,
        "weight_kg": 80,
        "height_cm": 175,
        "creatinine": 1.0,
        "creatinine_unit": "mg/dL",
        "weight_policy": "actual",
        **kwargs,
    }
    with pytest.raises(ValueError, match=field):
        calculate_crcl(kb=KB, **arguments)


# --- knowledge statuses --------------------------------------------------------------------


def test_pharmacokinetic_background_is_secondary_with_exact_numbers():
    pk = RENAL.pharmacokinetics
    assert pk.urinary_excretion_unchanged.percent == 82
    assert pk.hemodialysis_removal.percent == 31
    assert pk.hemodialysis_removal.session_hours == 4
    assert pk.urinary_excretion_unchanged.status is Status.SECONDARY
    assert pk.hemodialysis_removal.status is Status.SECONDARY


def test_actual_weight_default_cites_the_2022_study():
    default = RENAL.weight_policies.default
    assert default.policy is WeightPolicy.ACTUAL
    assert default.patients_studied == 1121
    assert [c.source for c in default.cite] == ["crcl_weight_2022"]


# --- properties --------------------------------------------------------------------------------

ages = st.integers(min_value=18, max_value=120)
weights = st.floats(min_value=30, max_value=250)
creatinines = st.floats(min_value=0.2, max_value=15)
sexes = st.sampled_from(list(Sex))


@settings(max_examples=150)
@given(age=ages, weight=weights, scr=creatinines, sex=sexes, factor=st.floats(1.01, 3))
def test_crcl_falls_as_creatinine_rises(age, weight, scr, sex, factor):
    assert cockcroft_gault(age, weight, scr * factor, sex, RENAL) < cockcroft_gault(
        age, weight, scr, sex, RENAL
    )


@settings(max_examples=150)
@given(weight=weights, scr=creatinines, sex=sexes, ages_pair=st.tuples(ages, ages))
def test_crcl_falls_with_age(weight, scr, sex, ages_pair):
    young, old = sorted(ages_pair)
    younger = cockcroft_gault(young, weight, scr, sex, RENAL)
    older = cockcroft_gault(old, weight, scr, sex, RENAL)
    assert older < younger if old > young else older == younger


@settings(max_examples=150)
@given(age=ages, scr=creatinines, sex=sexes, weights_pair=st.tuples(weights, weights))
def test_crcl_rises_with_weight(age, scr, sex, weights_pair):
    light, heavy = sorted(weights_pair)
    lighter = cockcroft_gault(age, light, scr, sex, RENAL)
    heavier = cockcroft_gault(age, heavy, scr, sex, RENAL)
    # Monotone; strictly so once the weights differ by more than float rounding.
    assert heavier >= lighter
    if heavy - light > 1e-9 * heavy:
        assert heavier > lighter


@settings(max_examples=150)
@given(age=ages, weight=weights, scr=creatinines)
def test_female_clearance_is_below_male(age, weight, scr):
    female = cockcroft_gault(age, weight, scr, Sex.FEMALE, RENAL)
    male = cockcroft_gault(age, weight, scr, Sex.MALE, RENAL)
    assert female < male
    assert female == pytest.approx(male * 0.85)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    age=ages,
    weight=st.one_of(st.none(), st.floats(min_value=1, max_value=500)),
    height=st.one_of(st.none(), st.floats(min_value=50, max_value=272)),
    scr=st.one_of(st.none(), st.floats(min_value=0.05, max_value=30)),
    sex=sexes,
    policy=st.sampled_from(list(WeightPolicy)),
    on_dialysis=st.booleans(),
)
def test_every_valid_case_gives_a_band_or_a_finding_never_an_exception(
    age, weight, height, scr, sex, policy, on_dialysis
):
    labs = [] if scr is None else [_creatinine(scr)]
    renal, findings = _renal(
        patient={
            "sex": sex.value,
            "age_years": age,
            "weight_kg": weight,
            "height_cm": height,
            "on_dialysis": on_dialysis,
        },
        renal={"weight_policy": policy.value},
        labs=labs,
    )
    if renal is None:
        assert not on_dialysis
        assert {"renal.crcl_inputs_missing", "renal.crcl_input_implausible"} & set(_by_id(findings))
    else:
        assert renal.band in set(RenalBand)
        assert (renal.band is RenalBand.DIALYSIS) is on_dialysis
        if renal.crcl_ml_min is not None:
            assert renal.crcl_ml_min > 0
            if not on_dialysis:
                assert renal.band is renal_band(renal.crcl_ml_min, False, RENAL)
        assert "renal.band" in _by_id(findings)


@pytest.mark.parametrize(
    ("crcl", "words"),
    [
        (59.96, "just under 60 mL/min"),
        (29.97, "just under 30 mL/min"),
        (10.96, "just under 11 mL/min"),
        (54.0909, "54.1 mL/min"),
        (60.04, "60 mL/min"),
    ],
)
def test_displayed_clearance_never_contradicts_the_band(crcl, words):
    assert crcl_words(crcl, RENAL) == words
