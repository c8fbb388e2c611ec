"""Hepatitis B and viral infections: screening, HBV classes, prophylaxis, monitoring, reactivation.

The entries come from the ASCO 2020 provisional clinical opinion on HBV and cancer therapy,
the AASLD 2018 and EASL 2017 hepatitis B guidance, and the EU communication on viral
reactivation with lenalidomide. The US label itself has no HBV rule. Every interval is a
whole number of calendar months, as the guidelines write them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Indication, LabTest


class _Group(Frozen):
    """A group of cited entries (not itself cited)."""


class Screening(Cited):
    """Which serology tests screen for HBV before systemic anticancer therapy."""

    tests: list[LabTest] = Field(min_length=1)
    anti_hbc_assay: str = Field(description="Which anti-HBc assay counts (total or IgG).")
    timing: str
    do_not_delay: str = Field(description="Therapy does not wait for the results.")
    text: str


class DnaRequirement(Cited):
    """Serology results after which an HBV DNA (viral load) is needed."""

    when_positive: list[LabTest] = Field(min_length=1)
    text: str


class IndicationList(Cited):
    """Indications whose labelled regimen itself implies a high-risk therapy for HBV."""

    indications: list[Indication]
    text: str


class HighRiskTherapy(Cited):
    """Anticancer therapies that make past (resolved) HBV a high risk of reactivation."""

    anti_cd20_drug_class: str = Field(description="Drug-catalogue class of anti-CD20 antibodies.")
    text: str


class Prophylaxis(Cited):
    """Antiviral prophylaxis: during anticancer therapy and for a minimum time after it."""

    months_after_last_therapy: int = Field(gt=0)
    text: str


class MonitoringSchedule(Cited):
    """Tests repeated every `every_months` (up to `every_months_max` when a range is given)."""

    tests: list[LabTest] = Field(min_length=1)
    every_months: int = Field(gt=0)
    every_months_max: int | None = Field(
        default=None, gt=0, description="Upper end when the source gives a range of intervals."
    )
    months_after_last_therapy: int | None = Field(
        default=None, gt=0, description="How long monitoring goes on after the last therapy."
    )
    at_baseline: bool = Field(default=False, description="Also measured before starting.")
    text: str

    @model_validator(mode="after")
    def _range_in_order(self) -> MonitoringSchedule:
        if self.every_months_max is not None and self.every_months_max < self.every_months:
            raise ValueError("every_months_max must not be below every_months")
        return self


class AfterAntiviralStop(Cited):
    """ALT follow-up after an antiviral given for chronic HBV is stopped."""

    alt_every_months: int = Field(gt=0)
    for_months: int = Field(gt=0)
    then_every_months: int = Field(gt=0)
    text: str


class Reactivation(Cited):
    """When past HBV counts as reactivated and needs antiviral treatment."""

    hbv_dna_treat_at_or_above_iu_ml: float = Field(gt=0)
    hbsag_reappearance: bool = Field(description="HBsAg turning positive again is reactivation.")
    repeat_dna_every_months_below: int = Field(
        gt=0, description="Repeat interval when HBV DNA is quantifiable but below the threshold."
    )
    text: str


class AntiviralChoice(Cited):
    """Which HBV antivirals are preferred and which are outdated."""

    preferred_drug_class: str
    preferred_names: str
    outdated_drug_class: str
    outdated_names: str
    text: str


class ChronicHbv(_Group):
    """Chronic HBV (HBsAg positive) on any systemic anticancer therapy."""

    prophylaxis: Prophylaxis
    monitoring_on_antiviral: MonitoringSchedule
    after_antiviral_stop: AfterAntiviralStop
    hepatology: CitedText


class MonitorOnDemand(Cited):
    """Monitor for reactivation and treat on demand: which tests, without the interval."""

    tests: list[LabTest] = Field(min_length=1)
    text: str


class PastHbv(_Group):
    """Past (resolved) HBV: HBsAg negative, anti-HBc positive, any anti-HBs.

    `other_therapy` is the guideline's advice (monitor, treat on demand); its interval is kept
    apart in `other_therapy_monitoring` because the facts file marks only the interval
    unverified, so that leaving out unverified rules does not drop the advice itself.
    """

    high_risk_prophylaxis: Prophylaxis
    high_risk_monitoring: MonitoringSchedule
    other_therapy: MonitorOnDemand
    other_therapy_monitoring: MonitoringSchedule

    @model_validator(mode="after")
    def _same_panel(self) -> PastHbv:
        if set(self.other_therapy.tests) != set(self.other_therapy_monitoring.tests):
            raise ValueError("other_therapy and other_therapy_monitoring must name the same tests")
        return self


class SampleCorrection(Cited):
    """A claim of a sample document that the sources contradict, and what they say instead."""

    statement_template = (
        "A claim that circulates is wrong here; what the sources say instead: {correction}."
    )

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    facts_item: str = Field(description="Where the facts file lists the disagreement.")
    document: str = Field(description="The sample document that makes the claim.")
    claim: str = Field(description="The sample's claim, quoted only to show it is wrong.")
    correction: str = Field(description="What the sources say; a template over `values`.")
    values: dict[str, float] = Field(
        default_factory=dict,
        description="The numbers the correction names ({values[months]}), anchored in this file "
        "to the entry that holds them.",
    )


@register("infection")
class InfectionKnowledge(Topic):
    topic: Literal["infection"] = "infection"
    screening: Screening
    eu_serology_before_start: CitedText
    dna_when: DnaRequirement
    high_risk_therapy: HighRiskTherapy
    anti_cd20_indications: IndicationList
    autologous_hsct_indications: IndicationList
    chronic: ChronicHbv
    past: PastHbv
    reactivation: Reactivation
    antiviral_choice: AntiviralChoice
    lenalidomide_viral_reactivation: CitedText
    active_viral_infection: CitedText
    sample_corrections: list[SampleCorrection]

    def correction(self, correction_id: str) -> SampleCorrection:
        """The sample-document correction with this id."""
        for item in self.sample_corrections:
            if item.id == correction_id:
                return item
        raise KeyError(correction_id)
