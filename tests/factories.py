"""Building test cases: a minimal valid case file, with any part overridden."""

from __future__ import annotations

import copy
from typing import Any

from lenaguard.case import Case
from lenaguard.knowledge import default_knowledge

BASE: dict[str, Any] = {
    "as_of": "2026-11-20",
    "indication": "mm_combination",
    "patient": {"id": "test-1", "sex": "male", "age_years": 65, "weight_kg": 80, "height_cm": 175},
    "labs": [],
}


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def case_data(**overrides: Any) -> dict[str, Any]:
    """The BASE case file as a dict, with `overrides` deep-merged (dicts merge, lists replace)."""
    return _merge(BASE, overrides)


def make_case(**overrides: Any) -> Case:
    """A validated Case: BASE with `overrides` deep-merged."""
    return Case.from_data(case_data(**overrides), default_knowledge())


def lab(
    test: str,
    value: float | None = None,
    unit: str | None = None,
    date: str = "2026-11-18",
    **extra: Any,
) -> dict[str, Any]:
    """One lab entry of a case file."""
    entry: dict[str, Any] = {"test": test, "date": date, **extra}
    if value is not None:
        entry["value"] = value
    if unit is not None:
        entry["unit"] = unit
    return entry


def one_per_test_and_day(labs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first result of each test on each date: a case refuses two different results of one
    test on one date unless both carry their time of day (random generators use this)."""
    first: dict[tuple[Any, Any], dict[str, Any]] = {}
    for entry in labs:
        first.setdefault((entry.get("test") or entry.get("loinc"), str(entry["date"])), entry)
    return list(first.values())
