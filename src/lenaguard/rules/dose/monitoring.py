"""The monitoring calendar: when the next blood count (CBC) and the other checks are due.

The CBC schedules are data (knowledge/data/monitoring.yaml); this module turns a schedule
and a course start into dates, finds the next one on or after the assessment date, and
decides whether the count is overdue. `decide_cbc_plan` returns that decision as a typed
`CbcPlan` (the rule in force, the due date and why it falls there); the monitoring item and the
findings word it. Conventions (docs/rules/schedule-and-monitoring.md):

- Schedules count from the start of the current course; a hold does not move them.
- Before the first dose a baseline CBC is due on the assessment date.
- During an interruption the CBC is due one interruption interval (weekly) after the later of
  the hold date and the last CBC.
- On treatment the CBC is due on the next scheduled date, or one schedule interval after the
  last CBC when that comes sooner (an early or late draw moves the next one with it). It is
  overdue, and due now, when the last CBC is older than the interval in force or when the
  most recent scheduled date has passed with no CBC since the scheduled date before it.
- Checks the label asks for "periodically" without an interval (liver enzymes, thyroid,
  digoxin level, PT/INR) are listed with the next CBC draw, and their reason says that the
  label gives no interval.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from pydantic import Field

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import Cited, KnowledgeBase, statements, weakest
from lenaguard.knowledge.base import Frozen, merge_citations
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.monitoring import (
    CbcInterruption,
    CbcPhase,
    CbcSchedule,
    MonitoredTest,
    MonitoringKnowledge,
    Span,
)
from lenaguard.rules.base.course import Course, CourseStatus, current_course
from lenaguard.rules.base.medications import in_class
from lenaguard.rules.base.results import MonitoringItem, RuleOutcome
from lenaguard.rules.dose.schedule import cycle_position
from lenaguard.text import format_number
from lenaguard.vocab import Category, DoseAction, Indication, LabTest, Severity

_monitoring_finding = Finding.maker(Category.MONITORING)


CBC = "cbc"
"""Monitoring-item id of the complete blood count."""

_REMINDER = (
    "The label sets no interval: lenaguard lists it with the next blood count as a reminder; "
    "the prescriber decides how often."
)


# ---------------------------------------------------------------------------------------------
# Schedules as dates


def _span_offsets(span: Span, cycle_days: int) -> tuple[int, int | None]:
    """First and last day of a span as offsets from the course start (day 1 = offset 0)."""
    if span.unit == "weeks":
        first = dt.timedelta(weeks=span.first - 1).days
        last = None if span.last is None else dt.timedelta(weeks=span.last).days - 1
    else:
        first = (span.first - 1) * cycle_days
        last = None if span.last is None else span.last * cycle_days - 1
    return first, last


def _phase_offsets(phase: CbcPhase, index: int, cycle_days: int) -> Iterator[tuple[int, int]]:
    """(offset, phase index) of every CBC a phase schedules, in order (endless if open)."""
    first, last = _span_offsets(phase.span, cycle_days)
    if phase.interval_days is not None:
        offset = first
        while last is None or offset <= last:
            yield offset, index
            offset += phase.interval_days
        return
    assert phase.cycle_days is not None and phase.span.last is not None  # model-validated
    for cycle_index in range(phase.span.first - 1, phase.span.last):
        for day in phase.cycle_days:
            if day <= cycle_days:
                yield cycle_index * cycle_days + day - 1, index


def scheduled_offsets(schedule: CbcSchedule, cycle_days: int) -> Iterator[tuple[int, int]]:
    """Every scheduled CBC as (days after the course start, phase index), in order, no repeats.

    The sequence is endless: the last phase of a schedule always repeats without end.
    """
    merged = heapq.merge(
        *(_phase_offsets(phase, i, cycle_days) for i, phase in enumerate(schedule.phases))
    )
    previous: int | None = None
    for offset, index in merged:
        if offset != previous:
            yield offset, index
            previous = offset


def scheduled_cbc_dates(
    schedule: CbcSchedule, course_start: dt.date, cycle_days: int, until: dt.date
) -> list[dt.date]:
    """The scheduled CBC dates of a course from its start up to `until` (inclusive)."""
    dates = []
    for offset, _ in scheduled_offsets(schedule, cycle_days):
        when = course_start + dt.timedelta(days=offset)
        if when > until:
            break
        dates.append(when)
    return dates


@dataclass(frozen=True)
class _Around:
    """The scheduled dates around the assessment date (offsets from the course start)."""

    before_previous: int | None
    previous: int | None
    """The last scheduled date strictly before the assessment date."""
    upcoming: int
    """The first scheduled date on or after the assessment date."""
    upcoming_phase: int
    gap: int
    """The interval in force: from `previous` to `upcoming` (or from it to the one after)."""


def _around(schedule: CbcSchedule, cycle_days: int, elapsed: int) -> _Around:
    before_previous = previous = None
    dates = scheduled_offsets(schedule, cycle_days)
    for offset, phase in dates:
        if offset < elapsed:
            before_previous, previous = previous, offset
            continue
        gap = offset - previous if previous is not None else next(dates)[0] - offset
        return _Around(before_previous, previous, offset, phase, gap)
    raise AssertionError("a CBC schedule never ends")  # the last phase repeats without end


# ---------------------------------------------------------------------------------------------
# Words


def _join(numbers: list[int]) -> str:
    words = [format_number(number) for number in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe_span(span: Span, preposition: str = "in") -> str:
    """A span in words: 'in cycles 2–4', 'in week 1', 'from cycle 4 on'."""
    singular = span.unit.removesuffix("s")
    if span.last is None:
        return f"from {singular} {format_number(span.first)} on"
    if span.last == span.first:
        return f"{preposition} {singular} {format_number(span.first)}"
    return f"{preposition} {span.unit} {format_number(span.first)}–{format_number(span.last)}"


def describe_phase(phase: CbcPhase) -> str:
    """A phase in words, e.g. 'every 7 days in cycles 1–2'."""
    if phase.interval_days is not None:
        return f"every {format_number(phase.interval_days)} days {describe_span(phase.span)}"
    assert phase.cycle_days is not None
    return f"on days {_join(phase.cycle_days)} {describe_span(phase.span, 'of')}"


def describe_schedule(schedule: CbcSchedule) -> str:
    """A whole schedule in words, built from the data so that words and dates cannot differ."""
    return "; ".join(describe_phase(phase) for phase in schedule.phases)


def _position(course_start: dt.date, on: dt.date, cycle_days: int) -> str:
    cycle, day = cycle_position(course_start, on, cycle_days)
    return f"cycle {format_number(cycle)}, day {format_number(day)}"


# ---------------------------------------------------------------------------------------------
# The next CBC: the decision


class CbcRegimen(StrEnum):
    """Which CBC rule is in force."""

    BASELINE = "baseline"
    SCHEDULED = "scheduled"
    INTERRUPTION = "interruption"
    NONE = "none"


class CbcDue(StrEnum):
    """Why the next CBC falls on its due date."""

    BASELINE = "baseline"
    """Before the first dose: a baseline count, due on the assessment date."""
    HELD_NO_CBC = "held_no_cbc"
    """Interrupted with no CBC on record: overdue, due now."""
    HELD_OVERDUE = "held_overdue"
    """Interrupted, and the interruption interval has passed: overdue, due now."""
    HELD = "held"
    """Interrupted: one interval after the later of the hold date and the last CBC."""
    NO_CBC = "no_cbc"
    """On treatment with no CBC on record: overdue, due now."""
    MISSED = "missed"
    """A scheduled date passed without a CBC since the one before it: overdue, due now."""
    INTERVAL_PASSED = "interval_passed"
    """The last CBC is older than the interval in force: overdue, due now."""
    AFTER_LAST_CBC = "after_last_cbc"
    """One interval after the last CBC, which comes before the next scheduled date."""
    END_OF_COURSE = "end_of_course"
    """The next scheduled date falls after the last cycle the label gives."""
    SCHEDULED = "scheduled"
    """The next scheduled date of the indication's schedule."""


