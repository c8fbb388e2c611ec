"""Patient-reported symptoms: how urgent each one is and what the patient should do.

Every member of `vocab.Symptom` has an entry with a finding severity (for clinicians), an
urgency (for patients) and a plain-language instruction. Two rules go beyond single symptoms:
fever in a neutropenic patient, and mouth sores together with a skin reaction. A missed period in
a female patient is reported by the pregnancy rules, with this topic's instruction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import CardSummary, Cited, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Severity, Sex, Symptom


class Urgency(StrEnum):
    """How soon the patient should act on a symptom."""

    IMMEDIATE = "immediate"
    """Seek medical care now (emergency department or emergency services)."""
    SAME_DAY = "same_day"
    """Call the care team today."""
    ROUTINE = "routine"
    """Mention it at the next contact with the care team."""

    @property
    def words(self) -> str:
        """The urgency as a phrase for messages."""
        return {
            Urgency.IMMEDIATE: "seek medical care now",
            Urgency.SAME_DAY: "call the care team today",
            Urgency.ROUTINE: "mention it at the next contact with the care team",
        }[self]


class SymptomEntry(Cited):
    """One symptom: its meaning for clinicians, its urgency and the patient's instruction."""

    statement_template = "A patient who reports {name} may have {concern} {instruction}"

    name: str = Field(description="The symptom in plain words.")
    concern: str = Field(description="What it may signal, for clinicians.")
    severity: Severity
    urgency: Urgency
    instruction: str = Field(
        description="What the patient should do, in plain language; reads `values`."
    )
    values: dict[str, float] = Field(
        default_factory=dict,
        description="The numbers the words name ({values[bowel_movements_per_week]}).",
    )
    applies_to_sex: Sex | None = Field(
        default=None, description="Only meaningful for this sex (missed period: female)."
    )
    superseded_by: list[Symptom] = Field(
        default_factory=list,
        description="Reported together with any of these, this symptom adds nothing of its own.",
    )
    female_note: str | None = Field(
        default=None, description="Added for female patients (e.g. pregnancy check)."
    )
    reported_by_pregnancy_rules: bool = Field(
        default=False,
        description="For a patient of the sex it applies to, the pregnancy rules report this "
        "symptom: they know her reproductive status and pregnancy tests, and their one finding "
        "carries both the clinician's steps and this entry's patient instruction. The symptom "
        "rules then add no finding of their own, so the report does not say it twice.",
    )

    @model_validator(mode="after")
    def _critical_is_immediate(self) -> SymptomEntry:
        if self.severity is Severity.CRITICAL and self.urgency is not Urgency.IMMEDIATE:
            raise ValueError("a critical symptom must have urgency 'immediate'")
        return self


class NeutropenicFever(Cited):
    """Fever with a low neutrophil count: escalated to critical."""

    statement_template = "{summary}. {detail}"

    symptom: Literal[Symptom.FEVER] = Symptom.FEVER
    anc_below_per_ul: float = Field(gt=0, description="Neutropenia threshold, per µL.")
    threshold_basis: str
    severity: Severity
    summary: CardSummary
    detail: str
    anc_unknown_summary: CardSummary
    anc_unknown_detail: str


class SymptomCombination(Cited):
    """Symptoms that together mean more than each alone; replaces their own findings."""

    statement_template = "A patient who reports {name} may have {concern} {instruction}"

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    all_of: list[Symptom] = Field(min_length=1)
    any_of: list[Symptom] = Field(min_length=1)
    name: str
    concern: str
    severity: Severity
    urgency: Urgency
    instruction: str


class NotApplicable(Cited):
    """Said when a symptom cannot apply to the patient (e.g. missed period in a male)."""

    statement_template = "{detail}"

    detail: str


@register("symptoms")
class SymptomsKnowledge(Topic):
    topic: Literal["symptoms"] = "symptoms"
    symptoms: dict[Symptom, SymptomEntry]
    neutropenic_fever: NeutropenicFever
    combinations: list[SymptomCombination] = Field(default_factory=list)
    not_applicable: NotApplicable

    @model_validator(mode="after")
    def _every_symptom(self) -> SymptomsKnowledge:
        missing = sorted(set(Symptom) - set(self.symptoms))
        if missing:
            raise ValueError(f"symptoms missing: {', '.join(missing)}")
        return self

    def entry(self, symptom: Symptom) -> SymptomEntry:
        return self.symptoms[symptom]
