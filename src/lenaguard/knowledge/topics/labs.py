"""Lab tests: LOINC codes, canonical units and unit conversions used to normalise case files."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lenaguard.knowledge.base import Cited, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import LabTest


class UnitConversion(Frozen):
    """value_in_canonical_unit = value × multiply_by ÷ divide_by."""

    multiply_by: float = Field(default=1.0, gt=0)
    divide_by: float = Field(default=1.0, gt=0)

    def to_canonical(self, value: float) -> float:
        return value * self.multiply_by / self.divide_by


class LabDefinition(Cited):
    """How one test is coded and which units it may be written in."""

    kind: Literal["quantitative", "qualitative"]
    canonical_unit: str | None = None
    units: dict[str, UnitConversion] = Field(default_factory=dict)
    loinc: list[str] = Field(default_factory=list)
    also_quantitative: bool = Field(
        default=False, description="A qualitative test that may also carry a numeric value."
    )


@register("labs")
class LabsKnowledge(Topic):
    topic: Literal["labs"] = "labs"
    tests: dict[LabTest, LabDefinition]

    def test_for_loinc(self, code: str) -> LabTest | None:
        for test, definition in self.tests.items():
            if code in definition.loinc:
                return test
        return None
