"""The dose decision for a course that has started: continue, hold, resume (at which dose) or stop.

Order of precedence:
1. a stopped course stays stopped;
2. a reason to stop for good (contraindication, permanent-stop toxicity) → stop;
3. a course of limited length that is complete (FL/MZL: 12 cycles) → stop;
4. restraints from other toxicity and from the blood-count rows: on an active course any
   restraint → hold; on a held course → resume once every restraint is met, at the lowest
   dose they allow, else stay on hold;
5. otherwise continue at the current dose.

The label gives no dose below the lowest step of each table; where a reduction would go below
it, the plan holds with no restart dose and says the prescriber decides (see
`floor_decision` in dose_modification.yaml).
"""

from __future__ import annotations

from datetime import timedelta

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited, merge_citations, weakest
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import IndicationEntry, IndicationsKnowledge
from lenaguard.rules.base.course import CourseStatus
from lenaguard.rules.base.results import DosePlan, ResumePlan
from lenaguard.rules.dose.hematologic import CountCheck, dose_text, hematologic_restraints
from lenaguard.rules.dose.other_toxicity import (
    StopReason,
    liver_enzyme_findings,
    other_toxicity_restraints,
    stop_reasons,
    suspected_severe_rash,
    tumor_lysis_findings,
)
from lenaguard.rules.dose.timeline import (
    LadderPosition,
    Restraint,
    Timeline,
    build_timeline,
    cycles_completed,
    intensity,
    ladder_for,
    ladder_position,
)
from lenaguard.text import capitalised, format_number
from lenaguard.vocab import Category, DoseAction, EventKind, Frequency, Severity

_dosing_finding = Finding.maker(Category.DOSING)
_toxicity_finding = Finding.maker(Category.TOXICITY)


def _plan(
    action: DoseAction,
    *,
    entries: tuple[Cited, ...],
    reason: str,
    rule: str,
    case: Case,
    timeline: Timeline,
    indication: IndicationEntry,
    dose_mg: float | None = None,
    days_on: tuple[int, int] | None = None,
    resume: ResumePlan | None = None,
    decided_by: Restraint | None = None,
) -> DosePlan:

    giving = dose_mg is not None
    return DosePlan(
        action=action,
        dose_mg=dose_mg,
        frequency=timeline.course.frequency if giving or resume is not None else None,
        days_on=days_on if giving else None,
        cycle_days=indication.schedule.cycle_days,
        after_dialysis=case.patient.on_dialysis and giving,
        resume=resume,
        reason=reason,
        rule=rule,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
        options=list(decided_by.options) if decided_by is not None else [],
        record=decided_by.record if decided_by is not None else None,
    )


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


# --- ladder notes -----------------------------------------------------------------------------


def _ladder_findings(case: Case, timeline: Timeline, position: LadderPosition) -> list[Finding]:
    course = timeline.course
    ladder = position.ladder
    findings: list[Finding] = []
    if not position.covered and course.start_dose_mg is not None:
        findings.append(
            _dosing_finding(
                ladder,
                name="no_reduction_steps_for_start_dose",
                severity=Severity.WARNING,
                summary=(
                    f"The label's table gives no reduction steps for a course started at "
                    f"{format_number(course.start_dose_mg)} mg."
                ),
                detail=(
                    f"lenaguard uses these steps instead: {words(ladder, 'wording')} The prescriber should "
                    "confirm every reduction."
                ),
                inputs={"start_dose_mg": course.start_dose_mg},
            )
        )
    if position.above_top:
        findings.append(
            _dosing_finding(
                ladder,
                name="dose_above_table",
                severity=Severity.WARNING,
                summary=(
                    f"The current dose "
                    f"{dose_text(position.dose_mg, position.days_on, course.frequency)} is above "
                    "the highest dose of the label's reduction table."
                ),
                detail=f"{words(ladder, 'wording')} Check the dose against the label.",
                inputs={"dose_mg": position.dose_mg, "days_on": list(position.days_on)},
            )
        )
    if course.frequency is not Frequency.DAILY:
        findings.append(
            _dosing_finding(
                ladder,
                name="reduction_steps_for_daily_dosing",
                severity=Severity.WARNING,
                summary=(
                    f"The reduction steps are written for once-daily dosing; this course is "
                    f"dosed {course.frequency.words}."
                ),
                detail=(
                    f"{words(ladder, 'wording')} lenaguard keeps the {course.frequency.words} schedule and "
                    "steps the dose down the same ladder, but never to a dose that gives less "
                    f"than the lowest step taken once daily "
                    f"({dose_text(position.floor.dose_mg, position.floor.days_on or position.days_on)}); "
                    "the prescriber should confirm."
                ),
                inputs={"frequency": course.frequency.value},
            )
        )
    return findings


