"""Review an ongoing dose against today's renal function.

The label sets the *starting* dose by creatinine clearance; later changes follow tolerance.
When the dose of a course under way (or the dose before an interruption) is above what the
label's renal table allows for the patient's current band, the prescriber should know: kidney
function may have fallen since the dose was set, or the course was started above the table.

What "above" means:
- Doses are compared as the total taken in 48 hours, so that a daily dose and an every-48-hours
  dose can be compared (10 mg once daily is 20 mg per 48 hours, more than 15 mg every 48 hours).
- The table's starting dose for the band is the limit; where the table allows an escalation
  (moderate band: up to 15 mg after 2 cycles), the escalated dose is the limit once that many
  cycles of the course are complete, because the label then allows it.
- Status and citations are those of the table cell and the band entries, as for the starting
  dose (`starting_dose.renal_starting_dose`).
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.renal import RenalEscalation, RenalKnowledge
from lenaguard.rules.base.course import Course, CourseStatus, current_course
from lenaguard.rules.base.results import DosePlan, RenalFunction
from lenaguard.rules.dose.renal import band_range_words, crcl_words
from lenaguard.rules.dose.starting_dose import renal_starting_dose
from lenaguard.rules.dose.timeline import cycles_completed
from lenaguard.text import dose_words, format_number
from lenaguard.vocab import Category, DoseAction, Frequency, RenalBand, Severity

_dosing_finding = Finding.maker(Category.DOSING)
_renal_finding = Finding.maker(Category.RENAL)


def _mg_per_48_hours(dose_mg: float, frequency: Frequency) -> float:
    return dose_mg if frequency is Frequency.EVERY_48H else dose_mg + dose_mg


def _escalation_words(step: RenalEscalation, done: int | None, allowed: bool) -> str:
    escalated = dose_words(step.to_mg, Frequency.DAILY)
    after = f"after {format_number(step.after_cycles)} cycles {step.condition}"
    if allowed:
        return f" The table allows {escalated} {after}; the dose is above that as well."
    completed = "" if done is None else f" ({format_number(done)} completed in this course)"
    return f" The table allows {escalated} only {after}{completed}."


def _course_complete(case: Case, kb: KnowledgeBase) -> bool:
    """A course of limited length (FL/MZL: up to 12 cycles) whose cycles are all done: the
    decision is to stop, so there is no dose to review."""
    course = current_course(case)
    entry = kb.get(IndicationsKnowledge).entry(case.indication)
    if entry.max_cycles is None or course.start_date is None:
        return False
    return cycles_completed(course.start_date, case.as_of, entry.schedule.cycle_days) >= (
        entry.max_cycles
    )


def _escalation_allowed_finding(
    case: Case, renal: RenalFunction, kb: KnowledgeBase
) -> Finding | None:
    """Info, once the table's cycle count is reached on a renally reduced start that allows an
    escalation (moderate band: 10 → 15 mg after 2 cycles), while still on that dose."""
    course = current_course(case)
    if course.status is not CourseStatus.ACTIVE or course.start_date is None:
        return None
    cell = kb.get(RenalKnowledge).column_for(case.indication)[1].rows.get(renal.band)
    if cell is None or cell.escalation is None:
        return None
    step = cell.escalation
    on_table_start = (
        course.start_dose_mg == cell.dose_mg
        and course.dose_mg == cell.dose_mg
        and course.frequency is cell.frequency
    )
    cycle_days = kb.get(IndicationsKnowledge).entry(case.indication).schedule.cycle_days
    done = cycles_completed(course.start_date, case.as_of, cycle_days)
    if not on_table_start or done < step.after_cycles:
        return None
    return _dosing_finding(
        cell,
        name="renal_escalation_allowed",
        severity=Severity.INFO,
        summary=(
            f"After {format_number(step.after_cycles)} cycles at "
            f"{dose_words(cell.dose_mg, cell.frequency)}, the label's renal table allows "
            f"{dose_words(step.to_mg, Frequency.DAILY)} if its conditions are met."
        ),
        detail=(
            f"The rise is allowed {step.condition}. {format_number(done)} cycles completed since "
            f"{course.start_date.isoformat()} on the {renal.band.value}-band starting dose. "
            f"{cell.text} Whether the condition is met is the prescriber's judgement."
        ),
        inputs={"cycles_completed": done, "band": renal.band.value, "dose_mg": course.dose_mg},
    )


def _dose_under_review(
    course: Course, plan: DosePlan | None
) -> tuple[float, Frequency, str] | None:
    """The dose to review, its frequency and what to call it: today's decision when it is
    known (the restart dose of a resume, or of a hold that names one), else the course's dose."""
    if plan is not None:
        giving = plan.action in (DoseAction.CONTINUE, DoseAction.RESUME)
        if giving and plan.dose_mg is not None:
            which = "Current dose" if plan.action is DoseAction.CONTINUE else "Restart dose"
            return plan.dose_mg, plan.frequency or course.frequency, which
        resume = plan.resume if plan.action is DoseAction.HOLD else None
        if resume is not None and resume.dose_mg is not None:
            return resume.dose_mg, resume.frequency, "Restart dose"
    if course.dose_mg is None:
        return None
    which = "Current dose" if course.status is CourseStatus.ACTIVE else "Dose before the hold"
    return course.dose_mg, course.frequency, which


