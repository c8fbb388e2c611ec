"""Thromboembolism rules against the facts file §7 (boxed warning, IMPEDE VTE, SAVED, IMWG 2008).

Expected values are written from the facts file, never read from the knowledge YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.case import Case, Conditions
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.thrombosis import (
    ConditionName,
    ThrombosisKnowledge,
    drug_classes_in,
)
from lenaguard.rules.safety import thrombosis
from lenaguard.rules.safety.thrombosis import ThrombosisOutcome
from lenaguard.vocab import Category, Indication, Severity
from tests.factories import case_data, make_case

KB = default_knowledge()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "high-impede-vte.yaml"

CONDITION_FIELDS = list(get_args(ConditionName))
ALL_FALSE = {name: False for name in CONDITION_FIELDS}
MM = ("mm_combination", "mm_maintenance")
NON_MM = ("mds_del5q", "mcl", "fl", "mzl")


def quiet(**overrides: Any) -> Case:
    """A myeloma maintenance patient with every VTE risk input known and absent.

    BMI 19.6, age 65, white, no conditions, no medications: IMPEDE VTE 4 (lenalidomide is an
    immunomodulatory drug: intermediate band), SAVED 0, IMWG one factor (the myeloma diagnosis).
    """
    base = {
        "indication": "mm_maintenance",
        "patient": {"weight_kg": 60, "height_cm": 175, "ethnicity": "white", "age_years": 65},
        "conditions": ALL_FALSE,
        "medications": [],
    }
    data = case_data(**base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Case.from_data(data, default_knowledge())


def run(case: Case) -> ThrombosisOutcome:
    return thrombosis.evaluate(case, KB)


def item(outcome: ThrombosisOutcome, score: str, item_id: str):
    return next(i for i in outcome.scores[score].items if i.id == item_id)


def finding_ids(outcome: ThrombosisOutcome) -> list[str]:
    return [f.id for f in outcome.findings]


def finding(outcome: ThrombosisOutcome, finding_id: str):
    return next(f for f in outcome.findings if f.id == finding_id)


def dex(mg: float | None) -> dict[str, Any]:
    return (
        {"name": "dexamethasone"} if mg is None else {"name": "dexamethasone", "mg_per_month": mg}
    )


# --- the quiet baseline -------------------------------------------------------------------


def test_baseline_scores():
    outcome = run(quiet())
    impede, saved = outcome.scores["impede_vte"], outcome.scores["saved"]
    assert impede.points == 4
    assert impede.band == "intermediate"
    assert impede.unknown_items == []
    assert impede.possible_points == (4, 4)
    assert saved.points == 0
    assert saved.band == "low"
    assert outcome.imwg.individual_myeloma_count == 1
    assert outcome.imwg.recommendation == "aspirin"
    assert outcome.imwg.settled
    present = [i.id for i in impede.items if i.present]
    assert present == ["immunomodulatory_drug"]
    assert all(i.present is False for i in saved.items)


def test_lenalidomide_itself_counts_as_the_immunomodulatory_drug():
    outcome = run(quiet())
    entry = item(outcome, "impede_vte", "immunomodulatory_drug")
    assert entry.present is True and entry.points == 4
    assert "lenalidomide" in entry.basis


# --- IMPEDE VTE items, each on and off ----------------------------------------------------

IMPEDE_ITEMS = [
    # (overrides, item id, points from the facts file)
    ({"patient": {"weight_kg": 100, "height_cm": 200}}, "bmi_25_or_more", 1),
    ({"conditions": {"fracture_pelvis_hip_femur": True}}, "fracture_pelvis_hip_femur", 4),
    ({"medications": [{"name": "epoetin alfa"}]}, "esa", 1),
    ({"medications": [{"name": "Aranesp"}]}, "esa", 1),
    ({"medications": [dex(161)]}, "dexamethasone_high", 4),
    ({"medications": [dex(160)]}, "dexamethasone_low", 2),
    ({"medications": [{"name": "doxorubicin"}]}, "doxorubicin", 3),
    ({"patient": {"ethnicity": "asian_pacific_islander"}}, "asian_pacific_islander", -3),
    ({"conditions": {"vte_history": True}}, "vte_history", 5),
    ({"conditions": {"central_line": True}}, "central_line", 2),
    ({"medications": [{"name": "warfarin"}]}, "therapeutic_lmwh_or_warfarin", -4),
    (
        {"medications": [{"name": "enoxaparin", "intensity": "therapeutic"}]},
        "therapeutic_lmwh_or_warfarin",
        -4,
    ),
    (
        {"medications": [{"name": "enoxaparin", "intensity": "prophylactic"}]},
        "prophylactic_lmwh_or_aspirin",
        -3,
    ),
    ({"medications": [{"name": "aspirin", "dose_mg": 81}]}, "prophylactic_lmwh_or_aspirin", -3),
]


@pytest.mark.parametrize(("overrides", "item_id", "points"), IMPEDE_ITEMS)
def test_impede_item_on(overrides, item_id, points):
    outcome = run(quiet(**overrides))
    entry = item(outcome, "impede_vte", item_id)
    assert entry.present is True
    assert entry.points == points
    assert outcome.scores["impede_vte"].points == 4 + points


@pytest.mark.parametrize("item_id", sorted({row[1] for row in IMPEDE_ITEMS}))
def test_impede_item_off(item_id):
    entry = item(run(quiet()), "impede_vte", item_id)
    assert entry.present is False


def test_bmi_edge_24_9_vs_25():
    below = run(quiet(patient={"weight_kg": 99.6, "height_cm": 200}))  # BMI 24.9
    at = run(quiet(patient={"weight_kg": 100, "height_cm": 200}))  # BMI 25.0
    assert item(below, "impede_vte", "bmi_25_or_more").present is False
    assert item(at, "impede_vte", "bmi_25_or_more").present is True
    assert "24.9" in item(below, "impede_vte", "bmi_25_or_more").basis


def test_bmi_unknown_without_weight_or_height():
    outcome = run(quiet(patient={"weight_kg": None, "height_cm": None}))
    entry = item(outcome, "impede_vte", "bmi_25_or_more")
    assert entry.present is None
    assert "bmi_25_or_more" in outcome.scores["impede_vte"].unknown_items
    assert outcome.scores["impede_vte"].possible_points == (4, 5)
    unknown = finding(outcome, "thrombosis.inputs_unknown")
    assert unknown.summary.startswith("VTE risk inputs missing (2)")
    assert "Not recorded: patient.weight_kg, patient.height_cm." in unknown.detail


def test_dexamethasone_160_is_low_161_is_high():
    low = run(quiet(medications=[dex(160)]))
    high = run(quiet(medications=[dex(161)]))
    assert item(low, "impede_vte", "dexamethasone_low").present is True
    assert item(low, "impede_vte", "dexamethasone_high").present is False
    assert item(high, "impede_vte", "dexamethasone_high").present is True
    assert item(high, "impede_vte", "dexamethasone_low").present is False
    assert low.scores["impede_vte"].points == 6
    assert high.scores["impede_vte"].points == 8
    assert low.scores["saved"].points == 1
    assert high.scores["saved"].points == 2


def test_dexamethasone_without_dose_is_unknown_and_asked_for():
    outcome = run(quiet(medications=[dex(None)]))
    impede, saved = outcome.scores["impede_vte"], outcome.scores["saved"]
    assert item(outcome, "impede_vte", "dexamethasone_high").present is None
    assert item(outcome, "impede_vte", "dexamethasone_low").present is None
    assert impede.points == 4
    # dexamethasone is certainly given: low (+2) or high (+4), never none
    assert impede.possible_points == (6, 8)
    # SAVED scores dexamethasone only from 120 mg per 30 days: an unknown dose may score 0
    assert saved.possible_points == (0, 2)
    assert "thrombosis.dexamethasone_dose_missing" in finding_ids(outcome)
    missing = finding(outcome, "thrombosis.dexamethasone_dose_missing")
    assert missing.severity is Severity.WARNING
    assert "mg_per_month" in missing.summary
    assert "high_dose_dexamethasone" in outcome.imwg.unknown
    assert not outcome.imwg.settled


def test_mm_combination_without_dexamethasone_says_so():
    outcome = run(quiet(indication="mm_combination"))
    assert "thrombosis.dexamethasone_not_listed" in finding_ids(outcome)
    assert item(outcome, "impede_vte", "dexamethasone_high").present is False
    assert "labelled with dexamethasone" in item(outcome, "impede_vte", "dexamethasone_low").basis


def test_maintenance_without_dexamethasone_raises_nothing():
    assert "thrombosis.dexamethasone_not_listed" not in finding_ids(run(quiet()))


def test_existing_prophylaxis_counts_one_level_only():
    outcome = run(quiet(medications=[{"name": "aspirin"}, {"name": "warfarin"}]))
    assert outcome.scores["impede_vte"].points == 0  # 4 − 4, not 4 − 4 − 3
    assert item(outcome, "impede_vte", "therapeutic_lmwh_or_warfarin").present is True
    assert item(outcome, "impede_vte", "prophylactic_lmwh_or_aspirin").present is False


def test_lmwh_without_intensity_is_unknown_level():
    outcome = run(quiet(medications=[{"name": "enoxaparin"}]))
    impede = outcome.scores["impede_vte"]
    assert item(outcome, "impede_vte", "therapeutic_lmwh_or_warfarin").present is None
    assert item(outcome, "impede_vte", "prophylactic_lmwh_or_aspirin").present is None
    assert impede.points == 4
    assert impede.possible_points == (0, 1)  # −4 or −3, never neither
    assert impede.points_before_prophylaxis == 4
    assert impede.possible_points_before_prophylaxis == (4, 4)


def test_doac_is_not_counted_by_impede_and_says_so():
    outcome = run(quiet(medications=[{"name": "apixaban", "dose_mg": 2.5}]))
    assert outcome.scores["impede_vte"].points == 4
    entry = item(outcome, "impede_vte", "therapeutic_lmwh_or_warfarin")
    assert entry.present is False
    assert "apixaban" in entry.basis and "not counted" in entry.basis
    assert "thrombosis.no_prophylaxis" not in finding_ids(outcome)


def test_vte_history_before_diagnosis_caveat_is_shown():
    entry = item(run(quiet(conditions={"vte_history": True})), "impede_vte", "vte_history")
    assert entry.present is True
    assert "before the myeloma diagnosis" in entry.basis


def test_unknown_condition_is_not_counted_as_absent():
    outcome = run(quiet(conditions={"fracture_pelvis_hip_femur": None}))
    impede = outcome.scores["impede_vte"]
    assert item(outcome, "impede_vte", "fracture_pelvis_hip_femur").present is None
    assert impede.unknown_items == ["fracture_pelvis_hip_femur"]
    assert impede.points == 4
    assert impede.possible_points == (4, 8)
    assert impede.possible_bands == ["intermediate", "high"]
    unknown = finding(outcome, "thrombosis.inputs_unknown")
    assert "conditions.fracture_pelvis_hip_femur" in unknown.detail
    assert unknown.summary.endswith("they could change the prophylaxis choice.")
    # the choice reads the score with aspirin (-3): 1 (low: aspirin) or 5 (anticoagulant)
    assert unknown.severity is Severity.WARNING


def test_unknown_input_that_cannot_change_the_choice_is_info():
    # dexamethasone 480 mg/month: IMWG therapy-related factor (anticoagulant, settled); IMPEDE
    # with aspirin counted 4 + 4 - 3 = 5, or 9 with the fracture: anticoagulant either way
    outcome = run(quiet(conditions={"fracture_pelvis_hip_femur": None}, medications=[dex(480)]))
    assert outcome.scores["impede_vte"].possible_points == (8, 12)
    assert finding(outcome, "thrombosis.inputs_unknown").severity is Severity.INFO
    assert finding(outcome, "thrombosis.prophylaxis_choice").inputs["settled"] is True


def test_unknown_input_that_could_change_the_choice_is_a_warning():
    # on aspirin: IMPEDE 1 (low, aspirin) or 5 with the fracture (intermediate, anticoagulant)
    outcome = run(
        quiet(conditions={"fracture_pelvis_hip_femur": None}, medications=[{"name": "aspirin"}])
    )
    assert outcome.scores["impede_vte"].possible_bands == ["low", "intermediate"]
    assert finding(outcome, "thrombosis.inputs_unknown").severity is Severity.WARNING
    assert finding(outcome, "thrombosis.prophylaxis_choice").inputs["settled"] is False


def test_unknown_imwg_factor_is_a_warning():
    outcome = run(quiet(conditions={"diabetes": None}))
    assert finding(outcome, "thrombosis.inputs_unknown").severity is Severity.WARNING


def test_unknown_ethnicity_lowers_the_possible_minimum():
    outcome = run(quiet(patient={"ethnicity": None}))
    assert outcome.scores["impede_vte"].possible_points == (1, 4)
    assert outcome.scores["saved"].possible_points == (-3, 0)


# --- IMPEDE VTE bands ---------------------------------------------------------------------


def test_impede_band_edge_3_low_4_intermediate():
    three = run(
        quiet(patient={"ethnicity": "asian_pacific_islander"}, conditions={"central_line": True})
    )
    four = run(
        quiet(
            patient={"ethnicity": "asian_pacific_islander", "weight_kg": 100, "height_cm": 200},
            conditions={"central_line": True},
        )
    )
    assert three.scores["impede_vte"].points == 3
    assert three.scores["impede_vte"].band == "low"
    assert three.scores["impede_vte"].six_month_vte_percent == 3.3
    assert four.scores["impede_vte"].points == 4
    assert four.scores["impede_vte"].band == "intermediate"
    assert four.scores["impede_vte"].six_month_vte_percent == 8.3


def test_impede_band_edge_7_intermediate_8_high():
    seven = run(quiet(medications=[dex(160), {"name": "epoetin alfa"}]))
    eight = run(quiet(medications=[dex(161)]))
    assert seven.scores["impede_vte"].points == 7
    assert seven.scores["impede_vte"].band == "intermediate"
    assert eight.scores["impede_vte"].points == 8
    assert eight.scores["impede_vte"].band == "high"
    assert eight.scores["impede_vte"].six_month_vte_percent == 15.2


def test_score_ranges_follow_from_the_items():
    # IMPEDE: 4+1+4+1+4+3+5+2 = 24 at most; −3 and −4 at least. SAVED: 2+3+1+2 = 8; −3.
    outcome = run(quiet())
    assert outcome.scores["impede_vte"].range == (-7, 24)
    assert outcome.scores["saved"].range == (-3, 8)


def test_range_is_computed_not_written():
    definition = KB.get(ThrombosisKnowledge).scores["saved"]
    items = [
        i.model_copy(update={"points": 5}) if i.id == "vte_history" else i for i in definition.items
    ]
    assert definition.model_copy(update={"items": items}).possible_range() == (-3, 10)


# --- SAVED ----------------------------------------------------------------------------------

SAVED_ITEMS = [
    ({"conditions": {"surgery_within_90_days": True}}, "surgery_within_90_days", 2),
    ({"patient": {"ethnicity": "asian_pacific_islander"}}, "asian_race", -3),
    ({"conditions": {"vte_history": True}}, "vte_history", 3),
    ({"patient": {"age_years": 80}}, "age_80_or_more", 1),
    ({"medications": [dex(160)]}, "dexamethasone_standard", 1),
    ({"medications": [dex(161)]}, "dexamethasone_high", 2),
]


@pytest.mark.parametrize(("overrides", "item_id", "points"), SAVED_ITEMS)
def test_saved_item_on_and_off(overrides, item_id, points):
    on = run(quiet(**overrides))
    assert item(on, "saved", item_id).present is True
    assert item(on, "saved", item_id).points == points
    assert on.scores["saved"].points == points
    assert item(run(quiet()), "saved", item_id).present is False


def test_saved_age_79_vs_80():
    assert item(run(quiet(patient={"age_years": 79})), "saved", "age_80_or_more").present is False
    assert item(run(quiet(patient={"age_years": 80})), "saved", "age_80_or_more").present is True


def test_saved_band_edge_1_low_2_high():
    one = run(quiet(patient={"age_years": 80}))
    two = run(quiet(patient={"age_years": 80}, medications=[dex(160)]))
    assert one.scores["saved"].points == 1
    assert one.scores["saved"].band == "low"
    assert one.scores["saved"].six_month_vte_percent == 7
    assert two.scores["saved"].points == 2
    assert two.scores["saved"].band == "high"
    assert two.scores["saved"].six_month_vte_percent == 12


# --- IMWG 2008 ----------------------------------------------------------------------------


def test_imwg_one_factor_gives_aspirin():
    imwg = run(quiet()).imwg
    assert imwg.applicable
    assert [f.id for f in imwg.myeloma if f.present] == ["myeloma_diagnosis"]
    assert imwg.recommendation == "aspirin"
    assert "aspirin 81–325 mg" in imwg.recommendation_text


@pytest.mark.parametrize(
    "overrides",
    [
        {"conditions": {"vte_history": True}},
        {"conditions": {"central_line": True}},
        {"conditions": {"pacemaker": True}},
        {"conditions": {"cardiac_disease": True}},
        {"conditions": {"chronic_kidney_disease": True}},
        {"conditions": {"diabetes": True}},
        {"conditions": {"acute_infection": True}},
        {"conditions": {"immobilization": True}},
        {"conditions": {"recent_surgery_trauma_or_anesthesia": True}},
        {"conditions": {"clotting_disorder": True}},
        {"conditions": {"hyperviscosity": True}},
        {"medications": [{"name": "epoetin alfa"}]},
        {"patient": {"weight_kg": 120.4, "height_cm": 200}},  # BMI 30.1
    ],
)
def test_imwg_two_factors_give_lmwh_or_warfarin(overrides):
    imwg = run(quiet(**overrides)).imwg
    assert imwg.individual_myeloma_count == 2
    assert imwg.therapy_count == 0
    assert imwg.recommendation == "anticoagulant"
    assert "enoxaparin 40 mg" in imwg.recommendation_text
    assert "INR 2–3" in imwg.recommendation_text


def test_imwg_dialysis_is_a_factor_and_puts_warfarin_first():
    imwg = run(quiet(patient={"on_dialysis": True})).imwg
    assert imwg.individual_myeloma_count == 2
    assert imwg.recommendation == "anticoagulant"
    assert imwg.recommendation_text.startswith("full-dose warfarin (target INR 2–3)")
    assert "enoxaparin 40 mg" not in imwg.recommendation_text
    assert "dialysis" in imwg.recommendation_text


def test_imwg_bmi_30_is_not_obesity():
    imwg = run(quiet(patient={"weight_kg": 120, "height_cm": 200})).imwg  # BMI 30.0
    assert next(f for f in imwg.individual if f.id == "obesity").present is False
    assert imwg.recommendation == "aspirin"


def test_imwg_associated_diseases_count_as_one_factor():
    imwg = run(quiet(conditions={"diabetes": True, "cardiac_disease": True})).imwg
    assert imwg.individual_myeloma_count == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"medications": [dex(161)]},
        {"medications": [{"name": "Doxil"}]},
        {"conditions": {"multi_agent_chemotherapy": True}},
    ],
)
def test_imwg_any_therapy_factor_gives_lmwh_or_warfarin(overrides):
    imwg = run(quiet(**overrides)).imwg
    assert imwg.individual_myeloma_count == 1
    assert imwg.therapy_count == 1
    assert imwg.recommendation == "anticoagulant"


def test_imwg_dexamethasone_160_is_not_high_dose():
    imwg = run(quiet(medications=[dex(160)])).imwg
    assert imwg.therapy_count == 0
    assert imwg.recommendation == "aspirin"


def test_imwg_unknown_factor_leaves_aspirin_unsettled():
    imwg = run(quiet(conditions={"diabetes": None})).imwg
    assert imwg.recommendation == "aspirin"
    assert not imwg.settled
    assert "associated_disease" in imwg.unknown


# --- prophylaxis findings -----------------------------------------------------------------


def test_no_prophylaxis_is_a_warning():
    # myeloma with dexamethasone: the label's boxed recommendation
    outcome = run(quiet(medications=[dex(160)]))
    warning = finding(outcome, "thrombosis.no_prophylaxis")
    assert warning.severity is Severity.WARNING
    assert warning.category is Category.THROMBOSIS
    assert warning.status is Status.LABEL
    assert "label" in warning.summary and "dexamethasone" in warning.summary


def test_no_prophylaxis_without_dexamethasone_rests_on_imwg_not_the_label():
    warning = finding(run(quiet()), "thrombosis.no_prophylaxis")  # maintenance, no dexamethasone
    assert warning.severity is Severity.WARNING
    assert warning.status is Status.SECONDARY
    assert "IMWG" in warning.summary and "label" not in warning.summary
    assert {c.source for c in warning.citations} == {"imwg_thrombosis_2008"}


def test_mm_combination_counts_as_treated_with_dexamethasone_even_unlisted():
    warning = finding(run(quiet(indication="mm_combination")), "thrombosis.no_prophylaxis")
    assert warning.status is Status.LABEL


@pytest.mark.parametrize(
    "medication",
    [
        {"name": "aspirin", "dose_mg": 81},
        {"name": "enoxaparin", "intensity": "prophylactic"},
        {"name": "warfarin"},
        {"name": "Eliquis"},
        {"name": "fondaparinux"},
    ],
)
def test_any_aspirin_or_anticoagulant_silences_the_warning(medication):
    outcome = run(quiet(medications=[medication]))
    assert "thrombosis.no_prophylaxis" not in finding_ids(outcome)
    assert len(outcome.prophylaxis_in_use) == 1


def test_clopidogrel_is_not_thromboprophylaxis():
    outcome = run(quiet(medications=[{"name": "clopidogrel"}]))
    warning = finding(outcome, "thrombosis.no_prophylaxis")
    assert "clopidogrel" in warning.detail


def test_aspirin_when_models_point_to_anticoagulant_is_a_warning():
    outcome = run(quiet(medications=[{"name": "aspirin", "dose_mg": 81}, dex(480)]))
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.severity is Severity.WARNING
    assert "aspirin" in choice.detail and "In use" in choice.detail
    assert choice.inputs["recommendation"] == "anticoagulant"
    # before prophylaxis 4 + 4 = 8 (high), with aspirin 5
    assert outcome.scores["impede_vte"].points_before_prophylaxis == 8
    assert outcome.scores["impede_vte"].points == 5


def test_anticoagulant_in_use_is_named():
    outcome = run(
        quiet(medications=[{"name": "enoxaparin", "intensity": "prophylactic"}, dex(480)])
    )
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.severity is Severity.INFO
    assert "enoxaparin (prophylactic)" in choice.detail


def test_low_risk_choice_is_aspirin():
    outcome = run(quiet(medications=[{"name": "aspirin", "dose_mg": 81}]))
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.inputs["recommendation"] == "aspirin"
    assert choice.severity is Severity.INFO
    assert choice.status is Status.SECONDARY


def test_lenalidomide_alone_without_prophylaxis_points_to_aspirin():
    # Regression: the NCCN cut was read on the score without any prophylaxis item, so
    # lenalidomide alone (4, intermediate) gave "anticoagulant" for every patient not yet on
    # prophylaxis. Read with aspirin counted: 4 - 3 = 1, low band: aspirin, as IMWG (one factor).
    outcome = run(quiet())
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert outcome.scores["impede_vte"].points == 4  # the score itself is unchanged
    assert outcome.imwg.recommendation == "aspirin"
    assert choice.inputs["recommendation"] == "aspirin"
    assert "models point to aspirin" in choice.summary


@pytest.mark.parametrize(
    "prophylaxis",
    [
        [],
        [{"name": "aspirin", "dose_mg": 81}],
        [{"name": "enoxaparin", "intensity": "prophylactic"}],
        [{"name": "enoxaparin", "intensity": "therapeutic"}],
        [{"name": "warfarin"}],
        [{"name": "apixaban"}],
    ],
)
@pytest.mark.parametrize(
    ("medications", "weight_kg", "expected"),
    [
        # 4 (lenalidomide) + 2 (dexamethasone 160 mg/month) - 3 (aspirin) = 3: low band
        ([dex(160)], 60, "aspirin"),
        # + 1 (BMI 26.1 ≥ 25) = 4: intermediate band
        ([dex(160)], 80, "anticoagulant"),
    ],
)
def test_impede_choice_does_not_depend_on_the_prophylaxis_listed(
    prophylaxis, medications, weight_kg, expected
):
    outcome = run(quiet(patient={"weight_kg": weight_kg}, medications=[*medications, *prophylaxis]))
    impede = outcome.scores["impede_vte"]
    line = finding(outcome, "thrombosis.prophylaxis_choice").detail
    assert f"Here: {'aspirin' if expected == 'aspirin' else 'anticoagulant prophylaxis'}." in line
    assert impede.points_before_prophylaxis == (6 if weight_kg == 60 else 7)


def test_impede_choice_band_edge_3_aspirin_4_anticoagulant():
    # with aspirin counted: 3 → low (aspirin, models agree); 4 → intermediate (models differ)
    low = finding(run(quiet(medications=[dex(160)])), "thrombosis.prophylaxis_choice")
    assert low.inputs["recommendation"] == "aspirin"
    edge = run(quiet(patient={"weight_kg": 80}, medications=[dex(160)]))
    assert finding(edge, "thrombosis.prophylaxis_choice").inputs["recommendation"] == (
        "models_differ"
    )


def test_models_that_differ_are_shown_side_by_side():
    # BMI 26.1, dexamethasone 160, no prophylaxis: IMPEDE with aspirin counted 4 + 1 + 2 - 3 = 4
    # (intermediate: anticoagulant as NCCN uses it); IMWG one factor (the diagnosis): aspirin
    outcome = run(quiet(patient={"weight_kg": 80}, medications=[dex(160)]))
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert outcome.imwg.recommendation == "aspirin"
    assert choice.inputs["recommendation"] == "models_differ"
    assert "differ" in choice.summary
    assert "(IMPEDE VTE: anticoagulant; IMWG 2008: aspirin)" in choice.summary
    assert "IMPEDE VTE as NCCN uses it: anticoagulant prophylaxis" in choice.detail
    assert choice.severity is Severity.INFO  # nothing in use: thrombosis.no_prophylaxis warns


def test_models_differ_with_only_aspirin_in_use_is_a_warning_naming_the_model():
    # Regression: with aspirin in use and the models differing, the finding was info and did
    # not say which model asks for more than the aspirin in use.
    outcome = run(
        quiet(patient={"weight_kg": 80}, medications=[dex(160), {"name": "aspirin", "dose_mg": 81}])
    )
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.inputs["recommendation"] == "models_differ"
    assert choice.severity is Severity.WARNING
    assert "only aspirin is in use, but IMPEDE VTE points to anticoagulant" in choice.summary
    assert "IMPEDE VTE points to anticoagulant prophylaxis" in choice.detail


def test_anticoagulant_in_use_when_models_point_to_aspirin_is_explained():
    outcome = run(quiet(medications=[dex(160), {"name": "warfarin"}]))
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.inputs["recommendation"] == "aspirin"
    assert choice.severity is Severity.INFO
    assert choice.summary.endswith("point to aspirin; an anticoagulant is in use.")
    assert "In use: warfarin" in choice.detail
    assert "ask for no more than aspirin" in choice.detail


def test_impede_on_aspirin_still_intermediate_points_to_anticoagulant():
    # IMPEDE 4 + 2 (dex 160) + 1 (ESA) − 3 (aspirin) = 4; IMWG: myeloma + ESA = 2 factors
    outcome = run(quiet(medications=[dex(160), {"name": "epoetin alfa"}, {"name": "aspirin"}]))
    assert outcome.scores["impede_vte"].points == 4
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.inputs["recommendation"] == "anticoagulant"
    assert choice.severity is Severity.WARNING


def test_impede_on_aspirin_low_band_agrees_with_aspirin():
    # IMPEDE 4 + 2 (dex 160) − 3 (aspirin) = 3, low; IMWG one factor
    outcome = run(quiet(medications=[dex(160), {"name": "aspirin"}]))
    assert outcome.scores["impede_vte"].band == "low"
    assert finding(outcome, "thrombosis.prophylaxis_choice").inputs["recommendation"] == "aspirin"


# --- boxed warning ------------------------------------------------------------------------


@pytest.mark.parametrize("indication", [i.value for i in Indication])
def test_boxed_warning_for_every_indication(indication):
    overrides: dict[str, Any] = {"indication": indication}
    outcome = run(quiet(**overrides))
    boxed = finding(outcome, "thrombosis.boxed_warning")
    assert boxed.status is Status.LABEL
    assert any(c.source == "uspi" and "§5.4" in c.section for c in boxed.citations)
    text = f"{boxed.summary} {boxed.detail}".lower()
    for word in ("dvt", "pe", "heart attack", "stroke", "dexamethasone"):
        assert word in text
    for symptom in ("shortness of breath", "chest pain", "arm", "leg"):
        assert symptom in text
    assert "immediate" in text


def test_no_finding_says_notify_or_frames_bleeding_as_an_interaction():
    cases = [
        quiet(),
        quiet(medications=[{"name": "warfarin"}, dex(480)]),
        quiet(indication="mcl", medications=[{"name": "apixaban"}]),
        make_case(),
    ]
    for case in cases:
        for f in run(case).findings:
            text = f"{f.summary} {f.detail}".lower()
            assert "notify" not in text
            assert "bleed" not in text
            assert "interaction" not in text


# --- other indications --------------------------------------------------------------------


@pytest.mark.parametrize("indication", NON_MM)
def test_non_myeloma_scores_are_marked_not_applicable(indication):
    outcome = run(quiet(indication=indication))
    for result in outcome.scores.values():
        assert result.applicable is False
        assert "multiple myeloma" in result.applicability
        assert "not validated" in result.applicability
    assert outcome.imwg.applicable is False
    assert next(f for f in outcome.imwg.myeloma if f.id == "myeloma_diagnosis").present is False
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.severity is Severity.INFO
    assert "not validated" in choice.summary
    assert "recommendation" not in choice.inputs
    ids = finding_ids(outcome)
    assert "thrombosis.boxed_warning" in ids
    # the risk is presented, not an instruction: no "add prophylaxis" warning outside myeloma
    assert "thrombosis.no_prophylaxis" not in ids
    assert "prescriber's judgement" in choice.detail
    assert "thrombosis.inputs_unknown" not in ids
    assert "thrombosis.dexamethasone_dose_missing" not in ids


def test_non_myeloma_still_computes_scores_for_information():
    outcome = run(quiet(indication="fl", conditions={"vte_history": True}))
    assert outcome.scores["impede_vte"].points == 9
    assert outcome.scores["saved"].points == 3


@pytest.mark.parametrize("indication", MM)
def test_myeloma_scores_are_applicable(indication):
    outcome = run(quiet(indication=indication, medications=[dex(160)]))
    assert all(result.applicable for result in outcome.scores.values())


# --- knowledge ----------------------------------------------------------------------------


def test_statuses_match_the_facts_file():
    knowledge = KB.get(ThrombosisKnowledge)
    assert knowledge.boxed_warning.status is Status.LABEL
    for definition in knowledge.scores.values():
        assert definition.status is Status.SECONDARY
        assert all(i.status is Status.SECONDARY for i in definition.items)
    assert knowledge.imwg.status is Status.SECONDARY
    outcome = run(quiet())
    assert outcome.scores["impede_vte"].status is Status.SECONDARY
    assert outcome.imwg.status is Status.SECONDARY


def test_impede_points_match_the_facts_file():
    definition = KB.get(ThrombosisKnowledge).scores["impede_vte"]
    expected = {
        "immunomodulatory_drug": 4,
        "bmi_25_or_more": 1,
        "fracture_pelvis_hip_femur": 4,
        "esa": 1,
        "dexamethasone_high": 4,
        "dexamethasone_low": 2,
        "doxorubicin": 3,
        "asian_pacific_islander": -3,
        "vte_history": 5,
        "central_line": 2,
        "therapeutic_lmwh_or_warfarin": -4,
        "prophylactic_lmwh_or_aspirin": -3,
    }
    assert {i.id: i.points for i in definition.items} == expected


def test_criteria_name_real_case_fields_and_drug_classes():
    assert set(ConditionName.__args__) <= set(Conditions.model_fields)
    knowledge = KB.get(ThrombosisKnowledge)
    classes = set(KB.get(DrugCatalogue).classes)
    criteria = [i.criterion for d in knowledge.scores.values() for i in d.items]
    criteria += [f.criterion for f in knowledge.imwg.factors]
    criteria += [
        g.known_present_if
        for d in knowledge.scores.values()
        for g in d.groups.values()
        if g.known_present_if
    ]
    used = set().union(*(drug_classes_in(c) for c in criteria))
    assert used <= classes
    assert set(knowledge.prophylaxis_drug_classes) <= classes


# --- the example case ---------------------------------------------------------------------


def test_high_impede_example():
    case = Case.from_data(yaml.safe_load(EXAMPLE.read_text()), default_knowledge())
    outcome = run(case)
    impede = outcome.scores["impede_vte"]
    assert impede.points_before_prophylaxis == 17
    assert impede.points == 14
    assert impede.band == "high"
    assert outcome.scores["saved"].points == 5
    assert outcome.scores["saved"].band == "high"
    assert outcome.imwg.individual_myeloma_count == 5
    assert outcome.imwg.recommendation == "anticoagulant"
    assert finding(outcome, "thrombosis.prophylaxis_choice").severity is Severity.WARNING


def test_scores_serialise_to_the_assessment_contract():
    dumped = run(quiet()).model_dump(mode="json")["scores"]
    assert set(dumped) == {"impede_vte", "saved"}
    impede = dumped["impede_vte"]
    assert impede["points"] == 4 and impede["band"] == "intermediate"
    assert {"id", "label", "points", "present", "basis"} <= set(impede["items"][0])


# --- properties ---------------------------------------------------------------------------

TRI = st.sampled_from([True, False, None])
MEDICATIONS = [
    {"name": "aspirin", "dose_mg": 81},
    {"name": "warfarin"},
    {"name": "enoxaparin"},
    {"name": "enoxaparin", "intensity": "prophylactic"},
    {"name": "dalteparin", "intensity": "therapeutic"},
    {"name": "apixaban"},
    {"name": "clopidogrel"},
    {"name": "epoetin alfa"},
    {"name": "doxorubicin"},
    {"name": "thalidomide"},
    {"name": "dexamethasone"},
    {"name": "dexamethasone", "mg_per_month": 160},
    {"name": "dexamethasone", "mg_per_month": 480},
    {"name": "digoxin"},
]


@st.composite
def cases(draw) -> Case:
    data = case_data(
        indication=draw(st.sampled_from([i.value for i in Indication])),
        patient={
            "age_years": draw(st.integers(18, 100)),
            "weight_kg": draw(st.one_of(st.none(), st.floats(30, 250))),
            "height_cm": draw(st.one_of(st.none(), st.floats(120, 220))),
            "ethnicity": draw(
                st.sampled_from([None, "asian_pacific_islander", "black", "white", "other"])
            ),
            "on_dialysis": draw(st.booleans()),
        },
        conditions={name: draw(TRI) for name in CONDITION_FIELDS},
        medications=draw(st.lists(st.sampled_from(MEDICATIONS), max_size=5)),
    )
    return Case.from_data(data, default_knowledge())


IMPEDE_BAND = {range(-100, 4): "low", range(4, 8): "intermediate", range(8, 100): "high"}
SAVED_BAND = {range(-100, 2): "low", range(2, 100): "high"}


def _facts_band(points: int, table: dict[range, str]) -> str:
    return next(band for span, band in table.items() if points in span)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_score_invariants(case):
    outcome = run(case)
    for key, table in (("impede_vte", IMPEDE_BAND), ("saved", SAVED_BAND)):
        result = outcome.scores[key]
        assert result.points == sum(i.points for i in result.items if i.present is True)
        assert result.band == _facts_band(result.points, table)
        low, high = result.range
        assert low <= result.points <= high
        assert low <= result.possible_points[0] <= result.possible_points[1] <= high
        assert result.unknown_items == [i.id for i in result.items if i.present is None]
        if not result.unknown_items:
            assert result.possible_points == (result.points, result.points)
        assert result.applicable == (case.indication.value in MM)
    ids = finding_ids(outcome)
    assert ids.count("thrombosis.boxed_warning") == 1
    assert len(ids) == len(set(ids))
    advised = case.indication.value in MM and not outcome.prophylaxis_in_use
    assert ("thrombosis.no_prophylaxis" in ids) == advised
    assert all(f.category is Category.THROMBOSIS for f in outcome.findings)
    assert run(case) == outcome  # pure: same case, same answer


def test_no_prophylaxis_offers_to_start_what_a_settled_choice_names():
    outcome = run(quiet())
    choice = finding(outcome, "thrombosis.prophylaxis_choice")
    assert choice.inputs["settled"]
    remedy = finding(outcome, "thrombosis.no_prophylaxis").remedy
    assert remedy is not None and remedy.type == "start_medication"
    assert remedy.medication_class == choice.inputs["recommendation"]


def test_no_prophylaxis_offers_nothing_to_click_while_the_choice_is_unsettled():
    unknown = quiet(patient={"ethnicity": None, "weight_kg": None})
    outcome = run(unknown)
    assert not finding(outcome, "thrombosis.prophylaxis_choice").inputs["settled"]
    assert finding(outcome, "thrombosis.no_prophylaxis").remedy is None
