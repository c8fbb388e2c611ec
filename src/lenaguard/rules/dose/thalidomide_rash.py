"""A grade 4 rash on thalidomide: a warning the prescriber decides on, not a contraindication.

The label advises against lenalidomide after a grade 4 rash on thalidomide (USPI §5.9); its
contraindications (§4) are pregnancy and severe hypersensitivity to lenalidomide itself. So a
recorded grade 4 rash on thalidomide gives a warning that asks the prescriber to record the
decision — it never stops the course, never blocks, and is never called a contraindication.
Before the first dose, an unrecorded history is asked for (info).
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding, RecordField
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.text import label_sections
from lenaguard.vocab import Category, Severity

_input_finding = Finding.maker(Category.INPUT)
_toxicity_finding = Finding.maker(Category.TOXICITY)


def prior_thalidomide_rash_findings(
    case: Case, kb: KnowledgeBase, *, started: bool
) -> list[Finding]:
    """The warning when the history is recorded; before the first dose, a request for it."""
    entry = kb.get(OtherToxicityKnowledge).prior_thalidomide_rash
    value = getattr(case.conditions, entry.condition)
    if value is True:
        timing = (
            "Treatment is under way: record the decision to continue"
            if started
            else "Before the first dose: record the decision"
        )
        return [
            _toxicity_finding(
                entry,
                name="prior_thalidomide_grade4_rash",
                severity=Severity.WARNING,
                summary=entry.summary,
                detail=(
                    f"{words(entry, 'wording')} {timing} ({label_sections(entry)}; case: "
                    f"conditions.{entry.condition})."
                ),
                inputs={entry.condition: True, "course_started": started},
            )
        ]
    if value is None and not started:
        return [
            _input_finding(
                entry,
                name="prior_thalidomide_grade4_rash_unknown",
                severity=Severity.INFO,
                summary=f"Not recorded: conditions.{entry.condition}.",
                detail=entry.unknown_wording,
                inputs={entry.condition: None},
                remedy=RecordField(field=f"conditions.{entry.condition}"),
            )
        ]
    return []
