"""Run every rule over a case and gather one Assessment (the DESIGN.md JSON contract).

The same function serves the CLI, the API and CDS Hooks: nothing clinical is decided here.
This module only orders the rule topics, combines their outcomes, decides which findings
block a prescription, and applies the `verified_only` filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from lenaguard._version import __version__
from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase, Status
from lenaguard.knowledge.base import Frozen
from lenaguard.knowledge.topics.indications import CycleSchedule, IndicationsKnowledge
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.rules.base.results import CalendarDay, DosePlan, MonitoringItem, RenalFunction
from lenaguard.rules.dose import monitoring
from lenaguard.rules.dose.gate import apply_safety_gate
from lenaguard.rules.dose.monitoring import cbc_dates
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from lenaguard.rules.dose.other_toxicity import contraindication_findings
from lenaguard.rules.dose.renal import assess_renal
from lenaguard.rules.dose.renal_review import review_dose_against_renal_function
from lenaguard.rules.dose.schedule import dosing_calendar, missed_dose_advice
from lenaguard.rules.dose.starting_dose import starting_dose
from lenaguard.rules.response import imwg as response
from lenaguard.rules.safety import infection, interactions, pregnancy, symptoms, thrombosis
from lenaguard.vocab import Category, DoseAction, Severity

CALENDAR_DAYS = 28
"""The report shows the next four weeks of dosing."""

# Critical findings in these categories mean "do not hand over lenalidomide now".
BLOCKING_CATEGORIES = frozenset({Category.PREGNANCY, Category.SYMPTOM, Category.TOXICITY})

_SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Omitted(Frozen):
    """Something left out of an assessment run with `verified_only`."""

    kind: str = Field(description="finding | dose | monitoring")
    id: str
    summary: str
    status: Status


class ResponseSummary(Frozen):
    imwg: Any = None
    immunoglobulins: list[Any] = Field(default_factory=list)
    mds: Any = None


class Assessment(Frozen):
    """Everything lenaguard says about a case on its assessment date."""

    lenaguard_version: str = Field(description="The lenaguard release that made this assessment.")
    knowledge_version: str = Field(
        description="Content hash of the knowledge base whose rules made this assessment."
    )
    as_of: dt.date
    patient_id: str
    indication: str
    course_status: str
    dose: DosePlan | None
    renal: RenalFunction | None
    findings: list[Finding]
    monitoring: list[MonitoringItem]
    calendar: list[CalendarDay]
    ready_to_prescribe: bool
    blocking: list[str] = Field(description="Ids of the findings that block a prescription.")
    rems_category: str | None = None
    rems_category_name: str | None = None
    hbv: dict[str, Any] | None = Field(
        default=None, description="Hepatitis B serology class and what it rests on."
    )
    scores: dict[str, Any] = Field(default_factory=dict)
    response: ResponseSummary = ResponseSummary()
    verified_only: bool = False
    omitted: list[Omitted] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The assessment as plain JSON types (dates as ISO strings)."""
        return self.model_dump(mode="json")


def _blocks(finding: Finding) -> bool:
    return finding.blocking or (
        finding.severity is Severity.CRITICAL and finding.category in BLOCKING_CATEGORIES
    )


def _schedule_for(case: Case, kb: KnowledgeBase, dose: DosePlan | None) -> CycleSchedule:
    schedule = kb.get(IndicationsKnowledge).entry(case.indication).schedule
    if dose is not None and dose.days_on is not None:
        return CycleSchedule(
            days_on=dose.days_on, cycle_days=dose.cycle_days or schedule.cycle_days
        )
    return schedule


def _calendar(case: Case, kb: KnowledgeBase, dose: DosePlan | None) -> list[CalendarDay]:
    if dose is None:
        return []
    course = current_course(case)
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    return dosing_calendar(
        course_start=course.start_date if course.started else None,
        schedule=_schedule_for(case, kb, dose),
        dose_mg=dose.dose_mg,
        frequency=dose.frequency or course.frequency,
        from_date=case.as_of,
        days=CALENDAR_DAYS,
        action=dose.action,
        max_cycles=indication.max_cycles,
    )


def _with_tests_due(
    calendar: list[CalendarDay],
    case: Case,
    kb: KnowledgeBase,
    dose: DosePlan | None,
    monitoring_items: list[MonitoringItem],
) -> list[CalendarDay]:
    """Mark on the calendar the CBC dates of the rule in force and the other tests due."""
    if not calendar:
        return calendar
    due: dict[dt.date, set[str]] = {}
    for day in cbc_dates(case, kb, action=dose.action if dose else None, until=calendar[-1].date):
        due.setdefault(day, set()).add("cbc")
    for item in monitoring_items:
        due.setdefault(item.due, set()).add(item.test)
    return [
        day.model_copy(update={"tests_due": sorted(due[day.date])}) if day.date in due else day
        for day in calendar
    ]


