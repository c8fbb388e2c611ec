"""The safety gate's decisions pinned exactly (issue 7): which findings turn the dose rules'
plan into a hold, a stop or do-not-start, and everything the final plan then says.

`apply_safety_gate` is a pure function of the dose rules' plan and the findings, so these tests
call it directly with small plans and findings built here: the action, the dose (none while
the drug is withheld), the schedule carried over, the resume plan, the reason, the rule, the
status and the citations of the finding that decided.
"""

from __future__ import annotations

import pytest

from lenaguard.findings import Finding
from lenaguard.knowledge import Status
from lenaguard.knowledge.base import Citation
from lenaguard.rules.base.results import DosePlan, ResumePlan
from lenaguard.rules.dose.gate import apply_safety_gate
from lenaguard.vocab import Category, DoseAction, Frequency, Severity

PLAN_CITATION = Citation(source="uspi", section="§2.1")
REMS_CITATION = Citation(source="lenalidomide_rems", section="Pregnancy testing")


def finding(
    finding_id: str,
    summary: str,
    *,
    requires: DoseAction | None = None,
    status: Status = Status.LABEL,
) -> Finding:
    """A finding that may require a dose action (blocking is decided by the caller)."""
    return Finding(
        id=finding_id,
        category=Category(finding_id.partition(".")[0]),
        severity=Severity.CRITICAL,
        summary=summary,
        detail="Detail.",
        status=status,
        citations=[REMS_CITATION],
        requires_dose_action=requires,
    )


def plan(action: DoseAction = DoseAction.CONTINUE, **fields) -> DosePlan:
    """A dose rules' plan: 25 mg every 48 hours on days 1–21 of 28, after dialysis."""
    values = {
        "dose_mg": 25.0,
        "frequency": Frequency.EVERY_48H,
        "days_on": (1, 21),
        "cycle_days": 28,
        "after_dialysis": True,
        "reason": "Counts are fine.",
        "rule": "dose_modification.mm_combination.continue",
        "status": Status.LABEL_OLD,
        "citations": [PLAN_CITATION],
    }
    values.update(fields)
    return DosePlan(action=action, **values)


MISSED_PERIOD = finding(
    "pregnancy.missed_period", "Missed period: evaluate.", requires=DoseAction.HOLD
)
PREGNANT = finding("pregnancy.positive_test", "Positive pregnancy test", requires=DoseAction.STOP)
NO_TEST = finding("pregnancy.test_missing", "No pregnancy test.", status=Status.UNVERIFIED)
CLOT = finding("thrombosis.clot_symptoms", "Symptoms of a clot.")
RASH = finding("symptom.rash", "A rash blocks it.")


# --- nothing to apply ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", [DoseAction.CONTINUE, DoseAction.HOLD, DoseAction.STOP])
def test_a_plan_without_demanding_or_blocking_findings_is_unchanged(action):
    given = plan(action)
    assert apply_safety_gate(given, [CLOT], blocking=[], started=True) == given


def test_no_plan_and_nothing_demanding_stays_no_plan():
    assert apply_safety_gate(None, [CLOT], blocking=[], started=False) is None


# --- findings that require a hold or a stop -----------------------------------------------------


def test_a_required_hold_withholds_a_continuing_dose_and_keeps_its_schedule():
    final = apply_safety_gate(plan(), [CLOT, MISSED_PERIOD], blocking=[], started=True)
    assert final == DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=Frequency.EVERY_48H,
        days_on=(1, 21),
        cycle_days=28,
        after_dialysis=True,
        resume=ResumePlan(
            when="the evaluation that pregnancy.missed_period asks for is complete",
            dose_mg=25.0,
            frequency=Frequency.EVERY_48H,
            days_on=(1, 21),
        ),
        reason="Missed period: evaluate. This overrides the dose rules' 'continue'.",
        rule="pregnancy.missed_period",
        status=Status.LABEL,
        citations=[REMS_CITATION],
    )


def test_a_required_hold_without_a_dose_plan_holds_with_no_schedule():
    final = apply_safety_gate(None, [MISSED_PERIOD], blocking=[], started=True)
    assert final == DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=None,
        days_on=None,
        cycle_days=None,
        after_dialysis=False,
        resume=ResumePlan(
            when="the evaluation that pregnancy.missed_period asks for is complete",
            dose_mg=None,
            frequency=Frequency.DAILY,
            days_on=None,
        ),
        reason="Missed period: evaluate.",
        rule="pregnancy.missed_period",
        status=Status.LABEL,
        citations=[REMS_CITATION],
    )