class CbcPlan(Frozen):
    """The CBC rule in force and when the next count is due, with the dates that decided it."""

    regimen: CbcRegimen
    due: dt.date | None = Field(description="Never before the assessment date; null: none due.")
    due_because: CbcDue | None = Field(description="Null when no CBC is due.")
    overdue: bool
    entry: CbcSchedule | CbcInterruption = Field(description="The rule the due date rests on.")
    schedule: CbcSchedule = Field(description="The indication's schedule while on treatment.")
    indication: Indication
    cycle_days: int
    course_start: dt.date | None = None
    cycle_position: tuple[int, int] | None = Field(
        default=None, description="(cycle, day) of the assessment date in the course."
    )
    held_since: dt.date | None = None
    last_cbc: dt.date | None = None
    interval_days: int | None = Field(
        default=None, description="The interval in force: interruption or schedule interval."
    )
    overdue_since: dt.date | None = Field(
        default=None, description="Held: the date the interruption count fell due."
    )
    missed: dt.date | None = Field(
        default=None, description="A scheduled date that passed without a CBC, made it overdue."
    )
    next_scheduled: dt.date | None = Field(
        default=None, description="On treatment: the first scheduled date on or after today."
    )
    next_scheduled_phase: CbcPhase | None = None
    last_cycle: int | None = Field(
        default=None, description="End of course: the last cycle the label gives."
    )


