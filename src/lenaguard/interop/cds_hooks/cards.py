"""Cards from assessments: one per actionable action, a dose card, and a REMS supply card.

- Every action of the assessment (blockers, critical findings, warnings: `Assessment.actions`)
  becomes a card: the finding's summary, its severity as the indicator, its detail and
  citations as Markdown, the cited source as `source`, and the action's typed remedy as a
  suggestion where it has a FHIR form (order a test, start a medication, change the dose).
- The draft lenalidomide order is compared with the assessment's dose (the dose to give now,
  or the dose to resume at once a blocker is resolved): a different dose or schedule gets a
  dose card whose suggestion replaces the draft. When the indication is unknown the draft is
  checked against each indication whose starting dose it fits, one suggestion each
  (`at-most-one`).
- A draft with more supply than the REMS allows, or any refill, gets a REMS card.

No card when all is well. Every card type (for feedback statistics) is the finding id, or
`dose.<why>` and `rems.supply` for the cards about the draft itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lenaguard.assess import Action as AssessmentAction
from lenaguard.assess import Assessment
from lenaguard.findings import ChangeDose, Finding, OrderTest, StartMedication
from lenaguard.interop.cds_hooks import orders
from lenaguard.interop.cds_hooks.models import (
    SUMMARY_LIMIT,
    Action,
    Card,
    Coding,
    Link,
    Source,
    Suggestion,
)
from lenaguard.interop.fhir import ProposedOrder
from lenaguard.knowledge import Citation, KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.text import dose_words, format_number
from lenaguard.vocab import DoseAction, Frequency, Indication, LabTest, RenalBand, Severity

OVERRIDE_SYSTEM = "urn:lenaguard:cds:override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="already-addressed", display="Already addressed"),
    Coding(system=OVERRIDE_SYSTEM, code="not-applicable", display="Does not apply to this patient"),
    Coding(
        system=OVERRIDE_SYSTEM, code="clinical-judgment", display="Clinical judgment (documented)"
    ),
    Coding(system=OVERRIDE_SYSTEM, code="patient-declined", display="Patient declined"),
]
"""Reasons offered when a card is overridden (returned in feedback, counted by `cds stats`)."""

INDICATORS = {Severity.CRITICAL: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}
LINK_LABEL = "Full assessment in lenaguard"


@dataclass(frozen=True)
class Assessed:
    """One assessment of the hook's case, and whether its indication was assumed."""

    assessment: Assessment
    assumed: bool = False


@dataclass(frozen=True)
class Draft:
    """The lenalidomide draft order: as read (`proposal`) and as sent (`resource`)."""

    proposal: ProposedOrder
    resource: dict[str, Any]


@dataclass(frozen=True)
class IssuedCard:
    """A card and its type (what feedback statistics count it under)."""

    card_type: str
    card: Card


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2].rstrip() + "…"


def _source(citations: Sequence[Citation], kb: KnowledgeBase) -> Source:
    """The first cited source with a web address (else the first cited), as the card source."""
    bibliography = kb.get(Bibliography)
    known = [bibliography.by_id(c.source) for c in citations if c.source in bibliography.ids()]
    chosen = next((s for s in known if s.url), known[0] if known else None)
    if chosen is None:
        return Source(label="lenaguard")
    return Source(label=f"lenaguard · {chosen.short_name}", url=chosen.url)


def _detail(text: str, citations: Sequence[Citation], status: str, kb: KnowledgeBase) -> str:
    sources = kb.get(Bibliography).cite_text(citations)
    return f"{text}\n\n**Sources:** {sources} (evidence status: {status})."


def _card(
    *,
    summary: str,
    detail: str,
    severity: Severity,
    source: Source,
    suggestions: list[Suggestion],
    link: str | None,
) -> Card:
    return Card(
        summary=_clip(summary),
        detail=detail,
        indicator=INDICATORS[severity],
        source=source,
        suggestions=suggestions or None,
        selectionBehavior="at-most-one" if suggestions else None,
        overrideReasons=OVERRIDE_REASONS,
        links=[Link(label=LINK_LABEL, url=link)] if link else None,
    )


# --- suggestions from remedies -------------------------------------------------------------


