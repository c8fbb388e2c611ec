"""Question 1, what dose and when: renal function, starting and ongoing dose, hematologic and
other toxicity, the treatment timeline, the cycle schedule, monitoring, and the safety gate.

`evaluate(case, kb)` runs the group's topics in order and returns one `DoseOutcome`; the gate
(`apply_safety_gate`) and the calendar (`calendar`) run in `assess`, once the other groups'
findings are known, because a safety finding can hold the dose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import Field

from lenaguard.case import Case
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import CycleSchedule, IndicationsKnowledge
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.rules.base.results import (
    CalendarDay,
    DosePlan,
    MonitoringItem,
    RenalFunction,
    RepeatingTest,
    RuleOutcome,
)
from lenaguard.rules.dose import monitoring as _monitoring
from lenaguard.rules.dose import renal_reliability as _renal_reliability
from lenaguard.rules.dose.gate import apply_safety_gate
from lenaguard.rules.dose.ongoing_dose import ongoing_dose as _ongoing_dose
from lenaguard.rules.dose.other_toxicity import contraindication_findings as _contraindications
from lenaguard.rules.dose.renal import assess_renal as _assess_renal
from lenaguard.rules.dose.renal_review import review_dose_against_renal_function as _renal_review
from lenaguard.rules.dose.renal_sensitivity import evaluate as _renal_sensitivity
from lenaguard.rules.dose.schedule import dosing_calendar as _dosing_calendar
from lenaguard.rules.dose.schedule import missed_dose_advice as _missed_dose_advice
from lenaguard.rules.dose.second_malignancy import second_malignancy_findings as _spm
from lenaguard.rules.dose.starting_dose import starting_dose as _starting_dose
from lenaguard.rules.dose.thalidomide_rash import prior_thalidomide_rash_findings as _thal_rash
from lenaguard.vocab import DoseAction

__all__ = ["DoseOutcome", "apply_safety_gate", "calendar", "evaluate"]


class DoseOutcome(RuleOutcome):
    """The dose rules' answer before the safety gate: course, renal function and dose plan."""

    course_status: CourseStatus
    renal: RenalFunction | None
    plan: DosePlan | None = Field(description="The dose rules' plan, before safety findings.")


def evaluate(case: Case, kb: KnowledgeBase) -> DoseOutcome:
    """Renal function, the dose plan (starting or ongoing), its reviews, and monitoring."""
    course = current_course(case)
    renal, findings = _assess_renal(case, kb)
    reliability, caveats = _renal_reliability.evaluate(case, kb)
    findings = [*findings, *reliability.findings, *_renal_sensitivity(case, renal, kb)]
    if course.started:
        plan, dose_findings = _ongoing_dose(case, kb)
    else:
        plan, dose_findings = _starting_dose(case, renal, kb, caveats=caveats)
        dose_findings = [*dose_findings, *_contraindications(case, kb, started=False)]
    findings = [
        *findings,
        *dose_findings,
        *_thal_rash(case, kb, started=course.started),
        *_spm(case, kb),
        *_renal_review(case, renal, kb, plan=plan),
    ]
    if course.status is CourseStatus.ACTIVE:
        findings.append(_missed_dose_advice(kb))
    monitored = _monitoring.evaluate(case, kb, action=plan.action if plan else None)
    return DoseOutcome(
        course_status=course.status,
        renal=renal,
        plan=plan,
        findings=[*findings, *monitored.findings],
        monitoring=list(monitored.monitoring),
    )


def _schedule_for(case: Case, kb: KnowledgeBase, plan: DosePlan) -> CycleSchedule:
    schedule = kb.get(IndicationsKnowledge).entry(case.indication).schedule
    if plan.days_on is not None:
        return CycleSchedule(
            days_on=plan.days_on, cycle_days=plan.cycle_days or schedule.cycle_days
        )
    return schedule


def calendar(
    case: Case,
    kb: KnowledgeBase,
    plan: DosePlan | None,
    monitoring: list[MonitoringItem],
    *,
    days: int,
    repeating: Sequence[RepeatingTest] = (),
) -> list[CalendarDay]:
    """The next `days` days under the final plan, with the tests due on each day.

    CBC dates follow the rule in force (weekly while held, the indication's schedule
    otherwise); the other tests come from the monitoring items, and a test that repeats
    (`repeating`: the pregnancy tests on treatment) goes on from its last monitoring date —
    while the course goes on or is held, never after a stop or before a start that is not
    going ahead.
    """
    if plan is None:
        return []
    course = current_course(case)
    calendar_days = _dosing_calendar(
        course_start=course.start_date if course.started else None,
        schedule=_schedule_for(case, kb, plan),
        dose_mg=plan.dose_mg,
        frequency=plan.frequency or course.frequency,
        from_date=case.as_of,
        days=days,
        action=plan.action,
        max_cycles=kb.get(IndicationsKnowledge).entry(case.indication).max_cycles,
    )
    if not calendar_days:
        return calendar_days
    due: dict[dt.date, set[str]] = {}
    last = calendar_days[-1].date
    for day in _monitoring.cbc_dates(case, kb, action=plan.action, until=last):
        due.setdefault(day, set()).add(_monitoring.CBC)
    first = calendar_days[0].date
    for item in monitoring:  # an overdue test is due today
        due.setdefault(max(item.due, first), set()).add(item.test)
    going_on = plan.action.gives_drug or (plan.action is DoseAction.HOLD and course.started)
    for schedule in repeating if going_on else ():
        anchors = [max(item.due, first) for item in monitoring if item.test == schedule.test]
        day = max(anchors, default=None)
        while day is not None and (day := schedule.following(day)) <= last:
            due.setdefault(day, set()).add(schedule.test)
    return [
        day.model_copy(update={"tests_due": sorted(due[day.date])}) if day.date in due else day
        for day in calendar_days
    ]
