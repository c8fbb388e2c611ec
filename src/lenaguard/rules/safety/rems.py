"""Lenalidomide REMS conditions as pure functions, for assessments and the REMS workflow service.

Everything here takes plain values (sex, age, dates, counts) and the knowledge base, so the same
code decides a case assessment, a prescription check and a pharmacy's dispensing window:

- `rems_risk_category` — which of the six REMS patient risk categories a patient is in, and why.
- `check_prescription` — supply, refills and telephone orders against the REMS limits.
- `authorization_expires` / `authorization_valid` — the last day a prescription authorization
  number is valid.
- `dispense_deadline` — until when a pharmacy may dispense after its confirmation number.
- `refill_allowed` — whether a new fill may be dispensed yet.
- `survey_requirement` / `next_periodic_survey` — when the patient's mandatory survey is due.
- `dispense_counselling` — the counselling owed at every dispense.
- `enrollment_agreements` — who signs the patient-physician agreement form (a parent or legal
  guardian too, for a child).

Date arithmetic counts calendar days; where a period "runs from" a date, that date is day one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from lenaguard.case import Reproductive
from lenaguard.dates import add_months
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Cited, Frozen, Status, merge_citations, weakest
from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge, ReproductivePotential
from lenaguard.knowledge.topics.rems import RemsKnowledge, RemsRiskCategory
from lenaguard.text import format_number
from lenaguard.vocab import Category, Severity, Sex

_pregnancy_finding = Finding.maker(Category.PREGNANCY)


__all__ = [
    "RemsCategoryResult",
    "RemsRiskCategory",
    "SurveyRequirement",
    "add_months",
    "authorization_expires",
    "EnrollmentAgreement",
    "authorization_valid",
    "check_prescription",
    "dispense_counselling",
    "enrollment_agreements",
    "dispense_deadline",
    "next_periodic_survey",
    "refill_allowed",
    "rems_risk_category",
    "requires_pregnancy_tests",
    "survey_requirement",
]


class RemsCategoryResult(Frozen):
    """The REMS risk category of a patient, with the facts that decided it."""

    category: RemsRiskCategory
    name: str = Field(description="The category as the REMS names it.")
    child: bool
    reproductive_potential: bool | None = Field(
        description="Females: can she become pregnant (presumed True when unknown). Males: None."
    )
    presumed: bool = Field(
        description="True when a female counts as of reproductive potential only because part "
        "of her reproductive history is unknown."
    )
    basis: list[str] = Field(description="The facts used, in words.")
    would_change: list[str] = Field(
        default_factory=list,
        description="For a presumed category: each missing fact that, if known, could change it.",
    )
    status: Status
    citations: list[Citation] = Field(min_length=1)


class SurveyRequirement(Frozen):
    """When a patient in a risk category takes the mandatory REMS survey."""

    category: RemsRiskCategory
    before_every_prescription: bool
    every_months: int | None = Field(
        description="For periodic surveys: months between surveys after enrollment."
    )
    text: str = Field(description="When, in words: 'before every prescription', ...")
    status: Status
    citations: list[Citation] = Field(min_length=1)


def _cited(*entries: Cited) -> tuple[Status, list[Citation]]:
    return weakest(entry.status for entry in entries), merge_citations(*entries)


def _yes(value: bool | None) -> bool:
    return value is True


# ---------------------------------------------------------------- risk category


def rems_risk_category(
    sex: Sex,
    age_years: int,
    reproductive: Reproductive | None,
    kb: KnowledgeBase,
) -> RemsCategoryResult:
    """The REMS patient risk category for a sex, an age in whole years and a female's history.

    A female is of reproductive potential unless she has had a hysterectomy or a bilateral
    oophorectomy, or has been naturally postmenopausal for the required consecutive months.
    Any fact left unknown (None) that could rule her out is listed in `would_change`, and she is
    treated as of reproductive potential until it is known. Children are patients younger than
    the REMS child age. `reproductive` is ignored for males. Raises ValueError for a negative age.
    """
    if age_years < 0:
        raise ValueError(f"age_years: must not be negative (got {age_years})")
    rems = kb.get(RemsKnowledge)
    definition = kb.get(PregnancyKnowledge).reproductive_potential
    categories = rems.risk_categories
    child = age_years < categories.child_below_age_years
    age_basis = (
        f"age {age_years} years: "
        + ("child" if child else "adult")
        + f" (child category below {format_number(categories.child_below_age_years)} years)"
    )
    if sex is Sex.MALE:
        category = RemsRiskCategory.MALE_CHILD if child else RemsRiskCategory.ADULT_MALE
        status, citations = _cited(categories)
        return RemsCategoryResult(
            category=category,
            name=categories.names[category],
            child=child,
            reproductive_potential=None,
            presumed=False,
            basis=["sex male", age_basis],
            status=status,
            citations=citations,
        )
    frp, presumed, basis, would_change = _reproductive_potential(reproductive, definition)
    if frp:
        category = (
            RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL
            if child
            else RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
        )
    else:
        category = (
            RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL
            if child
            else RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
        )
    status, citations = _cited(categories, definition)
    return RemsCategoryResult(
        category=category,
        name=categories.names[category],
        child=child,
        reproductive_potential=frp,
        presumed=presumed,
        basis=["sex female", age_basis, *basis],
        would_change=would_change,
        status=status,
        citations=citations,
    )


def _reproductive_potential(
    reproductive: Reproductive | None, definition: ReproductivePotential
) -> tuple[bool, bool, list[str], list[str]]:
    """(frp, presumed, basis, would_change) for a female patient."""
    months_needed = format_number(definition.natural_menopause_months)
    history = reproductive or Reproductive()
    if _yes(history.hysterectomy):
        return False, False, ["hysterectomy: yes (cannot become pregnant)"], []
    if _yes(history.bilateral_oophorectomy):
        return False, False, ["bilateral oophorectomy: yes (cannot become pregnant)"], []
    months = history.months_since_last_menses
    long_enough = months is not None and months >= definition.natural_menopause_months
    if long_enough and history.amenorrhea_natural is True:
        return (
            False,
            False,
            [
                f"natural menopause: no menses for {format_number(months)} months "
                f"(at least {months_needed} consecutive months)"
            ],
            [],
        )
    if long_enough and history.amenorrhea_natural is not False:
        return (
            False,
            False,
            [
                f"no menses for {format_number(months)} months: naturally postmenopausal "
                f"(at least {months_needed} consecutive months); confirm this is natural "
                "menopause, since absent periods caused by cancer treatment (chemotherapy, "
                "transplant) do not count, and record patient.reproductive.amenorrhea_natural"
            ],
            [],
        )
    basis: list[str] = []
    would_change: list[str] = []
    if history.hysterectomy is None:
        would_change.append("patient.reproductive.hysterectomy: a hysterectomy (true)")
    else:
        basis.append("hysterectomy: no")
    if history.bilateral_oophorectomy is None:
        would_change.append(
            "patient.reproductive.bilateral_oophorectomy: removal of both ovaries (true)"
        )
    else:
        basis.append("bilateral oophorectomy: no")
    if long_enough:  # amenorrhea recorded as caused by treatment
        basis.append(
            f"no menses for {format_number(months)} months, but caused by treatment, not "
            "natural menopause: still able to become pregnant"
        )
    elif months is None:
        would_change.append(
            "patient.reproductive.months_since_last_menses: natural menopause with no menses "
            f"for at least {months_needed} consecutive months"
        )
    else:
        basis.append(
            f"last menses {format_number(months)} months ago: fewer than {months_needed} "
            "consecutive months without menses"
        )
    if would_change:
        basis.append("history incomplete: treated as of reproductive potential until known")
    return True, bool(would_change), basis, would_change


# ---------------------------------------------------------------- prescriptions


def check_prescription(
    days_supply: int,
    refills: int,
    kb: KnowledgeBase,
    *,
    telephone: bool = False,
) -> list[Finding]:
    """Findings for a prescription that breaks the REMS limits (empty when it complies).

    Each breach is a critical, blocking finding: a pharmacy cannot dispense such a prescription.
    Raises ValueError for a supply below one day or negative refills (not a prescription).
    """
    if days_supply < 1:
        raise ValueError(f"days_supply: must be at least one day (got {days_supply})")
    if refills < 0:
        raise ValueError(f"refills: must not be negative (got {refills})")
    limits = kb.get(RemsKnowledge).prescription_limits
    found: list[Finding] = []
    if days_supply > limits.max_days_supply:
        found.append(
            _pregnancy_finding(
                limits,
                name="rems_days_supply",
                severity=Severity.CRITICAL,
                summary=(
                    f"Supply of {format_number(days_supply)} days exceeds the REMS maximum of "
                    f"{format_number(limits.max_days_supply)} days"
                ),
                detail=(
                    f"Write the prescription for at most {format_number(limits.max_days_supply)} "
                    f"days. {limits.text}"
                ),
                inputs={"days_supply": days_supply},
                blocking=True,
            )
        )
    if refills > limits.max_refills:
        allowed = (
            "no refills"
            if limits.max_refills == 0
            else f"at most {format_number(limits.max_refills)} refills"
        )
        found.append(
            _pregnancy_finding(
                limits,
                name="rems_refills",
                severity=Severity.CRITICAL,
                summary=f"{format_number(refills)} refill(s) written; the REMS allows {allowed}",
                detail=f"Remove the refills; each supply needs a new prescription. {limits.text}",
                inputs={"refills": refills},
                blocking=True,
            )
        )
    if telephone and not limits.telephone_prescriptions_allowed:
        found.append(
            _pregnancy_finding(
                limits,
                name="rems_telephone",
                severity=Severity.CRITICAL,
                summary="Telephone prescriptions are not allowed under the REMS",
                detail=f"Issue a written or electronic prescription instead. {limits.text}",
                inputs={"telephone": telephone},
                blocking=True,
            )
        )
    return found


def authorization_expires(
    category: RemsRiskCategory,
    issued_on: dt.date,
    last_pregnancy_test: dt.date | None,
    kb: KnowledgeBase,
) -> dt.date:
    """The last day on which a prescription authorization number is valid.

    Females of reproductive potential: counted from the date of the last pregnancy test (which
    is then required; ValueError without it). Everyone else: counted from the issue date. The
    start date is day one, so the last valid day is start + days - 1.
    """
    validity = kb.get(RemsKnowledge).authorization_validity
    if category.reproductive_potential:
        if last_pregnancy_test is None:
            raise ValueError(
                "last_pregnancy_test: required for a female of reproductive potential, whose "
                "authorization runs from her last pregnancy test"
            )
        start, days = last_pregnancy_test, validity.reproductive_potential_days_from_last_test
    else:
        start, days = issued_on, validity.other_days_from_issue
    return start + dt.timedelta(days=days - 1)


def authorization_valid(
    category: RemsRiskCategory,
    issued_on: dt.date,
    last_pregnancy_test: dt.date | None,
    on: dt.date,
    kb: KnowledgeBase,
) -> bool:
    """Whether an authorization is valid on a date: not before issue, not after it expires."""
    return issued_on <= on <= authorization_expires(category, issued_on, last_pregnancy_test, kb)


def dispense_deadline(confirmation_at: dt.datetime, kb: KnowledgeBase) -> dt.datetime:
    """The latest moment a pharmacy may dispense after obtaining its confirmation number."""
    hours = kb.get(RemsKnowledge).dispensing.within_hours_of_confirmation
    return confirmation_at + dt.timedelta(hours=hours)


def refill_allowed(days_remaining: int, kb: KnowledgeBase) -> bool:
    """Whether a new fill may be dispensed, given the days of therapy the patient has left."""
    return days_remaining <= kb.get(RemsKnowledge).refill_window.max_days_of_therapy_remaining


# ---------------------------------------------------------------- surveys and counselling


def survey_requirement(category: RemsRiskCategory, kb: KnowledgeBase) -> SurveyRequirement:
    """How often a patient in this risk category takes the mandatory REMS survey."""
    surveys = kb.get(RemsKnowledge).surveys
    every_time = category in surveys.before_every_prescription
    months = None if every_time else surveys.periodic_every_months
    text = (
        "before every prescription"
        if every_time
        else f"at enrollment, then every {format_number(surveys.periodic_every_months)} months"
    )
    return SurveyRequirement(
        category=category,
        before_every_prescription=every_time,
        every_months=months,
        text=text,
        status=surveys.status,
        citations=list(surveys.cite),
    )


def next_periodic_survey(
    category: RemsRiskCategory,
    enrolled_on: dt.date,
    last_survey_on: dt.date | None,
    kb: KnowledgeBase,
) -> dt.date | None:
    """The date the next periodic survey is due; None when a survey precedes every prescription.

    The due date is the months interval after the last survey (or after enrollment, when no
    survey has been taken since), on the same day of the month or the month's last day.
    """
    requirement = survey_requirement(category, kb)
    if requirement.before_every_prescription or requirement.every_months is None:
        return None
    anchor = max(enrolled_on, last_survey_on) if last_survey_on is not None else enrolled_on
    return add_months(anchor, requirement.every_months)


def dispense_counselling(kb: KnowledgeBase) -> Finding:
    """The counselling a pharmacy owes at every dispense (paperwork: never blocking)."""
    counselling = kb.get(RemsKnowledge).dispense_counselling
    return _pregnancy_finding(
        counselling,
        name="rems_dispense_counselling",
        severity=Severity.INFO,
        summary="Counsel the patient and hand over the Medication Guide at every dispense",
        detail=counselling.text,
    )


class EnrollmentAgreement(Frozen):
    """One signature the patient's REMS enrollment needs on the patient-physician agreement."""

    signer: Literal["patient", "parent_or_guardian"]
    text: str
    status: Status
    citations: list[Citation] = Field(min_length=1)


def enrollment_agreements(
    category: RemsRiskCategory, kb: KnowledgeBase
) -> list[EnrollmentAgreement]:
    """Who signs the patient-physician agreement form at enrollment: the patient, and for a
    patient in a child category a parent or legal guardian as well (for the REMS workflow)."""
    rems = kb.get(RemsKnowledge)
    patient = next(e for e in rems.program_elements if e.participant == "patient")
    found = [
        EnrollmentAgreement(
            signer="patient",
            text=patient.requirement,
            status=patient.status,
            citations=list(patient.cite),
        )
    ]
    if category.child:
        guardian = rems.guardian_agreement
        found.append(
            EnrollmentAgreement(
                signer="parent_or_guardian",
                text=guardian.text,
                status=guardian.status,
                citations=list(guardian.cite),
            )
        )
    return found


def requires_pregnancy_tests(category: RemsRiskCategory) -> bool:
    """Pregnancy testing applies to the two categories of females of reproductive potential."""
    return category.reproductive_potential
