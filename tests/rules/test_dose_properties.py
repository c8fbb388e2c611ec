"""Properties of the ongoing-dose decision over random valid timelines and lab series.

Timelines: label and renal starting doses (daily and every 48 hours), documented escalations,
holds for counts or other toxicity, resumes and clinician reductions down the ladder, stops.
Lab series: counts spread from before the start (baselines) to the assessment date, biased to
the thresholds of facts §3.

For any valid course: no exception (also through `assess`); a proposed dose is never below the
indication's floor (mg per cycle, every 48 hours counting half) nor above the course's
starting dose or its documented escalation; a restart is only proposed when the counts have
recovered; every restart is one step lower except a first myeloma neutropenia that was the
only toxicity; the plan is internally consistent (hold → no dose and a restart plan, stop →
nothing to give). Floors, ladders and restart levels below are written from the facts file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as record_event
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.knowledge import default_knowledge
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from lenaguard.vocab import DoseAction, LabTest
from tests.factories import make_case, one_per_test_and_day

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
# Documented escalations (facts §1–§2): starting dose → higher dose, after so many cycles.
# Maintenance 10 → 15 mg after 3 cycles; CrCl 30–60 starts of 10 mg → 15 mg after 2 cycles.
ESCALATION: dict[str, dict[float, tuple[float, int]]] = {
    "mm_maintenance": {10: (15, 3)},
    "mm_combination": {10: (15, 2)},
    "mcl": {10: (15, 2)},
    "fl": {10: (15, 2)},
    "mzl": {10: (15, 2)},
}


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


def _count(draw, test: str, when: dt.date) -> dict[str, Any]:
    value = draw(PLATELETS if test == "platelets" else ANC)
    return {"test": test, "value": value, "unit": "/uL", "date": when.isoformat()}


RECOVERED = {
    "platelets": st.one_of(st.just(50_000), st.integers(50_000, 400_000)),
    "anc": st.one_of(st.just(1_000), st.integers(1_000, 6_000)),
}


@st.composite
def cases(
    draw,
    held_for_counts: bool = False,
    recovered: bool = False,
    indication: str | None = None,
    hold_reason: str | None = None,
) -> dict[str, Any]:
    """A valid case; with `held_for_counts`, one held for a low count with a blood count since;
    with `recovered` too, that blood count is at or above every restart level of facts §3.

    Timelines: a start at a label or renal starting dose (daily or every 48 hours), sometimes a
    documented escalation, then up to five holds for counts or other toxicity, resumes and
    clinician dose changes down the ladder, sometimes a stop. Lab series: blood counts spread
    over the whole course, from before the start (baselines) to the assessment date.
    """
    indication = indication or draw(st.sampled_from(sorted(STARTS)))
    start_dose, frequency = draw(st.sampled_from(STARTS[indication]))
    day = draw(st.integers(0, 200))
    first_day = day

    def on(offset: int) -> str:
        return (EPOCH + dt.timedelta(days=offset)).isoformat()

    def dosing(event: str, dose: float, days_on: list[int] | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"date": on(day), "event": event, "dose_mg": dose}
        if frequency != "daily":
            entry["frequency"] = frequency
        if days_on is not None:
            entry["days_on"] = days_on
        return entry

    start_days = None
    if indication == "mm_maintenance" and start_dose == 5 and draw(st.booleans()):
        start_days = [1, 21]
    events = [dosing("start", start_dose, start_days)]
    dose = start_dose
    escalation = ESCALATION.get(indication, {}).get(start_dose)
    if escalation is not None and frequency == "daily" and draw(st.booleans()):
        to_mg, after_cycles = escalation
        day += 28 * after_cycles + draw(st.integers(0, 20))
        events.append(dosing("dose_change", to_mg))
        dose = to_mg
    for _ in range(draw(st.integers(0, 5))):
        day += draw(st.integers(1, 30))
        if draw(SELDOM):  # a clinician's own reduction, down the ladder
            lower = [d for d in LADDER[indication] if d < dose]
            if lower:
                dose = draw(st.sampled_from(lower))
                events.append(dosing("dose_change", dose))
                continue
        reason = draw(st.sampled_from(["thrombocytopenia", "neutropenia", "other_toxicity"]))
        events.append({"date": on(day), "event": "hold", "reason": reason})
        if draw(RARELY):
            break  # still held
        day += draw(st.integers(1, 42))
        lower = [d for d in LADDER[indication] if d <= dose] or [dose]
        dose = draw(st.sampled_from(lower))
        events.append(dosing("resume", dose))
    count_reasons = st.sampled_from(["thrombocytopenia", "neutropenia"])
    if held_for_counts and events[-1]["event"] != "hold":
        day += draw(st.integers(1, 30))
        reason = hold_reason or draw(count_reasons)
        events.append({"date": on(day), "event": "hold", "reason": reason})
    elif held_for_counts:
        events[-1]["reason"] = hold_reason or draw(count_reasons)
    elif draw(SELDOM):
        day += draw(st.integers(1, 10))
        events.append({"date": on(day), "event": "stop"})
    as_of = EPOCH + dt.timedelta(days=day + draw(st.integers(0, 40)))
    labs = []
    if recovered:
        labs += [
            {"test": test, "value": draw(RECOVERED[test]), "unit": "/uL", "date": as_of.isoformat()}
            for test in ("platelets", "anc")
        ]
    elif held_for_counts or not draw(RARELY):  # usually a blood count on the assessment date
        labs += [_count(draw, "platelets", as_of), _count(draw, "anc", as_of)]
    span = (as_of - EPOCH).days - first_day + 30  # from 30 days before the start
    for _ in range(draw(st.integers(0, 12))):
        when = as_of - dt.timedelta(days=draw(st.integers(1 if recovered else 0, span)))
        for test in ("platelets", "anc"):
            if draw(st.booleans()):
                labs.append(_count(draw, test, when))
    # One result per test and day: two different untimed results on one date are refused.
    labs = one_per_test_and_day(labs)
    therapy: dict[str, Any] = {"events": events}
    if held_for_counts:
        grade = draw(st.sampled_from([0, 0, 1, 2]))
        therapy["other_toxicity"] = {"grade": grade, "kind": "other"}
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


def mg_per_cycle(indication: str, dose: float, days_on, frequency) -> float:
    """Dose × dosing days; every 48 hours gives a dose on every second day (half as much)."""
    per_day = dose / 2 if str(getattr(frequency, "value", frequency)) == "every_48h" else dose
    return per_day * _days(indication, days_on)


def highest_allowed(indication: str, case) -> float:
    """The course's starting dose, or its documented escalation when the timeline has one."""
    course = current_course(case)
    escalation = ESCALATION.get(indication, {}).get(course.start_dose_mg)
    escalated = escalation is not None and any(
        event.event.value == "dose_change" and event.dose_mg == escalation[0]
        for event in course.events
    )
    return escalation[0] if escalated else course.start_dose_mg


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
        assert dose <= highest_allowed(indication, case)
        assert dose <= course.dose_mg
        given = mg_per_cycle(indication, dose, days_on, course.frequency)
        assert given >= floor_mg_days(indication, course.start_dose_mg)
    if plan.action is DoseAction.CONTINUE:
        assert plan.dose_mg <= highest_allowed(indication, case)


