"""Patients under the label's adult age: off-label use, and the REMS enrollment of a child.

Lenalidomide is labelled for adults (USPI §8.4: safety and effectiveness in pediatric patients
are not established). A case for a younger patient is assessed, not refused, so the prescriber
sees everything else lenaguard knows, with:

- a warning that the use is off-label and the label's doses are written for adults;
- the REMS child risk category (decided in `rems.rems_risk_category`) and a warning that a
  parent or legal guardian signs the patient-physician agreement form too
  (`rems.enrollment_agreements`, which the REMS workflow reads).

Whether Cockcroft-Gault can be used at that age is the renal rules' question.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.rules.safety.rems import enrollment_agreements, rems_risk_category
from lenaguard.text import format_number
from lenaguard.vocab import Category, Severity

__all__ = ["evaluate"]

_dosing_finding = Finding.maker(Category.DOSING)
_pregnancy_finding = Finding.maker(Category.PREGNANCY)


def _off_label(case: Case, kb: KnowledgeBase) -> Finding:
    adults = kb.get(IndicationsKnowledge).adults_only
    years = format_number(adults.years)
    return _dosing_finding(
        adults,
        name="pediatric_off_label",
        severity=Severity.WARNING,
        summary=(
            f"The patient is {case.age_years}: lenalidomide is labelled for adults "
            f"({years} and over), so this use is off-label."
        ),
        detail=(
            f"{adults.text} The label's starting doses, dose changes and monitoring are written "
            f"for patients aged {years} and over; lenaguard applies them as written, and the "
            "prescriber decides whether and how they apply to this patient."
        ),
        inputs={"age_years": case.age_years, "adult_from_years": adults.years},
    )


def _guardian(case: Case, kb: KnowledgeBase) -> Finding | None:
    category = rems_risk_category(case.patient.sex, case.age_years, case.patient.reproductive, kb)
    guardian = [a for a in enrollment_agreements(category.category, kb) if a.signer != "patient"]
    if not guardian:
        return None
    return _pregnancy_finding(
        kb.get(RemsKnowledge).guardian_agreement,
        name="rems_guardian_agreement",
        severity=Severity.WARNING,
        summary=("A parent or legal guardian must also sign the REMS patient-physician agreement."),
        detail=(
            f"The patient is {case.age_years}, a child for the REMS. {guardian[0].text} The "
            "enrollment is not complete without it."
        ),
        inputs={"age_years": case.age_years, "rems_category": category.category.value},
    )


def evaluate(case: Case, kb: KnowledgeBase) -> RuleOutcome:
    """Findings for a patient under the label's adult age or in a REMS child category (none
    for an adult)."""
    findings = []
    if case.age_years < kb.get(IndicationsKnowledge).adults_only.years:
        findings.append(_off_label(case, kb))
    guardian = _guardian(case, kb)
    if guardian is not None:
        findings.append(guardian)
    return RuleOutcome(findings=findings)
