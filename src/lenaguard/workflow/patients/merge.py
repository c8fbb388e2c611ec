"""The merged case: a patient's stored case file plus what the workflow records are the home of.

Authorization, readiness, the worklist and `POST /patients/{id}/assess` all read this one merged
case, so they can never disagree. Enrollment owns the patient's identity, sex, birth date and
reproductive history; the pregnancy-test records own every pregnancy test. The stored case owns
everything else (indication, treatment timeline, other labs, medications, …) and may not state
what the workflow owns (a PUT with a pregnancy test in `labs` is refused).

Pure functions over plain values, so the merge is testable without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from lenaguard.errors import WorkflowError

__all__ = [
    "EnrolledFacts",
    "PregnancyResult",
    "WORKFLOW_OWNED_FIELDS",
    "merge_case",
    "owned_fields_in",
]

WORKFLOW_OWNED_FIELDS = {
    "patient.sex": "set at enrollment",
    "patient.birth_date": "set at enrollment",
    "patient.age_years": "computed from the birth date set at enrollment",
    "patient.reproductive": "set at enrollment",
    "labs[test=pregnancy]": "record pregnancy tests with POST /api/v1/patients/{id}/pregnancy-tests",
}
"""What a stored case may not state, with where it is recorded instead."""


@dataclass(frozen=True)
class EnrolledFacts:
    """What enrollment records about a patient."""

    patient_id: str
    sex: str
    birth_date: dt.date
    reproductive: Mapping[str, Any] | None


@dataclass(frozen=True)
class PregnancyResult:
    taken_at: dt.datetime
    result: str
    sensitivity_miu_ml: float | None = None


def _is_pregnancy_lab(lab: Any) -> bool:
    return isinstance(lab, Mapping) and (
        lab.get("test") == "pregnancy" or str(lab.get("loinc", "")) in _PREGNANCY_LOINC
    )


_PREGNANCY_LOINC = frozenset({"2106-3", "2118-8", "19080-1", "21198-7"})


def owned_fields_in(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each workflow-owned fact a case file to be stored states."""
    problems: list[tuple[str, str]] = []
    patient = data.get("patient")
    if isinstance(patient, Mapping):
        for key in ("sex", "birth_date", "age_years", "reproductive"):
            if key in patient:
                problems.append(
                    (f"patient.{key}", WORKFLOW_OWNED_FIELDS[f"patient.{key}"] + "; leave it out")
                )
    labs = data.get("labs")
    if isinstance(labs, list):
        for index, lab in enumerate(labs):
            if _is_pregnancy_lab(lab):
                problems.append((f"labs.{index}", WORKFLOW_OWNED_FIELDS["labs[test=pregnancy]"]))
    return problems


def merge_case(
    stored: Mapping[str, Any] | None,
    enrolled: EnrolledFacts,
    pregnancy_tests: Iterable[PregnancyResult],
    *,
    as_of: dt.date,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The case file every reader assesses, as of a clinic date.

    Pregnancy tests taken after `as_of` (in the clinic's dates) are left out. Raises
    WorkflowError when no case has been stored yet (there is no indication to assess).
    """
    if stored is None:
        raise WorkflowError(
            [("case", "no clinical case stored for this patient yet")],
            title="no case",
            unmet=[
                ("case_missing", "Store the patient's case with PUT /api/v1/patients/{id}/case.")
            ],
        )
    data = {key: value for key, value in stored.items() if key != "as_of"}
    patient = dict(data.get("patient") or {})
    for key in ("sex", "birth_date", "age_years", "reproductive"):
        patient.pop(key, None)
    patient["id"] = enrolled.patient_id
    patient["sex"] = enrolled.sex
    patient["birth_date"] = enrolled.birth_date.isoformat()
    if enrolled.sex == "female" and enrolled.reproductive is not None:
        patient["reproductive"] = dict(enrolled.reproductive)
    data["patient"] = patient
    labs = [lab for lab in data.get("labs") or [] if not _is_pregnancy_lab(lab)]
    for test in sorted(pregnancy_tests, key=lambda t: t.taken_at):
        local = test.taken_at.astimezone(zone)
        if local.date() > as_of:
            continue
        lab: dict[str, Any] = {
            "test": "pregnancy",
            "result": test.result,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M:%S"),
        }
        if test.sensitivity_miu_ml is not None:
            lab["sensitivity_miu_ml"] = test.sensitivity_miu_ml
        labs.append(lab)
    data["labs"] = labs
    data["as_of"] = as_of.isoformat()
    return data
