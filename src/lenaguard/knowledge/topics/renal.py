"""Renal function: the Cockcroft-Gault equation, body-weight policies, the label's renal bands,
and the renal starting-dose table of the US label (USPI §2.6, §8.6, §12.3).

The data file holds every number; `lenaguard.rules.dose.renal` and `lenaguard.rules.dose.starting_dose`
read them. Each cell of the dose table carries its own evidence status, because the sources
were seen with different firmness (the myeloma/mantle-cell moderate row in an older label, the
rest believed current but unseen).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Frequency, Indication, RenalBand, Sex, WeightPolicy

ADJUSTED_BANDS = (RenalBand.MODERATE, RenalBand.SEVERE, RenalBand.DIALYSIS)
"""The bands in which the label lowers the starting dose (the rows of the dose table)."""


class CockcroftGault(Cited):
    """CrCl (mL/min) = (age_constant − age) × weight ÷ (creatinine_factor × SCr mg/dL) × female_factor."""

    age_constant_years: float = Field(gt=0)
    creatinine_factor: float = Field(gt=0)
    female_factor: float = Field(gt=0, le=1)
    creatinine_unit: Literal["mg/dL"]
    result_unit: Literal["mL/min"]
    text: str
    assumptions: str = Field(description="When the estimate misleads (not BSA-normalised, etc.).")


class IdealBodyWeight(Cited):
    """Devine: base weight by sex plus a fixed weight per inch of height above a reference."""

    base_kg: dict[Sex, float]
    kg_per_inch: float = Field(gt=0)
    reference_height_in: float = Field(gt=0)
    cm_per_inch: float = Field(gt=0)
    text: str
    below_reference: str = Field(
        description="What is done for patients shorter than the reference height."
    )

    @model_validator(mode="after")
    def _both_sexes(self) -> IdealBodyWeight:
        missing = sorted(set(Sex) - set(self.base_kg))
        if missing:
            raise ValueError(f"base_kg missing: {', '.join(missing)}")
        return self


class AdjustedBodyWeight(Cited):
    """IBW + fraction × (actual − IBW), used only when actual weight exceeds IBW."""

    fraction_of_excess: float = Field(gt=0, lt=1)
    text: str
    not_above_ideal: str = Field(description="What is done when actual weight ≤ IBW.")


class BmiRule(Cited):
    """Pick the weight by body-mass index: low → actual, normal → min(IBW, actual), high → adjusted."""

    normal_from: float = Field(gt=0, description="BMI below this: actual weight.")
    overweight_from: float = Field(gt=0, description="BMI at or above this: adjusted weight.")
    cm_per_m: float = Field(gt=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> BmiRule:
        if not self.normal_from < self.overweight_from:
            raise ValueError("normal_from must be below overweight_from")
        return self


class DefaultPolicy(Cited):
    """The weight policy used when the case names none, and the evidence for it."""

    policy: WeightPolicy
    patients_studied: int = Field(gt=0)
    normal_start_mg: float = Field(
        gt=0, description="The myeloma starting dose at normal clearance (indications.yaml)."
    )
    moderate_start_mg: float = Field(
        gt=0, description="The starting dose of the moderate band (the renal dose table)."
    )
    text: str = Field(description="The evidence in words; reads the doses above.")


class WeightPolicies(Frozen):
    default: DefaultPolicy
    ideal: IdealBodyWeight
    adjusted: AdjustedBodyWeight
    bmi_rule: BmiRule


class BandThreshold(Cited):
    """A band starts at `from_ml_min` (inclusive) and runs up to the next band's start."""

    statement_template = (
        "Creatinine clearance (Cockcroft-Gault) from {from_ml_min} mL/min: {meaning}."
    )

    from_ml_min: float = Field(ge=0)
    meaning: str


class BoundaryRule(Cited):
    """Which band a CrCl exactly on a threshold belongs to, when the label's wording is unclear."""

    at_ml_min: float = Field(gt=0)
    band: RenalBand
    text: str


class BandRule(Cited):
    """A band that is not defined by a CrCl threshold alone (severe without dialysis, dialysis)."""

    statement_template = "Renal band: {meaning}."

    meaning: str


class RenalBands(Frozen):
    """The label's renal bands: normal ≥ normal.from, moderate ≥ moderate.from, severe below."""

    normal: BandThreshold
    moderate: BandThreshold
    severe: BandRule
    dialysis: BandRule
    boundary: BoundaryRule

    @model_validator(mode="after")
    def _ordered(self) -> RenalBands:
        if not self.moderate.from_ml_min < self.normal.from_ml_min:
            raise ValueError("moderate.from_ml_min must be below normal.from_ml_min")
        if self.boundary.at_ml_min not in (self.normal.from_ml_min, self.moderate.from_ml_min):
            raise ValueError("boundary.at_ml_min must be one of the band thresholds")
        return self


class RenalEscalation(Frozen):
    """A dose increase the label allows after a renally reduced start (part of its table cell)."""

    to_mg: float = Field(gt=0)
    after_cycles: int = Field(gt=0)
    condition: str


