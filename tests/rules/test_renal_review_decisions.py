"""The review of an ongoing dose against the renal table pinned exactly (issue 7): which dose is
reviewed (today's continue, restart or hold decision, or the course's dose), the finding whole
(inputs, the two-day comparison, the dialysis timing, the closing advice) and the escalation
note's inputs.

Written against the mutants that survived `python benchmarks/mutation.py renal_review` (see
docs/mutation.md). Facts §2 (renal starting doses: MM moderate 10 mg daily, 15 mg allowed after 2
cycles; severe 15 mg every 48 hours; dialysis 5 mg daily, after dialysis on dialysis days) and
§3 (a first neutropenia on 25 mg restarts lower).
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.rules.dose.renal_review import review_dose_against_renal_function
from lenaguard.vocab import DoseAction
from tests.factories import lab, make_case

KB = default_knowledge()
AS_OF = dt.date(2026, 11, 20)
CLOSING = (
    " The label sets only the starting dose by creatinine clearance; later changes follow "
    "tolerance. Lenalidomide is cleared by the kidneys, so review this dose against the current "
    "renal function and how it is tolerated."
)


def course(crcl: float, dose: float, *, days_ago: int = 10, held: bool = False, **extra):
    """Male, 68 y, 60 kg: CrCl = 60 / SCr; counts as given in `labs` (default: good)."""
    start = (AS_OF - dt.timedelta(days=days_ago)).isoformat()
    events = [{"date": start, "event": "start", "dose_mg": dose}]
    if held:
        events.append({"date": "2026-11-15", "event": "hold", "reason": "neutropenia"})
    labs = extra.pop("labs", [lab("anc", 2000, "/uL"), lab("platelets", 150000, "/uL")])
    on_dialysis = extra.pop("on_dialysis", False)
    return make_case(
        patient={"age_years": 68, "weight_kg": 60, "on_dialysis": on_dialysis},
        therapy={"events": events},
        labs=[lab("creatinine", 60 / crcl, "mg/dL"), *labs],
        **extra,
    )


def review(case, *, with_plan: bool = False):
    renal, _ = assess_renal(case, KB)
    plan = ongoing_dose(case, KB)[0] if with_plan else None
    return plan, review_dose_against_renal_function(case, renal, KB, plan=plan)


def test_a_dose_above_the_moderate_start_is_reviewed_whole():
    _, (finding,) = review(course(40, 25))
    assert finding.summary == (
        "Current dose, 25 mg once daily, is above the renal starting dose for the moderate band: "
        "10 mg once daily."
    )
    assert finding.detail.startswith(
        "Renal function: CrCl 40 mL/min. For the moderate band (from 30 to < 60 mL/min) the "
        "label's renal table starts at 10 mg once daily. The table allows"
    )
    assert finding.detail.endswith(CLOSING)
    assert finding.inputs == {
        "reviewed_dose": "Current dose",
        "current_dose_mg": 25,
        "current_frequency": "daily",
        "course_status": "active",
        "band": "moderate",
        "crcl_ml_min": 40,
        "table_dose_mg": 10,
        "table_frequency": "daily",
        "cycles_completed": 0,
    }


def test_a_daily_dose_against_an_every_48_hours_start_is_compared_over_two_days():
    _, (finding,) = review(course(20, 25))
    assert finding.detail == (
        "Renal function: CrCl 20 mL/min. For the severe band (< 30 mL/min, not on dialysis) the "
        "label's renal table starts at 15 mg every 48 hours. Compared as the total over two days: "
        f"50 mg against 15 mg.{CLOSING}"
    )


def test_on_dialysis_the_table_dose_is_given_after_dialysis():
    _, (finding,) = review(course(5, 25, on_dialysis=True))
    assert finding.detail == (
        "Renal function: on dialysis. For the dialysis band (on dialysis) the label's renal table "
        f"starts at 5 mg once daily; on dialysis days, after dialysis.{CLOSING}"
    )


def test_a_held_course_without_a_decision_is_reviewed_on_the_dose_before_the_hold():
    _, (finding,) = review(course(40, 25, held=True, labs=[lab("anc", 500, "/uL")]))
    assert finding.summary.startswith("Dose before the hold, 25 mg once daily, is above")
    assert (finding.inputs["reviewed_dose"], finding.inputs["course_status"]) == (
        "Dose before the hold",
        "held",
    )


def test_a_continue_decision_is_reviewed_as_the_current_dose():
    plan, (finding,) = review(course(40, 25), with_plan=True)
    assert plan.action is DoseAction.CONTINUE
    assert finding.inputs["reviewed_dose"] == "Current dose"


def test_a_hold_with_a_restart_dose_is_reviewed_on_that_dose():
    plan, (finding,) = review(course(40, 25, labs=[lab("anc", 500, "/uL")]), with_plan=True)
    assert (plan.action, plan.resume.dose_mg) == (DoseAction.HOLD, 20)
    assert finding.summary.startswith("Restart dose, 20 mg once daily, is above")
    assert (finding.inputs["reviewed_dose"], finding.inputs["current_dose_mg"]) == (
        "Restart dose",
        20,
    )


def test_a_hold_without_a_restart_dose_is_reviewed_on_the_current_dose():
    plan, (finding,) = review(course(40, 25, symptoms=["blistering_rash"]), with_plan=True)
    assert (plan.action, plan.resume.dose_mg) == (DoseAction.HOLD, None)
    assert finding.summary.startswith("Current dose, 25 mg once daily, is above")


def test_with_a_continue_decision_the_escalation_note_is_given_after_two_cycles_at_10_mg():
    plan, findings = review(course(40, 10, days_ago=56), with_plan=True)
    assert plan.action is DoseAction.CONTINUE
    (note,) = findings
    assert note.id == "dosing.renal_escalation_allowed"
    assert note.inputs == {"cycles_completed": 2, "band": "moderate", "dose_mg": 10}