def _floor_finding(
    kb: KnowledgeBase, position: LadderPosition, frequency: Frequency, *, falling: bool
) -> Finding:
    decision = kb.get(DoseModificationKnowledge).floor_decision
    floor = position.floor
    # The ladder's floor is a once-daily dose, whatever the course's frequency.
    floor_text = dose_text(floor.dose_mg, floor.days_on or position.days_on)
    if falling:
        return _dosing_finding(
            position.ladder,
            decision,
            name="floor_reached",
            severity=Severity.CRITICAL,
            summary=(
                f"No lower dose in the label: the patient is already at "
                f"{dose_text(position.dose_mg, position.days_on, frequency)} "
                f"(lowest step {floor_text})."
            ),
            detail=(
                f"{words(position.ladder, 'wording')} {decision.text}"
                + (
                    ""
                    if frequency is Frequency.DAILY
                    else f" A lower dose {frequency.words} would give less than {floor_text}."
                )
            ),
            inputs={"dose_mg": position.dose_mg, "floor_mg": floor.dose_mg},
        )
    return _dosing_finding(
        position.ladder,
        decision,
        name="at_lowest_dose",
        severity=Severity.INFO,
        summary=f"At the lowest dose of the label's table ({floor_text}).",
        detail=f"{words(position.ladder, 'wording')} {decision.text}",
        inputs={"dose_mg": position.dose_mg, "floor_mg": floor.dose_mg},
    )


# --- combining restraints ---------------------------------------------------------------------


def _restart(
    restraints: list[Restraint], position: LadderPosition
) -> tuple[Restraint, float | None, tuple[int, int] | None, bool]:
    """The deciding restraint, the restart dose and days, and whether the floor was reached."""
    floored = [r for r in restraints if r.floor_reached]
    if floored:
        return floored[0], None, None, True
    open_dose = [r for r in restraints if r.dose_mg is None]
    if open_dose:
        return open_dose[0], None, None, False
    lowest = min(
        restraints,
        key=lambda r: intensity(r.dose_mg or position.dose_mg, r.days_on or position.days_on),
    )
    return lowest, lowest.dose_mg, lowest.days_on or position.days_on, False


def _entries_of(restraints: list[Restraint], *more: Cited) -> tuple[Cited, ...]:
    return tuple(entry for r in restraints for entry in r.entries) + more


def _decide(
    case: Case,
    kb: KnowledgeBase,
    timeline: Timeline,
    position: LadderPosition,
    indication: IndicationEntry,
    restraints: list[Restraint],
) -> tuple[DosePlan, list[Finding]]:
    course = timeline.course
    findings: list[Finding] = []
    deciding, dose, days, floored = _restart(restraints, position)
    unmet = [r for r in restraints if not r.met]
    entries = _entries_of(restraints, position.ladder)
    if floored:
        findings.append(_floor_finding(kb, position, course.frequency, falling=True))
        entries += (kb.get(DoseModificationKnowledge).floor_decision,)
    if course.status is CourseStatus.HELD and not unmet and dose is not None:
        reasons = capitalised("; ".join(r.reason for r in restraints))
        reason = f"{reasons}: restart at {dose_text(dose, days, course.frequency)}"
        findings.append(
            _dosing_finding(
                *entries,
                name="restart",
                severity=Severity.INFO,
                summary=f"Restart lenalidomide at {dose_text(dose, days, course.frequency)}.",
                detail=_sentence(reason),
                inputs={"restart_dose_mg": dose, "previous_dose_mg": course.dose_mg},
            )
        )
        plan = _plan(
            DoseAction.RESUME,
            entries=entries,
            reason=_sentence(reason),
            rule=deciding.rule,
            case=case,
            timeline=timeline,
            indication=indication,
            dose_mg=dose,
            days_on=days,
            decided_by=deciding,
        )
        return plan, findings
    waiting = unmet or restraints
    when = _sentence(capitalised("; ".join(r.when for r in waiting)))
    if floored:
        when += " Restart dose: the prescriber decides (the label gives no lower dose)."
    elif dose is None:
        when += " Restart dose: the prescriber decides."
    if any(r.rule.startswith("dose_modification.") for r in restraints):
        when += f" {kb.get(DoseModificationKnowledge).interruption_cbc.text}"
    reason = capitalised("; ".join(r.reason for r in waiting))
    held = course.status is CourseStatus.HELD
    if held and not unmet:
        reason += (
            ": the restart condition is met, but the restart dose is the prescriber's decision"
            + (" (the label gives no lower dose)" if floored else "")
        )
    verb = "keep lenalidomide interrupted" if held else "interrupt lenalidomide"
    resume = ResumePlan(
        when=when,
        dose_mg=dose,
        frequency=course.frequency,
        days_on=days,
    )
    if held:
        findings.append(
            _toxicity_finding(
                *entries,
                name="hold_continues",
                severity=Severity.CRITICAL,
                summary=(
                    "Lenalidomide stays interrupted until the prescriber chooses the restart dose."
                    if not unmet
                    else "Lenalidomide stays interrupted."
                ),
                detail=f"{_sentence(reason)} Restart once: {when}",
                inputs={"held_since": str(course.held_since)},
            )
        )
    plan = _plan(
        DoseAction.HOLD,
        entries=entries,
        reason=_sentence(f"{reason}: {verb}"),
        rule=(unmet[0] if unmet else deciding).rule,
        case=case,
        timeline=timeline,
        indication=indication,
        resume=resume,
        decided_by=deciding,
    )
    return plan, findings


