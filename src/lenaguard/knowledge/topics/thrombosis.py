"""Thromboembolism: the boxed warning (USPI §5.4) and the myeloma VTE risk models.

Three models are held as data: the IMPEDE VTE score (Sanfilippo 2019), the SAVED score
(Li 2019) and the IMWG 2008 risk-factor model (Palumbo 2008). Each score item names its points
and a *criterion* — a small, typed description of which case field decides it — so the rule in
`lenaguard.rules.safety.thrombosis` evaluates items generically and every threshold lives here once.

Items that are levels of one variable (dexamethasone high or low dose; therapeutic or
prophylactic existing thromboprophylaxis) share a `group`: at most one item of a group counts,
the one with the largest absolute points. The possible range of a score is computed from the
items (`ScoreDefinition.possible_range`), never written down.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.text import format_number
from lenaguard.vocab import Ethnicity, Indication, Symptom

ConditionName = Literal[
    "vte_history",
    "fracture_pelvis_hip_femur",
    "central_line",
    "pacemaker",
    "surgery_within_90_days",
    "recent_surgery_trauma_or_anesthesia",
    "immobilization",
    "cardiac_disease",
    "chronic_kidney_disease",
    "diabetes",
    "acute_infection",
    "clotting_disorder",
    "hyperviscosity",
    "multi_agent_chemotherapy",
]
"""Fields of the case's `conditions` a thrombosis criterion may read."""

BandName = Literal["low", "intermediate", "high"]
Prophylaxis = Literal["aspirin", "anticoagulant"]


# --- criteria: how a score item or risk factor is decided from the case -------------------


class LenalidomideCriterion(Frozen):
    """Present for every case: lenalidomide, the drug assessed, is an immunomodulatory drug."""

    kind: Literal["lenalidomide"]
    also_drug_class: str = Field(description="Other listed drugs of this class are named too.")


class DrugClassCriterion(Frozen):
    """A listed medication of a drug class (drugs.yaml), optionally at one dosing intensity."""

    kind: Literal["drug_class"]
    drug_class: str
    intensity: Literal["prophylactic", "therapeutic"] | None = None


class ConditionCriterion(Frozen):
    """Any of the named case conditions is true (false only when all are known false)."""

    kind: Literal["condition"]
    any_of: list[ConditionName] = Field(min_length=1)
    or_on_dialysis: bool = Field(
        default=False, description="Maintenance dialysis also makes the criterion true."
    )


class BmiCriterion(Frozen):
    """Body-mass index from the case's weight and height, against one threshold."""

    kind: Literal["bmi"]
    at_least: float | None = None
    above: float | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> BmiCriterion:
        if (self.at_least is None) == (self.above is None):
            raise ValueError("give exactly one of at_least, above")
        return self


class DexamethasoneCriterion(Frozen):
    """Dexamethasone dose per month against the shared high-dose threshold; a `not_high` item
    may also start at its own lower limit (SAVED's standard-dose band)."""

    kind: Literal["dexamethasone"]
    dose: Literal["high", "not_high"]
    at_least_mg_per_month: float | None = Field(
        default=None,
        gt=0,
        description="not_high only: the item counts from this monthly dose up (inclusive).",
    )

    @model_validator(mode="after")
    def _lower_limit_for_not_high(self) -> DexamethasoneCriterion:
        if self.at_least_mg_per_month is not None and self.dose != "not_high":
            raise ValueError("at_least_mg_per_month applies to dose: not_high only")
        return self


class EthnicityCriterion(Frozen):
    kind: Literal["ethnicity"]
    value: Ethnicity


class AgeCriterion(Frozen):
    kind: Literal["age"]
    at_least: int = Field(gt=0)


class IndicationCriterion(Frozen):
    """The case's indication is one of these (used for 'the myeloma diagnosis itself')."""

    kind: Literal["indication"]
    any_of: list[Indication] = Field(min_length=1)


class AnyOfCriterion(Frozen):
    """True if any part is true; false only when every part is false; otherwise unknown."""

    kind: Literal["any_of"]
    criteria: list[Criterion] = Field(min_length=1)


