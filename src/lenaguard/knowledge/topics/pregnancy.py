"""Pregnancy prevention: who can become pregnant, pregnancy tests, contraception, donations.

The US label's boxed warning, §4, §5.1, §8.1–§8.3. Numbers (windows, intervals, the assay
sensitivity, weeks before and after treatment) are fields; the texts around them say what the
rule means in plain words and hold no numbers of their own, so each number lives in one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Topic
from lenaguard.knowledge.registry import register


class ReproductivePotential(Cited):
    """Definition of a female of reproductive potential (FRP)."""

    natural_menopause_months: int = Field(
        gt=0,
        description="Consecutive months without menses (natural menopause) after which a "
        "female is no longer of reproductive potential.",
    )
    surgical_exclusions: list[Literal["hysterectomy", "bilateral_oophorectomy"]] = Field(
        min_length=1, description="Operations after which a female cannot become pregnant."
    )
    unknown_counts_as_frp: bool = Field(
        description="A female whose history is not known is treated as able to become pregnant."
    )
    text: str


class Contraception(Cited):
    """Two reliable methods at once (or abstinence) around the whole treatment period."""

    weeks_before: int = Field(gt=0, description="Methods in use at least this long before start.")
    weeks_after: int = Field(gt=0, description="Methods continued at least this long after stop.")
    text: str
    infertility: str = Field(description="Infertility history does not lift the requirement.")


class InitialPregnancyTests(Cited):
    """Two negative tests before the first prescription to a female of reproductive potential."""

    tests_required: Literal[2] = Field(
        description="The rules implement exactly a first and a second test."
    )
    first_window_days_before: tuple[int, int] = Field(
        description="The first test falls this many days before prescribing (earliest, latest "
        "as counts of days: the larger number is the earliest allowed date)."
    )
    second_within_hours: int = Field(gt=0, description="The second test within these hours.")
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> InitialPregnancyTests:
        near, far = self.first_window_days_before
        if not 0 < near <= far:
            raise ValueError("first_window_days_before must be (nearest, farthest), 0 < n <= f")
        return self


class TestSensitivity(Cited):
    """The assay must detect hCG at this concentration (its detection limit must not exceed it)."""

    detection_limit_max_miu_ml: float = Field(gt=0)
    comparison: str = Field(description="How the stated assay sensitivity is compared.")
    text: str


class OngoingPregnancyTests(Cited):
    """Testing on treatment and during interruptions."""

    weekly_phase_weeks: int = Field(gt=0, description="Weekly tests for this many weeks.")
    weekly_interval_days: int = Field(gt=0)
    regular_menses_interval_weeks: int = Field(gt=0)
    irregular_menses_interval_weeks: int = Field(gt=0)
    unknown_regularity: Literal["irregular"] = Field(
        description="Unknown menstrual regularity is treated as irregular (the stricter interval)."
    )
    text: str


class PregnancyOnTherapy(Cited):
    """What to do when a patient becomes pregnant on lenalidomide."""

    text: str
    fda_medwatch_phone: str
    manufacturer_phone: str


class MaleAfterStopping(Cited):
    weeks_after: int = Field(gt=0)
    text: str


class BloodDonation(Cited):
    weeks_after: int = Field(gt=0)
    text: str


@register("pregnancy")
class PregnancyKnowledge(Topic):
    """Pregnancy prevention facts the pregnancy rules read."""

    topic: Literal["pregnancy"] = "pregnancy"
    reproductive_potential: ReproductivePotential
    contraindication: CitedText
    contraception: Contraception
    initial_tests: InitialPregnancyTests
    test_sensitivity: TestSensitivity
    ongoing_tests: OngoingPregnancyTests
    missed_period: CitedText
    pregnancy_on_therapy: PregnancyOnTherapy
    lactation: CitedText
    male_condom: CitedText
    male_after_stopping: MaleAfterStopping
    blood_donation: BloodDonation
