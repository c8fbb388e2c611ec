"""Confirmed IMWG progression ends the label's course unless the prescriber decides otherwise.

Every indication's course runs "until disease progression or unacceptable toxicity". When the
IMWG rules find confirmed progression, lenalidomide is not simply continued: the prescriber
records a decision (`therapy.continue_after_progression`, dated on or after the confirming
assessment). Until then a blocking finding holds the dose panel and the case is not ready.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding, RecordField
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.rules.response.imwg import ImwgCategory, ImwgResponse
from lenaguard.vocab import Category, Severity

DECISION_FIELD = "therapy.continue_after_progression"
"""Where the prescriber records the decision to go on after progression."""

_response_finding = Finding.maker(Category.RESPONSE)


def progression_findings(case: Case, imwg: ImwgResponse | None, kb: KnowledgeBase) -> list[Finding]:
    """A blocking finding on confirmed progression without a recorded decision; else a note."""
    if imwg is None or imwg.category is not ImwgCategory.PD or not imwg.confirmed:
        return []
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    confirmed_on = imwg.date
    decision = None if case.therapy is None else case.therapy.continue_after_progression
    inputs = {"imwg_category": imwg.category.value, "confirmed_on": str(confirmed_on)}
    if decision is not None and (confirmed_on is None or decision.date >= confirmed_on):
        return [
            _response_finding.with_citations(
                name="continuing_after_progression",
                severity=Severity.WARNING,
                summary=f"Continuing after confirmed progression by decision of {decision.date}.",
                detail=(
                    f"The label's course runs {indication.duration}; the prescriber recorded on "
                    f"{decision.date} the decision to go on: {decision.reason}"
                ),
                status=indication.status,
                citations=[*indication.cite, *imwg.citations],
                inputs={**inputs, "decision_date": str(decision.date)},
            )
        ]
    stale = (
        ""
        if decision is None
        else f" The recorded decision of {decision.date} predates the confirmation."
    )
    return [
        _response_finding.with_citations(
            name="progression_decision_needed",
            severity=Severity.CRITICAL,
            summary="Confirmed progression: record whether to continue before the next dose.",
            detail=(
                f"IMWG progression was confirmed on {confirmed_on}. The label's course runs "
                f"{indication.duration}. Review the treatment plan; to go on with lenalidomide, "
                f"record {DECISION_FIELD} with the date and the reason.{stale}"
            ),
            status=indication.status,
            citations=[*indication.cite, *imwg.citations],
            inputs=inputs,
            blocking=True,
            remedy=RecordField(field=DECISION_FIELD),
        )
    ]