Criterion = Annotated[
    LenalidomideCriterion
    | DrugClassCriterion
    | ConditionCriterion
    | BmiCriterion
    | DexamethasoneCriterion
    | EthnicityCriterion
    | AgeCriterion
    | IndicationCriterion
    | AnyOfCriterion,
    Field(discriminator="kind"),
]
AnyOfCriterion.model_rebuild()


def drug_classes_in(criterion: Criterion) -> set[str]:
    """Every drug class a criterion reads (to check them against the drug catalogue)."""
    if isinstance(criterion, DrugClassCriterion):
        return {criterion.drug_class}
    if isinstance(criterion, LenalidomideCriterion):
        return {criterion.also_drug_class}
    if isinstance(criterion, AnyOfCriterion):
        return set().union(*(drug_classes_in(part) for part in criterion.criteria))
    return set()


# --- shared entries -----------------------------------------------------------------------


class BoxedWarning(Cited):
    """The thromboembolism boxed warning, in lenaguard's own words."""

    statement_template = "Boxed warning: {events} have been {setting}. {prophylaxis}"

    events: list[str] = Field(min_length=1, description="Venous and arterial events named.")
    setting: str = Field(description="Where the label saw the risk.")
    prophylaxis: str
    prophylaxis_indications: list[Indication] = Field(
        min_length=1, description="Indications the prophylaxis recommendation concerns, when"
    )
    prophylaxis_with_drug_class: str = Field(
        description="this drug class is listed or is the indication's labelled combination."
    )
    warning_symptoms: list[Symptom] = Field(min_length=1)
    symptom_words: dict[Symptom, str]
    patient_instruction: str = Field(description="Plain language: what to do, how fast.")

    @model_validator(mode="after")
    def _words_for_every_symptom(self) -> BoxedWarning:
        missing = sorted(set(self.warning_symptoms) - set(self.symptom_words))
        if missing:
            raise ValueError(f"symptom_words missing: {', '.join(missing)}")
        return self


class DexamethasoneDose(Cited):
    """Where 'high-dose' dexamethasone starts for the VTE models (mg per 28-day month)."""

    high_above_mg_per_month: float = Field(gt=0)
    saved_month_days: int = Field(gt=0, description="The days of SAVED's month (its doses).")
    text: str = Field(description="How the limit is read, in words; reads the fields above.")


class BmiDefinition(Cited):
    """Body-mass index = weight (kg) / height (m)²; reported and compared at `decimals`."""

    statement_template = "Body-mass index is the weight in kilograms divided by the square of the height in metres ({unit}), rounded to {decimals} decimal place."

    cm_per_m: float = Field(gt=0)
    decimals: int = Field(ge=0)
    unit: str


# --- point scores -------------------------------------------------------------------------


class ScoreItemDefinition(Cited):
    statement_template = "{label}: {points} points in the score."
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(description="The item in words; thresholds are added from `criterion`.")
    points: int
    criterion: Criterion
    group: str | None = Field(
        default=None, description="Items of one group are levels of one variable: one counts."
    )
    note: str | None = Field(
        default=None, description="Added to the item's basis when it counts (a caveat)."
    )


class ScoreGroup(Frozen):
    label: str
    known_present_if: Criterion | None = Field(
        default=None,
        description="When true, one of the group's items certainly applies even if the case "
        "does not say which (e.g. dexamethasone listed without its dose).",
    )
    existing_prophylaxis: bool = Field(
        default=False,
        description="The group scores thromboprophylaxis the patient already takes.",
    )
    uncounted_drug_class: str | None = Field(
        default=None,
        description="Listed drugs of this class that none of the group's items names are "
        "reported with `uncounted_note` (e.g. a DOAC in a score that names LMWH and warfarin).",
    )
    uncounted_note: str | None = None

    @model_validator(mode="after")
    def _note_with_class(self) -> ScoreGroup:
        if (self.uncounted_drug_class is None) != (self.uncounted_note is None):
            raise ValueError("give uncounted_drug_class and uncounted_note together")
        return self


class Band(Frozen):
    band: BandName
    min_points: int | None = None
    max_points: int | None = None
    six_month_vte_percent: float = Field(gt=0, lt=100)

    def contains(self, points: int) -> bool:
        low_ok = self.min_points is None or points >= self.min_points
        high_ok = self.max_points is None or points <= self.max_points
        return low_ok and high_ok

    def words(self) -> str:
        if self.min_points is None:
            return f"≤ {format_number(self.max_points or 0)}"
        if self.max_points is None:
            return f"≥ {format_number(self.min_points)}"
        return f"{format_number(self.min_points)}–{format_number(self.max_points)}"


