"""The Lenalidomide REMS: goals, program elements, patient risk categories, prescription rules.

The REMS (REMS@FDA id 410) is the restricted distribution program that lets lenalidomide be
prescribed and dispensed. The rules in `lenaguard.rules.safety.rems` read these entries; a later REMS
workflow service calls those rules, so every condition here is data, not prose.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, Topic
from lenaguard.knowledge.registry import register


class RemsRiskCategory(StrEnum):
    """The six patient risk categories of the REMS (lenaguard's ids; names are in rems.yaml)."""

    ADULT_FEMALE_REPRODUCTIVE_POTENTIAL = "adult_female_reproductive_potential"
    FEMALE_CHILD_REPRODUCTIVE_POTENTIAL = "female_child_reproductive_potential"
    ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL = "adult_female_not_reproductive_potential"
    FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL = "female_child_not_reproductive_potential"
    ADULT_MALE = "adult_male"
    MALE_CHILD = "male_child"

    @property
    def reproductive_potential(self) -> bool:
        """True for the two categories of females who can become pregnant."""
        return self in _FRP

    @property
    def female(self) -> bool:
        return self not in (RemsRiskCategory.ADULT_MALE, RemsRiskCategory.MALE_CHILD)

    @property
    def child(self) -> bool:
        """True for the three categories of patients under the REMS adult age."""
        return self in _CHILD


_FRP = frozenset(
    {
        RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL,
        RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL,
    }
)


_CHILD = frozenset(
    {
        RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL,
        RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL,
        RemsRiskCategory.MALE_CHILD,
    }
)


class CitedTexts(Cited):
    statement_template = "{items:sentences}"
    items: list[str] = Field(min_length=1)


class ProgramElement(Cited):
    participant: Literal["prescriber", "pharmacy", "patient"]
    requirement: str


class RiskCategories(Cited):
    """Category names, and the age below which a patient is in a child category."""

    statement_template = "The lenalidomide REMS places each patient in one of these risk categories: {names}; a child is a patient under {child_below_age_years}."

    child_below_age_years: int = Field(gt=0)
    names: dict[RemsRiskCategory, str]

    @model_validator(mode="after")
    def _all_six(self) -> RiskCategories:
        missing = sorted(set(RemsRiskCategory) - set(self.names))
        if missing:
            raise ValueError(f"names missing for: {', '.join(missing)}")
        return self


class PrescriptionLimits(Cited):
    max_days_supply: int = Field(gt=0)
    max_refills: int = Field(ge=0)
    telephone_prescriptions_allowed: bool
    text: str


class AuthorizationValidity(Cited):
    """How long a prescription authorization number stays valid."""

    reproductive_potential_days_from_last_test: int = Field(gt=0)
    other_days_from_issue: int = Field(gt=0)
    counting: Literal["start_is_day_one"] = Field(
        description="The start date (test or issue date) is the first day of validity, so the "
        "last valid day is start + days - 1."
    )
    text: str


class Dispensing(Cited):
    within_hours_of_confirmation: int = Field(gt=0)
    text: str


class RefillWindow(Cited):
    max_days_of_therapy_remaining: int = Field(ge=0)
    text: str


class Surveys(Cited):
    before_every_prescription: list[RemsRiskCategory]
    periodic: list[RemsRiskCategory]
    periodic_every_months: int = Field(gt=0)
    text: str

    @model_validator(mode="after")
    def _every_category_once(self) -> Surveys:
        listed = [*self.before_every_prescription, *self.periodic]
        if sorted(listed) != sorted(RemsRiskCategory):
            raise ValueError("each risk category must appear exactly once across the survey lists")
        return self


class DispenseCounselling(Cited):
    text: str


class GuardianAgreement(Cited):
    """Enrollment of a child: a parent or legal guardian also signs the agreement form."""

    text: str


@register("rems")
class RemsKnowledge(Topic):
    """The Lenalidomide REMS entries the REMS rules read."""

    topic: Literal["rems"] = "rems"
    goals: CitedTexts
    program_elements: list[ProgramElement]
    risk_categories: RiskCategories
    authorization_on_prescription: CitedTexts
    prescription_limits: PrescriptionLimits
    authorization_validity: AuthorizationValidity
    dispensing: Dispensing
    refill_window: RefillWindow
    surveys: Surveys
    dispense_counselling: DispenseCounselling
    guardian_agreement: GuardianAgreement
