"""Question 3, is it working: IMWG myeloma response, immunoglobulin recovery, MDS response.

`evaluate(case, kb)` returns one `ResponseOutcome` with the findings and the typed IMWG,
immunoglobulin and MDS results; confirmed progression without a recorded decision to go on
blocks the prescription.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.response import imwg as _imwg
from lenaguard.rules.response.imwg import ResponseOutcome
from lenaguard.rules.response.progression import progression_findings as _progression

__all__ = ["ResponseOutcome", "evaluate"]


def evaluate(case: Case, kb: KnowledgeBase) -> ResponseOutcome:
    """The response rules, then what confirmed progression means for the next dose."""
    outcome = _imwg.evaluate(case, kb)
    extra = _progression(case, outcome.imwg, kb)
    if not extra:
        return outcome
    return outcome.model_copy(update={"findings": [*outcome.findings, *extra]})
