"""Is a number plausible? One check for case files, calculators and the rules.

Each measurement has two ranges in the knowledge base (labs.yaml), in its canonical unit:
`possible` (outside it the value cannot be a living patient's: an error) and `probable`
(outside it the value is rare but real: it must be confirmed before prescribing). The case
model refuses impossible values, the calculators refuse them the same way, and a rule turns
improbable ones into findings, so the three never disagree about a value.

Messages give the range in the unit the user wrote and, when the value would be ordinary in
another accepted unit (a creatinine of 88 "mg/dL" is an ordinary 88 µmol/L), say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lenaguard.knowledge.topics.labs import (
    Bounds,
    LabDefinition,
    LabsKnowledge,
    Plausibility,
    PlausibleRange,
    UnitConversion,
)
from lenaguard.text import format_number
from lenaguard.vocab import LabTest

__all__ = ["Plausibility", "ValueCheck", "check_age", "check_lab_value", "number_words"]

_SMALL = 0.01
_LARGE = 1e12


def number_words(value: float) -> str:
    """A number for a message: as a clinician writes it, tiny and huge ones in short form."""
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < _SMALL or abs(value) >= _LARGE):
        return f"{value:.3g}"
    return format_number(round(value, 2))


def _as_written(value: float) -> str:
    """The value the user wrote, unrounded (so it never reads like the bound it crossed)."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < _LARGE:
        return f"{int(value):,}"
    return f"{value:.15g}"


@dataclass(frozen=True)
class ValueCheck:
    """Where one value lies, with the words a message needs."""

    level: Plausibility
    value: float
    """The value as written."""
    unit: str | None
    """The unit as written (None for ages)."""
    canonical_value: float
    entry: PlausibleRange
    possible_words: str
    """The possible range in the unit written, e.g. '0.05 to 40 mg/dL'."""
    probable_words: str
    """The probable range in the unit written."""
    hint: str | None = None
    """When the value would be probable in another unit: which one."""

    @property
    def value_words(self) -> str:
        return f"{_as_written(self.value)}{'' if self.unit is None else ' ' + self.unit}"

    def impossible_message(self, what: str) -> str:
        """The error message for an impossible value: the range allowed, and the hint."""
        message = (
            f"{self.value_words} is not possible for {what}; possible values: {self.possible_words}"
        )
        return message + (f". {self.hint}" if self.hint else "")

    def improbable_message(self, what: str) -> str:
        """One sentence: the value is outside the expected range for `what`."""
        return (
            f"{self.value_words} is outside the expected range for {what} ({self.probable_words})"
        )


def _range_words(bounds: Bounds, conversion: UnitConversion | None, unit: str | None) -> str:
    def shown(value: float) -> str:
        return number_words(value if conversion is None else conversion.from_canonical(value))

    suffix = "" if unit is None else f" {unit}"
    if bounds.low is not None and bounds.high is not None:
        return f"{shown(bounds.low)} to {shown(bounds.high)}{suffix}"
    if bounds.low is not None:
        return f"at least {shown(bounds.low)}{suffix}"
    if bounds.high is not None:
        return f"at most {shown(bounds.high)}{suffix}"
    return "any value"


def _hint(definition: LabDefinition, value: float, unit: str, entry: PlausibleRange) -> str | None:
    """'88 looks like a result in umol/L (= 1 mg/dL): check the unit', when it does."""
    written = definition.units[unit]
    for other, conversion in definition.units.items():
        if conversion.to_canonical(1) == written.to_canonical(1):
            continue  # the same scale under another spelling
        canonical = conversion.to_canonical(value)
        if entry.probable.contains(canonical):
            return (
                f"{number_words(value)} looks like a result in {other} "
                f"({number_words(value)} {other} = {number_words(canonical)} "
                f"{definition.canonical_unit}): check the unit"
            )
    return None


def check_lab_value(labs: LabsKnowledge, test: LabTest, value: float, unit: str) -> ValueCheck:
    """Classify a numeric result of `test` written in `unit` (a unit the test accepts)."""
    definition = labs.tests[test]
    entry = labs.plausible(test)
    conversion = definition.units[unit]
    canonical = conversion.to_canonical(value) if math.isfinite(value) else value
    level = entry.classify(canonical)
    return ValueCheck(
        level=level,
        value=value,
        unit=unit,
        canonical_value=canonical,
        entry=entry,
        possible_words=_range_words(entry.possible, conversion, unit),
        probable_words=_range_words(entry.probable, conversion, unit),
        hint=None if level is Plausibility.PROBABLE else _hint(definition, value, unit, entry),
    )


def check_age(labs: LabsKnowledge, years: float) -> ValueCheck:
    """Classify an age in whole years."""
    entry = labs.age_years
    return ValueCheck(
        level=entry.classify(years),
        value=years,
        unit=None,
        canonical_value=years,
        entry=entry,
        possible_words=_range_words(entry.possible, None, None) + " years",
        probable_words=_range_words(entry.probable, None, None) + " years",
    )
