"""Non-hematologic toxicity and contraindications that change an ongoing dose (USPI §2.5, §4, §5).

Grades are CTCAE grades (0–4) of the toxicity the prescriber judged related to lenalidomide,
as recorded in the case's `therapy.other_toxicity`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Indication, Symptom, ToxicityKind


class GradeHold(Cited):
    """Hold at or above one grade; restart (one step lower) at or below another."""

    hold_at_grade: int = Field(ge=0, le=4)
    max_grade: int | None = Field(
        default=None, ge=0, le=4, description="The highest grade the wording names ('3 or 4')."
    )
    restart_at_most_grade: int = Field(ge=0, le=4)
    wording: str = Field(description="A template over the grades ({hold_at_grade}).")

    @model_validator(mode="after")
    def _restart_below_hold(self) -> GradeHold:
        if self.restart_at_most_grade >= self.hold_at_grade:
            raise ValueError("restart_at_most_grade must be below hold_at_grade")
        if self.max_grade is not None and self.max_grade < self.hold_at_grade:
            raise ValueError("max_grade must be at least hold_at_grade")
        return self


class GradeRange(Cited):
    """Advice that applies to grades `min_grade` to `max_grade` of one toxicity kind."""

    kinds: list[ToxicityKind] = Field(min_length=1)
    min_grade: int = Field(ge=0, le=4)
    max_grade: int = Field(ge=0, le=4)
    wording: str


class PermanentStop(Cited):
    """A toxicity kind (at or above a grade, if given) after which lenalidomide is not restarted."""

    kind: ToxicityKind
    at_least_grade: int | None = Field(default=None, ge=1, le=4)
    wording: str


class SuspectedSevereRash(Cited):
    """Patient-reported skin signs that need a clinician to exclude a severe skin reaction."""

    symptoms: list[Symptom] = Field(min_length=1)
    wording: str


class Contraindication(Cited):
    """A recorded condition under which lenalidomide must not be given (USPI §4 only)."""

    condition: Literal["lenalidomide_hypersensitivity"]
    wording: str


class PriorThalidomideRash(Cited):
    """A §5.9 warning, not a contraindication: the prescriber decides and records it."""

    condition: Literal["prior_thalidomide_grade4_rash"]
    summary: str
    wording: str
    unknown_wording: str


class MaintenanceSpm(Cited):
    """Hematologic second cancers in maintenance after transplant (percent of patients)."""

    indications: list[Indication] = Field(min_length=1)
    lenalidomide_percent: float = Field(gt=0, lt=100)
    control_percent: float = Field(gt=0, lt=100)
    text: str


class MyelomaSpmSettings(Cited):
    """Where the excess of second cancers was seen in myeloma (percent of patients)."""

    indications: list[Indication] = Field(min_length=1)
    oral_melphalan_percent: float = Field(gt=0, lt=100)
    after_transplant_up_to_percent: float = Field(gt=0, lt=100)
    lenalidomide_dexamethasone_percent: float = Field(gt=0, lt=100)
    text: str


class SecondPrimaryMalignancies(Frozen):
    """USPI §5.6: what a prescriber weighs before starting, and the figures behind it."""

    counselling: CitedText
    maintenance: MaintenanceSpm
    myeloma_settings: MyelomaSpmSettings


class TumorFlare(GradeHold):
    """Tumor flare reaction in the lymphomas: its own restart grade; lower grades continue."""

    indications: list[Indication] = Field(min_length=1)
    continue_wording: str


class TumorLysis(Cited):
    condition: Literal["high_tumor_burden"]
    wording: str


@register("other_toxicity")
class OtherToxicityKnowledge(Topic):
    """What the label says to do with non-blood toxicity on treatment, and who must not take it."""

    topic: Literal["other_toxicity"] = "other_toxicity"
    grade_hold: GradeHold
    rash_consider: GradeRange
    permanent_stop: list[PermanentStop] = Field(min_length=1)
    suspected_severe_rash: SuspectedSevereRash
    contraindications: list[Contraindication] = Field(min_length=1)
    prior_thalidomide_rash: PriorThalidomideRash
    second_primary_malignancies: SecondPrimaryMalignancies
    hepatotoxicity: GradeHold
    tumor_flare: TumorFlare
    tumor_lysis: TumorLysis

    def stop_entry(self, kind: ToxicityKind, grade: int) -> PermanentStop | None:
        """The permanent-stop entry matching a toxicity kind and grade, if any."""
        for entry in self.permanent_stop:
            if entry.kind is not kind:
                continue
            if entry.at_least_grade is None or grade >= entry.at_least_grade:
                return entry
        return None
