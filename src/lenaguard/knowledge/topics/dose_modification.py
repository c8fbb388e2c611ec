"""Dose modification for blood-count toxicity on an ongoing course (USPI §2.1–§2.4).

Each indication has a *dose ladder* (the "next lower dose" steps, the last step is the floor)
and *count rows*: for platelets or ANC, when a row applies, what fall interrupts treatment,
what count allows a restart and at which dose. Rows are data so that a pharmacist can check
them against the label's tables line by line (docs/rules/dose-modification.md).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, computed_field, model_validator

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
    schedule_days_on: tuple[int, int] = Field(
        description="The indication's dosing days (indications.yaml), which steps without "
        "days_on keep; the wording names them and a test keeps them equal."
    )
    escalation_after_cycles: int | None = Field(
        default=None,
        description="For a ladder that covers a renally escalated dose: after how many cycles "
        "the renal table allows the escalation (renal.yaml; a test keeps them equal).",
    )
    wording: str = Field(
        description="The ladder in words, as the label or the facts put it; a template over "
        "the fields above ({steps[0].dose_mg}, {schedule_days_on[1]})."
    )


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


class TableContext(Frozen):
    """The values of a row's table (and topic) that the row's wording names.

    Filled in when the topic loads, from the one place that holds each (the table's first
    ladder, its first weeks, the topic's fever), so that a row's words read them rather than
    retype them. Whatever a file writes here is replaced.
    """

    doses_mg: list[float] = Field(description="The doses of the table's first ladder.")
    step_mg: float | None = Field(description="Its first step down (first dose − second).")
    first_weeks: int | None = Field(description="The table's first weeks, where it has them.")
    fever_celsius: float = Field(description="The temperature the tables call fever.")


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
    context: TableContext | None = Field(
        default=None, description="Filled in at load (see TableContext); never written."
    )
    wording: str = Field(
        description="The row in words, for people checking it against the label; a template "
        "over the row and its context ({context.doses_mg[1]})."
    )

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
    start_mg: float | None = Field(
        default=None,
        description="Filled in at load: the first dose of the table's first ladder; never written.",
    )
    wording: str = Field(description="A template over the fields ({weeks}, {days_counted[1]}).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def days_counted(self) -> tuple[int, int]:
        """The course days counted as within the first weeks (day 1 = the start date)."""
        return (1, dt.timedelta(weeks=self.weeks).days)


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


def _with_context(table: Any, fever_celsius: Any) -> Any:
    """A raw indication table with its rows' context and first weeks' start dose filled in."""
    if not isinstance(table, dict):
        return table
    ladders = table.get("ladders") or []
    first = ladders[0] if ladders and isinstance(ladders[0], dict) else {}
    doses = [step["dose_mg"] for step in first.get("steps", []) if isinstance(step, dict)]
    weeks = table.get("first_weeks")
    context = {
        "doses_mg": doses,
        "step_mg": doses[0] - doses[1] if len(doses) > 1 else None,
        "first_weeks": weeks.get("weeks") if isinstance(weeks, dict) else None,
        "fever_celsius": fever_celsius,
    }
    filled = dict(table)
    filled["rows"] = [
        {**row, "context": context} if isinstance(row, dict) else row
        for row in table.get("rows", [])
    ]
    if isinstance(weeks, dict) and doses:
        filled["first_weeks"] = {**weeks, "start_mg": doses[0]}
    return filled


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

    @model_validator(mode="before")
    @classmethod
    def _fill_row_context(cls, data: Any) -> Any:
        # one place per number: a row's words read the ladder, first weeks and fever from here
        if not isinstance(data, dict) or not isinstance(data.get("indications"), dict):
            return data
        fever = data.get("fever")
        celsius = (
            fever.get("at_least_celsius")
            if isinstance(fever, dict)
            else getattr(fever, "at_least_celsius", None)
        )
        indications = {
            name: _with_context(table, celsius) for name, table in data["indications"].items()
        }
        return {**data, "indications": indications}

    @model_validator(mode="after")
    def _every_indication(self) -> DoseModificationKnowledge:
        missing = sorted(set(Indication) - set(self.indications))
        if missing:
            raise ValueError(f"indications missing: {', '.join(missing)}")
        return self

    def table(self, indication: Indication) -> IndicationTable:
        return self.indications[indication]
