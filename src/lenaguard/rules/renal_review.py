"""Review an ongoing dose against today's renal function.

The label sets the *starting* dose by creatinine clearance; later changes follow tolerance.
When kidney function has fallen during treatment so that the current dose is above the
starting dose the label gives for the new band, the prescriber should know.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding, format_number
from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.course import CourseStatus, current_course
from lenaguard.rules.results import RenalFunction
from lenaguard.rules.starting_dose import renal_starting_dose
from lenaguard.vocab import Category, Frequency, RenalBand, Severity


def _mg_per_48_hours(dose_mg: float, frequency: Frequency) -> float:
    return dose_mg if frequency is Frequency.EVERY_48H else dose_mg + dose_mg


def review_dose_against_renal_function(
    case: Case, renal: RenalFunction | None, kb: KnowledgeBase
) -> list[Finding]:
    """A warning when the current dose exceeds the renal starting dose for the current band."""
    course = current_course(case)
    if renal is None or renal.band is RenalBand.NORMAL or course.dose_mg is None:
        return []
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.HELD):
        return []
    reference = renal_starting_dose(case.indication, renal.band, kb)
    if reference.dose_mg is None or reference.frequency is None:
        return []
    current = _mg_per_48_hours(course.dose_mg, course.frequency)
    if current <= _mg_per_48_hours(reference.dose_mg, reference.frequency):
        return []
    clearance = (
        "on dialysis"
        if renal.crcl_ml_min is None
        else f"CrCl {format_number(round(renal.crcl_ml_min, 1))} mL/min"
    )
    return [
        Finding(
            id="renal.dose_above_renal_start",
            category=Category.RENAL,
            severity=Severity.WARNING,
            summary=(
                f"Current dose {format_number(course.dose_mg)} mg is above the label's starting "
                f"dose for {renal.band.value} renal function ({clearance})."
            ),
            detail=(
                f"For this band the label starts at {format_number(reference.dose_mg)} mg "
                f"{reference.frequency.words}. Lenalidomide is cleared by the kidneys; review the dose against "
                "the current renal function and tolerance."
            ),
            status=reference.status,
            citations=reference.citations,
            inputs={
                "current_dose_mg": course.dose_mg,
                "current_frequency": course.frequency.value,
                "band": renal.band.value,
                "crcl_ml_min": renal.crcl_ml_min,
            },
        )
    ]