def _remedy_suggestions(
    action: AssessmentAction,
    assessment: Assessment,
    draft: Draft | None,
    kb: KnowledgeBase,
) -> list[Suggestion]:
    remedy = action.remedy
    patient = assessment.patient_id
    if isinstance(remedy, OrderTest):
        missing = list(assessment.hbv.missing) if assessment.hbv is not None else None
        tests = orders.lab_tests(remedy.test, missing)
        targets: list[Any] = tests if tests else [remedy.test]
        actions = [
            Action(
                type="create",
                description=f"Order {orders.test_words(t) if isinstance(t, LabTest) else t.replace('_', ' ')}"
                + (f" by {remedy.by.isoformat()}" if remedy.by else ""),
                resource=orders.service_request(t, patient, kb, by=remedy.by, reason=action.text),
            )
            for t in targets
        ]
        names = ", ".join(a.description.removeprefix("Order ") for a in actions)
        return [Suggestion(label=_clip(f"Order {names}"), isRecommended=True, actions=actions)]
    if isinstance(remedy, StartMedication):
        resource = orders.medication_to_start(
            remedy.medication_class, patient, kb, reason=action.text
        )
        name = resource["medicationCodeableConcept"]["text"]
        return [
            Suggestion(
                label=_clip(f"Start {name}"),
                isRecommended=True,
                actions=[
                    Action(
                        type="create", description=f"Draft an order for {name}", resource=resource
                    )
                ],
            )
        ]
    if isinstance(remedy, ChangeDose) and draft is not None and remedy.dose_mg is not None:
        suggestion = _dose_suggestion(
            draft,
            kb,
            dose_mg=remedy.dose_mg,
            frequency=remedy.frequency or Frequency.DAILY,
            days_on=remedy.days_on,
            cycle_days=remedy.cycle_days,
            label=None,
        )
        return [suggestion] if suggestion else []
    return []


def _dose_suggestion(
    draft: Draft,
    kb: KnowledgeBase,
    *,
    dose_mg: float,
    frequency: Frequency,
    days_on: tuple[int, int] | None,
    cycle_days: int | None,
    label: str | None,
) -> Suggestion | None:
    resource = orders.changed_order(
        draft.resource,
        kb,
        dose_mg=dose_mg,
        frequency=frequency,
        days_on=days_on,
        cycle_days=cycle_days,
        rxnorm=draft.proposal.rxnorm,
    )
    if resource is None:
        return None
    words = orders.schedule_words(dose_mg, frequency, days_on, cycle_days)
    return Suggestion(
        label=_clip(label or f"Change the order to {words}"),
        isRecommended=label is None,
        actions=[
            Action(
                type="update",
                description=f"Replace the draft lenalidomide order with {words}",
                resource=resource,
            )
        ],
    )


# --- the dose of the draft -----------------------------------------------------------------


@dataclass(frozen=True)
class _Dose:  # hashable: cards group indications by the dose they call for
    dose_mg: float
    frequency: Frequency
    days_on: tuple[int, int] | None
    cycle_days: int | None


def recommended_dose(assessment: Assessment) -> _Dose | None:
    """The dose to give now, or the dose to resume at once the blockers are resolved."""
    plan = assessment.dose
    if plan is None:
        return None
    if plan.action.gives_drug and plan.dose_mg is not None:
        return _Dose(plan.dose_mg, plan.frequency or Frequency.DAILY, plan.days_on, plan.cycle_days)
    if plan.action is DoseAction.HOLD and plan.resume is not None and plan.resume.dose_mg:
        resume = plan.resume
        return _Dose(
            resume.dose_mg,
            resume.frequency or plan.frequency or Frequency.DAILY,
            resume.days_on or plan.days_on,
            plan.cycle_days,
        )
    return None


def _differs(proposal: ProposedOrder, dose: _Dose) -> bool:
    return (
        proposal.dose_mg != dose.dose_mg
        or (proposal.frequency or Frequency.DAILY) != dose.frequency
    )


def _why(assessment: Assessment) -> tuple[str, str]:
    """(card type, words) of what sets the dose: the kidney band when it is not normal."""
    renal = assessment.renal
    if renal is not None and renal.band is not RenalBand.NORMAL:
        clearance = (
            f"CrCl {format_number(round(renal.crcl_ml_min))} mL/min, "
            if renal.crcl_ml_min is not None
            else ""
        )
        return "dose.renal", f"for kidney function ({clearance}{renal.band.value} band)"
    return "dose.plan", "per the dose rules"


