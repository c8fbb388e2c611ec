"""Dose modification for blood-count toxicity on an ongoing course (USPI §2.1–§2.4).

Each indication has a *dose ladder* (the "next lower dose" steps, the last step is the floor)
and *count rows*: for platelets or ANC, when a row applies, what fall interrupts treatment,
what count allows a restart and at which dose. Rows are data so that a pharmacist can check
them against the label's tables line by line (docs/rules/dose-modification.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Indication, LabTest


class LadderStep(Frozen):
    """One rung of a dose ladder: a dose and, where it differs, its dosing days per cycle."""

    dose_mg: float = Field(gt=0)
    days_on: tuple[int, int] | None = Field(
        default=None, description="Dosing days of the cycle; absent: the indication's schedule."
    )


class Ladder(Cited):
    """The doses a patient steps down through, highest first; the last step is the floor."""

    for_start_mg: list[float] | None = Field(
        default=None,
        description="Course starting doses this ladder is for; absent: any starting dose.",
    )
    steps: list[LadderStep] = Field(min_length=1)
    wording: str = Field(description="The ladder in words, as the label or the facts put it.")


class Trigger(Frozen):
    """One way a count can fall far enough to interrupt treatment.

    Exactly one value test: `below` (count < value) or `fraction_of_baseline` (count at or
    below that fraction of the pre-treatment count). Optional qualifiers must hold as well.
    """

    below: float | None = Field(default=None, gt=0, description="Count strictly below this.")
    fraction_of_baseline: float | None = Field(
        default=None, gt=0, lt=1, description="Count at or below this fraction of baseline."
    )
    for_at_least_days: int | None = Field(
        default=None,
        gt=0,
        description="Consecutive results meeting the value test spanning at least this many days.",
    )
    with_fever: bool = Field(default=False, description="Only with fever (see `fever`).")
    with_platelet_transfusion: bool = Field(
        default=False, description="Only with platelet transfusions in the current dosing period."
    )

    @model_validator(mode="after")
    def _one_value_test(self) -> Trigger:
        if (self.below is None) == (self.fraction_of_baseline is None):
            raise ValueError("give exactly one of below or fraction_of_baseline")
        return self


class Phase(StrEnum):
    """When in the course a row applies (MDS distinguishes the first weeks on the start dose)."""

    ANY = "any"
    FIRST_WEEKS = "first_weeks"
    """Within the first weeks (see `first_weeks`) on the indication's starting dose."""
    LATER = "later"
    """After the first weeks on the starting dose, or on any lower dose."""


class ResumeDose(StrEnum):
    """Which dose a restart uses."""

    NEXT_LOWER = "next_lower"
    STARTING_DOSE_IF_ONLY_TOXICITY = "starting_dose_if_only_toxicity"
    """The course's starting dose when this count was the only toxicity, else the next lower."""


class CountRow(Cited):
    """One row of a label table: for one count, when it interrupts and how treatment restarts."""

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    test: Literal[LabTest.PLATELETS, LabTest.ANC]
    phase: Phase = Phase.ANY
    baseline_at_least: float | None = Field(
        default=None, description="Row applies when the baseline count is at least this."
    )
    baseline_below: float | None = Field(
        default=None, description="Row applies when the baseline count is below this."
    )
    triggers: list[Trigger] = Field(min_length=1, description="Any one of them interrupts.")
    resume_at_least: float = Field(gt=0, description="Restart when the count is at least this.")
    resume_without_bleeding: bool = Field(
        default=False, description="Restart also needs no hemostatic failure (bleeding)."
    )
    first_fall: ResumeDose = ResumeDose.NEXT_LOWER
    later_falls: ResumeDose = ResumeDose.NEXT_LOWER
    wording: str = Field(description="The row in words, for people checking it against the label.")

    @model_validator(mode="after")
    def _baseline_triggers_need_baseline_rows(self) -> CountRow:
        uses_baseline = any(t.fraction_of_baseline is not None for t in self.triggers)
        bounded = self.baseline_at_least is not None or self.baseline_below is not None
        if uses_baseline and not bounded:
            raise ValueError(f"{self.id}: a baseline-relative trigger needs baseline bounds")
        if bounded and self.phase is not Phase.FIRST_WEEKS:
            raise ValueError(f"{self.id}: baseline rows apply in the first weeks only")
        return self

    def fits_baseline(self, baseline: float) -> bool:
        """Whether a baseline count falls inside this row's baseline bounds."""
        if self.baseline_at_least is not None and baseline < self.baseline_at_least:
            return False
        return not (self.baseline_below is not None and baseline >= self.baseline_below)


class FirstWeeks(Cited):
    """The early window of a table: the first `weeks` on the indication's starting dose."""

    weeks: int = Field(gt=0)
    wording: str


class IndicationTable(Frozen):
    """Everything one indication's dose-modification table says."""

    section: str = Field(description="Where the table sits in the label.")
    ladders: list[Ladder] = Field(min_length=1)
    rows: list[CountRow] = Field(min_length=1)
    first_weeks: FirstWeeks | None = None

    @model_validator(mode="after")
    def _coherent(self) -> IndicationTable:
        ids = [row.id for row in self.rows]
        if len(ids) != len(set(ids)):
            raise ValueError("row ids must be unique within an indication")
        for test in (LabTest.PLATELETS, LabTest.ANC):
            if not any(row.test == test for row in self.rows):
                raise ValueError(f"no row for {test.value}")
        if any(row.phase is not Phase.ANY for row in self.rows) and self.first_weeks is None:
            raise ValueError("rows with phases need first_weeks")
        defaults = [ladder for ladder in self.ladders if ladder.for_start_mg is None]
        if len(defaults) > 1:
            raise ValueError("at most one ladder may apply to any starting dose")
        return self

    def rows_for(self, test: LabTest) -> list[CountRow]:
        return [row for row in self.rows if row.test == test]


class Fever(Cited):
    """The temperature the label's 'ANC below ... with fever' rows mean."""

    at_least_celsius: float
    wording: str


@register("dose_modification")
class DoseModificationKnowledge(Topic):
    """Dose ladders and count rows of every indication, plus shared criteria."""

    topic: Literal["dose_modification"] = "dose_modification"
    interruption_cbc: CitedText
    fever: Fever
    floor_decision: CitedText
    other_toxicity_unknown: CitedText = Field(
        description="lenaguard's conservative restart while other toxicity is not recorded."
    )
    indications: dict[Indication, IndicationTable]

    @model_validator(mode="after")
    def _every_indication(self) -> DoseModificationKnowledge:
        missing = sorted(set(Indication) - set(self.indications))
        if missing:
            raise ValueError(f"indications missing: {', '.join(missing)}")
        return self

    def table(self, indication: Indication) -> IndicationTable:
        return self.indications[indication]