class RenalStartingDose(Cited):
    """One cell of the renal starting-dose table."""

    dose_mg: float = Field(gt=0)
    frequency: Frequency
    after_dialysis: bool = Field(
        default=False, description="On dialysis days, give the dose after the dialysis session."
    )
    escalation: RenalEscalation | None = None
    text: str


class DoseColumn(Frozen):
    """A column of the table: the indications it covers and its rows by band."""

    name: str
    indications: list[Indication] = Field(min_length=1)
    rows: dict[RenalBand, RenalStartingDose]

    @model_validator(mode="after")
    def _adjusted_rows_only(self) -> DoseColumn:
        if set(self.rows) != set(ADJUSTED_BANDS):
            expected = ", ".join(band.value for band in ADJUSTED_BANDS)
            raise ValueError(f"{self.name}: rows must be exactly {expected}")
        return self


class NotStudied(Cited):
    """CrCl ranges the label's pharmacokinetic study did not include."""

    not_on_dialysis_below_ml_min: float = Field(gt=0)
    on_dialysis_below_ml_min: float = Field(gt=0)
    text: str


class CitedPercent(Cited):
    percent: float = Field(gt=0, le=100)
    text: str


class DialysisRemoval(CitedPercent):
    session_hours: float = Field(gt=0)


class Pharmacokinetics(Frozen):
    """Why the dose depends on the kidneys (background for messages, not a decision rule)."""

    urinary_excretion_unchanged: CitedPercent
    hemodialysis_removal: DialysisRemoval


# --- when the estimate cannot be trusted ------------------------------------------------------


class AcuteKidneyInjury(Cited):
    """KDIGO's creatinine criteria for acute kidney injury (the urine-output one needs data the
    case file does not hold)."""

    rise_mg_dl: float = Field(gt=0, description="A rise of at least this much (mg/dL), ...")
    rise_within_hours: float = Field(gt=0, description="... within this many hours; or")
    ratio_to_baseline: float = Field(gt=1, description="a value at least this × the baseline,")
    ratio_within_days: int = Field(gt=0, description="... within this many days.")
    text: str = Field(description="Why an estimate made during AKI cannot set a dose.")
    urine_output: str = Field(description="The criterion lenaguard cannot check, in words.")


class AkiFromDates(Cited):
    """lenaguard's reading of the KDIGO windows when results carry dates, not times."""

    rise_dates_at_most_days_apart: int = Field(
        gt=0,
        description="A rise between results this many calendar days apart or fewer "
        "counts as within the hours window.",
    )
    compare_decimals: int = Field(
        ge=0, description="Rises (mg/dL) and ratios are compared rounded to this many decimals."
    )
    baseline: str = Field(description="Which result is the baseline, in words.")
    same_day: str = Field(description="How two results on one date are read.")
    recent: str = Field(description="Which rises make today's estimate unreliable.")
    rise_within_hours: int = Field(
        gt=0, description="The KDIGO hours window this reading stands for (the AKI entry's)."
    )
    text: str = Field(description="The reading as a whole, in words; reads the windows.")


class StaleCreatinine(Cited):
    """A creatinine older than this no longer sets a renal dose."""

    max_age_days: int = Field(gt=0)
    text: str


class BandEdge(Cited):
    """A CrCl this close to a band threshold is shown with the neighbouring band's dose."""

    margin_ml_min: float = Field(gt=0)
    text: str


class RenalReliability(Frozen):
    """When the Cockcroft-Gault estimate cannot set a renal dose on its own."""

    acute_kidney_injury: AcuteKidneyInjury
    aki_from_dates: AkiFromDates
    aki_causes: CitedText
    stale_creatinine: StaleCreatinine
    children: CitedText
    band_edge: BandEdge


@register("renal")
class RenalKnowledge(Topic):
    topic: Literal["renal"] = "renal"
    cockcroft_gault: CockcroftGault
    baseline_requirement: CitedText
    weight_policies: WeightPolicies
    bands: RenalBands
    schedule_note: str = Field(
        description="How a renally adjusted dose sits in the indication's cycle (not a rule input)."
    )
    dose_table: dict[str, DoseColumn]
    not_studied: NotStudied
    reliability: RenalReliability
    pharmacokinetics: Pharmacokinetics

    @model_validator(mode="after")
    def _complete(self) -> RenalKnowledge:
        covered = [ind for column in self.dose_table.values() for ind in column.indications]
        repeated = sorted({ind for ind in covered if covered.count(ind) > 1})
        if repeated:
            raise ValueError(f"dose_table: indications in two columns: {', '.join(repeated)}")
        missing = sorted(set(Indication) - set(covered))
        if missing:
            raise ValueError(f"dose_table: indications missing: {', '.join(missing)}")
        return self

    def column_for(self, indication: Indication) -> tuple[str, DoseColumn]:
        """The dose-table column (its key and content) that covers an indication."""
        for key, column in self.dose_table.items():
            if indication in column.indications:
                return key, column
        raise KeyError(indication)  # unreachable: the validator requires every indication
