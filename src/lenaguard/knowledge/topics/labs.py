"""Lab tests: LOINC codes, canonical units, unit conversions and plausibility ranges.

The units and conversions normalise case files; the plausibility ranges say where a value can
lie at all (outside: the case file is refused) and where it is expected (outside: the value
must be confirmed before prescribing). Ranges are written in the canonical unit, so one range
serves every unit a result may be written in.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import LabTest


class UnitConversion(Frozen):
    """value_in_canonical_unit = value × multiply_by ÷ divide_by."""

    multiply_by: float = Field(default=1.0, gt=0)
    divide_by: float = Field(default=1.0, gt=0)

    def to_canonical(self, value: float) -> float:
        return value * self.multiply_by / self.divide_by

    def from_canonical(self, value: float) -> float:
        """The canonical value written in this unit (the inverse of `to_canonical`)."""
        return value * self.divide_by / self.multiply_by


class Plausibility(StrEnum):
    """Where a value lies against its ranges."""

    PROBABLE = "probable"
    """Inside the expected range."""
    IMPROBABLE = "improbable"
    """Possible, but outside the expected range: confirm it before relying on it."""
    IMPOSSIBLE = "impossible"
    """Outside what a living patient can have: a typing or unit error."""


class Bounds(Frozen):
    """A closed range [low, high]; a missing end is open (no bound on that side)."""

    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered_and_finite(self) -> Bounds:
        for end in (self.low, self.high):
            if end is not None and not math.isfinite(end):
                raise ValueError("range ends must be finite numbers")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def within(self, other: Bounds) -> bool:
        """True when every value inside this range is inside `other`."""
        low_ok = other.low is None or (self.low is not None and self.low >= other.low)
        high_ok = other.high is None or (self.high is not None and self.high <= other.high)
        return low_ok and high_ok


class PlausibleRange(Cited):
    """Two ranges for one measurement, in its canonical unit: `possible` (outside it a value is
    impossible) and, inside it, `probable` (outside it a value is improbable but possible)."""

    statement_template = "Values from {possible.low} to {possible.high} are possible for this test; a value outside {probable.low} to {probable.high} is improbable and is checked as a possible input error."

    possible: Bounds
    probable: Bounds

    @model_validator(mode="after")
    def _probable_inside_possible(self) -> PlausibleRange:
        if not self.probable.within(self.possible):
            raise ValueError("the probable range must lie inside the possible range")
        return self

    def classify(self, value: float) -> Plausibility:
        """Where a value (in the canonical unit) lies; a non-finite value is impossible."""
        if not math.isfinite(value) or not self.possible.contains(value):
            return Plausibility.IMPOSSIBLE
        if not self.probable.contains(value):
            return Plausibility.IMPROBABLE
        return Plausibility.PROBABLE


class LabDefinition(Cited):
    """How one test is coded and which units it may be written in."""

    statement_template = "This laboratory test (LOINC {loinc}) is recorded in {canonical_unit}; accepted units are {units}."

    kind: Literal["quantitative", "qualitative"]
    canonical_unit: str | None = None
    units: dict[str, UnitConversion] = Field(default_factory=dict)
    loinc: list[str] = Field(default_factory=list)
    also_quantitative: bool = Field(
        default=False, description="A qualitative test that may also carry a numeric value."
    )
    plausible: PlausibleRange | None = Field(
        default=None, description="Possible and probable values, in the canonical unit."
    )

    @model_validator(mode="after")
    def _numeric_tests_have_ranges(self) -> LabDefinition:
        numeric = self.kind == "quantitative" or self.also_quantitative
        if numeric and (self.canonical_unit is None or self.canonical_unit not in self.units):
            raise ValueError("a numeric test needs a canonical_unit that is one of its units")
        if numeric and self.plausible is None:
            raise ValueError("a numeric test needs a plausible range (possible and probable)")
        if not numeric and self.plausible is not None:
            raise ValueError("only a numeric test has a plausible range")
        return self


@register("labs")
class LabsKnowledge(Topic):
    topic: Literal["labs"] = "labs"
    tests: dict[LabTest, LabDefinition]
    age_years: PlausibleRange = Field(
        description="Possible and probable ages in whole years (case files and calculators)."
    )

    def plausible(self, test: LabTest) -> PlausibleRange:
        """The plausibility ranges of a numeric test (KeyError-free: every numeric test has one)."""
        found = self.tests[test].plausible
        if found is None:
            raise ValueError(f"{test.value} has no numeric value, so no plausible range")
        return found

    def test_for_loinc(self, code: str) -> LabTest | None:
        for test, definition in self.tests.items():
            if code in definition.loinc:
                return test
        return None