# --- course-level checks ----------------------------------------------------------------------


def _course_complete(
    case: Case, timeline: Timeline, indication: IndicationEntry
) -> DosePlan | None:
    course = timeline.course
    if indication.max_cycles is None or course.start_date is None:
        return None
    done = cycles_completed(course.start_date, case.as_of, indication.schedule.cycle_days)
    if done < indication.max_cycles:
        return None
    return _plan(
        DoseAction.STOP,
        entries=(indication,),
        reason=(
            f"{done} cycles of {indication.schedule.cycle_days} days have passed since the course "
            f"started on {course.start_date.isoformat()} (interruptions do not move the count); "
            f"the label gives lenalidomide for {indication.duration} "
            f"({indication.cite[0].section})."
        ),
        rule=f"dose_modification.{case.indication.value}.course_complete",
        case=case,
        timeline=timeline,
        indication=indication,
    )


def _cycle_findings(case: Case, timeline: Timeline, indication: IndicationEntry) -> list[Finding]:
    """The last cycle the label gives (FL/MZL: up to 12 cycles), and what the count leaves out."""
    course = timeline.course
    findings: list[Finding] = []
    if course.start_date is None or indication.max_cycles is None:
        return findings
    done = cycles_completed(course.start_date, case.as_of, indication.schedule.cycle_days)
    if done == indication.max_cycles - 1:
        findings.append(
            _dosing_finding(
                indication,
                name="last_cycle",
                severity=Severity.INFO,
                summary=f"Cycle {done + 1} is the last cycle the label gives ({indication.duration}).",
                detail=(
                    f"{indication.name}: lenalidomide is given for {indication.duration}; "
                    f"the course started on {course.start_date.isoformat()}."
                ),
                inputs={"cycles_completed": done},
            )
        )
    if done >= indication.max_cycles - 1:
        findings += _cycles_without_lenalidomide(case, timeline, indication)
    findings += _earlier_courses(case, timeline, indication, done)
    return findings


