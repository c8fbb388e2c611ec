"""Typed results the rules hand to `assess` (the dose plan, renal function, calendars)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.findings import Finding
from lenaguard.knowledge.base import (
    Citation,
    Frozen,
    Status,
    basis_of,
    check_reading_status,
    with_basis,
)
from lenaguard.vocab import DoseAction, Frequency, RenalBand, WeightPolicy


class ResumePlan(Frozen):
    """When and at what dose a held drug restarts."""

    when: str = Field(
        description="The condition for restarting, in words: the count and its threshold."
    )
    dose_mg: float | None = Field(
        description="Dose on restart; null when the label leaves it to the prescriber."
    )
    frequency: Frequency = Frequency.DAILY
    days_on: tuple[int, int] | None = None


class DoseOption(Frozen):
    """One of the label's doses the prescriber can choose between, and when it applies."""

    when: str = Field(description="When this option applies, in words.")
    dose_mg: float | None
    frequency: Frequency = Frequency.DAILY
    days_on: tuple[int, int] | None = None
    status: Status
    citations: list[Citation] = Field(min_length=1)


class DosePlan(Frozen):
    """The dose decision for the assessment date."""

    action: DoseAction
    dose_mg: float | None = Field(description="Dose to give now; null on hold or stop.")
    frequency: Frequency | None = None
    days_on: tuple[int, int] | None = None
    cycle_days: int | None = None
    after_dialysis: bool = False
    resume: ResumePlan | None = None
    reason: str = Field(description="One sentence a clinician can check against the label.")
    rule: str = Field(description="Id of the rule that decided.")
    status: Status
    citations: list[Citation] = Field(min_length=1)
    options: list[DoseOption] = Field(
        default_factory=list,
        description="The label's alternatives when the choice rests on something not recorded.",
    )
    record: str | None = Field(
        default=None, description="The case-file field to record to settle between the options."
    )
    basis: Literal["lenaguard"] | None = Field(
        default=None,
        description="'lenaguard' when the plan rests on lenaguard's own reading (status "
        "unverified) where the label is silent; null when it rests on the sources.",
    )

    _fill_basis = model_validator(mode="before")(with_basis)

    @model_validator(mode="after")
    def _basis_matches_citations(self) -> DosePlan:
        if self.basis != basis_of(self.citations):
            raise ValueError("basis must be 'lenaguard' exactly when a citation is lenaguard's")
        check_reading_status(self.status, self.citations)
        return self


class RenalFunction(Frozen):
    """Cockcroft-Gault creatinine clearance and the label band it falls in."""

    crcl_ml_min: float | None = Field(
        description="Null for patients on dialysis without a usable value."
    )
    band: RenalBand
    weight_policy: WeightPolicy
    weight_kg_used: float | None
    weight_basis: str = Field(description="Which weight was used and why.")
    creatinine_mg_dl: float | None = None
    creatinine_date: dt.date | None = None
    status: Status
    citations: list[Citation] = Field(min_length=1)


class MonitoringItem(Frozen):
    """A test that is due, with the reason and the rule behind it."""

    test: str = Field(description="cbc, pregnancy_test, liver_enzymes, tsh, hbv_dna, ...")
    due: dt.date
    reason: str
    status: Status
    citations: list[Citation] = Field(min_length=1)


class RepeatingTest(Frozen):
    """A test that keeps repeating after its next due date, so the calendar can show each
    date: every `first_interval_days` while the last test is before `faster_until`, every
    `later_interval_days` after (the pregnancy tests: weekly at first, then by menstrual
    regularity)."""

    test: str
    faster_until: dt.date
    first_interval_days: int = Field(ge=1)
    later_interval_days: int = Field(ge=1)

    def following(self, day: dt.date) -> dt.date:
        """The test due after one taken on `day`."""
        interval = self.first_interval_days if day < self.faster_until else self.later_interval_days
        return day + dt.timedelta(days=interval)


class CalendarDay(Frozen):
    """One calendar day of the dosing calendar."""

    date: dt.date
    cycle: int | None = Field(description="Cycle number counted from the start of the course.")
    cycle_day: int | None
    dose_mg: float | None = Field(description="Dose to take that day; null on rest or held days.")
    note: str = Field(description="dose | rest | held | stopped | not started | course complete")
    tests_due: list[str] = Field(
        default_factory=list, description="Monitoring due that day (cbc, pregnancy_test, ...)."
    )


class RuleOutcome(Frozen):
    """What a topic's `evaluate(case, kb)` returns; topics subclass it to add their own results."""

    findings: list[Finding] = Field(default_factory=list)
    monitoring: list[MonitoringItem] = Field(default_factory=list)
