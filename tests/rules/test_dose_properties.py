"""Properties of the ongoing-dose decision over random valid timelines and lab series.

For any valid course: no exception; a proposed dose is never below the indication's floor nor
above the course's starting dose; a restart is only proposed when the counts have recovered;
the plan is internally consistent (hold → no dose and a restart plan, stop → nothing to give).
Floors, ladders and restart levels below are written from the facts file (§3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.course import CourseStatus, current_course
from lenaguard.rules.ongoing_dose import ongoing_dose
from lenaguard.vocab import DoseAction, LabTest
from tests.factories import make_case

# Starting doses the label allows (label start and the renal-band starts, facts §1–§2).
STARTS: dict[str, list[tuple[float, str]]] = {
    "mm_combination": [(25, "daily"), (10, "daily"), (15, "every_48h"), (5, "daily")],
    "mcl": [(25, "daily"), (10, "daily"), (15, "every_48h"), (5, "daily")],
    "fl": [(20, "daily"), (10, "daily"), (5, "daily")],
    "mzl": [(20, "daily"), (10, "daily"), (5, "daily")],
    "mm_maintenance": [(10, "daily"), (5, "daily"), (2.5, "daily")],
    "mds_del5q": [(10, "daily"), (5, "daily"), (2.5, "daily")],
}
# Dose ladders (facts §3).
LADDER: dict[str, list[float]] = {
    "mm_combination": [25, 20, 15, 10, 5, 2.5],
    "mm_maintenance": [15, 10, 5],
    "mds_del5q": [10, 5, 2.5],
    "mcl": [25, 20, 15, 10, 5],
    "fl": [20, 15, 10, 5, 2.5],
    "mzl": [20, 15, 10, 5, 2.5],
}
# Dosing days of each cycle (facts §1).
DAYS = {"mm_maintenance": 28, "mds_del5q": 28}


def floor_mg_days(indication: str, start: float) -> float:
    """The floor as mg per cycle (dose × dosing days), facts §3."""
    if indication == "mm_maintenance":
        return 5 * 21
    if indication == "mds_del5q":
        return 2.5 * 28
    if indication in ("fl", "mzl"):
        return (2.5 if start == 10 else 5) * 21
    if indication == "mcl":
        return 5 * 21
    return 2.5 * 21


# Lowest restart level of each indication's tables (facts §3).
MIN_RESUME = {
    "mm_combination": {LabTest.PLATELETS: 30_000, LabTest.ANC: 1_000},
    "mm_maintenance": {LabTest.PLATELETS: 30_000, LabTest.ANC: 500},
    "mds_del5q": {LabTest.PLATELETS: 30_000, LabTest.ANC: 500},
    "mcl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 1_000},
    "fl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 1_000},
    "mzl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 1_000},
}
# Counts that interrupt with no further condition (facts §3), MDS aside (baseline rows).
ALWAYS_INTERRUPTS = {
    "mm_combination": {LabTest.PLATELETS: 30_000, LabTest.ANC: 1_000},
    "mm_maintenance": {LabTest.PLATELETS: 30_000, LabTest.ANC: 500},
    "mcl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 500},
    "fl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 500},
    "mzl": {LabTest.PLATELETS: 50_000, LabTest.ANC: 500},
}
REASON_TEST = {"thrombocytopenia": LabTest.PLATELETS, "neutropenia": LabTest.ANC}

PLATELETS = st.one_of(
    st.sampled_from([120_000, 180_000, 250_000, 75_000]),
    st.sampled_from([29_999, 30_000, 49_999, 50_000, 59_999, 60_000, 99_999, 100_000]),
    st.integers(0, 400_000),
)
ANC = st.one_of(
    st.sampled_from([1_500, 2_500, 4_000, 1_200]),
    st.sampled_from([499, 500, 749, 750, 999, 1_000]),
    st.integers(0, 6_000),
)
EPOCH = dt.date(2026, 1, 1)
RARELY = st.sampled_from([False, False, False, True])
SELDOM = st.sampled_from([False] * 19 + [True])
SYMPTOMS = st.one_of(
    st.just([]),
    st.just([]),
    st.just([]),
    st.lists(st.sampled_from(["fever", "bleeding", "blistering_rash"]), unique=True),
)
KINDS = st.one_of(
    st.sampled_from(["other", "rash", "tumor_flare", "hepatotoxicity"]),
    st.sampled_from(["other", "rash", "tumor_flare", "hepatotoxicity", "sjs", "angioedema"]),
)


@st.composite
def cases(draw, held_for_counts: bool = False) -> dict[str, Any]:
    """A valid case; with `held_for_counts`, one held for a low count with a blood count since."""
    indication = draw(st.sampled_from(sorted(STARTS)))
    start_dose, frequency = draw(st.sampled_from(STARTS[indication]))
    day = draw(st.integers(0, 200))
    start: dict[str, Any] = {
        "date": (EPOCH + dt.timedelta(days=day)).isoformat(),
        "event": "start",
        "dose_mg": start_dose,
    }
    if frequency != "daily":
        start["frequency"] = frequency
    if indication == "mm_maintenance" and start_dose == 5 and draw(st.booleans()):
        start["days_on"] = [1, 21]
    events = [start]
    dose = start_dose
    for _ in range(draw(st.integers(0, 4))):
        day += draw(st.integers(1, 30))
        reason = draw(st.sampled_from(["thrombocytopenia", "neutropenia", "other_toxicity"]))
        events.append(
            {
                "date": (EPOCH + dt.timedelta(days=day)).isoformat(),
                "event": "hold",
                "reason": reason,
            }
        )
        if draw(RARELY):
            break  # still held
        day += draw(st.integers(1, 21))
        lower = [d for d in LADDER[indication] if d <= dose] or [dose]
        dose = draw(st.sampled_from(lower))
        resume: dict[str, Any] = {
            "date": (EPOCH + dt.timedelta(days=day)).isoformat(),
            "event": "resume",
            "dose_mg": dose,
        }
        if frequency != "daily":
            resume["frequency"] = frequency
        events.append(resume)
    if held_for_counts and events[-1]["event"] != "hold":
        day += draw(st.integers(1, 30))
        reason = draw(st.sampled_from(["thrombocytopenia", "neutropenia"]))
        events.append(
            {
                "date": (EPOCH + dt.timedelta(days=day)).isoformat(),
                "event": "hold",
                "reason": reason,
            }
        )
    elif held_for_counts:
        events[-1]["reason"] = draw(st.sampled_from(["thrombocytopenia", "neutropenia"]))
    elif draw(SELDOM):
        day += draw(st.integers(1, 10))
        events.append({"date": (EPOCH + dt.timedelta(days=day)).isoformat(), "event": "stop"})
    as_of = EPOCH + dt.timedelta(days=day + draw(st.integers(0, 40)))
    labs = []
    if held_for_counts or not draw(RARELY):  # usually a blood count on the assessment date
        labs.append(
            {
                "test": "platelets",
                "value": draw(PLATELETS),
                "unit": "/uL",
                "date": as_of.isoformat(),
            }
        )
        labs.append({"test": "anc", "value": draw(ANC), "unit": "/uL", "date": as_of.isoformat()})
    for _ in range(draw(st.integers(0, 5))):
        when = as_of - dt.timedelta(days=draw(st.integers(0, 60)))
        if draw(st.booleans()):
            labs.append(
                {
                    "test": "platelets",
                    "value": draw(PLATELETS),
                    "unit": "/uL",
                    "date": when.isoformat(),
                }
            )
        if draw(st.booleans()):
            labs.append(
                {"test": "anc", "value": draw(ANC), "unit": "/uL", "date": when.isoformat()}
            )
    therapy: dict[str, Any] = {"events": events}
    if held_for_counts:
        therapy["other_toxicity"] = {"grade": draw(st.integers(0, 2)), "kind": "other"}
    elif draw(st.booleans()):
        therapy["other_toxicity"] = {
            "grade": draw(st.integers(0, 4)),
            "kind": draw(KINDS),
        }
    data: dict[str, Any] = {
        "indication": indication,
        "as_of": as_of.isoformat(),
        "therapy": therapy,
        "labs": labs,
        "symptoms": draw(st.sampled_from([[], ["fever"]]) if held_for_counts else SYMPTOMS),
    }
    if draw(st.booleans()):
        data["transfusions"] = [
            {
                "date": (as_of - dt.timedelta(days=draw(st.integers(0, 20)))).isoformat(),
                "kind": "platelets",
                "units": 1,
            }
        ]
    return data


def _days(indication: str, days_on) -> int:
    if days_on is not None:
        return days_on[1] - days_on[0] + 1
    return DAYS.get(indication, 21)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_no_exception_and_a_consistent_plan(data):
    case = make_case(**data)
    plan, findings = ongoing_dose(case, default_knowledge())
    assert plan.citations and plan.reason and plan.rule
    if plan.action is DoseAction.HOLD:
        assert plan.dose_mg is None and plan.resume is not None
    if plan.action is DoseAction.STOP:
        assert plan.dose_mg is None and plan.resume is None
    if plan.action in (DoseAction.CONTINUE, DoseAction.RESUME):
        assert plan.dose_mg is not None and plan.resume is None
    course = current_course(case)
    if course.status is CourseStatus.STOPPED:
        assert plan.action is DoseAction.STOP
    if plan.action is DoseAction.RESUME:
        assert course.status is CourseStatus.HELD
    if plan.action is DoseAction.CONTINUE:
        assert course.status is CourseStatus.ACTIVE
        assert plan.dose_mg == course.dose_mg
    assert all(finding.citations for finding in findings)


@SETTINGS
@given(cases())
def test_proposed_doses_stay_between_the_floor_and_the_starting_dose(data):
    case = make_case(**data)
    plan, _ = ongoing_dose(case, default_knowledge())
    course = current_course(case)
    indication = data["indication"]
    proposals = []
    if plan.action is DoseAction.RESUME:
        proposals.append((plan.dose_mg, plan.days_on))
    if plan.resume is not None and plan.resume.dose_mg is not None:
        proposals.append((plan.resume.dose_mg, plan.resume.days_on))
    for dose, days_on in proposals:
        assert dose <= course.start_dose_mg
        assert dose <= course.dose_mg
        assert dose * _days(indication, days_on) >= floor_mg_days(indication, course.start_dose_mg)


@SETTINGS
@given(st.one_of(cases(), cases(held_for_counts=True)))
def test_a_restart_is_proposed_only_when_the_counts_have_recovered(data):
    case = make_case(**data)
    plan, _ = ongoing_dose(case, default_knowledge())
    if plan.action is not DoseAction.RESUME:
        return
    course = current_course(case)
    indication = data["indication"]
    current = {test: case.latest(test) for test in (LabTest.PLATELETS, LabTest.ANC)}
    for result in current.values():
        assert result is not None and result.date >= course.held_since
    reason_test = REASON_TEST.get(course.hold_reason.value)
    if reason_test is not None:
        assert current[reason_test].canonical_value >= MIN_RESUME[indication][reason_test]
    for test, limit in ALWAYS_INTERRUPTS.get(indication, {}).items():
        assert current[test].canonical_value >= limit
    toxicity = case.therapy.other_toxicity
    assert toxicity is None or toxicity.grade < 3
    assert "blistering_rash" not in data["symptoms"]


@SETTINGS
@given(cases())
def test_low_counts_never_continue_unchanged(data):
    case = make_case(**data)
    plan, _ = ongoing_dose(case, default_knowledge())
    if plan.action is not DoseAction.CONTINUE:
        return
    indication = data["indication"]
    course = current_course(case)
    for test, limit in ALWAYS_INTERRUPTS.get(indication, {}).items():
        latest = case.latest(test)
        if latest is not None and latest.date >= course.events[-1].date:
            assert latest.canonical_value >= limit


@SETTINGS
@given(cases(held_for_counts=True))
def test_a_held_course_with_recovered_counts_restarts_or_names_the_floor(data):
    """Held for a count, the count now at the restart level, nothing else wrong → restart,
    unless the label has no lower dose (then the prescriber decides)."""
    case = make_case(**data)
    plan, findings = ongoing_dose(case, default_knowledge())
    course = current_course(case)
    indication = data["indication"]
    if indication == "mds_del5q" or course.status is not CourseStatus.HELD:
        return
    latest = {test: case.latest(test).canonical_value for test in (LabTest.PLATELETS, LabTest.ANC)}
    recovered = all(latest[test] >= MIN_RESUME[indication][test] for test in latest)
    fell_since_hold = any(
        result.date >= course.held_since
        and result.canonical_value < ALWAYS_INTERRUPTS[indication][result.lab_test]
        for result in case.labs
        if result.lab_test in latest and result.date < case.as_of
    )
    persisting = any(
        result.lab_test is LabTest.ANC
        and result.canonical_value < MIN_RESUME[indication][LabTest.ANC]
        for result in case.labs
        if result.date < case.as_of
    )
    if recovered and not fell_since_hold and not persisting:
        if plan.action is DoseAction.HOLD:
            assert plan.resume.dose_mg is None
            assert "dosing.floor_reached" in {finding.id for finding in findings}
        else:
            assert plan.action is DoseAction.RESUME


@st.composite
def unusual_cases(draw) -> dict[str, Any]:
    """Valid but unusual cases: any capsule strength, frequency and dosing days on any event."""
    data = draw(cases())
    for event in data["therapy"]["events"]:
        if "dose_mg" in event:
            event["dose_mg"] = draw(st.sampled_from([2.5, 5, 10, 15, 20, 25]))
            event["frequency"] = draw(st.sampled_from(["daily", "every_48h"]))
            if draw(st.booleans()):
                event["days_on"] = [draw(st.integers(0, 40)), draw(st.integers(0, 40))]
    data["patient"] = {
        "id": "unusual",
        "sex": "female",
        "age_years": 70,
        "on_dialysis": draw(st.booleans()),
    }
    data["conditions"] = {
        "lenalidomide_hypersensitivity": draw(st.sampled_from([None, False, True])),
        "prior_thalidomide_grade4_rash": draw(st.sampled_from([None, False, True])),
        "high_tumor_burden": draw(st.sampled_from([None, False, True])),
    }
    return data


@SETTINGS
@given(unusual_cases())
def test_no_exception_for_unusual_valid_cases(data):
    case = make_case(**data)
    plan, findings = ongoing_dose(case, default_knowledge())
    assert plan.citations
    if plan.action in (DoseAction.HOLD, DoseAction.STOP):
        assert plan.dose_mg is None
    if True in (
        case.conditions.lenalidomide_hypersensitivity,
        case.conditions.prior_thalidomide_grade4_rash,
    ):
        assert plan.action is DoseAction.STOP
