"""What a prescription authorization needs, decided from plain facts (no database, no clock).

`prerequisites(facts, kb)` returns one `Check` per checklist item the REMS asks for before a
prescription: prescriber certified, patient enrolled with every agreement signed, counselling,
pregnancy tests (females of reproductive potential), the patient's survey and the prescriber's
survey. The authorization service refuses with every unmet code of every check; the readiness
checklist shows the same checks, so the two can never disagree.

Which counselling each category needs: the REMS education for every patient; contraception for
a female of reproductive potential (pregnancy knowledge: `contraception`) and for a male (the
condom rule, `male_condom`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.safety.rems import (
    RemsCategoryResult,
    RemsRiskCategory,
    authorization_expires,
    enrollment_agreements,
    next_periodic_survey,
    requires_pregnancy_tests,
    survey_requirement,
)

__all__ = [
    "COUNSELLING_KINDS",
    "Check",
    "ItemStatus",
    "Owner",
    "PrescriptionFacts",
    "TestRecord",
    "counselling_needed",
    "prerequisites",
    "unmet_of",
]

COUNSELLING_KINDS = ("rems_education", "contraception")


class ItemStatus(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"
    BLOCKED = "blocked"


class Owner(StrEnum):
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"
    PAYER = "payer"


@dataclass(frozen=True)
class Check:
    """One checklist item: its state, who acts next, and the unmet codes while it is not met."""

    item: str
    status: ItemStatus
    owner: Owner
    date: dt.date | None
    next_step: str
    unmet: tuple[tuple[str, str], ...] = ()
    next_due: dt.date | None = None
    """For a done item that recurs on a schedule (the periodic survey): when it is next due."""

    @property
    def met(self) -> bool:
        return self.status in (ItemStatus.DONE, ItemStatus.NOT_APPLICABLE)


@dataclass(frozen=True)
class TestRecord:
    """A pregnancy test as the clinic's date it was taken and its result."""

    on: dt.date
    result: str


@dataclass(frozen=True)
class PrescriptionFacts:
    """Everything the prerequisites read, gathered by the service on the clinic's `today`.

    Lists hold only what happened up to now; `since` is the moment of the previous
    authorization (surveys before each prescription must be newer than it).
    """

    today: dt.date
    category: RemsCategoryResult
    enrolled_on: dt.date
    prescriber_certified: bool
    prescriber_certified_on: dt.date | None
    patient_signed_on: dt.date | None
    guardian_signed_on: dt.date | None
    counselled_on: dict[str, dt.date]
    """Latest date each kind of counselling was given."""
    pregnancy_tests: Sequence[TestRecord] = ()
    """Oldest first."""
    patient_surveys: Sequence[dt.datetime] = ()
    prescriber_surveys: Sequence[dt.datetime] = ()
    since: dt.datetime | None = None
    clinic_date_of: Callable[[dt.datetime], dt.date] | None = None
    """Turns a survey's moment into the clinic's date (UTC dates when not given)."""
    assessment_blockers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    """(code, sentence) of each blocking pregnancy finding of the assessment of the merged case
    (or `case_missing` / `case_invalid` when it cannot be assessed); females of reproductive
    potential only."""


def counselling_needed(category: RemsRiskCategory) -> tuple[str, ...]:
    """The counselling kinds a patient in this category must have been given."""
    if requires_pregnancy_tests(category) or not category.female:
        return COUNSELLING_KINDS
    return ("rems_education",)


def _day(facts: PrescriptionFacts, moment: dt.datetime) -> dt.date:
    convert = facts.clinic_date_of
    return moment.date() if convert is None else convert(moment)


def _prescriber(facts: PrescriptionFacts) -> Check:
    if facts.prescriber_certified:
        return Check(
            "prescriber_certified",
            ItemStatus.DONE,
            Owner.PRESCRIBER,
            facts.prescriber_certified_on,
            "Nothing to do: the prescriber is certified in the REMS.",
        )
    sentence = f"The prescriber must be certified in the REMS on {facts.today}."
    return Check(
        "prescriber_certified",
        ItemStatus.DUE,
        Owner.PRESCRIBER,
        facts.today,
        "Complete the REMS prescriber certification (enrollment form and prescriber guide).",
        (("prescriber_not_certified", sentence),),
    )


def _agreements(facts: PrescriptionFacts, kb: KnowledgeBase) -> Check:
    signed = {"patient": facts.patient_signed_on, "parent_or_guardian": facts.guardian_signed_on}
    unmet = []
    for agreement in enrollment_agreements(facts.category.category, kb):
        if signed[agreement.signer] is None:
            code = (
                "patient_agreement_missing"
                if agreement.signer == "patient"
                else "guardian_agreement_missing"
            )
            who = "The patient" if agreement.signer == "patient" else "A parent or legal guardian"
            unmet.append((code, f"{who} must sign the patient-physician agreement form."))
    if unmet:
        return Check(
            "patient_enrolled",
            ItemStatus.DUE,
            Owner.PATIENT,
            facts.today,
            " ".join(message for _, message in unmet),
            tuple(unmet),
        )
    dates = [day for day in signed.values() if day is not None]
    return Check(
        "patient_enrolled",
        ItemStatus.DONE,
        Owner.PATIENT,
        max(dates) if dates else facts.enrolled_on,
        "Nothing to do: enrolled, every agreement signed.",
    )


_COUNSELLING_WORDS = {
    "rems_education": "the REMS education and Medication Guide",
    "contraception": "contraception (pregnancy prevention)",
}