def test_a_resume_after_a_required_hold_is_daily_when_the_plan_names_no_frequency():
    final = apply_safety_gate(
        plan(frequency=None, days_on=None), [MISSED_PERIOD], blocking=[], started=True
    )
    assert final.resume == ResumePlan(
        when="the evaluation that pregnancy.missed_period asks for is complete",
        dose_mg=25.0,
        frequency=Frequency.DAILY,
        days_on=None,
    )


def test_the_resume_dose_falls_back_to_the_plans_own_resume_dose():
    """A plan with no dose now (the prescriber chooses) keeps the restart dose it planned."""
    given = plan(DoseAction.RESUME, dose_mg=None, resume=ResumePlan(when="now", dose_mg=15.0))
    final = apply_safety_gate(given, [MISSED_PERIOD], blocking=[], started=True)
    assert final.resume.dose_mg == 15.0
    unplanned = plan(DoseAction.RESUME, dose_mg=None)
    assert apply_safety_gate(unplanned, [MISSED_PERIOD], blocking=[], started=True).resume == (
        ResumePlan(
            when="the evaluation that pregnancy.missed_period asks for is complete",
            dose_mg=None,
            frequency=Frequency.EVERY_48H,
            days_on=(1, 21),
        )
    )


@pytest.mark.parametrize("action", [DoseAction.START, DoseAction.RESUME])
def test_a_required_hold_overrides_every_action_that_gives_the_drug(action):
    final = apply_safety_gate(plan(action), [MISSED_PERIOD], blocking=[], started=True)
    assert (final.action, final.dose_mg, final.rule) == (
        DoseAction.HOLD,
        None,
        "pregnancy.missed_period",
    )
    assert final.reason == f"Missed period: evaluate. This overrides the dose rules' '{action}'."


def test_a_required_hold_leaves_a_hold_of_the_dose_rules_as_it_is():
    given = plan(DoseAction.HOLD, dose_mg=None, resume=ResumePlan(when="ANC ≥ 1,000", dose_mg=20))
    assert apply_safety_gate(given, [MISSED_PERIOD], blocking=[], started=True) == given


def test_a_required_hold_leaves_a_stop_of_the_dose_rules_as_it_is():
    given = plan(DoseAction.STOP, dose_mg=None)
    assert apply_safety_gate(given, [MISSED_PERIOD], blocking=[], started=True) == given


@pytest.mark.parametrize(
    "findings",
    [(MISSED_PERIOD, PREGNANT), (PREGNANT, MISSED_PERIOD)],
    ids=["hold first", "stop first"],
)
def test_the_strictest_required_action_wins_whatever_the_order(findings):
    final = apply_safety_gate(plan(), list(findings), blocking=[], started=True)
    assert final == DosePlan(
        action=DoseAction.STOP,
        dose_mg=None,
        frequency=Frequency.EVERY_48H,
        days_on=(1, 21),
        cycle_days=28,
        after_dialysis=True,
        resume=None,
        reason="Positive pregnancy test. This overrides the dose rules' 'continue'.",
        rule="pregnancy.positive_test",
        status=Status.LABEL,
        citations=[REMS_CITATION],
    )


def test_a_required_stop_overrides_a_hold_of_the_dose_rules():
    given = plan(DoseAction.HOLD, dose_mg=None, resume=ResumePlan(when="later", dose_mg=20))
    final = apply_safety_gate(given, [PREGNANT], blocking=[], started=True)
    assert (final.action, final.resume, final.rule) == (
        DoseAction.STOP,
        None,
        "pregnancy.positive_test",
    )
    assert final.reason == "Positive pregnancy test. This overrides the dose rules' 'hold'."