def _renal_words(assessment: Assessment) -> tuple[str, list[Citation]]:
    """The kidney-function finding behind a renal dose, as detail text and citations."""
    found = next((f for f in assessment.findings if f.id == "renal.band"), None)
    if found is None or assessment.renal is None or assessment.renal.band is RenalBand.NORMAL:
        return "", []
    return f"{found.summary} {found.detail}", list(assessment.renal.citations)


def _dose_card(
    assessed: Sequence[Assessed], draft: Draft, kb: KnowledgeBase, link: str | None
) -> IssuedCard | None:
    proposal = draft.proposal
    if proposal.dose_mg is None:
        return None
    # recommended dose → the indications (names) that call for it
    groups: dict[_Dose, list[Assessed]] = {}
    for item in assessed:
        dose = recommended_dose(item.assessment)
        if dose is not None and _differs(proposal, dose):
            groups.setdefault(dose, []).append(item)
    if not groups:
        return None
    names = kb.get(IndicationsKnowledge)
    suggestions: list[Suggestion] = []
    reasons: list[str] = []
    citations: list[Citation] = []
    alternatives = len(groups) > 1
    for dose, items in groups.items():
        words = orders.schedule_words(dose.dose_mg, dose.frequency, dose.days_on, dose.cycle_days)
        which = " or ".join(names.entry(i.assessment.indication).name for i in items)
        label = f"If {which}: {words}" if alternatives else None
        suggestion = _dose_suggestion(
            draft,
            kb,
            dose_mg=dose.dose_mg,
            frequency=dose.frequency,
            days_on=dose.days_on,
            cycle_days=dose.cycle_days,
            label=label,
        )
        if suggestion is not None:
            suggestions.append(suggestion)
        first = items[0].assessment
        plan = first.dose
        assert plan is not None
        renal, renal_citations = _renal_words(first)
        assumed = any(i.assumed for i in items)
        prefix = f"Assuming {which}: " if assumed else ""
        reasons.append(f"{prefix}{words}. {renal} {plan.reason}".strip())
        citations += [c for c in [*renal_citations, *plan.citations] if c not in citations]
    first = next(iter(groups.values()))[0].assessment
    card_type, why = _why(first)
    higher = any(proposal.dose_mg > dose.dose_mg for dose in groups)
    ordered = orders.schedule_words(
        proposal.dose_mg, proposal.frequency or Frequency.DAILY, None, None
    )
    if alternatives:
        summary = (
            f"Lenalidomide {format_number(proposal.dose_mg)} mg: the right dose depends on the "
            "indication, which is not recorded"
        )
    else:
        dose = next(iter(groups))
        summary = (
            f"Lenalidomide dose: {format_number(dose.dose_mg)} mg {_how(dose.frequency)} {why}, "
            f"not {format_number(proposal.dose_mg)} mg as ordered"
        )
    detail = f"Ordered: {ordered}.\n\n" + "\n\n".join(reasons)
    status = first.dose.status.value if first.dose is not None else "unverified"
    card = _card(
        summary=summary,
        detail=_detail(detail, citations, status, kb),
        severity=Severity.CRITICAL if higher else Severity.WARNING,
        source=_source(citations, kb),
        suggestions=suggestions,
        link=link,
    )
    return IssuedCard(card_type, card)


def _how(frequency: Frequency) -> str:
    return "daily" if frequency is Frequency.DAILY else "every 48 h"


# --- the REMS supply of the draft ----------------------------------------------------------