def _plan_cbc(
    *,
    indication: Indication,
    course_start: dt.date | None,
    as_of: dt.date,
    held_since: dt.date | None,
    last_cbc: dt.date | None,
    kb: KnowledgeBase,
) -> CbcPlan:
    cbc = kb.get(MonitoringKnowledge).cbc
    schedule = cbc.schedule_for(indication)
    cycle_days = kb.get(IndicationsKnowledge).entry(indication).schedule.cycle_days
    known = {
        "schedule": schedule,
        "indication": indication,
        "cycle_days": cycle_days,
        "last_cbc": last_cbc,
    }
    if course_start is None or course_start > as_of:
        return CbcPlan(
            regimen=CbcRegimen.BASELINE,
            due=as_of,
            due_because=CbcDue.BASELINE,
            overdue=False,
            entry=schedule,
            **known,
        )
    known.update(
        course_start=course_start,
        cycle_position=cycle_position(course_start, as_of, cycle_days),
    )
    if held_since is not None:
        return _held_plan(cbc.interruption, as_of, held_since, last_cbc, known)
    return _scheduled_plan(kb, schedule, as_of, course_start, last_cbc, known)


def _held_plan(
    rule: CbcInterruption,
    as_of: dt.date,
    held_since: dt.date,
    last_cbc: dt.date | None,
    known: dict,
) -> CbcPlan:
    """During an interruption: every interruption interval from the hold or the last CBC."""
    plan = partial(
        CbcPlan,
        regimen=CbcRegimen.INTERRUPTION,
        entry=rule,
        held_since=held_since,
        interval_days=rule.interval_days,
        **known,
    )
    if last_cbc is None:
        # No position: the count is due now whatever the course day.
        return plan(due=as_of, due_because=CbcDue.HELD_NO_CBC, overdue=True, cycle_position=None)
    due = max(held_since, last_cbc) + dt.timedelta(days=rule.interval_days)
    if due < as_of:
        return plan(due=as_of, due_because=CbcDue.HELD_OVERDUE, overdue=True, overdue_since=due)
    return plan(due=due, due_because=CbcDue.HELD, overdue=False)


