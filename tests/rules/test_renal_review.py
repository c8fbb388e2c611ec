"""Reviewing an ongoing dose against the current renal band (`rules.renal_review`).

Expected values are written from the facts file §2 (renal starting-dose table: MM/MCL moderate
10 mg, may go to 15 mg after 2 cycles; severe 15 mg every 48 hours; dialysis 5 mg after
dialysis; FL/MZL 10 → 15 mg after 2 cycles, 5 mg, 5 mg; maintenance/MDS 5, 2.5, 2.5 mg; the
MM/MCL moderate row label-old, the rest unverified) and §1 (28-day cycles).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.rules.dose.renal_review import review_dose_against_renal_function
from lenaguard.vocab import Category, Severity
from tests.factories import lab, make_case

KB = default_knowledge()
AS_OF = dt.date(2026, 11, 20)
FINDING = "renal.dose_above_renal_start"


def _case(
    crcl: float | None,
    *,
    dose: float = 25,
    frequency: str = "daily",
    days_ago: int = 10,
    indication: str = "mm_combination",
    on_dialysis: bool = False,
    extra_events: list | None = None,
    days_on: list | None = None,
    more_labs: list | None = None,
):
    """Male, 68 y, 60 kg: CrCl = 60 / SCr. The course started `days_ago` days before as_of."""
    start = AS_OF - dt.timedelta(days=days_ago)
    event = {"date": start.isoformat(), "event": "start", "dose_mg": dose, "frequency": frequency}
    if days_on is not None:
        event["days_on"] = days_on
    labs = [] if crcl is None else [lab("creatinine", 60 / crcl, "mg/dL")]
    labs += more_labs or []
    return make_case(
        as_of=AS_OF.isoformat(),
        indication=indication,
        patient={"age_years": 68, "weight_kg": 60, "on_dialysis": on_dialysis},
        therapy={"events": [event, *(extra_events or [])]},
        labs=labs,
    )


def _review(case):
    renal, _ = assess_renal(case, KB)
    return review_dose_against_renal_function(case, renal, KB)


def _one(case):
    findings = _review(case)
    assert [f.id for f in findings] == [FINDING]
    return findings[0]


# --- when nothing is said ------------------------------------------------------------------------


@pytest.mark.parametrize("crcl", [60, 60.1, 90])
def test_normal_band_says_nothing_whatever_the_dose(crcl):
    assert _review(_case(crcl, dose=25)) == []


def test_unknown_renal_function_says_nothing_here():
    # the renal rules already ask for the missing creatinine
    assert _review(_case(None, dose=25)) == []


def test_not_started_says_nothing():
    case = make_case(
        patient={"age_years": 68, "weight_kg": 60}, labs=[lab("creatinine", 60 / 40, "mg/dL")]
    )
    assert _review(case) == []


def test_stopped_course_says_nothing():
    stop = {"date": (AS_OF - dt.timedelta(days=2)).isoformat(), "event": "stop"}
    assert _review(_case(40, dose=25, extra_events=[stop])) == []


@pytest.mark.parametrize("indication", ["fl", "mzl"])
@pytest.mark.parametrize(("days_ago", "reviewed"), [(335, True), (336, False)])
def test_a_complete_fl_mzl_course_is_not_reviewed(indication, days_ago, reviewed):
    # facts §1: up to 12 cycles; the 12th is complete 336 days after the start (decision: stop)
    findings = _review(_case(40, dose=20, days_ago=days_ago, indication=indication))
    assert bool(findings) is reviewed


@pytest.mark.parametrize(
    ("indication", "crcl", "on_dialysis", "dose", "frequency"),
    [
        ("mm_combination", 40, False, 10, "daily"),  # moderate: exactly the table dose
        ("mm_combination", 20, False, 15, "every_48h"),  # severe: exactly the table dose
        ("mm_combination", 20, False, 5, "daily"),  # 10 mg per 2 days < 15 mg every 48 h
        ("mm_combination", 40, True, 5, "daily"),  # dialysis
        ("mcl", 40, False, 10, "daily"),
        ("fl", 40, False, 10, "daily"),
        ("fl", 20, False, 5, "daily"),
        ("mzl", 40, True, 5, "daily"),
        ("mm_maintenance", 40, False, 5, "daily"),
        ("mds_del5q", 20, False, 2.5, "daily"),
        ("mds_del5q", 40, True, 2.5, "daily"),
    ],
)
def test_a_dose_within_the_table_says_nothing(indication, crcl, on_dialysis, dose, frequency):
    case = _case(
        crcl, dose=dose, frequency=frequency, indication=indication, on_dialysis=on_dialysis
    )
    assert _review(case) == []


def test_maintenance_floor_on_days_1_to_21_is_within_the_moderate_dose():
    case = _case(40, dose=5, indication="mm_maintenance", days_on=[1, 21])
    assert _review(case) == []


# --- above the table ---------------------------------------------------------------------------


def test_full_myeloma_dose_in_the_moderate_band_is_a_label_old_warning():
    finding = _one(_case(40, dose=25))
    assert finding.category is Category.RENAL
    assert finding.severity is Severity.WARNING
    assert finding.status is Status.LABEL_OLD  # facts §2: the MM/MCL 30-60 row
    assert "25 mg once daily" in finding.summary
    assert "10 mg once daily" in finding.summary
    assert "CrCl 40 mL/min" in finding.detail
    assert any("§2.6" in c.section for c in finding.citations)
    assert finding.inputs["table_dose_mg"] == 10


@pytest.mark.parametrize(
    ("indication", "crcl", "on_dialysis", "dose", "table", "status"),
    [
        ("mcl", 40, False, 25, "10 mg once daily", Status.LABEL_OLD),
        ("fl", 40, False, 20, "10 mg once daily", Status.UNVERIFIED),
        ("mzl", 20, False, 10, "5 mg once daily", Status.UNVERIFIED),
        ("fl", 40, True, 10, "5 mg once daily", Status.UNVERIFIED),
        ("mm_maintenance", 40, False, 10, "5 mg once daily", Status.UNVERIFIED),
        ("mm_maintenance", 20, False, 5, "2.5 mg once daily", Status.UNVERIFIED),
        ("mds_del5q", 40, True, 5, "2.5 mg once daily", Status.UNVERIFIED),
        ("mm_combination", 40, True, 10, "5 mg once daily", Status.UNVERIFIED),
    ],
)
def test_a_dose_above_the_table_warns_with_the_cell_status(
    indication, crcl, on_dialysis, dose, table, status
):
    finding = _one(_case(crcl, dose=dose, indication=indication, on_dialysis=on_dialysis))
    assert finding.status is status
    assert table in finding.summary


def test_daily_dose_is_compared_with_every_48_hours_over_two_days():
    # 10 mg once daily = 20 mg per two days, above 15 mg every 48 hours (facts §2, severe)
    finding = _one(_case(20, dose=10))
    assert finding.status is Status.UNVERIFIED
    assert "10 mg once daily" in finding.summary
    assert "15 mg every 48 hours" in finding.summary
    assert "20 mg against 15 mg" in finding.detail


def test_dialysis_names_dialysis_not_a_clearance_and_gives_the_timing():
    finding = _one(_case(40, dose=10, on_dialysis=True))
    assert "Renal function: on dialysis." in finding.detail
    assert "CrCl" not in finding.summary
    assert "after dialysis" in finding.detail


def test_a_held_course_is_reviewed_on_the_dose_before_the_hold():
    hold = {
        "date": (AS_OF - dt.timedelta(days=3)).isoformat(),
        "event": "hold",
        "reason": "thrombocytopenia",
    }
    finding = _one(_case(40, dose=25, extra_events=[hold]))
    assert finding.summary.startswith("Dose before the hold, 25 mg once daily")
    assert finding.inputs["course_status"] == "held"


# --- band boundaries (facts §2: 30 ≤ CrCl < 60 moderate; < 30 severe) ---------------------------


@pytest.mark.parametrize(("crcl", "warns"), [(30, False), (29.99, True)])
def test_ten_mg_daily_at_and_just_under_thirty(crcl, warns):
    # at 30 (moderate) 10 mg daily is the table dose; just under 30 (severe) it is above
    # 15 mg every 48 hours
    assert bool(_review(_case(crcl, dose=10))) is warns


@pytest.mark.parametrize(("crcl", "warns"), [(60, False), (59.99, True)])
def test_full_dose_at_and_just_under_sixty(crcl, warns):
    findings = _review(_case(crcl, dose=25))
    assert bool(findings) is warns
    if warns:
        assert "just under 60 mL/min" in findings[0].detail  # never "60 mL/min" when moderate


# --- the moderate-band escalation (facts §2: to 15 mg after 2 cycles) ---------------------------


@pytest.mark.parametrize("indication", ["mm_combination", "mcl", "fl", "mzl"])
@pytest.mark.parametrize(("days_ago", "warns"), [(55, True), (56, False)])
def test_fifteen_mg_in_the_moderate_band_is_allowed_once_two_cycles_are_complete(
    indication, days_ago, warns
):
    # 2 cycles of 28 days are complete on day 57 of the course (56 days after the start)
    start = AS_OF - dt.timedelta(days=days_ago)
    change = {
        "date": (start + dt.timedelta(days=1)).isoformat(),
        "event": "dose_change",
        "dose_mg": 15,
    }
    case = _case(40, dose=10, days_ago=days_ago, indication=indication, extra_events=[change])
    findings = _review(case)
    assert bool(findings) is warns
    if warns:
        assert "only after 2 cycles" in findings[0].detail
        assert "(1 completed in this course)" in findings[0].detail


def test_above_the_escalated_dose_warns_after_two_cycles():
    finding = _one(_case(40, dose=20, days_ago=120))
    assert "15 mg once daily after 2 cycles" in finding.detail
    assert "above that as well" in finding.detail


def test_no_escalation_in_the_severe_band():
    # 15 mg once daily after many cycles is still above 15 mg every 48 hours
    finding = _one(_case(20, dose=15, days_ago=200))
    assert "escalat" not in finding.detail and "after 2 cycles" not in finding.detail


# --- the escalation becomes allowed (facts §2: MM/MCL, FL/MZL moderate, 15 mg after 2 cycles) ---

NOTE = "dosing.renal_escalation_allowed"


@pytest.mark.parametrize(
    ("indication", "condition"),
    [
        ("mm_combination", "if the disease is not responding and the patient tolerates treatment"),
        ("mcl", "if the disease is not responding and the patient tolerates treatment"),
        ("fl", "if the patient tolerates treatment"),
        ("mzl", "if the patient tolerates treatment"),
    ],
)
@pytest.mark.parametrize(("days_ago", "allowed"), [(55, False), (56, True)])
def test_escalation_note_once_two_cycles_on_the_moderate_start_are_complete(
    indication, condition, days_ago, allowed
):
    findings = _review(_case(40, dose=10, days_ago=days_ago, indication=indication))
    if not allowed:
        assert findings == []
        return
    assert [f.id for f in findings] == [NOTE]
    note = findings[0]
    assert note.severity is Severity.INFO
    assert "After 2 cycles at 10 mg once daily" in note.summary
    assert "15 mg once daily" in note.summary
    assert condition in note.detail and "if its conditions are met" in note.summary
    expected = Status.LABEL_OLD if indication in ("mm_combination", "mcl") else Status.UNVERIFIED
    assert note.status is expected


@pytest.mark.parametrize(
    ("kwargs", "extra_events"),
    [
        ({"crcl": 40, "dose": 5}, None),  # reduced below the start: no note
        ({"crcl": 20, "dose": 15, "frequency": "every_48h"}, None),  # severe: no escalation
        ({"crcl": 40, "dose": 5, "indication": "mm_maintenance"}, None),  # none in the table
        ({"crcl": 40, "dose": 10, "on_dialysis": True}, None),  # dialysis: above, no note
        (
            {"crcl": 40, "dose": 10},
            [{"date": "2026-11-18", "event": "hold", "reason": "thrombocytopenia"}],
        ),  # held
    ],
)
def test_no_escalation_note_off_the_moderate_start_or_while_held(kwargs, extra_events):
    rest = {key: value for key, value in kwargs.items() if key != "crcl"}  # kwargs is shared
    findings = _review(_case(kwargs["crcl"], days_ago=120, extra_events=extra_events, **rest))
    assert NOTE not in {f.id for f in findings}


# --- with today's dose decision (the `plan` argument) --------------------------------------------


def _with_plan(case):
    from lenaguard.rules.dose.ongoing_dose import ongoing_dose

    renal, _ = assess_renal(case, KB)
    plan, _ = ongoing_dose(case, KB)
    return plan, review_dose_against_renal_function(case, renal, KB, plan=plan)


HOLD_5_DAYS_AGO = {
    "date": (AS_OF - dt.timedelta(days=5)).isoformat(),
    "event": "hold",
    "reason": "thrombocytopenia",
}
RECOVERED = [lab("anc", 2000, "/uL"), lab("platelets", 150000, "/uL")]


def _held(crcl, dose):
    return _case(crcl, dose=dose, days_ago=20, extra_events=[HOLD_5_DAYS_AGO], more_labs=RECOVERED)


def test_a_resume_is_reviewed_on_its_restart_dose():
    # MM Table 1: platelets back to ≥ 30,000 → next lower dose. 15 → 10 mg: within the
    # moderate-band 10 mg, so nothing; without the plan the dose before the hold (15) warns.
    case = _held(40, 15)
    plan, findings = _with_plan(case)
    assert (plan.action.value, plan.dose_mg) == ("resume", 10)
    assert findings == []
    assert [f.id for f in _review(case)] == [FINDING]


def test_a_resume_above_the_table_names_the_restart_dose():
    plan, findings = _with_plan(_held(40, 25))
    assert (plan.action.value, plan.dose_mg) == ("resume", 20)
    assert [f.id for f in findings] == [FINDING]
    assert findings[0].summary.startswith("Restart dose, 20 mg once daily")


def test_a_stop_decision_needs_no_review():
    stop_plan = _with_plan(_case(40, dose=20, days_ago=336, indication="fl"))[0]
    assert stop_plan.action.value == "stop"
    case = _case(40, dose=25)
    renal, _ = assess_renal(case, KB)
    assert review_dose_against_renal_function(case, renal, KB, plan=stop_plan) == []


# --- through assess ------------------------------------------------------------------------------


def test_the_review_reaches_the_assessment():
    assessment = assess(_case(40, dose=25), KB)
    found = [f for f in assessment.findings if f.id == FINDING]
    assert len(found) == 1
    assert found[0].status is Status.LABEL_OLD


def test_verified_only_keeps_the_label_old_review_and_drops_the_unverified_one():
    kept = assess(_case(40, dose=25), KB, verified_only=True)
    dropped = assess(_case(20, dose=10), KB, verified_only=True)
    assert FINDING in {f.id for f in kept.findings}
    assert FINDING not in {f.id for f in dropped.findings}
    assert FINDING in {o.id for o in dropped.omitted}


# --- property ------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    indication=st.sampled_from(
        ["mm_combination", "mm_maintenance", "mds_del5q", "mcl", "fl", "mzl"]
    ),
    crcl=st.floats(min_value=3, max_value=150),
    on_dialysis=st.booleans(),
    dose=st.sampled_from([2.5, 5, 10, 15, 20, 25]),
    frequency=st.sampled_from(["daily", "every_48h"]),
    days_ago=st.integers(min_value=0, max_value=400),
)
def test_the_review_never_raises_and_warns_only_above_the_table(
    indication, crcl, on_dialysis, dose, frequency, days_ago
):
    case = _case(
        crcl,
        dose=dose,
        frequency=frequency,
        days_ago=days_ago,
        indication=indication,
        on_dialysis=on_dialysis,
    )
    findings = _review(case)
    assert len(findings) <= 1
    for finding in (f for f in findings if f.id == FINDING):
        per_two_days = dose if frequency == "every_48h" else 2 * dose
        table = finding.inputs["table_dose_mg"]
        table_two_days = table if finding.inputs["table_frequency"] == "every_48h" else 2 * table
        assert per_two_days > table_two_days


def test_the_bundled_example_shows_the_review():
    from pathlib import Path

    from lenaguard.caseio import load_case

    path = Path(__file__).resolve().parents[2] / "examples" / "mm-renal-fall-on-treatment.yaml"
    assessment = assess(load_case(path, today=AS_OF), KB)
    assert assessment.renal.band.value == "moderate"
    assert assessment.renal.crcl_ml_min == pytest.approx((140 - 71) * 74 / (72 * 1.6))
    assert assessment.dose.action.value == "continue"
    finding = next(f for f in assessment.findings if f.id == FINDING)
    assert finding.status is Status.LABEL_OLD
    assert "25 mg once daily" in finding.summary and "10 mg once daily" in finding.summary