def review_dose_against_renal_function(
    case: Case,
    renal: RenalFunction | None,
    kb: KnowledgeBase,
    *,
    plan: DosePlan | None = None,
) -> list[Finding]:
    """How the dose of a course under way stands against the renal table for the current band.

    - A warning (`renal.dose_above_renal_start`) when the dose exceeds what the table allows.
    - An info (`dosing.renal_escalation_allowed`) when the course started on a table dose that
      allows an escalation, is still on it, and the table's cycle count is reached.
    Nothing is said when renal function is unknown or normal, when no course is under way
    (not started or stopped), or when a course of limited length is complete (FL/MZL).

    `plan`, today's dose decision when the caller has it, sharpens the review: a stop needs no
    review, and a resume (or a hold that names its restart dose) is reviewed on the restart
    dose rather than on the dose given before the hold.
    """
    if renal is None or renal.band is RenalBand.NORMAL or _course_complete(case, kb):
        return []
    if plan is not None and plan.action is DoseAction.STOP:
        return []
    if plan is None or plan.action is DoseAction.CONTINUE:
        escalation_note = _escalation_allowed_finding(case, renal, kb)
        if escalation_note is not None:
            return [escalation_note]
    return _above_table(case, renal, kb, plan)


def _above_table(
    case: Case, renal: RenalFunction, kb: KnowledgeBase, plan: DosePlan | None
) -> list[Finding]:
    course = current_course(case)
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.HELD):
        return []
    under_review = _dose_under_review(course, plan)
    if under_review is None:
        return []
    dose_mg, frequency, which = under_review
    renal_kb = kb.get(RenalKnowledge)
    band = renal.band
    on_dialysis = band is RenalBand.DIALYSIS
    reference = renal_starting_dose(
        case.indication, band, kb, crcl_ml_min=None if on_dialysis else renal.crcl_ml_min
    )
    if reference.dose_mg is None or reference.frequency is None:
        return []
    current = _mg_per_48_hours(dose_mg, frequency)
    limit = _mg_per_48_hours(reference.dose_mg, reference.frequency)
    if current <= limit:
        return []

    cell = renal_kb.column_for(case.indication)[1].rows[band]
    cycle_days = kb.get(IndicationsKnowledge).entry(case.indication).schedule.cycle_days
    done = (
        None
        if course.start_date is None
        else cycles_completed(course.start_date, case.as_of, cycle_days)
    )
    escalation = cell.escalation
    escalation_allowed = (
        escalation is not None and done is not None and done >= escalation.after_cycles
    )
    if escalation is not None and escalation_allowed:
        limit = max(limit, _mg_per_48_hours(escalation.to_mg, Frequency.DAILY))
        if current <= limit:
            return []

    if on_dialysis:
        clearance = "on dialysis"
    else:
        assert renal.crcl_ml_min is not None  # a band other than dialysis rests on a CrCl
        clearance = f"CrCl {crcl_words(renal.crcl_ml_min, renal_kb)}"
    dose = dose_words(dose_mg, frequency)
    table_dose = dose_words(reference.dose_mg, reference.frequency)
    timing = "; on dialysis days, after dialysis" if reference.after_dialysis else ""
    detail = (
        f"Renal function: {clearance}. For the {band.value} band "
        f"({band_range_words(band, renal_kb)}) the label's renal table starts at "
        f"{table_dose}{timing}."
    )
    if frequency is not reference.frequency:
        detail += (
            f" Compared as the total over two days: {format_number(current)} mg against "
            f"{format_number(_mg_per_48_hours(reference.dose_mg, reference.frequency))} mg."
        )
    if escalation is not None:
        detail += _escalation_words(escalation, done, escalation_allowed)
    detail += (
        " The label sets only the starting dose by creatinine clearance; later changes follow "
        "tolerance. Lenalidomide is cleared by the kidneys, so review this dose against the "
        "current renal function and how it is tolerated."
    )
    return [
        _renal_finding.with_citations(
            name="dose_above_renal_start",
            severity=Severity.WARNING,
            summary=(
                f"{which}, {dose}, is above the renal starting dose for the {band.value} band: "
                f"{table_dose}."
            ),
            detail=detail,
            status=reference.status,
            citations=reference.citations,
            inputs={
                "reviewed_dose": which,
                "current_dose_mg": dose_mg,
                "current_frequency": frequency.value,
                "course_status": course.status.value,
                "band": band.value,
                "crcl_ml_min": renal.crcl_ml_min,
                "table_dose_mg": reference.dose_mg,
                "table_frequency": reference.frequency.value,
                "cycles_completed": done,
            },
        )
    ]