class ProphylaxisUse(Cited):
    """How a guideline turns a score band into a choice of thromboprophylaxis.

    When `assume_item` is given, the band that decides is read from the score without the
    prophylaxis the patient already takes and with that item counted instead (IMPEDE VTE: the
    aspirin item). The question the choice answers is whether aspirin is enough, and the answer
    must not depend on whether aspirin, an anticoagulant or nothing is listed yet.
    """

    by_band: dict[BandName, Prophylaxis]
    text: str
    assume_item: str | None = Field(
        default=None,
        description="Id of the existing-prophylaxis item counted, in place of the prophylaxis "
        "in use, when the band for the choice is read.",
    )
    assume_text: str | None = Field(
        default=None, description="Why the choice is read with `assume_item` counted."
    )

    @model_validator(mode="after")
    def _text_with_item(self) -> ProphylaxisUse:
        if (self.assume_item is None) != (self.assume_text is None):
            raise ValueError("give assume_item and assume_text together")
        return self


class ScoreDefinition(Cited):
    statement_template = "The {name} score estimates the risk of venous blood clots over {horizon_months} months; it was {population}."
    name: str
    applies_to: list[Indication] = Field(min_length=1)
    population: str
    horizon_months: int = Field(gt=0)
    items: list[ScoreItemDefinition] = Field(min_length=1)
    groups: dict[str, ScoreGroup] = Field(default_factory=dict)
    bands: list[Band] = Field(min_length=1)
    use: ProphylaxisUse | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ScoreDefinition:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids repeated")
        unknown = sorted({i.group for i in self.items if i.group} - set(self.groups))
        if unknown:
            raise ValueError(f"items name undefined groups: {', '.join(unknown)}")
        bands = self.bands
        if bands[0].min_points is not None or bands[-1].max_points is not None:
            raise ValueError("the first band must be open below and the last open above")
        for lower, upper in zip(bands, bands[1:], strict=False):
            if lower.max_points is None or upper.min_points != lower.max_points + 1:
                raise ValueError(f"bands {lower.band} and {upper.band} must be contiguous")
        if self.use is not None:
            missing = sorted({b.band for b in bands} - set(self.use.by_band))
            if missing:
                raise ValueError(f"use.by_band missing bands: {', '.join(missing)}")
            assumed = self.use.assume_item
            if assumed is not None:
                found = [item for item in self.items if item.id == assumed]
                if not found or not self.is_prophylaxis_item(found[0]):
                    raise ValueError(
                        f"use.assume_item {assumed!r} is not an existing-prophylaxis item"
                    )
        return self

    def assumed_item(self) -> ScoreItemDefinition | None:
        """The item the prophylaxis choice counts in place of the prophylaxis in use."""
        if self.use is None or self.use.assume_item is None:
            return None
        return next(item for item in self.items if item.id == self.use.assume_item)

    def grouped(self) -> list[list[ScoreItemDefinition]]:
        """Items by group, in file order; an ungrouped item is a group of its own."""
        order: list[str] = []
        members: dict[str, list[ScoreItemDefinition]] = {}
        for item in self.items:
            key = item.group or f"item:{item.id}"
            if key not in members:
                order.append(key)
                members[key] = []
            members[key].append(item)
        return [members[key] for key in order]

    def possible_range(self) -> tuple[int, int]:
        """Lowest and highest total the items allow (one item per group, or none)."""
        low = high = 0
        for members in self.grouped():
            points = [item.points for item in members]
            low += min(0, *points)
            high += max(0, *points)
        return low, high

    def band_for(self, points: int) -> Band:
        for band in self.bands:
            if band.contains(points):
                return band
        raise ValueError(f"no band for {points} points")  # impossible: bands are contiguous

    def is_prophylaxis_item(self, item: ScoreItemDefinition) -> bool:
        return item.group is not None and self.groups[item.group].existing_prophylaxis


# --- IMWG 2008 risk-factor model ----------------------------------------------------------


