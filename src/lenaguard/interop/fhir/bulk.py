"""FHIR Bulk Data (NDJSON) helpers on raw JSON: whose resource is this, and is it lenalidomide.

A bulk export holds one NDJSON file per resource type for a whole population; the command
line streams it (lenaguard.cli.fhir_bulk) and needs, for each line, only the patient it is
about and whether it is a lenalidomide order or statement. Those decisions are here, pure, on
the raw JSON (a full R4B validation of every line of every patient would be wasted on patients
who are not on lenalidomide; the patients who are get it when their bundle is mapped).
"""

from __future__ import annotations

from typing import Any

from lenaguard.interop.fhir.medications import IGNORED, is_lenalidomide
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.fhir import RXNORM

SUBJECT_FIELDS = ("subject", "patient")
"""Where a resource names its patient (Observation, MedicationRequest, Condition, … use
`subject`; AllergyIntolerance, Immunization, … use `patient`)."""

ON_LENALIDOMIDE = {
    "MedicationRequest": ("active", "on-hold", "completed", "draft"),
    "MedicationStatement": ("active", "on-hold", "completed", "intended"),
}
"""Statuses of a lenalidomide order or statement that put a patient on the worklist."""


def reference_text_id(text: str | None) -> str | None:
    """`Patient/123` → 123, `urn:uuid:abc` → abc (raw JSON)."""
    if not isinstance(text, str) or not text or "?" in text:
        return None
    text = text.split("/_history/", 1)[0]
    if text.startswith("urn:uuid:"):
        return text.removeprefix("urn:uuid:")
    return text.rstrip("/").rsplit("/", 1)[-1]


def patient_of(resource: dict[str, Any]) -> str | None:
    """The id of the patient a raw resource is about (a Patient: its own id)."""
    if resource.get("resourceType") == "Patient":
        found = resource.get("id")
        return found if isinstance(found, str) else None
    for name in SUBJECT_FIELDS:
        reference = resource.get(name)
        if isinstance(reference, dict):
            return reference_text_id(reference.get("reference"))
    return None


def medication_reference(resource: dict[str, Any]) -> str | None:
    """The id of the Medication a raw order or statement points at, if it points at one."""
    reference = resource.get("medicationReference")
    if not isinstance(reference, dict):
        return None
    text = reference.get("reference")
    return None if not isinstance(text, str) or text.startswith("#") else reference_text_id(text)


def _concept(resource: dict[str, Any], medications: dict[str, dict[str, Any]]) -> Any:
    if isinstance(resource.get("medicationCodeableConcept"), dict):
        return resource["medicationCodeableConcept"]
    found = medications.get(medication_reference(resource) or "")
    return found.get("code") if found else None


def is_lenalidomide_use(
    resource: dict[str, Any], catalogue: DrugCatalogue, medications: dict[str, dict[str, Any]]
) -> bool:
    """Whether a raw resource is a lenalidomide order or statement that puts its patient on
    the worklist (ON_LENALIDOMIDE)."""
    statuses = ON_LENALIDOMIDE.get(resource.get("resourceType", ""))
    status = resource.get("status")
    if statuses is None or status in IGNORED or status not in statuses:
        return False
    concept = _concept(resource, medications)
    if not isinstance(concept, dict):
        return False
    words = [concept.get("text")]
    for coding in concept.get("coding") or []:
        if not isinstance(coding, dict):
            continue
        code = coding.get("code")
        if (
            coding.get("system") == RXNORM
            and isinstance(code, str)
            and is_lenalidomide(catalogue.drug_for_rxnorm(code))
        ):
            return True
        words.append(coding.get("display"))
    for word in words:
        if isinstance(word, str):
            found = catalogue.find(word, None)
            if found is not None and is_lenalidomide(found[0]):
                return True
    return False
