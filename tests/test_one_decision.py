"""One answer, one decision: the dose panel, readiness, the calendar, the monitoring list and
the findings never disagree — over every example and hundreds of generated cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import Assessment, assess
from lenaguard.caseio import load_case
from lenaguard.knowledge import default_knowledge
from lenaguard.rules.base.course import CourseStatus
from lenaguard.vocab import DoseAction, Readiness, Severity
from tests.factories import make_case
from tests.test_assess_properties import cases

KB = default_knowledge()
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check_one_decision(result: Assessment) -> None:
    """Every invariant of the whole answer; raises AssertionError naming the first broken one."""
    blocking_findings = [f for f in result.findings if f.id in result.blocking]
    dose = result.dose

    # 1. Nothing blocks while the dose panel gives the drug.
    if dose is not None and dose.action.gives_drug:
        assert not blocking_findings, f"{dose.action} under {[f.id for f in blocking_findings]}"
        assert not result.blocking
    # 2. Readiness: one boolean and one state that say the same.
    assert result.ready_to_prescribe == (result.readiness is Readiness.READY)
    if result.readiness is Readiness.READY:
        assert dose is not None and dose.action.gives_drug and not result.blocking
    if result.blocking:
        assert result.readiness is Readiness.NOT_READY
    if dose is None and not result.blocking:
        assert result.readiness is Readiness.NOT_DETERMINED
    # 3. A plan that withholds the drug is never "ready", and it names why.
    if dose is not None and not dose.action.gives_drug:
        assert result.blocking, f"{dose.action} with nothing in `blocking`"
        assert dose.dose_mg is None
    # 4. do_not_start only for a course that never started; stop only for one that did.
    if dose is not None and dose.action is DoseAction.DO_NOT_START:
        assert result.course_status is CourseStatus.NOT_STARTED
    if dose is not None and dose.action is DoseAction.STOP:
        assert result.course_status is not CourseStatus.NOT_STARTED
    # 5. The calendar follows the final plan: no dosing day unless the drug is given.
    if dose is None or not dose.action.gives_drug:
        assert all(day.dose_mg is None for day in result.calendar)
    # 6. Every test a finding asks for by a date is in monitoring, due on or before that date,
    #    and on the calendar when the date falls inside it.
    calendar_tests = {(day.date, test) for day in result.calendar for test in day.tests_due}
    for finding in result.findings:
        for wanted in finding.tests_due:
            assert any(
                item.test == wanted.test and item.due <= wanted.by for item in result.monitoring
            ), f"{finding.id} asks for {wanted.test} by {wanted.by}: not in monitoring"
            if result.calendar and result.calendar[0].date <= wanted.by:
                assert any(
                    test == wanted.test and when <= wanted.by for when, test in calendar_tests
                ), f"{finding.id}: {wanted.test} by {wanted.by} not on the calendar"
    # 7. Actions: blockers first, then critical, then warnings; each from a finding.
    ids = {f.id for f in result.findings}
    keys = [(not a.blocking, SEVERITY_RANK[a.severity]) for a in result.actions]
    assert keys == sorted(keys)
    assert all(a.finding_id in ids for a in result.actions)
    assert {a.finding_id for a in result.actions if a.blocking} == {f.id for f in blocking_findings}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_gives_one_decision(path):
    check_one_decision(assess(load_case(path, today=dt.date(2026, 11, 20)), KB))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_generated_cases_give_one_decision(case, verified_only):
    check_one_decision(assess(case, KB, verified_only=verified_only))


@pytest.mark.parametrize(
    "symptoms",
    [["chest_pain"], ["shortness_of_breath"], ["leg_swelling"], ["fever"]],
)
def test_a_blocking_symptom_holds_a_dose_that_would_continue(symptoms):
    case = make_case(
        therapy={"events": [{"date": "2026-11-02", "event": "start", "dose_mg": 25}]},
        labs=[
            {"test": "creatinine", "value": 1.0, "unit": "mg/dL", "date": "2026-11-18"},
            {"test": "anc", "value": 2000, "unit": "/uL", "date": "2026-11-18"},
            {"test": "platelets", "value": 150000, "unit": "/uL", "date": "2026-11-18"},
        ],
        symptoms=symptoms,
    )
    result = assess(case, KB)
    blockers = [f for f in result.findings if f.id in result.blocking]
    if not blockers:  # this symptom does not block here: the dose stands
        assert result.dose.action.gives_drug
        return
    assert result.dose.action is DoseAction.HOLD
    assert result.dose.rule == blockers[0].id
    assert "Do not give until" in result.dose.reason
    assert result.readiness is Readiness.NOT_READY
    check_one_decision(result)


def test_the_check_catches_a_contradiction():
    """The invariant checker must be able to fail: a continue under a blocking finding."""
    path = next(p for p in EXAMPLES if p.stem == "frp-not-ready")
    result = assess(load_case(path, today=dt.date(2026, 11, 20)), KB)
    assert result.blocking
    broken = result.model_copy(
        update={"dose": result.dose.model_copy(update={"action": DoseAction.START, "dose_mg": 25})}
    )
    with pytest.raises(AssertionError):
        check_one_decision(broken)