def _cycles_without_lenalidomide(
    case: Case, timeline: Timeline, indication: IndicationEntry
) -> list[Finding]:
    """Calendar cycles whose dosing days all fell inside one interruption.

    The cycle count runs on the calendar from the course start (interruptions do not move
    it), so a long interruption uses up cycles in which no lenalidomide was taken. The
    prescriber should know this before the course is called complete.
    """
    course = timeline.course
    assert course.start_date is not None and indication.max_cycles is not None
    schedule = indication.schedule
    first, last = course.days_on or schedule.days_on
    one_day = timedelta(days=1)
    missed: list[int] = []
    cycle_start = course.start_date
    number = 1
    while number <= indication.max_cycles:
        window_start = cycle_start + (first - 1) * one_day
        window_end = cycle_start + (last - 1) * one_day
        if window_end > case.as_of:
            break
        if any(
            episode.held_on <= window_start
            and (episode.ended_on is None or episode.ended_on > window_end)
            for episode in timeline.holds
        ):
            missed.append(number)
        cycle_start += schedule.cycle_days * one_day
        number += 1
    if not missed:
        return []
    listed = ", ".join(str(cycle) for cycle in missed)
    given = indication.max_cycles - len(missed)
    return [
        _dosing_finding(
            indication,
            name="cycles_without_lenalidomide",
            severity=Severity.WARNING,
            summary=(
                f"No lenalidomide was taken in cycle {listed}: the course was interrupted on all "
                "of its dosing days."
                if len(missed) == 1
                else f"No lenalidomide was taken in {len(missed)} cycles: the course was "
                "interrupted on all of their dosing days."
            ),
            detail=(
                f"Cycles without lenalidomide: {listed}. lenaguard counts cycles on the calendar "
                f"from the course start on {course.start_date.isoformat()}; interruptions do not "
                f"move the count. Of the {indication.max_cycles} cycles the label gives, the "
                f"patient has taken lenalidomide in at most {given}. Whether to give the missed "
                "cycles is the prescriber's decision."
            ),
            inputs={"cycles_without_lenalidomide": missed},
        )
    ]


