"""Case builders shared by the pregnancy tests: a female patient, her pregnancy tests, a course.

Dates are offsets from the assessment date AS_OF; every builder returns new dicts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.safety.pregnancy import PregnancyOutcome, evaluate
from tests.factories import make_case

KB = default_knowledge()
AS_OF = dt.date(2026, 11, 20)
FRP_HISTORY = {
    "hysterectomy": False,
    "bilateral_oophorectomy": False,
    "months_since_last_menses": 0,
    "menses_regular": True,
}


def day(offset: int, base: dt.date = AS_OF) -> str:
    """ISO date `offset` days from `base` (negative: before)."""
    return (base + dt.timedelta(days=offset)).isoformat()


def preg(date: str, result: str = "negative", sensitivity: float | None = None) -> dict:
    entry: dict[str, Any] = {"test": "pregnancy", "result": result, "date": date}
    if sensitivity is not None:
        entry["sensitivity_miu_ml"] = sensitivity
    return entry


def female(
    tests: list[dict] | None = None,
    reproductive: dict | None = FRP_HISTORY,
    age: int = 35,
    **overrides: Any,
) -> dict:
    patient: dict[str, Any] = {"sex": "female", "age_years": age, "weight_kg": 62}
    if reproductive is not None:
        patient["reproductive"] = dict(reproductive)
    data: dict[str, Any] = {
        "patient": patient,
        "labs": tests or [],
        "conditions": {"pregnant": False, "breastfeeding": False},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def run(data: dict) -> PregnancyOutcome:
    return evaluate(make_case(**data), KB)


def ids(outcome: PregnancyOutcome) -> set[str]:
    return {finding.id for finding in outcome.findings}


def get(outcome: PregnancyOutcome, finding_id: str):
    (found,) = [f for f in outcome.findings if f.id == finding_id]
    return found


def blocking(outcome: PregnancyOutcome) -> set[str]:
    return {finding.id for finding in outcome.findings if finding.blocking}


def active(start_offset: int, **extra: Any) -> dict:
    return {"events": [{"date": day(start_offset), "event": "start", "dose_mg": 25}], **extra}
