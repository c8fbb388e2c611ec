"""Question 2, is it safe to give now: pregnancy and REMS, infection and hepatitis B,
thrombosis, interactions, symptoms, patients under the adult age, improbable input.

`evaluate(case, kb)` runs the group's topics in a declared order and returns one
`SafetyOutcome`: their findings and monitoring, plus the typed results other surfaces show
(the REMS risk category, the HBV class, the VTE scores).
"""

from __future__ import annotations

from pydantic import Field

from lenaguard.case import Case
from lenaguard.knowledge import Frozen, KnowledgeBase, Status
from lenaguard.knowledge.topics.rems import RemsRiskCategory
from lenaguard.rules.base.results import RepeatingTest, RuleOutcome
from lenaguard.rules.safety import infection as _infection
from lenaguard.rules.safety import interactions as _interactions
from lenaguard.rules.safety import minors as _minors
from lenaguard.rules.safety import plausibility as _plausibility
from lenaguard.rules.safety import pregnancy as _pregnancy
from lenaguard.rules.safety import symptoms as _symptoms
from lenaguard.rules.safety import thrombosis as _thrombosis
from lenaguard.rules.safety.infection import HbvSerology
from lenaguard.rules.safety.thrombosis import ImwgThrombosisRisk, ScoreResult

__all__ = ["RemsCategory", "SafetyOutcome", "VteScores", "evaluate"]


class RemsCategory(Frozen):
    """The patient's REMS risk category, decided from sex, age and reproductive history."""

    id: RemsRiskCategory
    name: str
    basis: list[str] = Field(description="The facts that decided the category.")
    status: Status
    reproductive_potential: bool | None = Field(
        description="Females: able to become pregnant (True also when presumed). Males: null."
    )
    presumed: bool = Field(description="True when the category rests on unknown history.")


class VteScores(Frozen):
    """The venous thromboembolism risk scores computed for every case (myeloma-validated)."""

    impede_vte: ScoreResult
    saved: ScoreResult


class SafetyOutcome(RuleOutcome):
    """The safety screens' findings and monitoring, with their typed results."""

    rems: RemsCategory
    hbv: HbvSerology
    scores: VteScores
    imwg_thrombosis: ImwgThrombosisRisk
    repeating: list[RepeatingTest] = Field(
        default_factory=list, description="Tests that repeat after their next due date."
    )


def evaluate(case: Case, kb: KnowledgeBase) -> SafetyOutcome:
    """Run the safety topics in order: pregnancy, infection, thrombosis, interactions, symptoms,
    minors (under the adult age), plausibility (improbable input)."""
    pregnancy = _pregnancy.evaluate(case, kb)
    infection = _infection.evaluate(case, kb)
    thrombosis = _thrombosis.evaluate(case, kb)
    outcomes = [
        pregnancy,
        infection,
        thrombosis,
        _interactions.evaluate(case, kb),
        _symptoms.evaluate(case, kb),
        _minors.evaluate(case, kb),
        _plausibility.evaluate(case, kb),
    ]
    return SafetyOutcome(
        findings=[finding for outcome in outcomes for finding in outcome.findings],
        monitoring=[item for outcome in outcomes for item in outcome.monitoring],
        rems=RemsCategory(
            id=RemsRiskCategory(pregnancy.rems_category),
            name=pregnancy.rems_category_name,
            basis=pregnancy.rems_category_basis,
            status=pregnancy.rems_category_status,
            reproductive_potential=pregnancy.reproductive_potential,
            presumed=pregnancy.reproductive_potential_presumed,
        ),
        hbv=infection.hbv,
        scores=VteScores(
            impede_vte=thrombosis.scores[_thrombosis.IMPEDE_VTE],
            saved=thrombosis.scores[_thrombosis.SAVED],
        ),
        imwg_thrombosis=thrombosis.imwg,
        repeating=pregnancy.repeating,
    )