def _scheduled_plan(
    kb: KnowledgeBase,
    schedule: CbcSchedule,
    as_of: dt.date,
    course_start: dt.date,
    last_cbc: dt.date | None,
    known: dict,
) -> CbcPlan:
    """On treatment: the next scheduled date, sooner when the last CBC calls for it."""
    around = _around(schedule, known["cycle_days"], (as_of - course_start).days)
    scheduled = course_start + dt.timedelta(days=around.upcoming)
    plan = partial(
        CbcPlan,
        regimen=CbcRegimen.SCHEDULED,
        entry=schedule,
        interval_days=around.gap,
        next_scheduled=scheduled,
        next_scheduled_phase=schedule.phases[around.upcoming_phase],
        **known,
    )
    if last_cbc is None:
        return plan(due=as_of, due_because=CbcDue.NO_CBC, overdue=True)
    last = (last_cbc - course_start).days
    if (
        around.previous is not None
        and around.before_previous is not None
        and last <= around.before_previous
    ):
        missed = course_start + dt.timedelta(days=around.previous)
        return plan(due=as_of, due_because=CbcDue.MISSED, overdue=True, missed=missed)
    limit = last_cbc + dt.timedelta(days=around.gap)
    if limit < as_of:
        return plan(due=as_of, due_because=CbcDue.INTERVAL_PASSED, overdue=True)
    if limit < scheduled:
        return plan(due=limit, due_because=CbcDue.AFTER_LAST_CBC, overdue=False)
    max_cycles = kb.get(IndicationsKnowledge).entry(known["indication"]).max_cycles
    scheduled_cycle, _ = cycle_position(course_start, scheduled, known["cycle_days"])
    if max_cycles is not None and scheduled_cycle > max_cycles:
        return plan(
            due=scheduled,
            due_because=CbcDue.END_OF_COURSE,
            overdue=False,
            last_cycle=max_cycles,
        )
    return plan(due=scheduled, due_because=CbcDue.SCHEDULED, overdue=False)


def last_cbc_date(case: Case, components: list[LabTest]) -> dt.date | None:
    """The date of the latest CBC: the latest result of any CBC component on or before as_of."""
    dates = [result.date for test in components if (result := case.latest(test)) is not None]
    return max(dates, default=None)


def _regimen(course: Course, action: DoseAction | None) -> CbcRegimen:
    if action is DoseAction.STOP:
        return CbcRegimen.NONE
    if course.status is CourseStatus.NOT_STARTED:
        return CbcRegimen.BASELINE
    if course.status is CourseStatus.STOPPED:
        return CbcRegimen.BASELINE if action is DoseAction.START else CbcRegimen.NONE
    if course.status is CourseStatus.HELD:
        return CbcRegimen.SCHEDULED if action is DoseAction.RESUME else CbcRegimen.INTERRUPTION
    return CbcRegimen.INTERRUPTION if action is DoseAction.HOLD else CbcRegimen.SCHEDULED


def decide_cbc_plan(case: Case, kb: KnowledgeBase, *, action: DoseAction | None = None) -> CbcPlan:
    """The CBC rule in force for the case on `case.as_of`, and when the next count is due.

    `action` is the dose decision for the assessment date, when known: a hold that starts
    today switches to the interruption rule, a resume back to the schedule, a stop ends the
    monitoring of treatment (regimen none, nothing due).
    """
    course = current_course(case)
    regimen = _regimen(course, action)
    knowledge = kb.get(MonitoringKnowledge)
    if regimen is CbcRegimen.NONE:
        schedule = knowledge.cbc.schedule_for(case.indication)
        cycle_days = kb.get(IndicationsKnowledge).entry(case.indication).schedule.cycle_days
        return CbcPlan(
            regimen=CbcRegimen.NONE,
            due=None,
            due_because=None,
            overdue=False,
            entry=schedule,
            schedule=schedule,
            indication=case.indication,
            cycle_days=cycle_days,
        )
    held_since = None
    if regimen is CbcRegimen.INTERRUPTION:
        held_since = course.held_since or case.as_of
    return _plan_cbc(
        indication=case.indication,
        course_start=None if regimen is CbcRegimen.BASELINE else course.start_date,
        as_of=case.as_of,
        held_since=held_since,
        last_cbc=last_cbc_date(case, knowledge.cbc.components),
        kb=kb,
    )


# ---------------------------------------------------------------------------------------------
# The next CBC: in words


def _item(due: dt.date, reason: str, *entries: Cited, test: str = CBC) -> MonitoringItem:
    return MonitoringItem(
        test=test,
        due=due,
        reason=reason,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )


def _since(last_cbc: dt.date | None) -> str:
    return "no CBC on record" if last_cbc is None else f"last CBC {last_cbc.isoformat()}"


def _position_words(plan: CbcPlan) -> str | None:
    """Where the assessment date falls in the course, in words."""
    if plan.cycle_position is None:
        return None
    cycle, day = plan.cycle_position
    return f"cycle {format_number(cycle)}, day {format_number(day)}"


