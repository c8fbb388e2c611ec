"""The CDS Services lenaguard offers (discovery) and the prefetch each asks for.

The prefetch templates ask for exactly what the rules read: the Patient (sex, birth date), the
Observations whose LOINC codes labs.yaml maps, the Conditions (indication, VTE history, HBV,
pregnancy), the medication orders and statements (the lenalidomide course and co-medications)
and the transplant Procedures by the codes fhir.yaml lists. The codes come from the knowledge
base, so the prefetch and the mapping can never disagree.
"""

from __future__ import annotations

from lenaguard.interop.cds_hooks.models import Service
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.fhir import FhirKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge

LOINC = "http://loinc.org"
PATIENT = "{{context.patientId}}"

ORDER_SELECT = "lenaguard-order-select"
ORDER_SIGN = "lenaguard-order-sign"
PATIENT_VIEW = "lenaguard-patient-view"

HOOKS = {ORDER_SELECT: "order-select", ORDER_SIGN: "order-sign", PATIENT_VIEW: "patient-view"}
"""Service id → the hook it answers."""


def prefetch_templates(kb: KnowledgeBase) -> dict[str, str]:
    """Prefetch key → FHIR query template (CDS Hooks prefetch tokens)."""
    labs = kb.get(LabsKnowledge)
    loinc = sorted({code for d in labs.tests.values() for code in d.loinc})
    lab_codes = ",".join(f"{LOINC}|{code}" for code in loinc)
    transplant = kb.get(FhirKnowledge).autologous_hsct
    procedure_codes = ",".join(
        f"{url}|{code}" for _name, url, codes in transplant.systems() for code in codes
    )
    return {
        "patient": f"Patient/{PATIENT}",
        "labs": f"Observation?patient={PATIENT}&code={lab_codes}",
        "conditions": f"Condition?patient={PATIENT}",
        "medications": f"MedicationRequest?patient={PATIENT}",
        "statements": f"MedicationStatement?patient={PATIENT}",
        "procedures": f"Procedure?patient={PATIENT}&code={procedure_codes}",
    }


def services(kb: KnowledgeBase) -> list[Service]:
    """The discovery entries: one service per hook, all with the same prefetch."""
    prefetch = prefetch_templates(kb)
    return [
        Service(
            hook="order-select",
            id=ORDER_SELECT,
            title="lenaguard: lenalidomide order check",
            description="When lenalidomide is chosen: the dose for the patient's kidney "
            "function and counts, REMS pregnancy testing and supply limits, hepatitis B "
            "screening and thromboprophylaxis, as cards with one-click fixes.",
            prefetch=prefetch,
        ),
        Service(
            hook="order-sign",
            id=ORDER_SIGN,
            title="lenaguard: lenalidomide order signing",
            description="Before a lenalidomide order is signed: the same checks as at "
            "selection, on the final draft (dose, schedule, supply, refills).",
            prefetch=prefetch,
        ),
        Service(
            hook="patient-view",
            id=PATIENT_VIEW,
            title="lenaguard: lenalidomide patient check",
            description="When the chart of a patient on lenalidomide opens: what needs doing "
            "now (dose changes, tests due, REMS and safety gaps).",
            prefetch=prefetch,
        ),
    ]