def test_of_two_findings_requiring_a_stop_the_first_decides():
    other = finding("toxicity.other_stop", "Stopped for drug X.", requires=DoseAction.STOP)
    final = apply_safety_gate(plan(), [PREGNANT, other], blocking=[], started=True)
    assert final.rule == "pregnancy.positive_test"
    final = apply_safety_gate(plan(), [other, PREGNANT], blocking=[], started=True)
    assert final.rule == "toxicity.other_stop"
    # Only the full stop of the summary is replaced: "drug X." keeps its X.
    assert final.reason == "Stopped for drug X. This overrides the dose rules' 'continue'."


# --- blocking findings --------------------------------------------------------------------------


@pytest.mark.parametrize("action", [DoseAction.START, DoseAction.CONTINUE, DoseAction.RESUME])
def test_a_blocking_finding_holds_a_plan_that_gives_the_drug(action):
    final = apply_safety_gate(plan(action), [NO_TEST], blocking=[NO_TEST], started=True)
    assert final == DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=Frequency.EVERY_48H,
        days_on=(1, 21),
        cycle_days=28,
        after_dialysis=True,
        resume=ResumePlan(
            when="pregnancy.test_missing is resolved",
            dose_mg=25.0,
            frequency=Frequency.EVERY_48H,
            days_on=(1, 21),
        ),
        reason=(
            "Do not give until this is resolved: No pregnancy test. "
            f"This overrides the dose rules' '{action}'."
        ),
        rule="pregnancy.test_missing",
        status=Status.UNVERIFIED,
        citations=[REMS_CITATION],
    )


@pytest.mark.parametrize(
    ("blocking", "when"),
    [
        ((NO_TEST, CLOT), "pregnancy.test_missing is resolved (1 more blocking finding)"),
        (
            (CLOT, NO_TEST, RASH),
            "thrombosis.clot_symptoms is resolved (2 more blocking findings)",
        ),
    ],
)
def test_the_first_blocking_finding_decides_and_the_others_are_counted(blocking, when):
    final = apply_safety_gate(plan(), list(blocking), blocking=list(blocking), started=True)
    assert final.rule == blocking[0].id
    assert final.resume.when == when
    assert final.reason.startswith(f"Do not give until this is resolved: {blocking[0].summary}")


def test_a_blocking_finding_without_a_dose_plan_holds():
    final = apply_safety_gate(None, [CLOT], blocking=[CLOT], started=False)
    assert final == DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        resume=ResumePlan(when="thrombosis.clot_symptoms is resolved", dose_mg=None),
        reason="Do not give until this is resolved: Symptoms of a clot.",
        rule="thrombosis.clot_symptoms",
        status=Status.LABEL,
        citations=[REMS_CITATION],
    )


@pytest.mark.parametrize("action", [DoseAction.HOLD, DoseAction.STOP])
def test_a_blocking_finding_leaves_a_plan_that_withholds_the_drug(action):
    given = plan(action, dose_mg=None)
    assert apply_safety_gate(given, [CLOT], blocking=[CLOT], started=True) == given


def test_a_required_hold_comes_before_the_blocking_findings():
    """The hold a finding requires is already a hold: blocking findings do not rename it."""
    final = apply_safety_gate(plan(), [MISSED_PERIOD, CLOT], blocking=[CLOT], started=True)
    assert final.rule == "pregnancy.missed_period"


# --- stop before the first dose -----------------------------------------------------------------


def test_a_stop_on_a_course_that_never_started_is_do_not_start():
    final = apply_safety_gate(plan(DoseAction.START), [PREGNANT], blocking=[], started=False)
    assert (final.action, final.dose_mg, final.rule) == (
        DoseAction.DO_NOT_START,
        None,
        "pregnancy.positive_test",
    )
    assert final.reason == "Positive pregnancy test. This overrides the dose rules' 'start'."


def test_a_stop_of_the_dose_rules_before_the_first_dose_is_do_not_start():
    given = plan(DoseAction.STOP, dose_mg=None)
    final = apply_safety_gate(given, [], blocking=[], started=False)
    assert final == given.model_copy(update={"action": DoseAction.DO_NOT_START})


def test_a_stop_on_a_started_course_stays_a_stop():
    final = apply_safety_gate(plan(), [PREGNANT], blocking=[], started=True)
    assert final.action is DoseAction.STOP


def test_a_hold_before_the_first_dose_stays_a_hold():
    final = apply_safety_gate(plan(DoseAction.START), [MISSED_PERIOD], blocking=[], started=False)
    assert final.action is DoseAction.HOLD