def _rems_card(draft: Draft, kb: KnowledgeBase, link: str | None) -> IssuedCard | None:
    limits = kb.get(RemsKnowledge).prescription_limits
    proposal = draft.proposal
    too_long = proposal.supply_days is not None and proposal.supply_days > limits.max_days_supply
    refills = proposal.refills is not None and proposal.refills > limits.max_refills
    if not (too_long or refills):
        return None
    problems = []
    if too_long:
        problems.append(f"{format_number(proposal.supply_days)} days' supply")
    if refills:
        problems.append(f"{proposal.refills} refill{'s' if proposal.refills != 1 else ''}")
    capsules = None
    if proposal.quantity is not None and proposal.supply_days:
        share = min(1.0, limits.max_days_supply / proposal.supply_days)
        capsules = math.floor(proposal.quantity * share)
    resource = dict(draft.resource)
    resource["dispenseRequest"] = orders.limited_dispense(
        draft.resource,
        kb,
        capsules=capsules,
        supply_days=int(
            min(proposal.supply_days or limits.max_days_supply, limits.max_days_supply)
        ),
    )
    fix = f"at most {limits.max_days_supply} days' supply, {limits.max_refills} refills"
    suggestion = Suggestion(
        label=_clip(f"Limit the order to {fix}"),
        isRecommended=True,
        actions=[
            Action(type="update", description=f"Set the draft order to {fix}", resource=resource)
        ],
    )
    card = _card(
        summary=f"REMS: a lenalidomide prescription allows {fix}; this order has {' and '.join(problems)}",
        detail=_detail(limits.text, limits.cite, limits.status.value, kb),
        severity=Severity.CRITICAL,
        source=_source(limits.cite, kb),
        suggestions=[suggestion],
        link=link,
    )
    return IssuedCard("rems.supply", card)


# --- all cards -----------------------------------------------------------------------------


def _finding(assessment: Assessment, finding_id: str) -> Finding:
    return next(f for f in assessment.findings if f.id == finding_id)


def build_cards(
    assessed: Sequence[Assessed],
    kb: KnowledgeBase,
    *,
    draft: Draft | None = None,
    link: str | None = None,
    plan_card: bool = False,
) -> list[IssuedCard]:
    """The cards for one hook call: empty when all is well, unless `plan_card` asks for one
    info card that summarises the plan (a setting: LENAGUARD_CDS_PLAN_CARD)."""
    issued: list[IssuedCard] = []
    if draft is not None:
        for made in (_dose_card(assessed, draft, kb, link), _rems_card(draft, kb, link)):
            if made is not None:
                issued.append(made)
    seen: set[str] = set()
    for item in assessed:
        assessment = item.assessment
        for action in assessment.actions:
            if action.finding_id in seen:
                continue
            seen.add(action.finding_id)
            finding = _finding(assessment, action.finding_id)
            change = isinstance(action.remedy, ChangeDose)
            if (
                change
                and draft is not None
                and any(c.card_type.startswith("dose.") for c in issued)
            ):
                continue  # the dose card already replaces the draft
            card = _card(
                summary=action.text,
                detail=_detail(finding.detail, finding.citations, finding.status.value, kb),
                severity=action.severity,
                source=_source(finding.citations, kb),
                suggestions=_remedy_suggestions(action, assessment, draft, kb),
                link=link,
            )
            issued.append(IssuedCard(action.finding_id, card))
    if not issued and plan_card and assessed:
        issued.append(_plan_card(assessed[0].assessment, link))
    return issued


PLAN_CARD = "plan.summary"


def _plan_card(assessment: Assessment, link: str | None) -> IssuedCard:
    """One info card with the dose plan the assessment decided, when nothing needs action."""
    plan = assessment.dose
    summary = f"lenaguard: {plan.action.value.replace('_', ' ')}"
    if plan.action.gives_drug and plan.dose_mg is not None:
        summary += f" {dose_words(plan.dose_mg, plan.frequency or Frequency.DAILY)}"
        if plan.days_on is not None and plan.cycle_days is not None:
            summary += f", days {plan.days_on[0]}–{plan.days_on[1]} of {plan.cycle_days}"
    summary += "; nothing needs action"
    card = Card(
        summary=_clip(summary),
        detail=plan.reason,
        indicator=INDICATORS[Severity.INFO],
        source=Source(label="lenaguard"),
        links=[Link(label=LINK_LABEL, url=link)] if link else None,
    )
    return IssuedCard(PLAN_CARD, card)


def fits(indication: Indication, proposal: ProposedOrder, kb: KnowledgeBase) -> bool:
    """Whether a draft's dose is the label's starting dose of an indication."""
    entry = kb.get(IndicationsKnowledge).entry(indication)
    return proposal.dose_mg == entry.dose_mg