def assess(case: Case, kb: KnowledgeBase, *, verified_only: bool = False) -> Assessment:
    """Assess a case: dose, renal function, safety screens, monitoring, response."""
    course = current_course(case)
    renal, findings = assess_renal(case, kb)
    if course.started:
        dose, dose_findings = ongoing_dose(case, kb)
    else:
        dose, dose_findings = starting_dose(case, renal, kb)
        dose_findings = [*dose_findings, *contraindication_findings(case, kb, started=False)]
    findings = [
        *findings,
        *dose_findings,
        *review_dose_against_renal_function(case, renal, kb, plan=dose),
    ]
    if course.status is CourseStatus.ACTIVE:
        findings.append(missed_dose_advice(kb))

    monitoring_outcome = monitoring.evaluate(case, kb, action=dose.action if dose else None)
    pregnancy_outcome = pregnancy.evaluate(case, kb)
    infection_outcome = infection.evaluate(case, kb)
    thrombosis_outcome = thrombosis.evaluate(case, kb)
    response_outcome = response.evaluate(case, kb)
    outcomes = [
        monitoring_outcome,
        pregnancy_outcome,
        infection_outcome,
        thrombosis_outcome,
        interactions.evaluate(case, kb),
        symptoms.evaluate(case, kb),
        response_outcome,
    ]
    for outcome in outcomes:
        findings.extend(outcome.findings)
    monitoring_items = [item for outcome in outcomes for item in outcome.monitoring]

    dose = apply_safety_gate(dose, findings)
    findings = sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.category, f.id))
    monitoring_items = sorted(monitoring_items, key=lambda item: (item.due, item.test))
    # Decided before any filtering: --verified-only never makes a case ready to prescribe.
    blocking = [finding.id for finding in findings if _blocks(finding)]
    if dose is not None and dose.action is DoseAction.STOP and dose.rule not in blocking:
        blocking.append(dose.rule)

    omitted: list[Omitted] = []
    if verified_only:
        findings, monitoring_items, dose, omitted = _drop_unverified(
            findings, monitoring_items, dose
        )

    return Assessment(
        lenaguard_version=__version__,
        knowledge_version=kb.version,
        as_of=case.as_of,
        patient_id=case.patient.id,
        indication=case.indication.value,
        course_status=course.status.value,
        dose=dose,
        renal=renal,
        findings=findings,
        monitoring=monitoring_items,
        calendar=_with_tests_due(_calendar(case, kb, dose), case, kb, dose, monitoring_items),
        ready_to_prescribe=not blocking,
        blocking=blocking,
        rems_category=pregnancy_outcome.rems_category,
        rems_category_name=pregnancy_outcome.rems_category_name,
        hbv=infection_outcome.hbv.model_dump(mode="json"),
        scores={
            name: score.model_dump(mode="json") for name, score in thrombosis_outcome.scores.items()
        },
        response=ResponseSummary(
            imwg=response_outcome.imwg,
            immunoglobulins=list(response_outcome.immunoglobulins),
            mds=response_outcome.mds,
        ),
        verified_only=verified_only,
        omitted=omitted,
    )


def _drop_unverified(
    findings: list[Finding], monitoring_items: list[MonitoringItem], dose: DosePlan | None
) -> tuple[list[Finding], list[MonitoringItem], DosePlan | None, list[Omitted]]:
    """Leave out what rests on an unverified rule, and list it.

    A finding that blocks the prescription is kept whatever its status: hiding it would make
    an unsafe case look ready.
    """
    dropped = [f for f in findings if f.status is Status.UNVERIFIED and not _blocks(f)]
    omitted = [
        Omitted(kind="finding", id=f.id, summary=f.summary, status=f.status) for f in dropped
    ]
    omitted += [
        Omitted(kind="monitoring", id=item.test, summary=item.reason, status=item.status)
        for item in monitoring_items
        if item.status is Status.UNVERIFIED
    ]
    if dose is not None and dose.status is Status.UNVERIFIED:
        omitted.append(Omitted(kind="dose", id=dose.rule, summary=dose.reason, status=dose.status))
        dose = None
    return (
        [f for f in findings if f not in dropped],
        [item for item in monitoring_items if item.status is not Status.UNVERIFIED],
        dose,
        omitted,
    )
