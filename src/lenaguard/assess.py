"""Run every rule over a case and gather one Assessment (the DESIGN.md JSON contract).

The same function serves the CLI, the API and CDS Hooks: nothing clinical is decided here.
This module only orders the rule topics, combines their outcomes, decides which findings
block a prescription, and applies the `verified_only` filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from lenaguard._version import __version__
from lenaguard.case import Case
from lenaguard.findings import Finding, Remedy
from lenaguard.knowledge import Frozen, KnowledgeBase, Status
from lenaguard.knowledge.topics.rems import RemsRiskCategory
from lenaguard.rules import dose, response, safety
from lenaguard.rules.base.course import CourseStatus
from lenaguard.rules.base.results import CalendarDay, DosePlan, MonitoringItem, RenalFunction
from lenaguard.rules.response.immunoglobulins import ImmunoglobulinRecovery
from lenaguard.rules.response.imwg import ImwgResponse
from lenaguard.rules.response.mds import MdsResponse
from lenaguard.rules.safety import VteScores
from lenaguard.rules.safety.infection import HbvSerology
from lenaguard.vocab import Category, DoseAction, Indication, Readiness, Severity

CALENDAR_DAYS = 28
"""The calendar shows the next four weeks of dosing."""

# Critical findings in these categories mean "do not hand over lenalidomide now".
BLOCKING_CATEGORIES = frozenset({Category.PREGNANCY, Category.SYMPTOM, Category.TOXICITY})

_SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Omitted(Frozen):
    """Something left out of an assessment run with `verified_only`."""

    kind: Literal["finding", "dose", "monitoring"]
    id: str
    summary: str
    status: Status


class Action(Frozen):
    """One thing to do about the case, in priority order, with the fix it offers."""

    finding_id: str
    severity: Severity
    blocking: bool = Field(description="True when this stops the prescription going ahead.")
    text: str = Field(description="One sentence: the finding's summary.")
    remedy: Remedy | None = Field(default=None, description="The one-click fix, if any.")


class ResponseSummary(Frozen):
    """Is it working: the IMWG category, immunoglobulin recovery and the MDS response."""

    imwg: ImwgResponse | None = None
    immunoglobulins: list[ImmunoglobulinRecovery] = Field(default_factory=list)
    mds: MdsResponse | None = None


class Assessment(Frozen):
    """Everything lenaguard says about a case on its assessment date.

    Every surface (report, JSON, web service, CDS Hooks cards, pages) reads this one object,
    so no two of them can disagree. Its JSON Schema is `lenaguard schema --assessment`.
    """

    lenaguard_version: str = Field(description="The lenaguard release that made this assessment.")
    knowledge_version: str = Field(
        description="Content hash of the knowledge base whose rules made this assessment."
    )
    as_of: dt.date
    patient_id: str
    indication: Indication
    course_status: CourseStatus
    dose: DosePlan | None
    renal: RenalFunction | None
    findings: list[Finding]
    monitoring: list[MonitoringItem]
    calendar: list[CalendarDay]
    ready_to_prescribe: bool = Field(
        description="True only when readiness is 'ready' (false when not determined)."
    )
    readiness: Readiness
    blocking: list[str] = Field(
        description="Ids of the findings (and of the dose rule, on a hold or stop) that block "
        "a prescription."
    )
    actions: list[Action] = Field(
        default_factory=list,
        description="What to do, most urgent first: blockers, then critical, then warnings.",
    )
    rems_category: RemsRiskCategory | None = None
    rems_category_name: str | None = None
    hbv: HbvSerology | None = Field(
        default=None, description="Hepatitis B serology class and what it rests on."
    )
    scores: VteScores | None = Field(default=None, description="VTE risk scores.")
    response: ResponseSummary = ResponseSummary()
    verified_only: bool = False
    omitted: list[Omitted] = Field(default_factory=list)

    def to_json_dict(self) -> dict:
        """The assessment as plain JSON types (dates as ISO strings)."""
        return self.model_dump(mode="json")


def _blocks(finding: Finding) -> bool:
    return finding.blocking or (
        finding.severity is Severity.CRITICAL and finding.category in BLOCKING_CATEGORIES
    )


def _priority(finding: Finding) -> tuple[int, int, str, str]:
    """Blockers first, then by severity; within that by category and id (stable output)."""
    return (
        0 if _blocks(finding) else 1,
        _SEVERITY_ORDER[finding.severity],
        finding.category,
        finding.id,
    )


def _requested_tests(
    findings: list[Finding], monitoring: list[MonitoringItem]
) -> list[MonitoringItem]:
    """A monitoring item for every test a finding asks for, unless one is already due in time.

    The calendar and the monitoring list are built from the findings, so a finding that says
    "repeat the count by D" always has that count on the calendar on or before D.
    """
    added: list[MonitoringItem] = []
    for finding in findings:
        for wanted in finding.tests_due:
            if any(m.test == wanted.test and m.due <= wanted.by for m in [*monitoring, *added]):
                continue
            added.append(
                MonitoringItem(
                    test=wanted.test,
                    due=wanted.by,
                    reason=finding.summary,
                    status=finding.status,
                    citations=finding.citations,
                )
            )
    return added


def _actions(findings: list[Finding]) -> list[Action]:
    """What to do, most urgent first: blockers, then critical, then warnings."""
    return [
        Action(
            finding_id=finding.id,
            severity=finding.severity,
            blocking=_blocks(finding),
            text=finding.summary,
            remedy=finding.remedy,
        )
        for finding in sorted(findings, key=_priority)
        if _blocks(finding) or finding.severity is not Severity.INFO
    ]


def assess(
    case: Case,
    kb: KnowledgeBase,
    *,
    verified_only: bool = False,
    notes: Sequence[Finding] = (),
) -> Assessment:
    """Assess a case: dose, renal function, safety screens, monitoring, response.

    The three rule groups run in a fixed order (what dose, is it safe, is it working); the
    safety gate then lets any finding that requires a hold or stop override the dose plan,
    and the calendar is drawn from that final plan. `notes` are findings about the input
    itself (the FHIR mapping's `input.fhir_*`): they join the rules' findings, are ordered
    and filtered with them, and block when they say so.
    """
    dosing = dose.evaluate(case, kb)
    safe = safety.evaluate(case, kb)
    working = response.evaluate(case, kb)
    groups = (dosing, safe, working)
    findings = [*notes, *(finding for group in groups for finding in group.findings)]
    monitoring_items = [item for group in groups for item in group.monitoring]

    findings = sorted(findings, key=_priority)
    blockers = [finding for finding in findings if _blocks(finding)]
    plan = dose.apply_safety_gate(
        dosing.plan, findings, blocking=blockers, started=dosing.course_status.started
    )
    # Decided before any filtering: --verified-only never makes a case ready to prescribe.
    blocking = [finding.id for finding in blockers]
    if plan is not None and plan.rule not in blocking:
        # A stop always names its rule; a hold does when no finding already explains it.
        stopping = plan.action in (DoseAction.STOP, DoseAction.DO_NOT_START)
        if stopping or (plan.action is DoseAction.HOLD and not blocking):
            blocking.append(plan.rule)

    omitted: list[Omitted] = []
    if verified_only:
        findings, monitoring_items, plan, omitted = _drop_unverified(
            findings, monitoring_items, plan
        )
    monitoring_items = sorted(
        [*monitoring_items, *_requested_tests(findings, monitoring_items)],
        key=lambda item: (item.due, item.test),
    )

    readiness = (
        Readiness.NOT_READY
        if blocking
        else Readiness.NOT_DETERMINED
        if plan is None
        else Readiness.READY
    )
    return Assessment(
        lenaguard_version=__version__,
        knowledge_version=kb.version,
        as_of=case.as_of,
        patient_id=case.patient.id,
        indication=case.indication,
        course_status=dosing.course_status,
        dose=plan,
        renal=dosing.renal,
        findings=findings,
        monitoring=monitoring_items,
        calendar=dose.calendar(
            case, kb, plan, monitoring_items, days=CALENDAR_DAYS, repeating=safe.repeating
        ),
        ready_to_prescribe=readiness is Readiness.READY,
        readiness=readiness,
        blocking=blocking,
        actions=_actions(findings),
        rems_category=safe.rems.id,
        rems_category_name=safe.rems.name,
        hbv=safe.hbv,
        scores=safe.scores,
        response=ResponseSummary(
            imwg=working.imwg, immunoglobulins=list(working.immunoglobulins), mds=working.mds
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
    # A hold or stop is kept whatever its status: hiding it would let the drug be given.
    if dose is not None and dose.status is Status.UNVERIFIED and dose.action.gives_drug:
        omitted.append(Omitted(kind="dose", id=dose.rule, summary=dose.reason, status=dose.status))
        dose = None
    return (
        [f for f in findings if f not in dropped],
        [item for item in monitoring_items if item.status is not Status.UNVERIFIED],
        dose,
        omitted,
    )