def _earlier_courses(
    case: Case, timeline: Timeline, indication: IndicationEntry, done: int
) -> list[Finding]:
    """Earlier courses (a start after a stop) whose cycles may count toward the limit."""
    assert indication.max_cycles is not None and timeline.course.start_date is not None
    cycle_days = indication.schedule.cycle_days
    events = [] if case.therapy is None else case.therapy.events
    earlier: list[tuple[str, str, int]] = []
    begun: str | None = None
    begun_on = None
    for event in events:
        if event.date >= timeline.course.start_date and event.event is EventKind.START:
            break
        if event.event is EventKind.START:
            begun, begun_on = event.date.isoformat(), event.date
        elif event.event is EventKind.STOP and begun is not None and begun_on is not None:
            days = (event.date - begun_on).days
            cycles = max(1, -(-days // cycle_days))
            earlier.append((begun, event.date.isoformat(), cycles))
            begun = begun_on = None
    if not earlier:
        return []
    before = sum(cycles for _, _, cycles in earlier)
    if before + done + 1 <= indication.max_cycles:
        return []
    listed = "; ".join(
        f"started {started}, stopped {stopped} ({cycles} cycle(s) begun)"
        for started, stopped, cycles in earlier
    )
    return [
        _dosing_finding(
            indication,
            name="earlier_courses_count",
            severity=Severity.WARNING,
            summary=(
                f"Counting the {before} cycle(s) of earlier courses, this is cycle "
                f"{before + done + 1} of lenalidomide; the label gives {indication.duration}."
            ),
            detail=(
                f"Earlier courses: {listed}. This course started on "
                f"{timeline.course.start_date.isoformat()} and is in cycle {done + 1}. The label "
                f"gives lenalidomide for {indication.duration}; lenaguard counts the cycles of the "
                "current course only. If this course continues the same treatment, count the "
                "earlier cycles too: the prescriber decides."
            ),
            inputs={"earlier_cycles": before, "cycles_completed": done},
        )
    ]


def _escalation_findings(
    case: Case, timeline: Timeline, indication: IndicationEntry
) -> list[Finding]:
    """Maintenance: after N cycles on the starting dose, the label allows a higher dose."""
    course = timeline.course
    findings: list[Finding] = []
    escalation = indication.escalation
    if course.start_date is None:
        return findings
    done = cycles_completed(course.start_date, case.as_of, indication.schedule.cycle_days)
    if (
        escalation is not None
        and course.status is CourseStatus.ACTIVE
        and course.start_dose_mg == indication.dose_mg
        and course.dose_mg == indication.dose_mg
        and done >= escalation.after_cycles
    ):
        holds = len(timeline.holds)
        findings.append(
            _dosing_finding(
                escalation,
                name="escalation_allowed",
                severity=Severity.INFO,
                summary=(
                    f"After {escalation.after_cycles} cycles at {format_number(indication.dose_mg)} "
                    f"mg, the label allows {format_number(escalation.to_mg)} mg daily "
                    f"{escalation.condition}."
                ),
                detail=(
                    f"{done} cycles completed since {course.start_date.isoformat()}; "
                    f"{holds} interruption(s) in this course. Whether the dose was tolerated is the "
                    "prescriber's judgement."
                ),
                inputs={"cycles_completed": done, "interruptions": holds},
            )
        )
    return findings


# --- the decision -----------------------------------------------------------------------------


def ongoing_dose(case: Case, kb: KnowledgeBase) -> tuple[DosePlan, list[Finding]]:
    """The dose decision for a started course on the assessment date, with its findings.

    Raises ValueError when no course has started (use the starting-dose rules then).
    """
    timeline = build_timeline(case)
    course = timeline.course
    if not course.started or course.dose_mg is None:
        raise ValueError("ongoing_dose needs a course that has started; use starting_dose")
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    schedule = indication.schedule
    table = kb.get(DoseModificationKnowledge).table(case.indication)
    ladder, covered = ladder_for(table, course.start_dose_mg)
    position = ladder_position(
        ladder, covered, course.dose_mg, course.days_on, schedule, course.frequency
    )

    stops, findings = stop_reasons(case, kb)
    if course.status is CourseStatus.STOPPED:
        stopped = f"on {course.stopped_on.isoformat()}" if course.stopped_on else ""
        plan = _plan(
            DoseAction.STOP,
            entries=(indication, *[e for s in stops for e in s.entries]),
            reason=(
                f"The timeline records that lenalidomide was stopped {stopped}; a new course "
                "starts with a new start event and the starting-dose rules."
            ),
            rule="dose_modification.course_stopped",
            case=case,
            timeline=timeline,
            indication=indication,
        )
        return plan, findings
    if stops:
        return _stop_plan(case, timeline, indication, stops), findings

    findings += _ladder_findings(case, timeline, position)
    findings += liver_enzyme_findings(case, kb, timeline)
    findings += tumor_lysis_findings(case, kb, timeline, schedule.cycle_days)
    findings += _cycle_findings(case, timeline, indication)
    complete = _course_complete(case, timeline, indication)
    if complete is not None:
        return complete, findings

    restraints: list[Restraint] = []
    tox_restraints, tox_findings = other_toxicity_restraints(case, kb, timeline, position, schedule)
    rash_restraints, rash_findings = suspected_severe_rash(case, kb)
    count_restraints, count_findings, checks = hematologic_restraints(case, kb, timeline, position)
    restraints = [*rash_restraints, *tox_restraints, *count_restraints]
    findings += [*rash_findings, *tox_findings, *count_findings]

    if restraints:
        plan, decision_findings = _decide(case, kb, timeline, position, indication, restraints)
        return plan, findings + decision_findings

    if position.at_floor:
        findings.append(_floor_finding(kb, position, course.frequency, falling=False))
    findings += _escalation_findings(case, timeline, indication)
    plan = _continue_plan(case, timeline, indication, position, checks, table.section)
    return plan, findings


def _stop_plan(
    case: Case, timeline: Timeline, indication: IndicationEntry, stops: list[StopReason]
) -> DosePlan:
    return _plan(
        DoseAction.STOP,
        entries=tuple(entry for stop in stops for entry in stop.entries),
        reason=_sentence("; ".join(stop.reason for stop in stops)),
        rule=stops[0].rule,
        case=case,
        timeline=timeline,
        indication=indication,
    )


def _continue_plan(
    case: Case,
    timeline: Timeline,
    indication: IndicationEntry,
    position: LadderPosition,
    checks: list[CountCheck],
    section: str,
) -> DosePlan:
    counts = [
        f"{check.test.value} {format_number(check.result.canonical_value)}/mcL "
        f"on {check.result.date.isoformat()}"
        for check in checks
        if check.result is not None and check.result.canonical_value is not None
    ]
    rows = tuple(check.row for check in checks)
    dose = dose_text(position.dose_mg, position.days_on, timeline.course.frequency)
    if len(counts) == len(checks):
        reason = (
            f"Current counts ({'; '.join(counts)}) meet no interruption row of the label's "
            f"table (USPI {section}): continue {dose}"
        )
    else:
        since = timeline.last_event_date.isoformat() if timeline.last_event_date else "the start"
        shown = f" (only {'; '.join(counts)})" if counts else ""
        reason = (
            f"No complete current blood count since {since}{shown}, so the interruption rows of "
            f"the label's table (USPI {section}) cannot be checked: continue {dose} and "
            "obtain a blood count"
        )
    return _plan(
        DoseAction.CONTINUE,
        entries=(*rows, position.ladder),
        reason=_sentence(reason),
        rule=f"dose_modification.{case.indication.value}.continue",
        case=case,
        timeline=timeline,
        indication=indication,
        dose_mg=position.dose_mg,
        days_on=position.days_on,
    )
