"""Small FHIR R4 resources for the mapping tests, built as raw JSON (what an EHR sends)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
CPT = "http://www.ama-assn.org/go/cpt"

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SYNTHEA = sorted(FIXTURES.glob("synthea_*.bundle.json"))
ORDER_SIGN = FIXTURES / "order-sign_lenalidomide_request.json"

PATIENT_ID = "p1"


def patient(pid: str = PATIENT_ID, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "gender": "female",
        "birthDate": "1960-02-01",
    } | extra


def subject(pid: str = PATIENT_ID) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def observation(
    code: str,
    *,
    value: float | None = None,
    unit: str | None = None,
    ucum: str | None = None,
    when: str = "2026-11-20",
    status: str = "final",
    pid: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Observation",
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": subject(pid),
        "effectiveDateTime": when,
    }
    if value is not None:
        quantity: dict[str, Any] = {"value": value}
        if unit is not None:
            quantity["unit"] = unit
        if ucum is not None:
            quantity |= {"system": UCUM, "code": ucum}
        found["valueQuantity"] = quantity
    return found | extra


def coded(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def order(
    rxnorm: str,
    *,
    status: str = "active",
    authored: str = "2026-09-01",
    dose: float | None = 25,
    dose_unit: str = "mg",
    pid: str = PATIENT_ID,
    intent: str = "order",
    period_days: int | None = None,
    display: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": intent,
        "medicationCodeableConcept": coded(RXNORM, rxnorm, display),
        "subject": subject(pid),
        "authoredOn": authored,
    }
    dosage: dict[str, Any] = {}
    if dose is not None:
        dosage["doseAndRate"] = [
            {"doseQuantity": {"value": dose, "system": UCUM, "code": dose_unit}}
        ]
    if period_days is not None:
        dosage["timing"] = {"repeat": {"frequency": 1, "period": period_days, "periodUnit": "d"}}
    if dosage:
        found["dosageInstruction"] = [dosage]
    return found | extra


def condition(
    system: str, code: str, *, pid: str = PATIENT_ID, clinical: str | None = "active", **extra: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Condition",
        "code": coded(system, code),
        "subject": subject(pid),
    }
    if clinical is not None:
        found["clinicalStatus"] = coded(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", clinical
        )
    return found | extra


def myeloma(pid: str = PATIENT_ID) -> dict[str, Any]:
    return condition(ICD10CM, "C90.00", pid=pid)


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }


def load(path: Path) -> Any:
    return json.loads(path.read_text())