def _held_reason(plan: CbcPlan) -> str:
    interval = format_number(plan.interval_days or 0)
    if plan.due_because is CbcDue.HELD_NO_CBC:
        return f"Overdue: no CBC on record; check every {interval} days while held."
    assert plan.held_since is not None  # an interruption plan has its hold date
    basis = (
        f"held since {plan.held_since.isoformat()}, {_since(plan.last_cbc)}; a CBC every "
        f"{interval} days during the interruption"
    )
    if plan.due_because is CbcDue.HELD_OVERDUE:
        assert plan.overdue_since is not None
        return f"Overdue since {plan.overdue_since.isoformat()}: {basis}."
    return f"Interruption: {basis}."


def _scheduled_reason(plan: CbcPlan, kb: KnowledgeBase) -> str:
    assert plan.course_start is not None and plan.next_scheduled is not None
    assert plan.next_scheduled_phase is not None
    start, cycle_days, last_cbc = plan.course_start, plan.cycle_days, plan.last_cbc
    position, scheduled = _position_words(plan), plan.next_scheduled
    phase = describe_phase(plan.next_scheduled_phase)
    gap = format_number(plan.interval_days or 0)
    if plan.due_because is CbcDue.NO_CBC:
        return f"Overdue: no CBC on record while on treatment ({position})."
    if plan.due_because is CbcDue.MISSED:
        assert plan.missed is not None
        return (
            f"Overdue: the CBC scheduled for {plan.missed.isoformat()} "
            f"({_position(start, plan.missed, cycle_days)}) was not done; {_since(last_cbc)}."
        )
    if plan.due_because is CbcDue.INTERVAL_PASSED:
        return (
            f"Overdue: {_since(last_cbc)} is more than {gap} days old; the schedule calls for "
            f"a CBC every {gap} days at this point ({position})."
        )
    if plan.due_because is CbcDue.AFTER_LAST_CBC:
        return (
            f"Due {gap} days after the {_since(last_cbc)}; the next scheduled count is "
            f"{scheduled.isoformat()} ({phase})."
        )
    if plan.due_because is CbcDue.END_OF_COURSE:
        entry = kb.get(IndicationsKnowledge).entry(plan.indication)
        return (
            f"End-of-course count: the schedule falls on the day after cycle "
            f"{format_number(plan.last_cycle or 0)}, the last cycle the label gives "
            f"({entry.duration}); counts after the course are the prescriber's decision; "
            f"{_since(last_cbc)}."
        )
    return (
        f"Scheduled count, {_position(start, scheduled, cycle_days)} ({phase}); {_since(last_cbc)}."
    )


def _cbc_item(plan: CbcPlan, kb: KnowledgeBase) -> MonitoringItem | None:
    """The plan's next CBC as a monitoring item, with its reason in words."""
    if plan.due is None:
        return None
    if plan.regimen is CbcRegimen.BASELINE:
        reason = f"Baseline blood count before the first dose ({_since(plan.last_cbc)})."
    elif plan.regimen is CbcRegimen.INTERRUPTION:
        reason = _held_reason(plan)
    else:
        reason = _scheduled_reason(plan, kb)
    return _item(plan.due, reason, plan.entry)


def cbc_next_due(
    *,
    indication: Indication,
    course_start: dt.date | None,
    as_of: dt.date,
    held_since: dt.date | None,
    last_cbc: dt.date | None,
    kb: KnowledgeBase,
) -> MonitoringItem:
    """When the next CBC is due, and why; the due date is never before `as_of`.

    - No course start (or a start after `as_of`): a baseline CBC, due on `as_of`.
    - Held (`held_since` given): weekly from the later of the hold date and the last CBC.
    - Otherwise the indication's schedule counted from the course start (see module notes);
      overdue counts are due on `as_of`, and the reason starts with "Overdue".
    """
    plan = _plan_cbc(
        indication=indication,
        course_start=course_start,
        as_of=as_of,
        held_since=held_since,
        last_cbc=last_cbc,
        kb=kb,
    )
    item = _cbc_item(plan, kb)
    assert item is not None  # a plan for a given course always has a due date
    return item


# ---------------------------------------------------------------------------------------------
# The whole monitoring calendar of a case


