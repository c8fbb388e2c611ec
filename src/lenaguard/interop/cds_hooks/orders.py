"""FHIR R4 resources inside card suggestions, built from the typed remedies.

- a dose change replaces the draft lenalidomide MedicationRequest (action `update`, same id):
  the RxNorm product of the new capsule strength, the dose in mg, `timing.repeat` daily or every
  48 hours, the cycle days in the text, and a dispense quantity for at most the REMS supply;
- a missing test becomes a draft ServiceRequest coded with the test's LOINC code (labs.yaml);
- a medication to start becomes a draft MedicationRequest named by its drug class (drugs.yaml).

Pure: JSON dictionaries in, JSON dictionaries out. Every resource validates with the R4B models
(tests/cds).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.fhir import RXNORM, FhirKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.text import format_number
from lenaguard.vocab import Frequency, LabTest

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

HBV_SEROLOGY = "hbv_serology"
"""The remedy test that stands for the missing markers of the hepatitis B screen."""

TEST_LABS: dict[str, tuple[LabTest, ...]] = {
    "pregnancy_test": (LabTest.PREGNANCY,),
    HBV_SEROLOGY: (LabTest.HBSAG, LabTest.ANTI_HBC, LabTest.ANTI_HBS),
    "cbc": (LabTest.ANC, LabTest.PLATELETS),
}
"""Monitoring and remedy test names → the coded lab tests they order (others: the LabTest of
the same name, else a ServiceRequest with a text code)."""

TEST_WORDS = {
    LabTest.PREGNANCY: "pregnancy test (hCG)",
    LabTest.HBSAG: "HBsAg",
    LabTest.ANTI_HBC: "anti-HBc (total)",
    LabTest.ANTI_HBS: "anti-HBs",
    LabTest.ANC: "absolute neutrophil count",
    LabTest.PLATELETS: "platelet count",
}


def lab_tests(test: str, missing: list[LabTest] | None = None) -> list[LabTest] | None:
    """The coded tests a remedy's test name orders (the HBV markers still missing, if known)."""
    if test == HBV_SEROLOGY and missing:
        return list(missing)
    if test in TEST_LABS:
        return list(TEST_LABS[test])
    try:
        return [LabTest(test)]
    except ValueError:
        return None


def test_words(test: LabTest) -> str:
    return TEST_WORDS.get(test, test.value.replace("_", " "))


def service_request(
    test: str | LabTest, patient_id: str, kb: KnowledgeBase, *, by: dt.date | None, reason: str
) -> dict[str, Any]:
    """A draft order for one test."""
    if isinstance(test, LabTest):
        loinc = kb.get(LabsKnowledge).tests[test].loinc
        code: dict[str, Any] = {"text": test_words(test)}
        if loinc:
            code["coding"] = [{"system": LOINC, "code": loinc[0]}]
    else:
        code = {"text": test.replace("_", " ")}
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "order",
        "code": code,
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonCode": [{"text": reason}],
    }
    if by is not None:
        resource["occurrenceDateTime"] = by.isoformat()
    return resource


def medication_to_start(
    medication_class: str, patient_id: str, kb: KnowledgeBase, *, reason: str
) -> dict[str, Any]:
    """A draft order for a medication of a class; the prescriber picks product and dose."""
    found = kb.get(DrugCatalogue).classes.get(medication_class)
    name = found.description if found is not None else medication_class.replace("_", " ")
    return {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {"text": name},
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonCode": [{"text": reason}],
    }


def product_for(dose_mg: float, kb: KnowledgeBase, current: list[str]) -> str | None:
    """The RxNorm capsule product of a strength: the same kind (clinical or branded) as the
    draft's product when its code is listed next to it, else the first listed."""
    strengths = kb.get(FhirKnowledge).lenalidomide_products.strengths_mg
    codes = list(strengths)
    matching = [code for code in codes if strengths[code] == dose_mg]
    if not matching:
        return None
    for code in current:
        if code in strengths:
            same = [c for c in codes if strengths[c] == strengths[code]]
            position = same.index(code)
            if position < len(matching):
                return matching[position]
    return matching[0]


def dosing_days(
    frequency: Frequency, days_on: tuple[int, int] | None, cycle_days: int | None, limit: int
) -> tuple[int, int]:
    """(dosing days, supply days) for one dispense of at most `limit` days."""
    supply = min(cycle_days or limit, limit)
    first, last = days_on or (1, supply)
    last = min(last, supply)
    days = max(0, last - first + 1)
    if frequency is Frequency.EVERY_48H:
        days = math.ceil(days / 2)
    return days, supply


def schedule_words(
    dose_mg: float,
    frequency: Frequency,
    days_on: tuple[int, int] | None,
    cycle_days: int | None,
) -> str:
    how = "once daily" if frequency is Frequency.DAILY else "every 48 hours"
    words = f"{format_number(dose_mg)} mg orally {how}"
    if days_on is not None and cycle_days is not None:
        words += f" on days {days_on[0]}-{days_on[1]} of each {cycle_days}-day cycle"
    elif cycle_days is not None:
        words += f", continuously in {cycle_days}-day cycles"
    return words


def changed_order(
    draft: dict[str, Any],
    kb: KnowledgeBase,
    *,
    dose_mg: float,
    frequency: Frequency,
    days_on: tuple[int, int] | None,
    cycle_days: int | None,
    rxnorm: list[str],
) -> dict[str, Any] | None:
    """The draft MedicationRequest at a new dose and schedule (None: no capsule of that dose)."""
    product = product_for(dose_mg, kb, rxnorm)
    if product is None:
        return None
    limit = kb.get(RemsKnowledge).prescription_limits.max_days_supply
    days, supply = dosing_days(frequency, days_on, cycle_days, limit)
    words = schedule_words(dose_mg, frequency, days_on, cycle_days)
    strength = format_number(dose_mg)
    resource = copy.deepcopy(draft)
    resource.pop("medicationReference", None)
    resource["medicationCodeableConcept"] = {
        "coding": [
            {
                "system": RXNORM,
                "code": product,
                "display": f"lenalidomide {strength} MG Oral Capsule",
            }
        ],
        "text": f"lenalidomide {strength} MG Oral Capsule",
    }
    old = (draft.get("dosageInstruction") or [{}])[0]
    dosage: dict[str, Any] = {
        "text": words,
        "timing": {
            "repeat": {
                "frequency": 1,
                "period": 1 if frequency is Frequency.DAILY else 2,
                "periodUnit": "d",
            }
        },
        "doseAndRate": [
            {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
        ],
    }
    if isinstance(old, dict) and old.get("route"):
        dosage["route"] = old["route"]
    resource["dosageInstruction"] = [dosage]
    resource["dispenseRequest"] = limited_dispense(draft, kb, capsules=days, supply_days=supply)
    return resource


def limited_dispense(
    draft: dict[str, Any], kb: KnowledgeBase, *, capsules: float | None, supply_days: int | None
) -> dict[str, Any]:
    """The draft's dispenseRequest within the REMS limits (supply days, refills)."""
    limits = kb.get(RemsKnowledge).prescription_limits
    dispense = copy.deepcopy(draft.get("dispenseRequest") or {})
    days = (
        limits.max_days_supply if supply_days is None else min(supply_days, limits.max_days_supply)
    )
    dispense["numberOfRepeatsAllowed"] = limits.max_refills
    dispense["expectedSupplyDuration"] = {
        "value": days,
        "unit": "days",
        "system": UCUM,
        "code": "d",
    }
    if capsules is not None:
        dispense["quantity"] = {"value": capsules, "unit": "capsule"}
    return dispense