class ImwgFactorDefinition(Cited):
    statement_template = (
        "In the IMWG 2008 thrombosis model, {label} is a risk factor (group: {kind})."
    )
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["individual", "myeloma", "therapy"]
    label: str
    criterion: Criterion


class AspirinRegimen(Cited):
    low_mg: float = Field(gt=0)
    high_mg: float = Field(gt=0)
    text: str


class AnticoagulantRegimen(Cited):
    enoxaparin_mg_daily: float = Field(gt=0)
    inr_low: float = Field(gt=0)
    inr_high: float = Field(gt=0)
    text: str


class ImwgModel(Cited):
    statement_template = "The {name} sorts the blood-clot risk factors of {population} into individual, myeloma-related and therapy-related factors and chooses aspirin or anticoagulant prophylaxis by them."
    name: str
    short_name: str = Field(description="The model's name inside a sentence (e.g. 'IMWG 2008').")
    applies_to: list[Indication] = Field(min_length=1)
    population: str
    factors: list[ImwgFactorDefinition] = Field(min_length=1)
    aspirin_up_to_factors: int = Field(
        ge=0, description="Individual + myeloma factors at or below which aspirin suffices."
    )
    aspirin: AspirinRegimen
    anticoagulant: AnticoagulantRegimen


# --- when no advice to add prophylaxis is given, and LMWH dosing --------------------------


class LowPlatelets(Cited):
    """lenaguard's platelet count below which it gives no advice to add prophylaxis."""

    below_per_ul: float = Field(gt=0)
    text: str


class TreatmentPlateletThresholds(Cited):
    """Guideline platelet thresholds for TREATING established cancer-associated VTE (shown as
    the nearest numbers; not a prophylaxis rule)."""

    isth_name: str
    itac_name: str
    isth_full_dose_from_per_ul: float = Field(gt=0)
    isth_reduced_dose_from_per_ul: float = Field(gt=0)
    itac_full_dose_above_per_ul: float = Field(gt=0)
    text: str


class ProphylaxisAdvice(Frozen):
    """Where the label's recommendation stops, and when lenaguard gives no advice to add."""

    outside_recommendation: CitedText
    myeloma_without_dexamethasone: CitedText
    low_platelets: LowPlatelets
    treatment_platelet_thresholds: TreatmentPlateletThresholds
    thrombocytopenia_hold: CitedText
    course_ended: CitedText


class LmwhRenal(Cited):
    """Enoxaparin prophylaxis at a low creatinine clearance."""

    crcl_below_ml_min: float = Field(gt=0)
    enoxaparin_mg_daily: float = Field(gt=0)
    text: str


# --- the topic ----------------------------------------------------------------------------


@register("thrombosis")
class ThrombosisKnowledge(Topic):
    topic: Literal["thrombosis"] = "thrombosis"
    boxed_warning: BoxedWarning
    dexamethasone_high_dose: DexamethasoneDose
    bmi: BmiDefinition
    scores: dict[str, ScoreDefinition]
    imwg: ImwgModel
    prophylaxis_drug_classes: list[str] = Field(
        min_length=1,
        description="Drug classes that count as thromboprophylaxis the patient already takes.",
    )
    prophylaxis_advice: ProphylaxisAdvice
    lmwh_renal: LmwhRenal
    lmwh_dialysis: CitedText

    def criterion_words(self, criterion: Criterion) -> str:
        """The threshold part of an item's label, built from the numbers in this file."""
        if isinstance(criterion, BmiCriterion):
            if criterion.at_least is not None:
                return f"BMI ≥ {format_number(criterion.at_least)} {self.bmi.unit}"
            return f"BMI > {format_number(criterion.above or 0)} {self.bmi.unit}"
        if isinstance(criterion, DexamethasoneCriterion):
            limit = format_number(self.dexamethasone_high_dose.high_above_mg_per_month)
            if criterion.at_least_mg_per_month is not None:
                low = format_number(criterion.at_least_mg_per_month)
                return f"{low}–{limit} mg per month"
            sign = ">" if criterion.dose == "high" else "≤"
            return f"{sign} {limit} mg per month"
        if isinstance(criterion, AgeCriterion):
            return f"age ≥ {format_number(criterion.at_least)} years"
        return ""

    def item_label(self, label: str, criterion: Criterion) -> str:
        words = self.criterion_words(criterion)
        return f"{label} ({words})" if words else label