def _schedule_finding(
    case: Case,
    plan: CbcPlan,
    item: MonitoringItem | None,
    course: Course,
    interruption: CbcInterruption,
) -> Finding:
    words = describe_schedule(plan.schedule)
    position = _position_words(plan)
    indication = case.indication.value
    inputs: dict[str, object] = {
        "indication": indication,
        "course_status": course.status.value,
        "course_start": None if course.start_date is None else course.start_date.isoformat(),
        "regimen": plan.regimen.value,
    }
    if plan.regimen is CbcRegimen.NONE:
        summary = "No CBC schedule is in force: lenalidomide is stopped."
        detail = f"While on treatment the {indication} schedule is: {words}."
        entries: tuple[Cited, ...] = (plan.schedule,)
    elif plan.regimen is CbcRegimen.BASELINE:
        summary = (
            f"CBC schedule: a baseline count before the first dose, then the {indication} schedule."
        )
        detail = f"The {indication} schedule: {words}. {statements.words(plan.schedule, 'note')}"
        entries = (plan.schedule,)
    elif plan.regimen is CbcRegimen.INTERRUPTION:
        summary = (
            f"CBC schedule: every {format_number(interruption.interval_days)} days while "
            f"lenalidomide is interrupted ({interruption.status.value}); the {indication} "
            "schedule resumes with treatment."
        )
        # A held course with no CBC on record has no position (the count is due now).
        detail = interruption.note if position is None else f"Now {position}. {interruption.note}"
        entries = (interruption,)
    else:
        summary = f"CBC schedule for {indication}: {words} ({plan.schedule.status.value})."
        detail = f"Now {position}. {statements.words(plan.schedule, 'note')}"
        entries = (plan.schedule,)
    if item is not None:
        detail = f"{detail} Next CBC due {item.due.isoformat()}: {item.reason}"
        inputs["cbc_due"] = item.due.isoformat()
    return _monitoring_finding(
        *entries,
        name="cbc_schedule",
        severity=Severity.INFO,
        summary=summary,
        detail=detail.strip(),
        inputs=inputs,
    )


def _overdue_finding(
    case: Case, plan: CbcPlan, item: MonitoringItem, last_cbc: dt.date | None
) -> Finding:
    return _monitoring_finding(
        plan.entry,
        name="cbc_overdue",
        severity=Severity.WARNING,
        summary=f"Blood count (CBC) overdue: {_since(last_cbc)}; check it now.",
        detail=item.reason,
        inputs={
            "as_of": case.as_of.isoformat(),
            "last_cbc": None if last_cbc is None else last_cbc.isoformat(),
            "missed_scheduled_date": None if plan.missed is None else plan.missed.isoformat(),
            "regimen": plan.regimen.value,
        },
    )


def _results(case: Case, spec: MonitoredTest) -> list[dt.date]:
    return sorted(result.date for test in spec.labs for result in case.series(test))


def _baseline_and_periodic(
    case: Case, spec: MonitoredTest, course: Course, regimen: CbcRegimen, next_draw: dt.date
) -> MonitoringItem | None:
    """Liver enzymes and thyroid: a baseline before the start, then periodic checks."""
    dates = [when for when in _results(case, spec) if when <= case.as_of]
    if regimen is CbcRegimen.BASELINE:
        if dates:
            return None
        reason = f"{spec.name}: no result on record; check before the first dose ({spec.timing})."
        return _item(case.as_of, reason, spec, test=spec.test)
    if not dates:
        reason = f"{spec.name}: no result on record; check now ({spec.timing})."
        return _item(case.as_of, reason, spec, test=spec.test)
    start = course.start_date
    no_baseline = (
        ""
        if start is None or dates[0] <= start
        else " No result from before the course start is on record."
    )
    reason = (
        f"{spec.name}: {spec.timing}. Latest result {dates[-1].isoformat()}. {_REMINDER}"
        f"{no_baseline}"
    )
    return _item(next_draw, reason, spec, test=spec.test)


def _renal_baseline(case: Case, spec: MonitoredTest, regimen: CbcRegimen) -> MonitoringItem | None:
    if any(when <= case.as_of for when in _results(case, spec)):
        return None
    if regimen is CbcRegimen.BASELINE:
        reason = f"{spec.name}: no result on record; check before the first dose. {spec.why}"
    else:
        reason = (
            f"{spec.name}: no result on record; check now, to review the current dose against "
            f"kidney function. {spec.why}"
        )
    return _item(case.as_of, reason, spec, test=spec.test)


