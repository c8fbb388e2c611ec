"""FHIR R4 resources → case data, mapping notes and the proposal being checked.

`map_entries` is pure: resources in, the case-file data (docs/case-file.md) out, with the
notes that say what could not be mapped. `case_from_fhir` then validates that data as any case
file is validated (`caseio.case_from_data`), so a bad value is an error naming its field —
and, for a lab result, the FHIR entry it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from lenaguard.case import Case
from lenaguard.caseio import case_from_data
from lenaguard.errors import CaseError, FieldProblem
from lenaguard.findings import Finding
from lenaguard.interop.fhir import notes
from lenaguard.interop.fhir.common import full_date, reference_id
from lenaguard.interop.fhir.conditions import decide_indication, map_conditions
from lenaguard.interop.fhir.medications import ProposedOrder, map_medications
from lenaguard.interop.fhir.observations import map_observations
from lenaguard.interop.fhir.read import READ_TYPES, TITLE, Entry, fhir_error, read_resources
from lenaguard.knowledge import Frozen, KnowledgeBase, default_knowledge
from lenaguard.vocab import Indication

SEXES = {"female": "female", "male": "male"}
"""Patient.gender values the case can use (other and unknown cannot choose REMS rules)."""


class FhirMapping(Frozen):
    """What a FHIR input says, as case data, before validation."""

    data: dict[str, Any] = Field(description="Case-file data (docs/case-file.md).")
    notes: list[Finding] = Field(default_factory=list)
    proposals: list[ProposedOrder] = Field(default_factory=list)
    lab_origins: list[str] = Field(
        default_factory=list, description="The FHIR entry of each lab in data['labs']."
    )


@dataclass(frozen=True)
class MappedCase:
    """A validated case from FHIR, with the mapping notes (findings) and the proposals."""

    case: Case
    notes: list[Finding]
    proposals: list[ProposedOrder]


def _subject(entry: Entry) -> str | None:
    model = entry.model
    if entry.resource_type == "Patient":
        return model.id
    reference = getattr(model, "subject", None) or getattr(model, "patient", None)
    return reference_id(reference)


def _patient(entries: list[Entry], kb: KnowledgeBase, source: str) -> tuple[dict, list[Finding]]:
    patients = [e for e in entries if e.resource_type == "Patient"]
    ids = {e.model.id for e in patients}
    if not patients:
        raise fhir_error("Patient", "a Patient resource is needed (sex and birth date)", source)
    if len(ids) > 1:
        raise fhir_error(
            "Patient",
            f"one patient per input; found {len(ids)} ({', '.join(map(str, ids))})",
            source,
        )
    first = patients[0]
    patient = first.model
    where = first.where
    if patient.gender not in SEXES:
        raise fhir_error(
            f"{where}.gender",
            f"{patient.gender or 'missing'}: lenaguard needs female or male (the REMS risk "
            "category depends on it)",
            source,
        )
    born = full_date(patient.birthDate)
    if born is None:
        raise fhir_error(
            f"{where}.birthDate", f"{patient.birthDate or 'missing'}: a full date is needed", source
        )
    data = {
        "id": (patient.id or "unknown")[:200],
        "sex": SEXES[patient.gender],
        "birth_date": born[0],
    }
    found: list[Finding] = []
    deceased = patient.deceasedDateTime
    if deceased is not None or patient.deceasedBoolean:
        when = full_date(deceased)
        found.append(notes.patient_deceased(kb, str(when[0]) if when else None))
    return data, found


def map_entries(
    entries: list[Entry],
    *,
    today: dt.date,
    kb: KnowledgeBase | None = None,
    indication: Indication | None = None,
    source: str = "FHIR input",
) -> FhirMapping:
    """Map read resources to case data (as of `today`) and notes."""
    kb = kb or default_knowledge()
    patient, found = _patient(entries, kb, source)
    own: list[Entry] = []
    others: list[str] = []
    skipped: dict[str, int] = {}
    for entry in entries:
        if entry.resource_type == "Medication":
            own.append(entry)
            continue
        subject = _subject(entry)
        if subject is not None and subject != patient["id"]:
            others.append(entry.where)
            continue
        if entry.resource_type not in READ_TYPES:
            key = f"{entry.resource_type} resources"
            skipped[key] = skipped.get(key, 0) + 1
            continue
        own.append(entry)
    labs = map_observations([e for e in own if e.resource_type == "Observation"], kb, today)
    medications = map_medications(own, kb)
    conditions = map_conditions(own, kb)
    chosen, indication_notes = decide_indication(conditions, indication, kb, source)
    data: dict[str, Any] = {
        "as_of": today,
        "indication": chosen.value,
        "patient": patient,
        "labs": labs.labs,
        "medications": medications.medications,
        "conditions": conditions.conditions,
    }
    if medications.therapy is not None:
        data["therapy"] = medications.therapy
    found += indication_notes + labs.notes + medications.notes + conditions.notes
    if others:
        found.append(notes.other_patient(kb, others))
    skipped |= labs.not_used
    if skipped:
        found.append(notes.not_used(kb, skipped, sorted(set(labs.examples))))
    return FhirMapping(
        data=data, notes=found, proposals=medications.proposals, lab_origins=labs.origins
    )


def case_from_fhir(
    documents: Any | Iterable[tuple[str, Any]],
    *,
    today: dt.date,
    kb: KnowledgeBase | None = None,
    indication: Indication | None = None,
    source: str = "FHIR input",
) -> MappedCase:
    """A validated Case from a FHIR Bundle (or resource, or list of them), with the notes.

    `documents` is one parsed JSON document, or (path prefix, document) pairs when the
    resources come from several places (a CDS Hooks request's prefetch and draft orders).
    Raises CaseError naming the FHIR field or, after mapping, the case field and its entry.
    """
    kb = kb or default_knowledge()
    pairs = (
        [("", documents)]
        if not isinstance(documents, list | tuple)
        or (documents and not isinstance(documents[0], tuple))
        else list(documents)
    )
    entries = read_resources(pairs, source=source)
    mapping = map_entries(entries, today=today, kb=kb, indication=indication, source=source)
    try:
        case = case_from_data(mapping.data, today=today, source=source, kb=kb)
    except CaseError as exc:
        raise CaseError(
            [_located(problem, mapping.lab_origins) for problem in exc.problems],
            source=source,
            title=TITLE,
        ) from exc
    return MappedCase(case=case, notes=mapping.notes, proposals=mapping.proposals)


def _located(problem: FieldProblem, origins: list[str]) -> FieldProblem:
    """A case-field problem about `labs.N` also names the FHIR entry it came from."""
    parts = problem.field.split(".")
    if len(parts) >= 2 and parts[0] == "labs" and parts[1].isdigit():
        index = int(parts[1])
        if index < len(origins):
            return FieldProblem(f"{origins[index]} ({problem.field})", problem.message)
    return problem
