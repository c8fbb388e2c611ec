"""Starting dose by indication and renal band.

Expected values are written from the facts file: §1 (label doses and schedules, capsule
strengths, maintenance start counts and escalation, stem-cell collection) and §2 (the renal
table and its statuses: the MM/MCL 30–60 row label-old, the rest unverified).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.rules.dose.starting_dose import (
    renal_starting_dose,
    starting_dose,
    starting_dose_notes,
)
from lenaguard.vocab import Category, DoseAction, Frequency, Indication, RenalBand, Severity
from tests.factories import lab, make_case

KB = default_knowledge()

CAPSULES_MG = {2.5, 5, 10, 15, 20, 25}  # facts §1
LABEL_DOSE_MG = {
    "mm_combination": 25,
    "mcl": 25,
    "fl": 20,
    "mzl": 20,
    "mm_maintenance": 10,
    "mds_del5q": 10,
}
SCHEDULE = {  # (days_on, cycle_days), facts §1
    "mm_combination": ((1, 21), 28),
    "mcl": ((1, 21), 28),
    "fl": ((1, 21), 28),
    "mzl": ((1, 21), 28),
    "mm_maintenance": ((1, 28), 28),
    "mds_del5q": ((1, 28), 28),
}
# facts §2: (dose, frequency, after dialysis, status) per indication and band
D, Q48 = Frequency.DAILY, Frequency.EVERY_48H
UNV, OLD = Status.UNVERIFIED, Status.LABEL_OLD
MM_MCL = {
    RenalBand.MODERATE: (10, D, False, OLD),
    RenalBand.SEVERE: (15, Q48, False, UNV),
    RenalBand.DIALYSIS: (5, D, True, UNV),
}
FL_MZL = {
    RenalBand.MODERATE: (10, D, False, UNV),
    RenalBand.SEVERE: (5, D, False, UNV),
    RenalBand.DIALYSIS: (5, D, True, UNV),
}
MAINT_MDS = {
    RenalBand.MODERATE: (5, D, False, UNV),
    RenalBand.SEVERE: (2.5, D, False, UNV),
    RenalBand.DIALYSIS: (2.5, D, True, UNV),
}
TABLE = {
    "mm_combination": MM_MCL,
    "mcl": MM_MCL,
    "fl": FL_MZL,
    "mzl": FL_MZL,
    "mm_maintenance": MAINT_MDS,
    "mds_del5q": MAINT_MDS,
}
CELLS = [(ind, band) for ind in TABLE for band in TABLE[ind]]

# Male, 65 y, 80 kg (factory): CrCl = 75 × 80 / (72 × SCr).
SCR_FOR_BAND = {
    RenalBand.NORMAL: 1.0,  # 83.3 mL/min
    RenalBand.MODERATE: 1.85,  # 45.0
    RenalBand.SEVERE: 3.0,  # 27.8
    RenalBand.DIALYSIS: 6.0,  # 13.9 on dialysis (above the not-studied 7)
}
RECOVERED_COUNTS = [lab("anc", 1500, "/uL"), lab("platelets", 120000, "/uL")]


def _case(indication, band, **overrides):
    labs = [lab("creatinine", SCR_FOR_BAND[band], "mg/dL"), *RECOVERED_COUNTS]
    patient = {"on_dialysis": band is RenalBand.DIALYSIS}
    return make_case(indication=indication, patient=patient, labs=labs, **overrides)


def _dose(case):
    renal, _ = assess_renal(case, KB)
    return starting_dose(case, renal, KB)


def _by_id(findings):
    return {finding.id: finding for finding in findings}


# --- the table, every cell, every indication -----------------------------------------------------


@pytest.mark.parametrize(("indication", "band"), CELLS)
def test_every_renal_table_cell_through_starting_dose(indication, band):
    dose, frequency, after_dialysis, status = TABLE[indication][band]
    plan, _ = _dose(_case(indication, band))
    assert plan.action is DoseAction.START
    assert plan.dose_mg == dose
    assert plan.frequency is frequency
    assert plan.after_dialysis is after_dialysis
    assert plan.status is status
    assert (plan.days_on, plan.cycle_days) == SCHEDULE[indication]
    assert any(c.source == "uspi" and "§2.6" in c.section for c in plan.citations)
    assert f"{band.value} renal band" in plan.reason
    assert "from the label's renal starting-dose table." in plan.reason
    # the rule and its sources are the plan's own fields, shown beside the reason by every
    # surface; the reason does not repeat them
    assert plan.rule not in plan.reason and "§" not in plan.reason


@pytest.mark.parametrize(("indication", "band"), CELLS)
def test_every_renal_table_cell_through_the_lookup(indication, band):
    dose, frequency, after_dialysis, status = TABLE[indication][band]
    plan = renal_starting_dose(Indication(indication), band, KB)
    assert (plan.dose_mg, plan.frequency, plan.after_dialysis, plan.status) == (
        dose,
        frequency,
        after_dialysis,
        status,
    )


@pytest.mark.parametrize("indication", list(LABEL_DOSE_MG))
def test_normal_renal_function_gives_the_label_dose_and_schedule(indication):
    plan, _ = _dose(_case(indication, RenalBand.NORMAL))
    assert plan.dose_mg == LABEL_DOSE_MG[indication]
    assert plan.frequency is Frequency.DAILY
    assert plan.after_dialysis is False
    assert (plan.days_on, plan.cycle_days) == SCHEDULE[indication]
    assert plan.status is Status.LABEL_OLD  # label dose (label) + "no change above 60" (label-old)
    assert plan.rule == "starting_dose.label"


@pytest.mark.parametrize(
    ("scr", "dose", "status"),
    [
        (60 / 60.1, 25, Status.LABEL_OLD),  # CrCl 60.1
        (1.0, 25, Status.UNVERIFIED),  # exactly 60: working rule, unverified
        (60 / 59.9, 10, Status.LABEL_OLD),  # CrCl 59.9
        (2.0, 10, Status.LABEL_OLD),  # exactly 30: moderate
        (2.01, 15, Status.UNVERIFIED),  # just under 30: severe, every 48 h
    ],
)
def test_mm_starting_dose_on_both_sides_of_each_threshold(scr, dose, status):
    case = make_case(
        patient={"sex": "male", "age_years": 68, "weight_kg": 60},  # CrCl = 60 / SCr
        labs=[lab("creatinine", scr, "mg/dL")],
    )
    plan, _ = _dose(case)
    assert plan.dose_mg == dose
    assert plan.status is status


# --- unknown renal function --------------------------------------------------------------------


@pytest.mark.parametrize("indication", list(LABEL_DOSE_MG))
def test_no_plan_without_crcl_but_the_normal_dose_is_stated(indication):
    case = make_case(indication=indication, labs=[])
    plan, findings = _dose(case)
    assert plan is None
    needs = _by_id(findings)["dosing.start_needs_crcl"]
    assert needs.severity is Severity.WARNING
    assert needs.category is Category.DOSING
    label_dose = LABEL_DOSE_MG[indication]
    assert f"{label_dose:g} mg once daily" in needs.detail
    assert "60 mL/min" in needs.detail


def test_dialysis_without_creatinine_still_gets_the_dialysis_dose():
    case = make_case(indication="mcl", patient={"on_dialysis": True}, labs=[])
    plan, _ = _dose(case)
    assert plan.dose_mg == 5
    assert plan.after_dialysis is True


# --- escalation notes ---------------------------------------------------------------------------


@pytest.mark.parametrize("indication", ["mm_combination", "mcl"])
def test_mm_mcl_moderate_escalation_note(indication):
    _, findings = _dose(_case(indication, RenalBand.MODERATE))
    note = _by_id(findings)["dosing.renal_escalation"]
    assert note.severity is Severity.INFO
    assert "15 mg" in note.summary
    assert "2 cycles" in note.summary
    assert "not responding" in note.summary
    assert note.status is Status.LABEL_OLD


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_fl_mzl_moderate_escalation_note_is_unverified(indication):
    _, findings = _dose(_case(indication, RenalBand.MODERATE))
    note = _by_id(findings)["dosing.renal_escalation"]
    assert "15 mg" in note.summary
    assert "2 cycles" in note.summary
    assert "toler" in note.summary
    assert "not responding" not in note.summary
    assert note.status is Status.UNVERIFIED


@pytest.mark.parametrize(
    ("indication", "band"),
    [
        ("mm_combination", RenalBand.SEVERE),
        ("mm_combination", RenalBand.DIALYSIS),
        ("fl", RenalBand.SEVERE),
        ("mds_del5q", RenalBand.MODERATE),
        ("mm_maintenance", RenalBand.MODERATE),
        ("mm_combination", RenalBand.NORMAL),
    ],
)
def test_no_renal_escalation_note_where_the_table_gives_none(indication, band):
    _, findings = _dose(_case(indication, band))
    assert "dosing.renal_escalation" not in _by_id(findings)


def test_maintenance_escalation_note_after_three_cycles():
    _, findings = _dose(_case("mm_maintenance", RenalBand.NORMAL))
    note = _by_id(findings)["dosing.escalation"]
    assert note.severity is Severity.INFO
    assert "10 mg to 15 mg" in note.summary
    assert "3 cycles" in note.summary
    assert note.status is Status.LABEL


def test_no_maintenance_escalation_note_for_mds():
    _, findings = _dose(_case("mds_del5q", RenalBand.NORMAL))
    assert "dosing.escalation" not in _by_id(findings)


# --- not studied -------------------------------------------------------------------------------


def _not_studied_warnings(assessment):
    return [f for f in assessment.findings if "not studied" in f.summary]


@pytest.mark.parametrize(
    ("crcl", "not_studied"),
    [(10, True), (10.99, True), (11, False), (12, False)],  # facts §2: not studied below 11
)
def test_not_studied_without_dialysis_keeps_the_dose_and_warns_once(crcl, not_studied):
    case = make_case(
        patient={"age_years": 68, "weight_kg": 60},  # CrCl = 60 / SCr
        labs=[lab("creatinine", 60 / crcl, "mg/dL")],
    )
    assessment = assess(case, KB)
    assert assessment.dose.dose_mg == 15  # the severe-band dose is still shown
    assert assessment.dose.frequency is Frequency.EVERY_48H
    warnings = _not_studied_warnings(assessment)
    if not_studied:
        # one warning, from the renal rules; the starting-dose rules do not repeat it
        assert [f.id for f in warnings] == ["renal.not_studied"]
        assert warnings[0].severity is Severity.WARNING
        assert "11 mL/min" in warnings[0].summary
    else:
        assert warnings == []


@pytest.mark.parametrize(
    ("crcl", "not_studied"),
    [(6.5, True), (6.99, True), (7, False)],  # facts §2: on dialysis, not studied below 7
)
def test_not_studied_on_dialysis(crcl, not_studied):
    case = make_case(
        indication="fl",
        patient={"on_dialysis": True, "age_years": 68, "weight_kg": 60},  # CrCl = 60 / SCr
        labs=[lab("creatinine", 60 / crcl, "mg/dL")],
    )
    assessment = assess(case, KB)
    assert assessment.dose.dose_mg == 5
    assert assessment.dose.after_dialysis is True
    warnings = _not_studied_warnings(assessment)
    assert [f.id for f in warnings] == (["renal.not_studied"] if not_studied else [])
    if not_studied:
        assert "7 mL/min" in warnings[0].summary


@pytest.mark.parametrize(
    ("indication", "band", "crcl", "expected"),
    [
        ("mm_combination", RenalBand.SEVERE, 5, {"renal.not_studied"}),  # < 11: not studied
        ("mm_combination", RenalBand.SEVERE, 11, set()),
        ("fl", RenalBand.DIALYSIS, 6, {"renal.not_studied"}),  # on dialysis: < 7
        ("fl", RenalBand.DIALYSIS, 7, set()),
        ("mcl", RenalBand.MODERATE, 45, {"dosing.renal_escalation"}),
        ("mzl", RenalBand.MODERATE, None, {"dosing.renal_escalation"}),
        ("mm_maintenance", RenalBand.NORMAL, 90, {"dosing.escalation"}),  # 10 -> 15 mg
        ("mds_del5q", RenalBand.MODERATE, 45, set()),
    ],
)
def test_calculator_notes_give_the_escalation_and_the_not_studied_range(
    indication, band, crcl, expected
):
    notes = starting_dose_notes(indication, band, KB, crcl_ml_min=crcl)
    assert {note.id for note in notes} == expected


# --- maintenance start counts ------------------------------------------------------------------


def _maintenance(*counts):
    labs = [lab("creatinine", 1.0, "mg/dL"), *counts]
    return _dose(make_case(indication="mm_maintenance", labs=labs))


@pytest.mark.parametrize(
    "counts",
    [
        [lab("anc", 1000, "/uL"), lab("platelets", 20000, "/uL")],  # ANC exactly 1,000
        [lab("anc", 400, "/uL"), lab("platelets", 75000, "/uL")],  # platelets exactly 75,000
        [lab("anc", 1200, "/uL")],  # ANC alone suffices ("and/or")
        [lab("anc", 1.5, "10^3/uL"), lab("platelets", 90, "10^3/uL")],
    ],
)
def test_maintenance_starts_when_either_count_has_recovered(counts):
    plan, findings = _maintenance(*counts)
    assert plan.action is DoseAction.START
    assert plan.dose_mg == 10
    assert "dosing.start_counts_met" in _by_id(findings)


def test_maintenance_is_held_when_neither_count_has_recovered():
    plan, findings = _maintenance(lab("anc", 999, "/uL"), lab("platelets", 74999, "/uL"))
    assert plan.action is DoseAction.HOLD
    assert plan.dose_mg is None
    assert plan.resume is not None
    assert plan.resume.dose_mg == 10
    assert "1,000" in plan.resume.when
    assert "75,000" in plan.resume.when
    assert "and/or" in plan.resume.when
    blocked = _by_id(findings)["dosing.start_counts_not_met"]
    assert blocked.blocking
    assert blocked.status is Status.LABEL


def test_held_maintenance_resumes_at_the_renally_adjusted_dose():
    labs = [lab("creatinine", 3.0, "mg/dL"), lab("anc", 500, "/uL"), lab("platelets", 40000, "/uL")]
    plan, _ = _dose(make_case(indication="mm_maintenance", labs=labs))
    assert plan.action is DoseAction.HOLD
    assert plan.resume.dose_mg == 2.5


def test_the_latest_counts_are_used():
    plan, _ = _maintenance(
        lab("anc", 1500, "/uL", date="2026-10-01"),
        lab("anc", 600, "/uL", date="2026-11-18"),
        lab("platelets", 50000, "/uL", date="2026-11-18"),
    )
    assert plan.action is DoseAction.HOLD


@pytest.mark.parametrize("counts", [[], [lab("anc", 800, "/uL")], [lab("platelets", 50000, "/uL")]])
def test_missing_counts_are_asked_for_before_maintenance(counts):
    plan, findings = _maintenance(*counts)
    needed = _by_id(findings)["dosing.start_counts_needed"]
    assert needed.severity is Severity.WARNING
    assert needed.blocking
    assert "not available" in needed.detail
    assert plan.action is DoseAction.START


@pytest.mark.parametrize("indication", ["mm_combination", "mds_del5q", "fl"])
def test_other_indications_have_no_count_requirement_at_start(indication):
    _, findings = _dose(make_case(indication=indication, labs=[lab("creatinine", 1.0, "mg/dL")]))
    assert not {"dosing.start_counts_needed", "dosing.start_counts_not_met"} & set(_by_id(findings))


# --- stem-cell collection -----------------------------------------------------------------


def test_mm_combination_carries_the_stem_cell_collection_note():
    _, findings = _dose(_case("mm_combination", RenalBand.NORMAL))
    note = _by_id(findings)["dosing.indication_note"]
    assert note.severity is Severity.INFO
    assert "stem cell" in note.summary
    assert "4 cycles" in note.summary
    assert any(c.section == "§5.12" for c in note.citations)


@pytest.mark.parametrize("band", [RenalBand.NORMAL, RenalBand.MODERATE])
def test_the_starting_dose_does_not_cite_the_stem_cell_section(band):
    # §5.12 is the source of the note, not of the dose: the dose cites §1.1/§2.1 (and §2.6)
    plan, _ = _dose(_case("mm_combination", band))
    assert all("5.12" not in c.section for c in plan.citations)
    assert "5.12" not in plan.reason


def test_no_stem_cell_note_for_lymphoma():
    _, findings = _dose(_case("fl", RenalBand.NORMAL))
    assert "dosing.indication_note" not in _by_id(findings)


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(
    indication=st.sampled_from(list(LABEL_DOSE_MG)),
    age=st.integers(min_value=18, max_value=100),
    weight=st.floats(min_value=35, max_value=200),
    scr=st.floats(min_value=0.3, max_value=15),
    on_dialysis=st.booleans(),
    sex=st.sampled_from(["female", "male"]),
)
def test_starting_dose_is_a_capsule_strength_never_above_the_label_dose(
    indication, age, weight, scr, on_dialysis, sex
):
    case = make_case(
        indication=indication,
        patient={"sex": sex, "age_years": age, "weight_kg": weight, "on_dialysis": on_dialysis},
        labs=[lab("creatinine", scr, "mg/dL"), *RECOVERED_COUNTS],
    )
    plan, findings = _dose(case)
    assert plan is not None
    assert plan.dose_mg in CAPSULES_MG
    assert plan.dose_mg <= LABEL_DOSE_MG[indication]
    assert plan.after_dialysis is on_dialysis
    for finding in findings:
        assert finding.citations


@pytest.mark.parametrize(("indication", "band"), CELLS)
def test_table_doses_are_capsule_strengths_not_above_the_label_dose(indication, band):
    plan = renal_starting_dose(Indication(indication), band, KB)
    assert plan.dose_mg in CAPSULES_MG
    assert plan.dose_mg < LABEL_DOSE_MG[indication]


# --- the lookup with a known clearance ---------------------------------------------------------


def test_lookup_at_exactly_sixty_rests_on_the_unverified_boundary_rule():
    at_sixty = renal_starting_dose("mm_combination", "normal", KB, crcl_ml_min=60)
    above = renal_starting_dose("mm_combination", "normal", KB, crcl_ml_min=75)
    assert at_sixty.dose_mg == above.dose_mg == 25
    assert at_sixty.status is Status.UNVERIFIED
    assert above.status is Status.LABEL_OLD


def test_lookup_refuses_a_clearance_outside_the_band():
    with pytest.raises(ValueError, match="crcl_ml_min"):
        renal_starting_dose("mm_combination", "moderate", KB, crcl_ml_min=60)
