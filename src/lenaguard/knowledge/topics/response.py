"""Response assessment: IMWG myeloma response, immunoglobulin recovery, MDS erythroid response.

Three groups of cited entries:

- `imwg` — the International Myeloma Working Group response categories (Kumar, Lancet Oncol
  2016), the definition of measurable disease, the rule that progression needs two consecutive
  assessments, and the caution that lenalidomide can raise total IgA/IgG polyclonally.
  The facts file tags these "[label of the guideline]". The status vocabulary keeps `label`
  and `label-old` for the US prescribing information, so a statement read in a guideline is
  `secondary` here; facts the facts file does not hold (the normal FLC ratio) are `unverified`.
- `immunoglobulins` — the "improvement" definition of the EHA 2009 pooled analysis (no primary
  seen: `unverified`) and generic adult normal ranges (not in the facts file: `unverified`).
- `mds` — RBC transfusion independence (MDS-003) and IWG 2006 erythroid haematological
  improvement (HI-E), with its duration marked `unverified` as the facts file marks it.

Thresholds are written as the sources write them: percentages in percent, M-protein in g/dL,
urine M-protein in mg/24h, free light chains in mg/dL, haemoglobin in g/dL.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import LabTest

PERCENT = 100.0
"""The percent scale: thresholds in this topic are percentages."""


def percent_change(before: float, after: float) -> float | None:
    """Change from `before` to `after` as a percentage of `before`; None when `before` is 0."""
    if before == 0:
        return None
    return (after - before) / before * PERCENT


def percent_fall(before: float, after: float) -> float | None:
    """Fall from `before` to `after` as a percentage of `before` (negative for a rise)."""
    change = percent_change(before, after)
    return None if change is None else -change


def scaled(value: float, percent: float) -> float:
    """`percent` % of `value` (e.g. scaled(2.0, 50) == 1.0)."""
    return value * percent / PERCENT


class _Group(Frozen):
    """A group of cited entries (not itself cited)."""


# --- IMWG ------------------------------------------------------------------------------------


class MeasurableDisease(Cited):
    """Baseline levels that make myeloma measurable for response assessment (each is ≥)."""

    serum_m_protein_min_g_dl: float = Field(gt=0)
    urine_m_protein_min_mg_24h: float = Field(gt=0)
    involved_flc_min_mg_dl: float = Field(
        gt=0, description="Involved free light chain; also needs an abnormal kappa/lambda ratio."
    )
    text: str


class FlcRatioRange(Cited):
    """The normal serum free light chain kappa/lambda ratio (inclusive bounds)."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> FlcRatioRange:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self

    def is_normal(self, ratio: float) -> bool:
        return self.low <= ratio <= self.high


class CompleteResponse(Cited):
    """CR: negative serum and urine immunofixation, no soft-tissue plasmacytoma, few plasma cells."""

    marrow_plasma_cells_below_pct: float = Field(gt=0, description="Strictly below.")
    text: str


class VeryGoodPartialResponse(Cited):
    serum_fall_min_pct: float = Field(gt=0, description="Serum M-protein fall, at least.")
    urine_below_mg_24h: float = Field(gt=0, description="Urine M-protein, strictly below.")
    dflc_fall_above_pct: float = Field(
        gt=0, description="Disease measurable by FLC only: dFLC fall, strictly more than."
    )
    text: str


class PartialResponse(Cited):
    serum_fall_min_pct: float = Field(gt=0)
    urine_fall_min_pct: float = Field(gt=0)
    urine_below_mg_24h: float = Field(gt=0, description="Or urine M-protein strictly below.")
    dflc_fall_min_pct: float = Field(gt=0, description="When serum and urine are not measurable.")
    marrow_fall_min_pct: float = Field(gt=0, description="When FLC is not measurable either.")
    marrow_baseline_min_pct: float = Field(gt=0, description="Marrow path: baseline at least.")
    plasmacytoma_shrink_min_pct: float = Field(gt=0, description="Baseline plasmacytomas.")
    text: str


class MinimalResponse(Cited):
    """MR: the ranges of the IMWG table; their upper ends are one below where PR begins."""

    serum_fall_min_pct: float = Field(gt=0)
    serum_fall_max_pct: float = Field(gt=0, description="As the table writes it (25–49%).")
    urine_fall_min_pct: float = Field(gt=0)
    urine_fall_max_pct: float = Field(gt=0, description="As the table writes it (50–89%).")
    text: str = Field(description="The criteria in words; reads the ranges above.")


