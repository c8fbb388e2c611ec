"""When lenaguard advises thromboprophylaxis, and how: facts file §7 and the brief.

- The label's boxed recommendation concerns myeloma treated with dexamethasone; outside myeloma
  the risk is presented, not an instruction.
- No advice to add prophylaxis at platelets under 50,000/mcL (lenaguard's reading, unverified;
  the nearest guideline numbers are ISTH SSC 2018 / ITAC for treating established VTE), during
  a hold for thrombocytopenia, or after the course ended.
- LMWH carries the renal adjustment (enoxaparin 30 mg once daily at CrCl < 30 mL/min,
  unverified) and the dialysis caveat, and the regimen takes them into account.
- SAVED dexamethasone per 30 days: > 160 mg +2, 120–160 mg +1 (inclusive), < 120 mg 0.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.knowledge import Status
from lenaguard.vocab import Severity
from tests.factories import lab
from tests.rules.test_thrombosis import dex, finding, finding_ids, item, quiet, run

PAUSE = "thrombosis.prophylaxis_not_advised_now"
NONE_LISTED = "thrombosis.no_prophylaxis"
CHOICE = "thrombosis.prophylaxis_choice"


def platelets(count: float, date: str = "2026-11-18") -> dict[str, Any]:
    return lab("platelets", count, "/uL", date=date)


def course(*events: dict[str, Any]) -> dict[str, Any]:
    return {"events": [{"date": "2026-10-01", "event": "start", "dose_mg": 25}, *events]}


# --- SAVED dexamethasone bands ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg", "standard", "high", "points"),
    [
        (80, False, False, 0),
        (119, False, False, 0),
        (119.9, False, False, 0),
        (120, True, False, 1),
        (160, True, False, 1),
        (160.5, False, True, 2),
        (161, False, True, 2),
        (480, False, True, 2),
    ],
)
def test_saved_dexamethasone_scores_from_120_mg_and_doubles_above_160(mg, standard, high, points):
    outcome = run(quiet(medications=[dex(mg)]))
    assert item(outcome, "saved", "dexamethasone_standard").present is standard
    assert item(outcome, "saved", "dexamethasone_high").present is high
    assert outcome.scores["saved"].points == points


def test_saved_below_120_says_why_it_scores_nothing():
    basis = item(run(quiet(medications=[dex(119)])), "saved", "dexamethasone_standard").basis
    assert "below 120 mg" in basis
    label = item(run(quiet(medications=[dex(119)])), "saved", "dexamethasone_standard").label
    assert "120–160 mg per month" in label


@pytest.mark.parametrize(("mg", "low_points"), [(119, 2), (120, 2), (160, 2)])
def test_impede_low_dose_has_no_lower_limit(mg, low_points):
    outcome = run(quiet(medications=[dex(mg)]))
    assert item(outcome, "impede_vte", "dexamethasone_low").present is True
    assert item(outcome, "impede_vte", "dexamethasone_low").points == low_points


def test_saved_with_an_unknown_dexamethasone_dose_may_score_nothing():
    assert run(quiet(medications=[dex(None)])).scores["saved"].possible_points == (0, 2)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(min_value=1, max_value=1000, allow_nan=False))
def test_saved_dexamethasone_points_follow_the_facts_file(mg):
    expected = 2 if mg > 160 else 1 if mg >= 120 else 0
    assert run(quiet(medications=[dex(mg)])).scores["saved"].points == expected


# --- who the recommendation concerns ------------------------------------------------------------


@pytest.mark.parametrize("indication", ["mds_del5q", "mcl", "fl", "mzl"])
def test_outside_myeloma_the_risk_is_presented_not_an_instruction(indication):
    outcome = run(quiet(indication=indication, conditions={"vte_history": True}))
    ids = finding_ids(outcome)
    assert NONE_LISTED not in ids and PAUSE not in ids
    choice = finding(outcome, CHOICE)
    assert choice.severity is Severity.INFO
    assert "Here:" not in choice.detail  # no model choice is offered as advice
    assert "myeloma" in choice.summary and "dexamethasone" in choice.summary


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"medications": [dex(160)]}, Status.LABEL),
        ({"indication": "mm_combination"}, Status.LABEL),
        ({}, Status.SECONDARY),
    ],
)
def test_the_myeloma_warning_rests_on_the_label_only_with_dexamethasone(overrides, status):
    assert finding(run(quiet(**overrides)), NONE_LISTED).status is status


# --- no advice to add prophylaxis: low platelets ------------------------------------------------


@pytest.mark.parametrize(
    ("count", "paused"),
    [(10_000, True), (25_000, True), (49_999, True), (50_000, False), (120_000, False)],
)
def test_no_advice_to_add_prophylaxis_below_50000_platelets(count, paused):
    outcome = run(quiet(medications=[dex(480)], labs=[platelets(count)]))
    ids = finding_ids(outcome)
    assert (PAUSE in ids) is paused
    assert (NONE_LISTED in ids) is not paused
    if paused:
        pause = finding(outcome, PAUSE)
        assert pause.severity is Severity.WARNING
        assert pause.status is Status.UNVERIFIED and pause.basis == "lenaguard"
        assert "50,000/mcL" in pause.summary and len(pause.summary) < 140
        choice = finding(outcome, CHOICE)
        assert choice.severity is Severity.INFO
        assert choice.inputs["recommendation"] == "not_advised_now"
        assert "Here:" not in choice.detail


def test_the_low_platelet_detail_gives_the_nearest_guideline_numbers_as_treatment_thresholds():
    pause = finding(run(quiet(medications=[dex(480)], labs=[platelets(30_000)])), PAUSE)
    sources = {c.source for c in pause.citations}
    assert {"lenaguard", "isth_ssc_cat_2018", "itac_cat_2019"} <= sources
    for words in ("ISTH SSC 2018", "ITAC", "25,000", "50,000", "established"):
        assert words in pause.detail
    assert "not for prophylaxis" in pause.detail


def test_low_platelets_never_ask_to_escalate_the_prophylaxis_in_use():
    # vte_history: both models point to anticoagulant prophylaxis; only aspirin is in use
    overrides = {
        "conditions": {"vte_history": True},
        "medications": [dex(480), {"name": "aspirin"}],
    }
    advised = run(quiet(**overrides))
    assert finding(advised, CHOICE).severity is Severity.WARNING
    low = run(quiet(**overrides, labs=[platelets(40_000)]))
    choice = finding(low, CHOICE)
    assert choice.severity is Severity.INFO and "review" not in choice.summary
    assert "Review the prophylaxis in use" in finding(low, PAUSE).detail


def test_the_latest_platelet_count_decides():
    recovered = [platelets(30_000, "2026-11-01"), platelets(90_000, "2026-11-18")]
    fallen = [platelets(90_000, "2026-11-01"), platelets(30_000, "2026-11-18")]
    assert PAUSE not in finding_ids(run(quiet(medications=[dex(480)], labs=recovered)))
    assert PAUSE in finding_ids(run(quiet(medications=[dex(480)], labs=fallen)))


# --- no advice to add prophylaxis: a hold for thrombocytopenia, a course that ended -----------


@pytest.mark.parametrize(
    ("reason", "paused"),
    [("thrombocytopenia", True), ("neutropenia", False), ("other_toxicity", False)],
)
def test_no_advice_to_add_prophylaxis_during_a_hold_for_thrombocytopenia(reason, paused):
    therapy = course({"date": "2026-11-10", "event": "hold", "reason": reason})
    outcome = run(quiet(medications=[dex(480)], therapy=therapy))
    assert (PAUSE in finding_ids(outcome)) is paused
    assert (NONE_LISTED in finding_ids(outcome)) is not paused
    if paused:
        pause = finding(outcome, PAUSE)
        assert pause.severity is Severity.INFO and "thrombocytopenia" in pause.summary


def test_advice_returns_once_lenalidomide_resumes():
    therapy = course(
        {"date": "2026-11-01", "event": "hold", "reason": "thrombocytopenia"},
        {"date": "2026-11-15", "event": "resume", "dose_mg": 20},
    )
    outcome = run(quiet(medications=[dex(480)], therapy=therapy))
    assert PAUSE not in finding_ids(outcome) and NONE_LISTED in finding_ids(outcome)


def test_no_advice_to_add_prophylaxis_after_the_course_ended():
    therapy = course({"date": "2026-11-10", "event": "stop"})
    outcome = run(quiet(medications=[dex(480)], therapy=therapy))
    pause = finding(outcome, PAUSE)
    assert "ended on 2026-11-10" in pause.summary
    assert NONE_LISTED not in finding_ids(outcome)


def test_several_reasons_are_all_given():
    therapy = course({"date": "2026-11-10", "event": "hold", "reason": "thrombocytopenia"})
    outcome = run(quiet(medications=[dex(480)], therapy=therapy, labs=[platelets(20_000)]))
    pause = finding(outcome, PAUSE)
    assert pause.inputs["reasons"] == ["thrombocytopenia_hold", "low_platelets"]
    assert "1 more reason" in pause.summary
    assert pause.severity is Severity.WARNING


def test_missing_inputs_cannot_change_advice_that_is_not_given():
    overrides = {"medications": [dex(120)], "conditions": {"diabetes": None}}
    assert finding(run(quiet(**overrides)), "thrombosis.inputs_unknown").severity is (
        Severity.WARNING
    )
    paused = run(quiet(**overrides, labs=[platelets(20_000)]))
    assert finding(paused, "thrombosis.inputs_unknown").severity is Severity.INFO


# --- low-molecular-weight heparin and the kidneys ---------------------------------------------


def _kidneys(creatinine: float | None, **patient: Any):
    """Myeloma with a VTE history (both models: anticoagulant), aged 68 and 60 kg: CrCl =
    60 ÷ creatinine mL/min."""
    labs = [] if creatinine is None else [lab("creatinine", creatinine, "mg/dL")]
    return run(
        quiet(
            patient={"age_years": 68, **patient},
            conditions={"vte_history": True},
            medications=[dex(480)],
            labs=labs,
        )
    )


@pytest.mark.parametrize(
    ("creatinine", "renal_dose"),
    [(2.01, True), (3.0, True), (2.0, False), (1.0, False)],  # CrCl 29.9, 20, 30, 60
)
def test_lmwh_takes_the_renal_dose_below_crcl_30(creatinine, renal_dose):
    outcome = _kidneys(creatinine)
    text = outcome.imwg.recommendation_text
    choice = finding(outcome, CHOICE)
    if renal_dose:
        assert "enoxaparin 30 mg once daily" in text and "40 mg" not in text
        assert "Kidney function and heparin" in choice.detail
        assert "lovenox_uspi" in {c.source for c in choice.citations}
        assert choice.status is Status.UNVERIFIED
        assert outcome.imwg.status is Status.UNVERIFIED
    else:
        assert "enoxaparin 40 mg once daily" in text and "30 mg" not in text
        assert "Kidney function and heparin" not in choice.detail


def test_lmwh_on_dialysis_carries_the_caveat_and_warfarin_comes_first():
    outcome = _kidneys(6.0, on_dialysis=True)
    assert outcome.imwg.recommendation_text.startswith("full-dose warfarin")
    detail = finding(outcome, CHOICE).detail
    assert "dialysis" in detail and "nephrology" in detail


def test_lmwh_with_an_unknown_clearance_names_the_renal_dose_to_check():
    text = _kidneys(None).imwg.recommendation_text
    assert "enoxaparin 40 mg" in text and "30 mg once daily if CrCl is below 30" in text


def test_no_renal_note_when_the_models_point_to_aspirin():
    outcome = run(quiet(medications=[dex(120)], labs=[lab("creatinine", 3.0, "mg/dL")]))
    assert outcome.imwg.recommendation == "aspirin"
    assert "Kidney function" not in finding(outcome, CHOICE).detail
