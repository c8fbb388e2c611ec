"""Condition and Procedure → the indication and the case's `conditions` facts.

Diagnoses naming an indication (fhir.yaml `diagnoses`) give the indication: myeloma with a
recorded autologous stem-cell transplant is maintenance, without one combination therapy, and
a note asks to confirm either. A VTE counts active or resolved (history); a pregnancy only while
active. Hepatitis B on the problem list and diagnoses that may bear on the indication become
notes. A missing or ambiguous indication is an error naming what to supply, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lenaguard.errors import CaseError
from lenaguard.findings import Finding
from lenaguard.interop.fhir import notes
from lenaguard.interop.fhir.common import code_label, codings
from lenaguard.interop.fhir.read import TITLE, Entry
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.fhir import Disease, FhirKnowledge
from lenaguard.vocab import Indication

EXCLUDED_VERIFICATION = ("refuted", "entered-in-error")
ACTIVE_CLINICAL = ("active", "recurrence", "relapse")
DONE_PROCEDURE = ("completed",)

INDICATIONS_OF: dict[str, tuple[Indication, ...]] = {
    "myeloma": (Indication.MM_COMBINATION, Indication.MM_MAINTENANCE),
    "mds_del5q": (Indication.MDS_DEL5Q,),
    "mcl": (Indication.MCL,),
    "fl": (Indication.FL,),
    "mzl": (Indication.MZL,),
}
"""The indications each diagnosis can stand for."""

INDICATION_OPTION = "supply it with --indication (command line) or ?indication= (web service)"


@dataclass
class ConditionsMapping:
    conditions: dict[str, bool] = field(default_factory=dict)
    diseases: dict[Disease, list[str]] = field(default_factory=dict)
    hsct: list[str] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)


def _status(concept: Any) -> str | None:
    found = codings(concept)
    return found[0][1] if found else None


def map_conditions(entries: list[Entry], kb: KnowledgeBase) -> ConditionsMapping:
    fhir = kb.get(FhirKnowledge)
    out = ConditionsMapping()
    hbv: list[str] = []
    ambiguous: list[str] = []
    for item in entries:
        resource = item.model
        if item.resource_type == "Procedure":
            if resource.status in DONE_PROCEDURE:
                for system, code, display in codings(resource.code):
                    if fhir.autologous_hsct.matches(system, code):
                        out.hsct.append(code_label(system, code, display))
                        out.conditions["autologous_hsct"] = True
            continue
        if item.resource_type != "Condition":
            continue
        if _status(resource.verificationStatus) in EXCLUDED_VERIFICATION:
            continue
        clinical = _status(resource.clinicalStatus)
        current = (clinical is None or clinical in ACTIVE_CLINICAL) and (
            resource.abatementDateTime is None
            and resource.abatementPeriod is None
            and resource.abatementString is None
            and resource.abatementAge is None
            and resource.abatementRange is None
        )
        for system, code, display in codings(resource.code):
            label = code_label(system, code, display)
            disease = fhir.disease_for(system, code)
            if disease is not None:
                out.diseases.setdefault(disease, []).append(label)
            if fhir.conditions["vte_history"].matches(system, code):
                out.conditions["vte_history"] = True
            if current and fhir.conditions["pregnant"].matches(system, code):
                out.conditions["pregnant"] = True
            if fhir.hbv_diagnosis.matches(system, code):
                hbv.append(label)
            if fhir.ambiguous_diagnoses.matches(system, code):
                ambiguous.append(label)
            if fhir.autologous_hsct.matches(system, code):
                out.hsct.append(label)
                out.conditions["autologous_hsct"] = True
    if hbv:
        out.notes.append(notes.hbv_diagnosis(kb, sorted(set(hbv))))
    if ambiguous:
        out.notes.append(notes.ambiguous_diagnoses(kb, sorted(set(ambiguous))))
    return out


def decide_indication(
    found: ConditionsMapping, given: Indication | None, kb: KnowledgeBase, source: str
) -> tuple[Indication, list[Finding]]:
    """The indication to assess, from the caller or the diagnoses, with its note."""
    codes = sorted({label for labels in found.diseases.values() for label in labels})
    possible = {ind for disease in found.diseases for ind in INDICATIONS_OF[disease]}
    if given is not None:
        if found.diseases and given not in possible:
            named = sorted(found.diseases)
            return given, [notes.indication_differs(kb, given.value, named, codes)]
        return given, []
    if not found.diseases:
        raise CaseError(
            [
                (
                    "indication",
                    "no diagnosis (Condition) names a lenalidomide indication (multiple myeloma, "
                    "MDS with del(5q), mantle cell, follicular or marginal zone lymphoma); "
                    + INDICATION_OPTION,
                )
            ],
            source=source,
            title=TITLE,
        )
    if len(found.diseases) > 1:
        raise CaseError(
            [
                (
                    "indication",
                    f"the diagnoses name several indications ({', '.join(sorted(found.diseases))}: "
                    f"{'; '.join(codes)}); " + INDICATION_OPTION,
                )
            ],
            source=source,
            title=TITLE,
        )
    disease = next(iter(found.diseases))
    if disease == "myeloma":
        indication = Indication.MM_MAINTENANCE if found.hsct else Indication.MM_COMBINATION
        codes = codes + found.hsct
    else:
        indication = INDICATIONS_OF[disease][0]
    return indication, [notes.indication_inferred(kb, indication.value, codes)]