def _with_drug(
    case: Case, spec: MonitoredTest, kb: KnowledgeBase, next_draw: dt.date
) -> MonitoringItem | None:
    """Checks that apply while a drug of a class is taken (digoxin level, PT/INR).

    Outside the check's indications it applies only when its `outside_indications` class is
    taken as well (PT/INR: warfarin with dexamethasone), and the reason says why.
    """
    if spec.drug_class is None:
        return None
    catalogue = kb.get(DrugCatalogue)
    outside = ""
    if spec.indications is not None and case.indication not in spec.indications:
        extra = spec.outside_indications
        if extra is None or not in_class(case, catalogue, extra.drug_class):
            return None
        outside = f" {extra.text}"
    found = in_class(case, catalogue, spec.drug_class)
    if not found:
        return None
    names = ", ".join(
        sorted({item.medication.name or f"rxnorm:{item.medication.rxnorm}" for item in found})
    )
    reason = (
        f"{spec.name} ({names} with lenalidomide): {spec.timing}. {_REMINDER} {spec.why}{outside}"
    )
    return _item(next_draw, reason, spec, test=spec.test)


def evaluate(case: Case, kb: KnowledgeBase, *, action: DoseAction | None = None) -> RuleOutcome:
    """The monitoring calendar of a case: CBC, liver, thyroid, renal, digoxin and PT/INR.

    `action` is the dose decision for the assessment date, when known: a hold that starts
    today switches the CBC to the interruption rule, a resume back to the schedule, a stop
    ends the monitoring of treatment.
    """
    knowledge = kb.get(MonitoringKnowledge)
    course = current_course(case)
    plan = decide_cbc_plan(case, kb, action=action)
    regimen = plan.regimen
    item = _cbc_item(plan, kb)
    last_cbc = last_cbc_date(case, knowledge.cbc.components)

    findings = [_schedule_finding(case, plan, item, course, knowledge.cbc.interruption)]
    if plan.overdue and item is not None:
        findings.append(_overdue_finding(case, plan, item, last_cbc))
    if regimen is CbcRegimen.NONE:
        return RuleOutcome(findings=findings, monitoring=[])

    items: list[MonitoringItem] = [] if item is None else [item]
    next_draw = case.as_of if item is None else item.due
    candidates = [
        _baseline_and_periodic(case, knowledge.liver_enzymes, course, regimen, next_draw),
        _baseline_and_periodic(case, knowledge.thyroid, course, regimen, next_draw),
        _renal_baseline(case, knowledge.renal, regimen),
        _with_drug(case, knowledge.digoxin, kb, next_draw),
        _with_drug(case, knowledge.pt_inr, kb, next_draw),
    ]
    items += [item for item in candidates if item is not None]
    return RuleOutcome(findings=findings, monitoring=items)


def cbc_dates(
    case: Case, kb: KnowledgeBase, *, action: DoseAction | None, until: dt.date
) -> list[dt.date]:
    """The CBC dates from the assessment date to `until`, for the dosing calendar: the next
    one due, then the dates of the rule in force (weekly while held, the indication's schedule
    on treatment, counted from today when the course starts today)."""
    course = current_course(case)
    plan = decide_cbc_plan(case, kb, action=action)
    regimen = plan.regimen
    if plan.due is None or plan.due > until:
        return []
    first = plan.due
    knowledge = kb.get(MonitoringKnowledge).cbc
    if regimen is CbcRegimen.INTERRUPTION:
        step = dt.timedelta(days=knowledge.interruption.interval_days)
        dates = [first]
        while dates[-1] + step <= until:
            dates.append(dates[-1] + step)
        return dates
    start = course.start_date if regimen is CbcRegimen.SCHEDULED else None
    if regimen is CbcRegimen.BASELINE and action is DoseAction.START:
        start = case.as_of
    if start is None:
        return [first]
    cycle_days = kb.get(IndicationsKnowledge).entry(case.indication).schedule.cycle_days
    later = scheduled_cbc_dates(knowledge.schedule_for(case.indication), start, cycle_days, until)
    return [first, *(day for day in later if day > first)]
