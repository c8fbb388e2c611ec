"""The patient handout as data: what one patient is told, with no words in it.

`build_handout` fills these from an `Assessment` (and the `Case` for what the assessment does
not carry) and the knowledge base; the template turns them into plain-language sentences from
the message catalogue. Every number comes from the assessment or the knowledge base, and every
part names the knowledge entries it rests on (`Basis`), so the handout shows its sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from lenaguard.knowledge import Citation, Status
from lenaguard.knowledge.topics.rems import RemsRiskCategory

__all__ = [
    "Basis",
    "CalendarCell",
    "Contact",
    "ContactKind",
    "DoseWords",
    "Handout",
    "Plan",
    "PregnancyRules",
    "Rules",
    "SymptomGroups",
    "TestDate",
]


class Plan(StrEnum):
    """What the patient does with the capsules now: the assessment's one decision."""

    TAKE = "take"
    """Ready: take the capsules on the dosing days of the calendar."""
    WAIT = "wait"
    """Not ready, on hold, or not decided: take none until the care team says so."""
    STOPPED = "stopped"
    """The course is stopped (or must not start): take none."""


class ContactKind(StrEnum):
    CLINIC = "clinic"
    PRESCRIBER = "prescriber"
    CARE_TEAM = "care_team"


@dataclass(frozen=True)
class Contact:
    """Whom the patient calls: the clinic from the settings, else the prescriber's record,
    else just "your care team"."""

    kind: ContactKind
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Basis:
    """The knowledge entry (or assessment part) a section of the handout rests on."""

    topic: str
    status: Status
    citations: tuple[Citation, ...]
    refs: tuple[str, ...] = ()
    """The citations as a reader sees them, shortest form ('USPI §5.1'), each once."""


@dataclass(frozen=True)
class DoseWords:
    """The dose as the patient takes it: how many capsules of which strength, how often."""

    dose_mg: float
    capsules: int | None
    """Capsules per dose when one strength makes the dose; None when it does not (the
    pharmacist says which capsules)."""
    capsule_mg: float | None
    every_other_day: bool
    after_dialysis: bool
    days_on: tuple[int, int] | None
    cycle_days: int | None


@dataclass(frozen=True)
class CalendarCell:
    """One square of the calendar: a day of the assessment's calendar, or a blank."""

    date: dt.date
    in_calendar: bool
    take: bool
    """Take capsules this day (only ever True when the plan is TAKE)."""
    capsules: int | None
    tests: tuple[str, ...]
    """Test kinds due that day: 'pregnancy' and/or 'blood'."""


@dataclass(frozen=True)
class TestDate:
    """A day with tests due, and which ones (test keys of the assessment)."""

    date: dt.date
    pregnancy: bool
    blood_tests: tuple[str, ...]
    """The assessment's test keys other than the pregnancy test (cbc, liver_enzymes, …)."""
    overdue: bool


@dataclass(frozen=True)
class PregnancyRules:
    """Birth control and pregnancy tests for a female who can become pregnant."""

    weeks_before: int
    weeks_after: int
    weekly_weeks: int
    regular_every_weeks: int
    irregular_every_weeks: int


@dataclass(frozen=True)
class Rules:
    """The REMS rules for the patient's risk category, with their numbers from knowledge."""

    category: RemsRiskCategory | None
    pregnancy: PregnancyRules | None
    """For a female who can become pregnant."""
    male_weeks_after: int | None
    """For a male: condoms and no sperm donation, until this many weeks after the last dose."""
    blood_donation_weeks_after: int
    no_breastfeeding: bool


@dataclass(frozen=True)
class SymptomGroups:
    """Symptoms by what to do, from the knowledge base's urgency of each symptom."""

    emergency: tuple[str, ...]
    """Symptom keys (and 'allergy') that need emergency care now."""
    call_now: tuple[str, ...]
    """Symptom keys where the clinic must be called at once (possible pregnancy)."""
    call_today: tuple[str, ...]
    """Symptom keys where the clinic should be called today."""
    stop: frozenset[str] = frozenset()
    """Symptom keys whose instruction (knowledge) is to stop taking the capsules."""


@dataclass(frozen=True)
class Handout:
    """Everything one patient's handout says, without its words."""

    patient_id: str
    as_of: dt.date
    plan: Plan
    dose: DoseWords | None
    """Only when the plan is TAKE."""
    weeks: tuple[tuple[CalendarCell, ...], ...]
    test_dates: tuple[TestDate, ...]
    rules: Rules
    missed_dose_hours: float
    symptoms: SymptomGroups
    contact: Contact
    knowledge_version: str
    lenaguard_version: str
    sources: dict[str, Basis] = field(default_factory=dict)
    """Section name → what it rests on (shown at the end of the handout)."""

    @property
    def dosing_days(self) -> tuple[dt.date, ...]:
        """The days to take capsules (none unless the plan is TAKE)."""
        return tuple(cell.date for week in self.weeks for cell in week if cell.take)

    @property
    def first_day(self) -> dt.date | None:
        days = [cell.date for week in self.weeks for cell in week if cell.in_calendar]
        return min(days) if days else None

    @property
    def last_day(self) -> dt.date | None:
        days = [cell.date for week in self.weeks for cell in week if cell.in_calendar]
        return max(days) if days else None