class ProgressiveDisease(Cited):
    """PD: rises from the lowest confirmed value, and new lesions."""

    rise_min_pct: float = Field(gt=0, description="Rise from the nadir, at least.")
    serum_rise_min_g_dl: float = Field(gt=0, description="Absolute serum rise, at least.")
    high_nadir_g_dl: float = Field(gt=0, description="Nadir at or above this: larger rise.")
    serum_rise_min_high_nadir_g_dl: float = Field(gt=0)
    urine_rise_min_mg_24h: float = Field(gt=0)
    dflc_rise_above_mg_dl: float = Field(gt=0, description="Absolute dFLC rise, strictly more.")
    marrow_rise_min_pct: float = Field(gt=0, description="Absolute percentage points, at least.")
    consecutive_assessments: int = Field(ge=1)
    text: str


class ResponseConfirmation(Cited):
    """A response category holds when consecutive assessments show it."""

    consecutive_assessments: int = Field(ge=1)
    text: str


class PolyclonalRise(Cited):
    """Lenalidomide can raise total IgA/IgG polyclonally: not progression."""

    series_pct: float = Field(gt=0, description="Share of patients in one series (context).")
    immunoglobulins: list[LabTest] = Field(min_length=1)
    text: str


class ImwgCriteria(_Group):
    measurable_disease: MeasurableDisease
    flc_ratio_normal: FlcRatioRange
    stringent_complete: CitedText
    complete: CompleteResponse
    very_good_partial: VeryGoodPartialResponse
    partial: PartialResponse
    minimal: MinimalResponse
    stable: CitedText
    progressive: ProgressiveDisease
    confirmation: ResponseConfirmation
    polyclonal_rise: PolyclonalRise
    involved_light_chain: CitedText = Field(
        description="How the involved light chain is chosen when the case does not name it."
    )

    @model_validator(mode="after")
    def _minimal_ends_below_partial(self) -> ImwgCriteria:
        # the table's whole-percent ranges: MR ends one below where PR begins
        minimal, partial = self.minimal, self.partial
        if (minimal.serum_fall_max_pct + 1, minimal.urine_fall_max_pct + 1) != (
            partial.serum_fall_min_pct,
            partial.urine_fall_min_pct,
        ):
            raise ValueError("minimal response must end one percent below partial response")
        return self


# --- immunoglobulin recovery -----------------------------------------------------------------


class NormalRange(Frozen):
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> NormalRange:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class NormalRanges(Cited):
    """Generic adult normal ranges, used when a result carries no reference range of its own."""

    unit: str
    ranges: dict[LabTest, NormalRange]
    text: str

    @model_validator(mode="after")
    def _immunoglobulins(self) -> NormalRanges:
        expected = {LabTest.IGA, LabTest.IGG, LabTest.IGM}
        if set(self.ranges) != expected:
            raise ValueError("ranges must list exactly iga, igg and igm")
        return self


class ImmunoglobulinImprovement(Cited):
    """An uninvolved immunoglobulin 'improved': risen at least this much, and now normal."""

    rise_min_pct: float = Field(gt=0)
    iga_improved_pct: list[float] = Field(
        min_length=1, description="Share of patients whose IgA improved, per trial (context)."
    )
    text: str
    context: str


class ImmunoglobulinKnowledge(_Group):
    improvement: ImmunoglobulinImprovement
    normal_ranges: NormalRanges


# --- MDS -------------------------------------------------------------------------------------


class TransfusionIndependence(Cited):
    rbc_free_days: int = Field(gt=0, description="Consecutive days without an RBC transfusion.")
    text: str


class ErythroidImprovement(Cited):
    """IWG 2006 HI-E."""

    pretreatment_hb_below_g_dl: float = Field(gt=0, description="Applies below this Hb.")
    hb_rise_min_g_dl: float = Field(gt=0)
    rbc_unit_reduction_min: int = Field(gt=0, description="Fewer RBC units per window, at least.")
    window_weeks: int = Field(gt=0, description="The comparison window, on and before treatment.")
    qualifying_pre_transfusion_hb_max_g_dl: float = Field(
        gt=0, description="Only transfusions given at or below this Hb count."
    )
    text: str


class ResponseDuration(Cited):
    min_weeks: int = Field(gt=0)
    text: str


class Mds003Results(Cited):
    dose_mg: float = Field(gt=0, description="The trial's dose (the MDS starting dose).")
    transfusion_independent_pct: float = Field(gt=0)
    median_weeks_to_response: float = Field(gt=0)
    text: str


class MdsCriteria(_Group):
    transfusion_independence: TransfusionIndependence
    erythroid_improvement: ErythroidImprovement
    erythroid_duration: ResponseDuration
    mds_003: Mds003Results


@register("response")
class ResponseKnowledge(Topic):
    topic: Literal["response"] = "response"
    imwg: ImwgCriteria
    immunoglobulins: ImmunoglobulinKnowledge
    mds: MdsCriteria
