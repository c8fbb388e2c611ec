"""Drug interactions and pharmacokinetics: what lenaguard says about a co-medication class.

Each interaction entry names the drug classes of the catalogue (`drugs.yaml`) it applies to and
carries the statement the rules show, with its evidence status. The pharmacokinetic facts
explain why some interactions are *not* expected (lenalidomide is not metabolised by CYP450).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import CardSummary, Cited, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Indication, Severity


class ClassStatement(Cited):
    """What lenaguard says when a case lists a medication of one of `classes`."""

    statement_template = "{summary}. {detail}"

    classes: list[str] = Field(min_length=1, description="Drug classes of the catalogue.")
    severity: Severity
    summary: CardSummary = Field(description="One line for clinicians: the finding's summary.")
    detail: str = Field(description="The explanation and what to do.")


class DigoxinInteraction(ClassStatement):
    """Digoxin exposure with lenalidomide (US label §7)."""

    statement_template = "{summary}. With lenalidomide the peak digoxin level rose by {cmax_increase_percent}% ({study}); {auc}. {detail}"

    cmax_increase_percent: float = Field(gt=0, description="Rise of digoxin peak level (Cmax).")
    auc: str = Field(description="What happened to total digoxin exposure (AUC).")
    study: str = Field(description="Who was studied, in words (the figures' setting).")


class DexamethasoneCyp3a4(ClassStatement):
    """Dexamethasone is a CYP3A4 substrate: an inhibitor may raise, an inducer lower, its
    exposure. About dexamethasone only; lenalidomide has no CYP interaction."""

    with_class: str = Field(description="Said only when this drug class is given too.")
    inhibitor_class: str
    inducer_class: str
    inhibitor_text: str
    inducer_text: str
    not_lenalidomide: str
    no_cyp_note: str = Field(description="Added to the no-CYP finding when dexamethasone is given.")


class WarfarinInteraction(ClassStatement):
    """Warfarin: no pharmacokinetic interaction, but PT/INR monitoring in myeloma."""

    monitor_indications: list[Indication] = Field(
        min_length=1, description="Indications in which PT/INR must be watched closely."
    )
    reason_class: str = Field(
        description="Drug class whose effect on warfarin is unknown (dexamethasone)."
    )
    otherwise_severity: Severity
    otherwise_summary: CardSummary
    otherwise_detail: str


class ContraceptionNote(Cited):
    """Added to the estrogen statement for female patients (REMS contraception)."""

    classes: list[str] = Field(min_length=1)
    text: str


class BleedingWithLowPlatelets(ClassStatement):
    """Anticoagulants or antiplatelet drugs in a patient whose platelet count is low."""

    platelets_below_per_ul: float = Field(gt=0, description="Low-platelet threshold, per µL.")
    threshold_basis: str = Field(description="Why this threshold was chosen.")
    not_an_interaction: str = Field(description="Why this is not a lenalidomide interaction.")
    platelets_unknown_summary: CardSummary
    platelets_unknown_detail: str


class NoCypInteraction(ClassStatement):
    """CYP3A4 inhibitors and inducers: no interaction expected (info only, never an alert)."""

    wrong_claim: str = Field(
        description="That some drug guides get this wrong, stated as the correct fact (the "
        "wrong claim itself is never repeated)."
    )


class UnrecognisedMedications(Cited):
    """Said when a case medication is not in the drug catalogue."""

    statement_template = "{summary}. {detail}"

    severity: Literal[Severity.INFO] = Severity.INFO
    summary: CardSummary
    detail: str


class PkFact(Cited):
    """A pharmacokinetic fact about lenalidomide (shown by `lenaguard knowledge show`).

    `text` may read the fact's own values as a template (`{typical_hours}`).
    """

    text: str


class Metabolism(PkFact):
    """How little of lenalidomide is metabolised (the human mass-balance study's shares)."""

    parent_share_percent: float = Field(gt=0, le=100, description="Unchanged drug in plasma.")
    metabolite_each_below_percent: float = Field(gt=0, le=100)


class HalfLife(PkFact):
    typical_hours: float = Field(gt=0)
    range_hours: tuple[float, float] = Field(description="At clinical doses.")


class FoodEffect(PkFact):
    auc_decrease_percent: float = Field(gt=0)
    clinically_relevant: bool


class Pharmacokinetics(Frozen):
    """Why lenalidomide has few pharmacokinetic interactions (each fact cited on its own)."""

    metabolism: Metabolism
    p_glycoprotein: PkFact
    half_life: HalfLife
    food: FoodEffect


@register("interactions")
class InteractionsKnowledge(Topic):
    topic: Literal["interactions"] = "interactions"
    digoxin: DigoxinInteraction
    warfarin: WarfarinInteraction
    thrombosis_risk: ClassStatement
    estrogen_contraception: ContraceptionNote
    bleeding_with_low_platelets: BleedingWithLowPlatelets
    no_cyp_interaction: NoCypInteraction
    dexamethasone_cyp3a4: DexamethasoneCyp3a4
    unrecognised: UnrecognisedMedications
    ignored_classes: list[str] = Field(
        description="Classes that are lenalidomide itself: never listed as co-medications."
    )
    pharmacokinetics: Pharmacokinetics

    @model_validator(mode="after")
    def _no_cyp_alert(self) -> InteractionsKnowledge:
        if self.no_cyp_interaction.severity is not Severity.INFO:
            raise ValueError("no_cyp_interaction.severity: must be info (no CYP interaction)")
        return self

    def class_statements(self) -> list[ClassStatement]:
        """Every statement keyed to drug classes, for checks against the catalogue."""
        return [
            self.digoxin,
            self.warfarin,
            self.thrombosis_risk,
            self.bleeding_with_low_platelets,
            self.no_cyp_interaction,
            self.dexamethasone_cyp3a4,
        ]