def _counselling(facts: PrescriptionFacts) -> Check:
    needed = counselling_needed(facts.category.category)
    missing = [kind for kind in needed if kind not in facts.counselled_on]
    if missing:
        unmet = tuple(
            (f"{kind}_counselling_missing", f"Counsel the patient on {_COUNSELLING_WORDS[kind]}.")
            for kind in missing
        )
        return Check(
            "counselling",
            ItemStatus.DUE,
            Owner.NURSE,
            facts.today,
            " ".join(message for _, message in unmet),
            unmet,
        )
    return Check(
        "counselling",
        ItemStatus.DONE,
        Owner.NURSE,
        max(facts.counselled_on[kind] for kind in needed),
        "Nothing to do: counselling recorded.",
    )


def _pregnancy(facts: PrescriptionFacts, kb: KnowledgeBase) -> Check:
    category = facts.category.category
    if not requires_pregnancy_tests(category):
        return Check(
            "pregnancy_tests",
            ItemStatus.NOT_APPLICABLE,
            Owner.PRESCRIBER,
            None,
            f"No pregnancy tests: {facts.category.name}.",
        )
    tests = list(facts.pregnancy_tests)
    latest = tests[-1] if tests else None
    if latest is not None and latest.result == "positive":
        message = (
            f"The pregnancy test of {latest.on} is positive: lenalidomide must not be given "
            "during pregnancy."
        )
        return Check(
            "pregnancy_tests",
            ItemStatus.BLOCKED,
            Owner.PRESCRIBER,
            latest.on,
            message,
            (("pregnancy_test_positive", message),),
        )
    negatives = [test for test in tests if test.result == "negative"]
    unmet: list[tuple[str, str]] = []
    overdue = False
    if not negatives:
        unmet.append(
            ("pregnancy_test_missing", "A negative pregnancy test is needed before prescribing.")
        )
    else:
        last = negatives[-1].on
        valid_through = authorization_expires(category, facts.today, last, kb)
        if valid_through < facts.today:
            unmet.append(
                (
                    "pregnancy_test_too_old",
                    f"The last negative pregnancy test ({last}) supports an authorization only "
                    f"through {valid_through}: a new negative test is needed.",
                )
            )
    for code, message in facts.assessment_blockers:
        overdue = overdue or code.endswith("test_overdue")
        if code not in {existing for existing, _ in unmet}:
            unmet.append((code, message))
    if unmet:
        return Check(
            "pregnancy_tests",
            ItemStatus.OVERDUE if overdue else ItemStatus.DUE,
            Owner.PRESCRIBER,
            facts.today,
            " ".join(message for _, message in unmet),
            tuple(unmet),
        )
    return Check(
        "pregnancy_tests",
        ItemStatus.DONE,
        Owner.PRESCRIBER,
        negatives[-1].on,
        "Nothing to do now: negative pregnancy tests as the REMS requires.",
    )


def _newer(moments: Sequence[dt.datetime], since: dt.datetime | None) -> list[dt.datetime]:
    return sorted(m for m in moments if since is None or m > since)


def _patient_survey(facts: PrescriptionFacts, kb: KnowledgeBase) -> Check:
    category = facts.category.category
    requirement = survey_requirement(category, kb)
    if requirement.before_every_prescription:
        taken = _newer(facts.patient_surveys, facts.since)
        if taken:
            return Check(
                "patient_survey",
                ItemStatus.DONE,
                Owner.PATIENT,
                _day(facts, taken[-1]),
                "Nothing to do: the survey for this prescription is taken.",
            )
        message = f"The patient takes the mandatory REMS survey {requirement.text}."
        return Check(
            "patient_survey",
            ItemStatus.DUE,
            Owner.PATIENT,
            facts.today,
            message,
            (("patient_survey_missing", message),),
        )
    taken = sorted(facts.patient_surveys)
    if not taken:
        message = f"The patient takes the mandatory REMS survey {requirement.text}."
        return Check(
            "patient_survey",
            ItemStatus.DUE,
            Owner.PATIENT,
            facts.today,
            message,
            (("patient_survey_missing", message),),
        )
    last = _day(facts, taken[-1])
    due = next_periodic_survey(category, facts.enrolled_on, last, kb)
    assert due is not None  # periodic requirement
    if due <= facts.today:
        message = f"The periodic REMS survey was due on {due} ({requirement.text})."
        return Check(
            "patient_survey",
            ItemStatus.OVERDUE if due < facts.today else ItemStatus.DUE,
            Owner.PATIENT,
            due,
            message,
            (("patient_survey_due", message),),
        )
    return Check(
        "patient_survey",
        ItemStatus.DONE,
        Owner.PATIENT,
        last,
        f"Nothing to do now: the next periodic survey is due on {due}.",
        next_due=due,
    )


def _prescriber_survey(facts: PrescriptionFacts) -> Check:
    taken = _newer(facts.prescriber_surveys, facts.since)
    if taken:
        return Check(
            "prescriber_survey",
            ItemStatus.DONE,
            Owner.PRESCRIBER,
            _day(facts, taken[-1]),
            "Nothing to do: the prescriber's survey for this prescription is taken.",
        )
    message = "The prescriber completes the REMS survey for each prescription."
    return Check(
        "prescriber_survey",
        ItemStatus.DUE,
        Owner.PRESCRIBER,
        facts.today,
        message,
        (("prescriber_survey_missing", message),),
    )


def prerequisites(facts: PrescriptionFacts, kb: KnowledgeBase) -> list[Check]:
    """Every REMS requirement of a new prescription authorization, in checklist order."""
    return [
        _prescriber(facts),
        _agreements(facts, kb),
        _counselling(facts),
        _pregnancy(facts, kb),
        _patient_survey(facts, kb),
        _prescriber_survey(facts),
    ]


def unmet_of(checks: Sequence[Check]) -> list[tuple[str, str]]:
    """Every unmet (code, sentence) of the checks, in order."""
    return [pair for check in checks for pair in check.unmet]
