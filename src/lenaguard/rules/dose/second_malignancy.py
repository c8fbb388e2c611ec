"""Second primary malignancies (USPI §5.6): counselling where the prescriber decides.

Shown before the first dose of any indication (a warning: weigh the potential benefit against
the risk, and monitor for new cancers) and throughout myeloma maintenance after transplant (an
info once treatment is under way), with the figures of the setting: maintenance after
high-dose melphalan and autologous transplant (label), and where the excess was seen in
myeloma (secondary, an older label summary). Nothing is shown on other courses under way or
once a course has stopped.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import Cited, KnowledgeBase
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.text import format_number
from lenaguard.vocab import Category, Severity

_toxicity_finding = Finding.maker(Category.TOXICITY)


def _percent(value: float) -> str:
    return f"{format_number(value)}%"


def second_malignancy_findings(case: Case, kb: KnowledgeBase) -> list[Finding]:
    """The SPM counselling finding, when the prescriber is deciding or in maintenance."""
    spm = kb.get(OtherToxicityKnowledge).second_primary_malignancies
    course = current_course(case)
    maintenance = case.indication in spm.maintenance.indications
    before_start = course.status is CourseStatus.NOT_STARTED
    on_maintenance = maintenance and course.status in (CourseStatus.ACTIVE, CourseStatus.HELD)
    if not (before_start or on_maintenance):
        return []
    entries: list[Cited] = [spm.counselling]
    parts = [spm.counselling.text]
    if maintenance:
        figures = spm.maintenance
        entries.append(figures)
        parts.append(
            f"{figures.text} Hematologic second cancers: {_percent(figures.lenalidomide_percent)} "
            f"with lenalidomide versus {_percent(figures.control_percent)} without."
        )
    if case.indication in spm.myeloma_settings.indications:
        settings = spm.myeloma_settings
        entries.append(settings)
        parts.append(
            f"{settings.text} AML and MDS: {_percent(settings.oral_melphalan_percent)} with oral "
            f"melphalan, up to {_percent(settings.after_transplant_up_to_percent)} soon after "
            "high-dose melphalan and transplant, versus "
            f"{_percent(settings.lenalidomide_dexamethasone_percent)} with lenalidomide and "
            "dexamethasone."
        )
    if before_start:
        summary = (
            "Second cancers: weigh lenalidomide's benefit against the risk of second primary "
            "malignancies, and monitor for them."
        )
        severity = Severity.WARNING
    else:
        summary = (
            "Maintenance: monitor for second primary malignancies, more frequent on lenalidomide."
        )
        severity = Severity.INFO
    return [
        _toxicity_finding(
            *entries,
            name="second_primary_malignancy",
            severity=severity,
            summary=summary,
            detail=" ".join(parts),
            inputs={"indication": case.indication.value, "course_status": course.status.value},
        )
    ]