@SETTINGS
@given(st.one_of(cases(), cases(held_for_counts=True), cases(held_for_counts=True, recovered=True)))
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
            if draw(st.booleans()):  # any valid dosing days of the 28-day cycle
                first = draw(st.integers(1, 28))
                event["days_on"] = [first, draw(st.integers(first, 28))]
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
    if case.conditions.lenalidomide_hypersensitivity is True:
        assert plan.action is DoseAction.STOP


def _hold_windows(case) -> list[tuple[str, dt.date, dt.date]]:
    """(reason, held on, ended on) of every hold of the current course; open holds end at as_of."""
    course = current_course(case)
    windows: list[tuple[str, dt.date, dt.date]] = []
    for index, event in enumerate(course.events):
        if event.event.value != "hold":
            continue
        later = course.events[index + 1 :]
        ended = later[0].date if later else case.as_of + dt.timedelta(days=1)
        windows.append((event.reason.value, event.date, ended))
    return windows


MM_NEUTROPENIA_RECOVERED = cases(
    held_for_counts=True, recovered=True, indication="mm_combination", hold_reason="neutropenia"
)


@SETTINGS
@given(st.one_of(cases(), cases(held_for_counts=True, recovered=True), MM_NEUTROPENIA_RECOVERED))
def test_a_restart_without_a_reduction_is_only_a_first_myeloma_neutropenia(data):
    """Every restart is one step lower, except the first ANC fall in mm_combination when it was
    the only toxicity (facts §3 Table 1: "25 mg daily or the initial starting dose"). That
    exception needs: no earlier neutropenia hold, no ANC under 1,000/mcL during any earlier
    hold, other toxicity recorded as grade 0, and no platelet fall under 30,000/mcL now."""
    case = make_case(**data)
    plan, _ = ongoing_dose(case, default_knowledge())
    if plan.action is not DoseAction.RESUME:
        return
    indication = data["indication"]
    course = current_course(case)
    before = mg_per_cycle(indication, course.dose_mg, course.days_on, course.frequency)
    after = mg_per_cycle(indication, plan.dose_mg, plan.days_on, plan.frequency)
    record_event(f"resume {indication}: {'reduced' if after < before else 'not reduced'}")
    if after < before:
        return
    assert indication == "mm_combination"
    assert plan.rule == "dose_modification.mm_combination.anc.first_fall_only_toxicity"
    assert case.therapy.other_toxicity is not None and case.therapy.other_toxicity.grade == 0
    *earlier, (reason, held_on, _) = _hold_windows(case)
    assert reason == "neutropenia"
    for earlier_reason, start, end in earlier:
        assert earlier_reason != "neutropenia"
        assert all(
            result.canonical_value >= 1_000
            for result in case.series(LabTest.ANC)
            if start <= result.date < end
        )
    assert all(
        result.canonical_value >= 30_000
        for result in case.series(LabTest.PLATELETS)
        if result.date >= held_on
    )


@SETTINGS
@given(
    st.one_of(
        cases(),
        cases(held_for_counts=True),
        cases(held_for_counts=True, recovered=True),
        unusual_cases(),
    )
)
def test_assess_never_raises_and_agrees_with_the_dose_rules(data):
    """Through the public entry point: no exception, and the dose rules' decision — unless a
    blocking finding holds it (one decision: never give while something blocks)."""
    case = make_case(**data)
    assessment = assess(case, default_knowledge())
    plan, _ = ongoing_dose(case, default_knowledge())
    assert assessment.dose is not None
    overridden = plan.action.gives_drug and (
        assessment.blocking or any(f.requires_dose_action for f in assessment.findings)
    )
    if overridden:
        assert not assessment.dose.action.gives_drug
        assert assessment.dose.dose_mg is None
        assert not assessment.ready_to_prescribe
    else:
        assert assessment.dose.action is plan.action
        assert assessment.dose.dose_mg == plan.dose_mg
    record_event(f"{data['indication']} {plan.action.value}")
