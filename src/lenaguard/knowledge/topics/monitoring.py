"""Monitoring: the blood-count (CBC) schedules per indication and the other tests to watch.

CBC schedules are data, not code: each schedule is a list of phases. A phase covers a span of
the course, counted in weeks or in cycles from the course start, and either repeats every
`interval_days` inside that span or falls on explicit `cycle_days` of each cycle in the span
(the way regimens are written, "days 1 and 15 of cycle 3"). The last phase of every schedule
is open-ended and repeating, so a next date always exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, computed_field, model_validator

from lenaguard.knowledge.base import Cited, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Indication, LabTest


class Span(Frozen):
    """Part of a course: weeks or cycles `first` to `last` (inclusive; no `last` = onwards)."""

    unit: Literal["weeks", "cycles"]
    first: int = Field(ge=1)
    last: int | None = Field(default=None, description="Absent: to the end of the course.")

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.last is not None and self.last < self.first:
            raise ValueError("last must not be before first")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def first_day(self) -> int | None:
        """The course day a span of weeks starts on (day 1 = the start date); None for cycles."""
        if self.unit != "weeks":
            return None
        return dt.timedelta(weeks=self.first - 1).days + 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def day_after(self) -> int | None:
        """The first course day after a closed span of weeks; None for cycles or open spans."""
        if self.unit != "weeks" or self.last is None:
            return None
        return dt.timedelta(weeks=self.last).days + 1


class CbcPhase(Frozen):
    """One phase of a CBC schedule: a span and either a repeat interval or explicit cycle days."""

    span: Span
    interval_days: int | None = Field(
        default=None, gt=0, description="A CBC every this many days, from the span's first day."
    )
    cycle_days: list[int] | None = Field(
        default=None, description="A CBC on these days of every cycle in the span."
    )

    @model_validator(mode="after")
    def _one_timing(self) -> CbcPhase:
        if (self.interval_days is None) == (self.cycle_days is None):
            raise ValueError("give exactly one of interval_days or cycle_days")
        if self.cycle_days is not None:
            if self.span.unit != "cycles":
                raise ValueError("cycle_days needs a span counted in cycles")
            if not self.cycle_days or min(self.cycle_days) < 1:
                raise ValueError("cycle_days must be day numbers from 1")
            if self.cycle_days != sorted(set(self.cycle_days)):
                raise ValueError("cycle_days must be increasing without repeats")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def course_days(self) -> list[int] | None:
        """The course days of the counts of a closed, repeating span of weeks; else None."""
        first, after = self.span.first_day, self.span.day_after
        if first is None or after is None or self.interval_days is None:
            return None
        return list(range(first, after, self.interval_days))


class CbcSchedule(Cited):
    """The CBC schedule of one or more indications while lenalidomide is being given."""

    indications: list[Indication] = Field(min_length=1)
    phases: list[CbcPhase] = Field(min_length=1)
    cycle_length_days: int | None = Field(
        default=None,
        gt=0,
        description="The indications' cycle length (indications.yaml; a test keeps them equal), "
        "where the note names the cycle a span of weeks falls in.",
    )
    note: str = Field(
        description="How the label's words were turned into dates; a template over the phases "
        "({phases[1].span.first_day}, {phase_first_cycles[1]})."
    )

    @model_validator(mode="after")
    def _open_ended(self) -> CbcSchedule:
        last = self.phases[-1]
        if last.span.last is not None or last.interval_days is None:
            raise ValueError("the last phase must repeat (interval_days) with no end")
        if any(phase.span.last is None for phase in self.phases[:-1]):
            raise ValueError("only the last phase may be open-ended")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def phase_first_cycles(self) -> list[int | None]:
        """The cycle each phase starts in (for spans of weeks, only with cycle_length_days)."""
        cycles: list[int | None] = []
        for phase in self.phases:
            first_day = phase.span.first_day
            if phase.span.unit == "cycles":
                cycles.append(phase.span.first)
            elif first_day is not None and self.cycle_length_days is not None:
                cycles.append((first_day - 1) // self.cycle_length_days + 1)
            else:
                cycles.append(None)
        return cycles


class CbcInterruption(Cited):
    """CBC monitoring while lenalidomide is interrupted (held)."""

    interval_days: int = Field(gt=0)
    note: str


class CbcKnowledge(Frozen):
    components: list[LabTest] = Field(
        min_length=1, description="Results that count as a CBC: the latest of any dates the CBC."
    )
    schedules: list[CbcSchedule]
    interruption: CbcInterruption

    @model_validator(mode="after")
    def _each_indication_once(self) -> CbcKnowledge:
        listed = [indication for schedule in self.schedules for indication in schedule.indications]
        missing = sorted(set(Indication) - set(listed))
        repeated = sorted({i for i in listed if listed.count(i) > 1})
        if missing:
            raise ValueError(f"no CBC schedule for: {', '.join(missing)}")
        if repeated:
            raise ValueError(f"more than one CBC schedule for: {', '.join(repeated)}")
        return self

    def schedule_for(self, indication: Indication) -> CbcSchedule:
        return next(s for s in self.schedules if indication in s.indications)


class AlsoWithClass(Frozen):
    """Outside its indications, a drug-linked check still applies when a medication of this
    class is taken as well (the label's stated reason for the check), with the words saying so."""

    drug_class: str
    text: str = Field(description="Why the check is listed outside its indications.")


class MonitoredTest(Cited):
    """A test to watch besides the CBC: when it applies, and which case results count."""

    statement_template = "{name}: {timing}. {why}"

    test: str = Field(
        pattern=r"^[a-z_]+$", description="Id of the monitoring item (assessment JSON)."
    )
    name: str
    labs: list[LabTest] = Field(
        default_factory=list, description="Case results that count as this test."
    )
    baseline: bool = Field(description="A result from before the course start is expected.")
    during_therapy: bool = Field(description="Repeated while on treatment.")
    interval_days: int | None = Field(
        default=None, description="Absent: the source gives no interval."
    )
    drug_class: str | None = Field(
        default=None, description="Applies only when a medication of this class is taken."
    )
    indications: list[Indication] | None = Field(
        default=None, description="Applies only to these indications (absent: all)."
    )
    outside_indications: AlsoWithClass | None = Field(
        default=None,
        description="Also applies outside `indications` when a medication of this class is taken.",
    )
    timing: str = Field(description="When, in words, as the source puts it.")
    why: str

    @model_validator(mode="after")
    def _outside_needs_scope(self) -> MonitoredTest:
        if self.outside_indications is not None and (
            self.indications is None or self.drug_class is None
        ):
            raise ValueError("outside_indications needs both indications and drug_class")
        return self


@register("monitoring")
class MonitoringKnowledge(Topic):
    topic: Literal["monitoring"] = "monitoring"
    cbc: CbcKnowledge
    liver_enzymes: MonitoredTest
    thyroid: MonitoredTest
    renal: MonitoredTest
    digoxin: MonitoredTest
    pt_inr: MonitoredTest
